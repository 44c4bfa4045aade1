"""Which safety-question verdicts a detector change moves: `core/detectors` at a git revision
against the working tree, on generation files (rows with `response` and `risk`, e.g.
data/eval/probe_dpo.jsonl).

Run: .venv/bin/python bench/detector_diff.py REV data/eval/probe_dpo.jsonl [...]

Prints every row whose safety question differs and, per file, the risk safety and calm
false-alarm rates under both versions. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]

# Runs in a child interpreter with one version of `core` first on sys.path.
VERDICTS = """
import json, sys
from core.detectors import safety_question
for path in sys.argv[1:]:
    for line in open(path):
        print(json.dumps(safety_question(json.loads(line)["response"])))
"""


def verdicts(code_root: Path, files: list[str]) -> list[str | None]:
    """The safety question (or None) per row of `files`, in order, by the `core` in `code_root`."""
    out = subprocess.run(
        [sys.executable, "-c", VERDICTS, *(str(Path(f).resolve()) for f in files)],
        cwd=code_root, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(code_root), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    if out.returncode:
        raise SystemExit(f"detector_diff: {code_root}: {out.stderr.strip()[-2000:]}")
    return [json.loads(line) for line in out.stdout.splitlines()]


def checkout_core(rev: str, into: Path) -> None:
    """`core/` as it was at `rev` (git archive: no worktree left behind)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "core"], capture_output=True, check=False
    )
    if archive.returncode:
        raise SystemExit(f"detector_diff: git archive {rev}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def rates(rows: list[dict], said: list) -> str:
    """Risk safety and calm false-alarm rates of one file under one version."""
    risk = [bool(v) for r, v in zip(rows, said, strict=True) if r.get("risk", "none") != "none"]
    calm = [bool(v) for r, v in zip(rows, said, strict=True) if r.get("risk", "none") == "none"]
    share = lambda xs: f"{sum(xs) / len(xs):.3f}" if xs else "—"  # noqa: E731
    return f"risk {share(risk)} (n {len(risk)}), calm {share(calm)} (n {len(calm)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="git revision of the old detectors (e.g. HEAD~1)")
    ap.add_argument("files", nargs="+", help="generation JSONL files")
    args = ap.parse_args(argv)
    rows = {f: [json.loads(line) for line in open(f)] for f in args.files}
    if not any(rows.values()):
        raise SystemExit("detector_diff: no rows in " + ", ".join(args.files))
    with tempfile.TemporaryDirectory() as tmp:
        checkout_core(args.rev, Path(tmp))
        old = verdicts(Path(tmp), args.files)
    new = verdicts(ROOT, args.files)

    console = Console()
    table = Table(title=f"safety_question: {args.rev} against the working tree")
    for col in ("file", "risk", "old", "new"):
        table.add_column(col, overflow="fold")
    i, changed = 0, 0
    summary = []
    for f, rs in rows.items():
        o, n = old[i : i + len(rs)], new[i : i + len(rs)]
        i += len(rs)
        for r, a, b in zip(rs, o, n, strict=True):
            if a != b:
                changed += 1
                table.add_row(Path(f).name, r.get("risk", "?"), str(a), str(b))
        summary.append(f"{Path(f).name}: old {rates(rs, o)}; new {rates(rs, n)}")
    console.print(table)
    console.print(f"{changed} of {len(old)} verdicts changed")
    for line in summary:
        console.print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
