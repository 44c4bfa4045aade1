import math

import numpy as np
import pytest

from evals.stats import bootstrap_ci, paired_diff


def test_ci_covers_a_known_proportion_at_about_the_nominal_rate():
    rng = np.random.default_rng(12)
    covered = 0
    for i in range(400):
        sample = rng.random(100) < 0.3
        lo, hi = bootstrap_ci(sample, seed=i)
        covered += lo <= 0.3 <= hi
    assert 0.90 <= covered / 400 <= 0.98


def test_ci_brackets_the_mean_and_is_deterministic():
    values = np.random.default_rng(0).normal(2.0, 1.0, size=110)
    lo, hi = bootstrap_ci(values, seed=3)
    assert lo < values.mean() < hi
    assert bootstrap_ci(values, seed=3) == (lo, hi)
    assert bootstrap_ci(values, seed=4) != (lo, hi)


def test_ci_edge_cases():
    assert all(math.isnan(v) for v in bootstrap_ci([]))
    assert bootstrap_ci([0.7]) == (0.7, 0.7)
    assert bootstrap_ci([1, 1, 1]) == (1.0, 1.0)
    assert bootstrap_ci([1.0, math.nan, 1.0]) == (1.0, 1.0)  # NaN items do not apply


def test_identical_models_differ_by_nothing():
    a = np.random.default_rng(1).random(110) < 0.4
    result = paired_diff(a, a)
    assert result["diff"] == 0.0
    assert result["p_value"] == 1.0
    assert not result["significant"]
    assert result["n"] == 110


def test_a_clear_shift_is_significant():
    rng = np.random.default_rng(2)
    base = rng.random(110) < 0.2
    better = base | (rng.random(110) < 0.5)
    result = paired_diff(better, base)
    assert result["diff"] > 0.3
    assert 0 < result["ci_low"] <= result["diff"] <= result["ci_high"]
    assert result["p_value"] < 0.01
    assert result["significant"]
    assert paired_diff(base, better)["ci_high"] < 0  # sign follows a - b


def test_noise_alone_is_rarely_significant():
    rng = np.random.default_rng(5)
    flagged = sum(
        paired_diff(rng.random(110) < 0.3, rng.random(110) < 0.3, seed=i)["significant"]
        for i in range(100)
    )
    assert flagged <= 12  # nominal 5 of 100


def test_paired_diff_is_deterministic_given_seed():
    rng = np.random.default_rng(3)
    a, b = rng.random(60), rng.random(60)
    assert paired_diff(a, b, seed=9) == paired_diff(a, b, seed=9)


def test_small_samples_use_the_exact_permutation_test():
    result = paired_diff([1, 1, 1, 1, 1], [0, 0, 0, 0, 0])
    assert result["p_value"] == pytest.approx(2 / 32)  # all-plus and all-minus of 2**5 patterns
    single = paired_diff([1.0], [0.0])
    assert single["p_value"] == 1.0 and not single["significant"]
    empty = paired_diff([], [])
    assert math.isnan(empty["diff"]) and not empty["significant"] and empty["n"] == 0


def test_paired_diff_rejects_unpaired_inputs():
    with pytest.raises(ValueError):
        paired_diff([1, 0, 1], [1, 0])


def test_the_seed_level_of_the_dpo_seeds_interval_widens_it_and_finds_a_real_shift():
    """bench/dpo_seeds.py: runs × items; seeds that disagree widen the interval, a shift shows."""
    from bench.dpo_seeds import two_level_diff

    rng = np.random.default_rng(1)
    items = rng.random(110) < 0.2
    same = [items.astype(float)] * 3
    point, lo, hi = two_level_diff(same, same)
    assert point == 0 and lo == 0 and hi == 0  # identical runs: no difference, no width
    # three seeds of one arm that disagree (rates 0.1, 0.2, 0.3) against a steady arm at 0.2
    noisy = [(rng.random(110) < p).astype(float) for p in (0.1, 0.2, 0.3)]
    steady = [(rng.random(110) < 0.2).astype(float) for _ in range(3)]
    _, lo_n, hi_n = two_level_diff(steady, noisy)
    _, lo_s, hi_s = two_level_diff(
        steady, [(rng.random(110) < 0.2).astype(float) for _ in range(3)]
    )
    assert hi_n - lo_n > hi_s - lo_s
    shifted = [(rng.random(110) < 0.6).astype(float) for _ in range(3)]
    point, lo, hi = two_level_diff(steady, shifted)
    assert 0.3 < point < 0.5 and lo > 0.2
    nan_rows = [np.where(np.arange(110) < 20, r, np.nan) for r in steady]  # a risk-only metric
    assert np.isfinite(two_level_diff(nan_rows, nan_rows)[0])
