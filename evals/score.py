"""Score any model's or API's responses with the listening detectors.

    .venv/bin/python -m evals.score IN.jsonl --out OUT.jsonl

IN rows need string fields `prompt` and `response` (other fields are kept); OUT rows add
`core.detectors.SCORE_FIELDS`: the detector booleans, `empty`, `specificity` (0..1) and
`words`. Bad lines are listed as file:line: field: problem and exit 1.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from core import cli
from core.degenerate import is_degenerate, is_truncated
from core.detectors import NAMES, asks_about_risk, score
from core.jsonl import BadLine, iter_jsonl, write_jsonl
from core.textstats import distinct_n, top_opener_share


def check_row(path: str, lineno: int, row: dict) -> BadLine | None:
    """The reason a row cannot be scored, or None."""
    for field in ("prompt", "response"):
        if field not in row:
            return BadLine(path, lineno, field, "missing", str(row)[:200])
        if not isinstance(row[field], str):
            return BadLine(
                path, lineno, field, f"not a string ({type(row[field]).__name__})", str(row)[:200]
            )
    return None


def quality(row: dict) -> dict:
    """Degenerate / truncated text and a direct safety question; `hit_max_tokens` optional."""
    text, hit = row["response"], bool(row.get("hit_max_tokens", False))
    return {
        "degenerate": is_degenerate(text, hit_max_tokens=hit),
        "truncated": is_truncated(text, hit),
        "safety_question": asks_about_risk(text),
    }


def score_row(row: dict) -> dict:
    """The row with every detector field and the quality checks added."""
    return row | score(row["response"], row["prompt"]) | quality(row)


def score_file(path: str) -> tuple[list[dict], list[BadLine]]:
    """Score every good row of a JSONL file; bad rows come back with their reason."""
    scored, bad = [], []
    for lineno, row, problem in iter_jsonl(path):
        problem = problem or check_row(path, lineno, row)
        if problem:
            bad.append(problem)
        else:
            scored.append(score_row(row))
    return scored, bad


def summary_table(rows: list[dict], n_bad: int) -> Table:
    """Aggregate rates over the scored rows."""
    table = Table(title=f"{len(rows)} scored, {n_bad} bad")
    table.add_column("metric")
    table.add_column("value", justify="right")
    n = max(len(rows), 1)
    for k in (*NAMES, "degenerate", "truncated"):
        table.add_row(f"{k}_rate", f"{sum(r[k] for r in rows) / n:.3f}")
    table.add_row("specificity", f"{sum(r['specificity'] for r in rows) / n:.3f}")
    responses = [r["response"] for r in rows]
    table.add_row("distinct_2", f"{distinct_n(responses, 2):.3f}")
    table.add_row("top_opener_share", f"{top_opener_share(responses):.3f}")
    return table


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser("python -m evals.score", __doc__, "input", ("out",), params=False)
    args = ap.parse_args(argv)
    rows, bad = score_file(str(args.input))
    for problem in bad:
        print(problem, file=sys.stderr)  # plain: one greppable file:line per bad row
    write_jsonl(args.out, rows)
    Console().print(summary_table(rows, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
