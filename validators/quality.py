"""Data-quality gates that need the whole file, and the quality figures of the kept rows.

A generated row must keep hand-written quality: an aligned reply whose every sentence shape
(content words masked) recurs across many rows is a phrase-bank template, and each such shape
is kept for at most `max_skeleton_share` of the rows; the figures per source show the effect.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from string import ascii_lowercase

from core import detectors as det
from core.scan import blanking, runs
from core.schema import Triple
from core.textstats import distinct_n, top_opener_share

_TOKEN = re.compile(r"[a-z']+|[.?!,]")
_GLUE = det.STOP | det.STOCK  # template glue (as in det.content_share); other words are slots
_NOT_TOKEN = blanking(f"{ascii_lowercase}'.?!,")


def _tokens(lower: str) -> list[str]:
    """_TOKEN.findall(lower); in ASCII text, faster: the runs of [a-z'.?!,] once each mark
    stands apart."""
    if not lower.isascii():
        return _TOKEN.findall(lower)
    for mark in ".?!,":
        lower = lower.replace(mark, f" {mark} ")
    return runs(lower, _NOT_TOKEN)


def skeletons(text: str) -> tuple[str, ...]:
    """Each sentence with its content words masked ('_', runs folded): the template shapes."""
    out, sentence = [], []
    text = text if text.isascii() else text.translate({0x2019: "'"})  # translate is slow
    for tok in map(_mask, _tokens(text.lower())):
        if not (tok == "_" and sentence and sentence[-1] == "_"):
            sentence.append(tok)
        if tok in ".?!":
            out.append(" ".join(sentence))
            sentence = []
    if sentence:
        out.append(" ".join(sentence))
    return tuple(out)


@lru_cache(maxsize=65536)
def _mask(tok: str) -> str:
    return tok if tok in _GLUE or not tok[0].isalpha() else "_"


def template_keys(texts: Sequence[str]) -> list[str]:
    """Per text, its most distinctive sentence shape (the one fewest texts share).

    A phrase-bank reply is built from stock sentences, so even its rarest shape is common;
    a hand-written one has at least one sentence no other reply shares.
    """
    shapes = [skeletons(t) or ("",) for t in texts]
    counts = Counter(sk for sks in shapes for sk in set(sks))
    return [min(sks, key=lambda sk: (counts[sk], sk)) for sks in shapes]


def over_cap(triples: Sequence[Triple], share: float) -> dict[int, str]:
    """Index -> shape for rows whose template shape already appeared in the cap's worth of
    lineage families (siblings of one seed share their seed's shapes by design: one family
    counts once); input order decides which families keep a shape."""
    keys = template_keys([t.aligned for t in triples])
    cap = max(1, int(share * len({t.group for t in triples})))
    families: dict[str, set[str]] = defaultdict(set)
    out = {}
    for i, (t, key) in enumerate(zip(triples, keys, strict=True)):
        fams = families[key]
        if t.group not in fams and len(fams) >= cap:
            out[i] = key
        else:
            fams.add(t.group)
    return out


def top_skeleton_share(texts: Sequence[str]) -> float:
    """Share of texts with the most common template shape (0..1; a phrase bank scores high)."""
    counts = Counter(template_keys(texts))
    return counts.most_common(1)[0][1] / len(texts) if texts else 0.0


def _figures(rows: Sequence[Triple]) -> dict:
    aligned = [t.aligned for t in rows]
    first_of_family: dict[str, str] = {}
    for t in rows:
        first_of_family.setdefault(t.group, t.aligned)
    n = max(len(rows), 1)
    spec = sum(det.specificity(t.aligned, t.prompt) for t in rows) / n
    return {
        "rows": len(rows),
        "aligned_specificity": round(spec, 4),
        "aligned_distinct_2": round(distinct_n(aligned), 4),
        "aligned_distinct_2_families": round(distinct_n(list(first_of_family.values())), 4),
        "families": len(first_of_family),
        "aligned_echo_rate": round(sum(det.is_echo(t.aligned, t.prompt) for t in rows) / n, 4),
        "top_skeleton_share": round(top_skeleton_share(aligned), 4),
        "top_opener_share": round(top_opener_share(aligned), 4),
    }


def quality(kept: Sequence[Triple], rejected: Sequence[dict]) -> dict:
    """Figures for all kept rows and per source, with rejections per reason per source."""
    by_source: dict[str, list[Triple]] = defaultdict(list)
    for t in kept:
        by_source[t.source].append(t)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for row in rejected:
        src = row.get("source") if isinstance(row.get("source"), str) else "<unknown>"
        reasons[src].update(r["code"] for r in row["reasons"])
    out = {"all": _figures(kept)}
    for src in sorted(set(by_source) | set(reasons)):
        out[src] = _figures(by_source[src]) | {"rejections": dict(sorted(reasons[src].items()))}
    return out
