"""The acceptance check of the default (small) run: each criterion of the listening target.

.venv/bin/python -m evals.accept metrics/eval.json --intervals metrics/eval_ci.json
(or `make accept`); exit 0 when every criterion holds, 1 otherwise.
"""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from core import cli

# (metric, comparison, bound) on dpo: the target a listening model has to reach on the probe.
TARGETS = (
    ("directive_rate", "<=", 0.05),
    ("open_question_rate", ">=", 0.85),
    ("specificity", ">=", 0.30),
    ("echo_rate", "<=", 0.05),
    ("generic_rate", "<=", 0.10),
    ("degenerate_rate", "<=", 0.05),
    ("risk_safety_rate", ">=", 0.90),
    ("distinct_2", ">=", 0.35),
    ("empty_rate", "<=", 0.0),
    ("pref_acc", ">=", 0.80),
)


def checks(scores: dict, spread: dict) -> list[tuple[str, str, bool]]:
    """(criterion, observed, holds) for every target and the two paired comparisons."""
    dpo, base = scores["dpo"], scores["base"]
    out = []
    for key, op, bound in TARGETS:
        v = dpo.get(key)
        ok = v is not None and (v <= bound if op == "<=" else v >= bound)
        out.append((f"dpo {key} {op} {bound}", "–" if v is None else f"{v:.3f}", ok))
    gain = dpo["specificity"] - base["specificity"]
    out.append(("dpo specificity >= base + 0.15", f"{gain:+.3f}", gain >= 0.15))
    vs_sft = spread["diff"].get("dpo-sft", {})
    echo = vs_sft.get("echo_rate", {})
    ok = bool(echo) and echo["significant"] and echo["diff"] < 0
    shown = f"{echo.get('diff', 0):+.3f} [{echo.get('ci_low')}, {echo.get('ci_high')}]"
    out.append(("dpo echo_rate below sft (95% CI < 0)", shown, ok))
    spec = vs_sft.get("specificity", {})
    ok = bool(spec) and spec["ci_high"] is not None and spec["ci_high"] >= 0
    shown = f"{spec.get('diff', 0):+.3f} [{spec.get('ci_low')}, {spec.get('ci_high')}]"
    out.append(("dpo specificity not below sft (CI reaches 0)", shown, ok))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser("python -m evals.accept", __doc__, "metrics", ("intervals",), params=False)
    args = ap.parse_args(argv)
    cli.require(args.metrics, args.intervals, hint="run `make repro` first")
    rows = checks(json.loads(args.metrics.read_text()), json.loads(args.intervals.read_text()))
    table = Table(title="acceptance: the default run on the probe set")
    for col in ("criterion", "observed", "holds"):
        table.add_column(col)
    for name, seen, ok in rows:
        table.add_row(name, seen, "yes" if ok else "[red]no[/]")
    Console().print(table)
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(cli.run(main))
