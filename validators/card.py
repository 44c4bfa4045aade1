"""The data card: what the validate stage kept, what it rejected and why, and how long things are.

Written by the validate stage (`python -m validators ... --card reports/data_card.md`), with a
length histogram `data_card_lengths.png` beside the card.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on CI or the training box
import matplotlib.pyplot as plt  # noqa: E402

from core.detectors import words  # noqa: E402
from core.jsonl import atomic_write_text  # noqa: E402
from core.schema import RESPONSE_FIELDS, Triple  # noqa: E402

LENGTH_FIELDS = ("prompt", *RESPONSE_FIELDS)


def cell(value: object, limit: int = 90) -> str:
    """A markdown table cell: one line, pipes escaped, long text cut."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines if len(lines) > 2 else [*lines, "| " + " | ".join(["—"] * len(header)) + " |"]


def by_count(counter: Counter) -> list[tuple]:
    """Counter items, most frequent first, ties by key."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def counts_table(label: str, counter: Counter, total: int) -> list[str]:
    rows = [(k, n, f"{100 * n / total:.1f}%") for k, n in by_count(counter)]
    return table((label, "rows", "share"), rows)


def flatten(metrics: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Scalar metrics as (dotted key, value), nested dicts walked."""
    out: list[tuple[str, object]] = []
    for key, value in sorted(metrics.items()):
        if isinstance(value, dict):
            out += flatten(value, f"{prefix}{key}.")
        elif isinstance(value, int | float | str | bool):
            out.append((f"{prefix}{key}", value))
    return out


def word_lengths(kept: Sequence[Triple]) -> dict[str, list[int]]:
    """Words per text, per field (generic only where present)."""
    out: dict[str, list[int]] = {f: [] for f in LENGTH_FIELDS}
    for t in kept:
        for f in LENGTH_FIELDS:
            text = getattr(t, f)
            if text is not None:
                out[f].append(len(words(text)))
    return out


def rejection_rows(rejected: Sequence[dict]) -> list[tuple[str, str, int, str, str]]:
    """(field, code, count, example id, example detail), most frequent first."""
    count: Counter = Counter()
    example: dict[tuple[str, str], tuple[str, str]] = {}
    for row in rejected:
        for reason in row.get("reasons", []):
            key = (str(reason.get("field", "?")), str(reason.get("code", "?")))
            count[key] += 1
            example.setdefault(key, (str(row.get("id", "?")), str(reason.get("detail", ""))))
    return [(f, c, n, *example[(f, c)]) for (f, c), n in by_count(count)]


def render(kept: Sequence[Triple], rejected: Sequence[dict], metrics: dict, png_name: str) -> str:
    """The card's markdown text."""
    n = max(len(kept), 1)
    lengths = word_lengths(kept)
    scalars = flatten(metrics)
    out = ["# Data card", "", f"{len(kept)} triples kept, {len(rejected)} rejected.", ""]
    out += ["## Validation metrics", "", *table(("metric", "value"), scalars), ""]
    for key in ("theme", "risk", "source"):
        counter = Counter(getattr(t, key) for t in kept)
        out += [f"## Kept by {key}", "", *counts_table(key, counter, n), ""]
    out += ["## Rejections by field and code", "", "A row may carry several reasons.", ""]
    header = ("field", "code", "count", "example id", "example detail")
    out += [*table(header, rejection_rows(rejected)), ""]
    fixes = Counter(fix for t in kept for fix in t.fixes)
    out += ["## Cleaning fixes on kept rows", ""]
    out += [*table(("fix", "rows"), by_count(fixes)), ""]
    stats = [
        (f, len(v), min(v), statistics.median(v), f"{statistics.fmean(v):.1f}", max(v))
        for f, v in lengths.items()
        if v
    ]
    header = ("text", "n", "min", "median", "mean", "max")
    out += ["## Lengths (words)", "", *table(header, stats), ""]
    out += [f"![words per response type]({png_name})", ""]
    return "\n".join(out)


def plot_lengths(lengths: dict[str, list[int]]) -> bytes:
    """PNG bytes: overlaid word-count histograms, one line per text field."""
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    top = max((max(v) for v in lengths.values() if v), default=1)
    bins = range(0, top + 5, max(1, (top + 5) // 40))
    for field, values in lengths.items():
        if values:
            label = f"{field} (n={len(values)})"
            ax.hist(values, bins=bins, histtype="step", linewidth=1.5, label=label)
    ax.set_xlabel("words")
    ax.set_ylabel("texts")
    ax.set_title("Words per text in the kept triples")
    if any(lengths.values()):
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no kept triples", ha="center", transform=ax.transAxes)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Binary twin of schema.atomic_write_text: temporary file in place, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_card(kept: list[Triple], rejected: list[dict], metrics: dict, card_path: Path) -> None:
    """Write the markdown card and `<card stem>_lengths.png` beside it."""
    card_path = Path(card_path)
    png = card_path.with_name(f"{card_path.stem}_lengths.png")
    card_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(png, plot_lengths(word_lengths(kept)))
    atomic_write_text(card_path, render(kept, rejected, metrics, png.name))
