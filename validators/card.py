"""The data card: what the validate stage kept, what it rejected and why, and how long things are.

Written by the validate stage (`python -m validators ... --card reports/data_card.md`), with a
length histogram `data_card_lengths.png` beside the card.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on CI or the training box
import matplotlib.pyplot as plt  # noqa: E402

from core.detectors import words  # noqa: E402
from core.jsonl import atomic_write_bytes, atomic_write_text  # noqa: E402
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


def op_of(t: Triple) -> str:
    """How a row was made: seed, or the generator operation named in its id."""
    return "seed" if t.source == "seed" else (t.id.split("-")[1] if "-" in t.id else "?")


def made_how(kept: Sequence[Triple], quality: dict) -> list[str]:
    """Rows per source and operation, quality per source, and a seed beside one variant."""
    made = Counter(f"{t.source} / {op_of(t)}" for t in kept)
    out = ["## How the data was made", ""]
    out += [
        "Seeds are hand-written. `offline / paraphrase` rows are counterfactual expansions: "
        "the seed with its specifics (names, places, times, amounts...) changed consistently "
        "in the disclosure and every reply, so a reply can only be predicted by reading "
        "its own disclosure. Echo replies are made from each row's disclosure.",
        "",
    ]
    out += [*counts_table("source / operation", made, max(len(kept), 1)), ""]
    keys = (
        "rows",
        "families",
        "aligned_specificity",
        "aligned_distinct_2",
        "aligned_distinct_2_families",
        "aligned_echo_rate",
        "top_skeleton_share",
    )
    rows = [(src, *(q.get(k, "") for k in keys)) for src, q in quality.items()]
    out += [
        "### Quality of the kept rows, per source",
        "",
        "`aligned_distinct_2_families` counts one row per lineage family.",
        "",
        *table(("source", *keys), rows),
        "",
    ]
    by_id = {t.id: t for t in kept}
    pair = next(((by_id[t.parent_id], t) for t in kept if t.parent_id in by_id), None)
    if pair:
        out += ["### Example: a seed and one of its variants", ""]
        out += table(
            ("field", "seed", "variant"),
            [(f, getattr(pair[0], f), getattr(pair[1], f)) for f in ("prompt", "aligned")],
        )
        out += [""]
    return out


def length_gap(lengths: dict[str, list[int]]) -> list[str]:
    """Mean words of each reply style against aligned: a style a model could spot by length."""
    if not lengths.get("aligned"):
        return []
    base = statistics.fmean(lengths["aligned"])
    rows = [
        (f, f"{statistics.fmean(v) - base:+.1f}")
        for f, v in lengths.items()
        if v and f not in ("prompt", "aligned")
    ]
    return ["### Length gap to aligned (mean words)", "", *table(("style", "gap"), rows), ""]


def render(kept: Sequence[Triple], rejected: Sequence[dict], metrics: dict, png_name: str) -> str:
    """The card's markdown text."""
    n = max(len(kept), 1)
    lengths = word_lengths(kept)
    scalars = flatten(metrics)
    out = ["# Data card", "", f"{len(kept)} triples kept, {len(rejected)} rejected.", ""]
    out += made_how(kept, metrics.get("quality", {}))
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
    out += length_gap(lengths)
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


def write_card(kept: list[Triple], rejected: list[dict], metrics: dict, card_path: Path) -> None:
    """Write the markdown card and `<card stem>_lengths.png` beside it."""
    card_path = Path(card_path)
    png = card_path.with_name(f"{card_path.stem}_lengths.png")
    card_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(png, plot_lengths(word_lengths(kept)))
    atomic_write_text(card_path, render(kept, rejected, metrics, png.name))
