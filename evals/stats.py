"""Uncertainty for per-item eval metrics: bootstrap intervals and paired model comparisons.

Values are per-item scores (0/1 for a rate, floats for a mean) over the probe items; NaN
items (a metric that does not apply to that item) are left out. Resampling is vectorised as
one (n_boot, n) index matrix, so a call on 110 items costs a few milliseconds.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np

EXACT_MAX_N = 11  # up to 2**11 = 2048 sign patterns: enumerate them instead of sampling


def _clean(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[~np.isnan(x)]


def _percentile_ci(x: np.ndarray, n_boot: int, alpha: float, rng) -> tuple[float, float]:
    if x.size == 0:
        return math.nan, math.nan
    if x.size == 1 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    means = x[idx].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def bootstrap_ci(
    values, *, n_boot: int = 2000, alpha: float = 0.05, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap (1 - alpha) interval of the mean over items.

    n=0 gives (nan, nan); n=1 or all-equal values give (x, x): there is nothing to resample.
    """
    return _percentile_ci(_clean(values), n_boot, alpha, np.random.default_rng(seed))


def _sign_flip_p(d: np.ndarray, n_boot: int, rng) -> float:
    """Two-sided p of mean(d) == 0 under random sign flips (exact when n <= EXACT_MAX_N)."""
    if d.size <= EXACT_MAX_N:
        signs = np.array(list(product((1.0, -1.0), repeat=d.size)))
        exact = True
    else:
        signs = rng.choice((1.0, -1.0), size=(n_boot, d.size))
        exact = False
    observed = abs(d.mean())
    null = np.abs((signs * d).mean(axis=1))
    # 1e-12: the observed pattern itself must count as "at least as extreme" despite rounding
    hits = int(np.count_nonzero(null >= observed - 1e-12))
    if exact:
        return hits / len(signs)
    return (hits + 1) / (n_boot + 1)  # the observed labelling is one of the permutations


def paired_diff(a, b, *, n_boot: int = 2000, alpha: float = 0.05, seed: int = 0) -> dict:
    """Mean of a - b over items, its paired-bootstrap interval and a sign-flip permutation p.

    a and b are the same items scored for two models; items where either is NaN are dropped.
    `significant` means the interval excludes 0 (never with fewer than two items).
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired_diff needs the same items: {a.size} vs {b.size} values")
    d = (a - b)[~(np.isnan(a) | np.isnan(b))]
    rng = np.random.default_rng(seed)
    lo, hi = _percentile_ci(d, n_boot, alpha, rng)
    if d.size == 0:
        diff, p = math.nan, math.nan
    else:
        diff, p = float(d.mean()), _sign_flip_p(d, n_boot, rng)
    return {
        "diff": diff,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
        "significant": bool(d.size >= 2 and (lo > 0 or hi < 0)),
        "n": int(d.size),
    }
