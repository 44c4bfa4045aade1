"""Quiet stages: Axolotl's and the libraries' output goes to a per-stage log file, not the screen.

Output is captured at the file-descriptor level, so C extensions, progress bars and child
processes land in the log too; the terminal gets the stage's own one-line summaries. On a
failure the log's last lines and its path are printed before the error is raised again.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from core.jsonl import InputMissing
from core.params import ParamsError

LOG_DIR = Path("logs")  # git-ignored, outside every DVC output, so a rerun's hashes stay put
TAIL = 25  # log lines shown when a stage fails


def log_path(metrics: Path) -> Path:
    """logs/<stage>.log for a stage whose metrics file is metrics/train/<stage>.json."""
    return LOG_DIR / f"{Path(metrics).stem}.log"


@contextmanager
def captured(log: Path, what: str, announce: bool = True) -> Iterator[None]:
    """Send fds 1 and 2 (and Python logging at INFO) to `log` for the duration of the block.

    `announce` prints the one `what: log in <log>` line after the block; a bad input
    (ParamsError, InputMissing) is re-raised without the log's tail: its message is complete.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    console = os.fdopen(os.dup(saved[1]), "w", buffering=1)
    with open(log, "a", encoding="utf-8") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        root = logging.getLogger()
        handler = logging.StreamHandler(fh)
        root.addHandler(handler)
        try:
            yield
        except (ParamsError, InputMissing):
            _restore(saved, root, handler)
            raise
        except BaseException:
            _restore(saved, root, handler)
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-TAIL:]
            print("\n".join(lines), file=console)
            print(f"{what} failed; full log: {log}", file=console)
            raise
        else:
            _restore(saved, root, handler)
        finally:
            console.close()
    if announce:
        print(f"{what}: log in {log}", file=sys.stderr)


def quiet(log: Path, what: str) -> AbstractContextManager[None]:
    """`captured` without the closing line: for library imports whose warnings (torchao's
    missing CUDA kernels, torch's pytree notices, bitsandbytes' kernel lookup) would otherwise
    reach the terminal before the stage's real work starts."""
    return captured(log, what, announce=False)


def _restore(saved: tuple[int, int], root: logging.Logger, handler: logging.Handler) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    root.removeHandler(handler)
    os.dup2(saved[0], 1)
    os.dup2(saved[1], 2)
