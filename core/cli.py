"""What every stage entry point shares: one-line errors for bad params and missing inputs."""

from __future__ import annotations

import sys
from collections.abc import Callable

from core.jsonl import InputMissing
from core.params import ParamsError


def run(main: Callable[[list[str] | None], int], argv: list[str] | None = None) -> int:
    """main(argv)'s exit code; a params problem or a missing input is one line and exit 2."""
    try:
        return main(argv)
    except (ParamsError, InputMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
