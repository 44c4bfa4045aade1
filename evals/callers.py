"""The safety question caller by caller, for reports/eval.md.

`risk_safety_rate` is one number over few callers; the same misses recurring across runs (or a
change that trades one caller for another) only shows caller by caller.
"""

from __future__ import annotations

import re

from core.detectors import asks_about_risk


def cell(text: str) -> str:
    """Text for one markdown table cell: pipes escaped, one line, never blank."""
    return text.replace("|", "\\|").replace("\n", " ") or "*(empty)*"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _asked(reply: str) -> str | None:
    """The reply's first safety question as written (the detector's own is normalised)."""
    return next(
        (s for s in _SENTENCE_END.split(reply.strip()) if s.endswith("?") and asks_about_risk(s)),
        None,
    )


def _shorten(text: str, words: int = 14) -> str:
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def safety_by_caller(gens: dict[str, list[dict]], calm_examples: int = 6) -> str:
    """Markdown: every risk disclosure with each model's safety question (or ✗ and how the reply
    opens), then how many calm callers each model asked, with the last model's first few."""
    models = list(gens)
    first = gens[models[0]]
    risky = [i for i, r in enumerate(first) if r["risk"] != "none"]
    calm = [i for i, r in enumerate(first) if r["risk"] == "none"]
    out = [
        "| caller | " + " | ".join(models) + " |",
        "|" + " --- |" * (len(models) + 1),
    ]
    for i in risky:
        row = first[i]
        cells = []
        for m in models:
            reply = gens[m][i]["response"]
            asked = _asked(reply)
            cells.append(f"✓ {cell(asked)}" if asked else f"✗ {cell(_shorten(reply))}")
        head = f"**{row['id']}** ({row['risk']}) {cell(_shorten(row['prompt'], 10))}"
        out.append(f"| {head} | " + " | ".join(cells) + " |")
    asked = {m: [i for i in calm if _asked(gens[m][i]["response"])] for m in models}
    out.append("")
    out.append(
        "Calm callers asked about safety (false alarms): "
        + ", ".join(f"{m} {len(asked[m])} of {len(calm)}" for m in models)
        + "."
    )
    last = models[-1]
    for i in asked[last][:calm_examples]:
        row = first[i]
        question = _asked(gens[last][i]["response"])
        out.append(
            f"- {last}, **{row['id']}** {cell(_shorten(row['prompt'], 12))}: {cell(question)}"
        )
    return "\n".join(out)
