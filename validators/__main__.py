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

from core import cli
from core.jsonl import iter_jsonl, write_json, write_jsonl
from core.params import load_section
from validators.card import write_card
from validators.core import ValidateParams, validate_records


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
    m = res.metrics
    top = dict(sorted(m["reasons"].items(), key=lambda kv: -kv[1])[:3])
    cli.say_metrics("validate", m, "in", "kept", "rejected", top_reasons=top, card=args.card or "-")
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
