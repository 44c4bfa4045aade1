"""Print the listening metrics and verdicts of the last eval run (the end of `make repro`).

.venv/bin/python -m evals.show metrics/eval.json --intervals metrics/eval_ci.json
"""

from __future__ import annotations

import json
import sys

from rich.console import Console

from core import cli
from evals.report import PRIMARY, metrics_table, verdicts


def main(argv: list[str] | None = None) -> int:
    args = cli.finished_run_args("python -m evals.show", __doc__, argv)
    console = Console()
    scores = json.loads(args.metrics.read_text())
    primary = {
        m: {k: v for k, v in s.items() if k in (*PRIMARY, "risk_n", "n")} for m, s in scores.items()
    }
    console.print(metrics_table(primary, "probe, primary metrics; all in metrics/eval.json"))
    for line in verdicts(json.loads(args.intervals.read_text())):
        console.print(line.replace("**", ""), markup=False)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
