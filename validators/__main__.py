"""Stage `validate`: clean and check triples; kept rows list fixes, rejected rows reasons.

    .venv/bin/python -m validators data/generated/triples.jsonl \\
        --kept data/validated/kept.jsonl --rejected data/validated/rejected.jsonl \\
        --metrics metrics/validate.json --card reports/data_card.md
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import yaml
from rich.console import Console
from rich.progress import track
from rich.table import Table

from generators.schema import iter_jsonl, write_json, write_jsonl
from validators.core import Result, ValidateParams, validate_records


def load_params(path: str | Path) -> ValidateParams:
    """The `validate` section of params.yaml (a misspelt key fails here, before any work)."""
    section = (yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}).get("validate") or {}
    return ValidateParams(**section)


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


def write_card(res: Result, card: Path, console: Console) -> None:
    """The data card through validators.card, skipped with a warning while it does not exist."""
    try:
        card_mod = importlib.import_module("validators.card")
    except ModuleNotFoundError as exc:
        if exc.name != "validators.card":
            raise
        console.print(f"[yellow]warning: validators.card not available, skipping {card}[/]")
        return
    card_mod.write_card(res.kept, res.rejected, res.metrics, card)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m validators", description=__doc__.splitlines()[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("--kept", type=Path, required=True)
    ap.add_argument("--rejected", type=Path, required=True)
    ap.add_argument("--metrics", type=Path, required=True)
    ap.add_argument("--card", type=Path, default=None, help="data card markdown (+ PNG beside it)")
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = ap.parse_args(argv)
    params = load_params(args.params)
    console = Console(stderr=True)

    with open(args.input, "rb") as fh:
        total = sum(1 for line in fh if line.strip())
    rows = ((str(args.input), n, obj, bad) for n, obj, bad in iter_jsonl(args.input))
    res = validate_records(
        track(rows, total=total, description="validate", console=console), params
    )
    write_jsonl(args.kept, res.kept)
    write_jsonl(args.rejected, res.rejected)
    write_json(args.metrics, res.metrics)
    if args.card:
        write_card(res, args.card, console)
    console.print(summary(res, str(args.input)))


if __name__ == "__main__":
    main()
