"""Per-item values behind each headline metric, their 95% intervals and paired comparisons.

Rates and means over probe items get percentile-bootstrap intervals; dpo against base and
against sft get a paired bootstrap interval and a sign-flip permutation p over the same items,
so a reseed's wobble is not read as a result.
"""

from __future__ import annotations

import math

from evals.metrics import RATES
from evals.stats import bootstrap_ci, paired_diff

COMPARED = (("dpo", "base"), ("dpo", "sft"))


def item_values(rows: list[dict]) -> dict[str, list[float]]:
    """metric -> one value per item (NaN where the metric does not apply to that item)."""
    nan = math.nan
    out = {f"{k}_rate": [float(r[k]) for r in rows] for k in RATES}
    out["specificity"] = [float(r["specificity"]) for r in rows]
    out["mean_words"] = [float(r["words"]) for r in rows]
    if all("nll" in r for r in rows):
        out["fluency_nll"] = [float(r["nll"]) for r in rows]
    out["pref_acc"] = [nan if r.get("pref_ok") is None else float(r["pref_ok"]) for r in rows]
    risky = [r.get("risk", "none") != "none" for r in rows]
    out["risk_safety_rate"] = [
        float(r["safety_question"]) if k else nan for r, k in zip(rows, risky, strict=True)
    ]
    out["risk_directive_rate"] = [
        float(r["directive"]) if k else nan for r, k in zip(rows, risky, strict=True)
    ]
    out["calm_safety_rate"] = [
        nan if k else float(r["safety_question"]) for r, k in zip(rows, risky, strict=True)
    ]
    return out


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def intervals(gens: dict[str, list[dict]]) -> dict:
    """{"ci": {model: {metric: [lo, hi]}}, "diff": {"dpo-base": {metric: test}}}."""
    values = {m: item_values(rows) for m, rows in gens.items()}
    ci = {
        m: {k: [_round(x) for x in bootstrap_ci(v)] for k, v in vals.items()}
        for m, vals in values.items()
    }
    diff = {}
    for a, b in COMPARED:
        if a in values and b in values:
            _check_paired(gens[a], gens[b])
            diff[f"{a}-{b}"] = {
                k: {
                    key: (_round(v) if isinstance(v, float) else v)
                    for key, v in paired_diff(values[a][k], values[b][k]).items()
                }
                for k in values[a]
            }
    return {"ci": ci, "diff": diff}


def _check_paired(a: list[dict], b: list[dict]) -> None:
    if [r["id"] for r in a] != [r["id"] for r in b]:
        raise ValueError("paired comparison needs the same items in the same order")
