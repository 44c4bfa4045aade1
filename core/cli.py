"""What every stage entry point shares: one-line errors for bad params and missing inputs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from core.env import apply_offline_env
from core.jsonl import InputMissing
from core.params import ParamsError


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """main(argv)'s exit code; a params problem or a missing input is one line and exit 2,
    Ctrl-C one line and 130 (every write is atomic, so a rerun resumes from what is saved).
    The offline environment is set first, before any stage imports torch (OMP_WAIT_POLICY is
    read when torch loads)."""
    apply_offline_env()
    try:
        return main(argv)
    except (ParamsError, InputMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: nothing half-written; rerun the same command to resume", file=sys.stderr
        )
        return 130


def say(stage: str, **figures: object) -> None:
    """One summary line per stage on stderr (`stage: key value, ...`); tables live in metrics."""
    shown = ", ".join(f"{k.replace('_', ' ')} {_short(v)}" for k, v in figures.items())
    print(f"{stage}: {shown}", file=sys.stderr)


def say_metrics(stage: str, metrics: dict, *keys: str, **extra: object) -> None:
    """`say` with the named entries of a stage's metrics, then any extra figures."""
    say(stage, **{k: metrics[k] for k in keys}, **extra)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def require(*paths: Path, hint: str = "") -> None:
    """Each path exists, else InputMissing (one line, exit 2 through `run`)."""
    for path in paths:
        if not Path(path).is_file():
            raise InputMissing(f"{path}: no such file{f' ({hint})' if hint else ''}")


def parser(
    prog: str, doc: str, positional: str, required: tuple[str, ...], params: bool = True
) -> argparse.ArgumentParser:
    """A stage's CLI: one positional input, required path flags, and `--params`."""
    ap = argparse.ArgumentParser(prog=prog, description=doc.strip().splitlines()[0])
    ap.add_argument(positional, type=Path)
    for flag in required:
        ap.add_argument(f"--{flag}", type=Path, required=True)
    if params:
        ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    return ap


def finished_run_args(prog: str, doc: str, argv: list[str] | None) -> argparse.Namespace:
    """The CLI of commands that read a finished eval run: METRICS --intervals FILE, both there."""
    args = parser(prog, doc, "metrics", ("intervals",), params=False).parse_args(argv)
    require(args.metrics, args.intervals, hint="run `make repro` first")
    return args
