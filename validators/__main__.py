"""Stage `validate`: clean and check triples; kept rows list fixes, rejected rows reasons.

    .venv/bin/python -m validators data/generated/triples.jsonl \\
        --kept data/validated/kept.jsonl --rejected data/validated/rejected.jsonl \\
        --metrics metrics/validate.json --card reports/data_card.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from core import cli
from core.jsonl import iter_jsonl, write_json, write_jsonl
from core.params import load_section
from validators.card import write_card
from validators.core import Result, ValidateParams, validate_records


def summary(res: Result, source: str) -> Table:
    """Counts and per-reason / per-fix tallies as one rich table."""
    m = res.metrics
    table = Table(title=f"validate {source}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("in", "kept", "rejected"):
        table.add_row(key, str(m[key]))
    for code, n in sorted(m["reasons"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  reason {code}", str(n))
    for name, n in sorted(m["fixes"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  fix {name}", str(n))
    return table


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser("python -m validators", __doc__, "input", ("kept", "rejected", "metrics"))
    ap.add_argument("--card", type=Path, default=None, help="data card markdown (+ PNG beside it)")
    args = ap.parse_args(argv)
    params = load_section(args.params, "validate", ValidateParams)
    console = Console(stderr=True)

    lines = iter_jsonl(args.input)  # a missing input is one line here, before any output
    with open(args.input, "rb") as fh:
        total = sum(1 for line in fh if line.strip())
    rows = ((str(args.input), n, obj, bad) for n, obj, bad in lines)
    res = validate_records(
        track(rows, total=total, description="validate", console=console), params
    )
    write_jsonl(args.kept, res.kept)
    write_jsonl(args.rejected, res.rejected)
    write_json(args.metrics, res.metrics)
    if args.card:
        write_card(res.kept, res.rejected, res.metrics, args.card)
    console.print(summary(res, str(args.input)))
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
