"""Axolotl training rows: SFT chats on aligned replies and DPO preference pairs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.detectors import copied_run, picks_up_specific
from core.schema import Triple
from split.grouping import unit_hash


def copies_too_much(t: Triple, max_copy_run: int | None) -> bool:
    """The aligned reply copies a run of more than `max_copy_run` words of the disclosure."""
    return max_copy_run is not None and copied_run(t.aligned, t.prompt) > max_copy_run


def copies(t: Triple, risk_copies: float, seed: int) -> int:
    """How often a row goes into the SFT chats: calm rows once, risk rows `risk_copies` times
    on average (1.5: every risk row once, a stable half of them, chosen by id hash, twice)."""
    if t.risk == "none":
        return 1
    whole = int(risk_copies)
    return whole + (unit_hash(seed, f"sft-copy:{t.id}") < risk_copies - whole)


def sft_rows(
    triples: Iterable[Triple],
    system_prompt: str,
    risk_copies: float = 1,
    max_copy_run=None,
    seed: int = 0,
) -> list[dict]:
    """Chat rows: optional system, user = disclosure, assistant = aligned; risk rows
    `risk_copies` times on average (one in five rows is a risk disclosure, and the safety
    question is the reply that matters most: a capped SFT run otherwise learns the common reply
    shape only; too many copies and it asks calm callers too).
    Rows whose aligned reply copies more than `max_copy_run` words in a row are left out: a
    small model imitates the copying more than the rephrasing (they stay in the DPO pairs)."""
    head = [{"role": "system", "content": system_prompt}] if system_prompt else []
    return [
        {
            "messages": [
                *head,
                {"role": "user", "content": t.prompt},
                {"role": "assistant", "content": t.aligned},
            ],
            "id": t.id,
        }
        for t in triples
        if not copies_too_much(t, max_copy_run)
        for _ in range(copies(t, risk_copies, seed))
    ]


def mismatched(triples: Sequence[Triple], seed: int) -> dict[str, str]:
    """Per triple id, a well-formed reply written for another caller: same theme and risk, other
    lineage, picking up none of this caller's specifics.

    Chosen and rejected then differ only in whose story they reflect, so the pair rewards
    attention to what this caller said, the failure plain style pairs never penalise.
    Rows with no such reply get none (the counts in metrics/split.json show it).
    """
    pools: dict[tuple[str, bool], list[Triple]] = {}
    for t in sorted(triples, key=lambda t: t.id):
        pools.setdefault((t.theme, t.risk != "none"), []).append(t)
    out = {}
    for t in triples:
        pool = pools[(t.theme, t.risk != "none")]
        start = int(unit_hash(seed, t.id) * len(pool))
        for k in range(len(pool)):  # first fit from a stable, row-specific start
            other = pool[(start + k) % len(pool)]
            if other.group != t.group and not picks_up_specific(other.aligned, t.prompt):
                out[t.id] = other.aligned
                break
    return out


def dpo_rows(
    triples: Sequence[Triple], pair_types: Sequence[str], system_prompt: str, seed: int = 0
) -> list:
    """Preference rows, one per triple and pair type, where that rejected reply exists."""
    others = mismatched(triples, seed) if "aligned>mismatched" in pair_types else {}
    rows = []
    for t in triples:
        for pair_type in pair_types:
            style = pair_type.split(">")[1]
            rejected = others.get(t.id) if style == "mismatched" else getattr(t, style)
            if rejected is None:
                continue
            row = {
                "id": t.id,
                "prompt": t.prompt,
                "chosen": t.aligned,
                "rejected": rejected,
                "pair_type": pair_type,
            }
            rows.append({**row, "system": system_prompt} if system_prompt else row)
    return rows
