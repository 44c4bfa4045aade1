"""Lineage-safe splitting: whole lineage groups (joined by near-duplicate prompts) per split."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from core.dedup import find_near_duplicates
from core.schema import Triple

SPLITS = ("train", "eval", "test")


def unit_hash(seed: int, key: str) -> float:
    """Stable position in [0, 1) of a group id: adding rows never moves other groups."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def components(triples: Sequence[Triple], threshold: float) -> list[str]:
    """Per row, its component id: lineage (parent chains too) joined by near-duplicate prompts."""
    parent = {key: key for t in triples for key in (t.id, t.group)}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving keeps union-find near-linear
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra  # smallest id wins, so the merged id does not depend on row order

    for t in triples:
        union(t.id, t.group)
    for i, j in find_near_duplicates([t.prompt for t in triples], threshold):
        union(triples[i].id, triples[j].id)
    return [find(t.id) for t in triples]


def split_triples(triples: Sequence[Triple], params) -> dict[str, list[Triple]]:
    """Assign whole components to splits by hash; every split with a fraction > 0 is non-empty."""
    comp = components(triples, params.near_dup_threshold)
    pos = {c: unit_hash(params.seed, c) for c in sorted(set(comp))}
    edges = [0.0, params.fractions["train"], 1 - params.fractions["test"], 1.0]
    where = {c: SPLITS[sum(p >= b for b in edges[1:3])] for c, p in pos.items()}
    for k, name in enumerate(SPLITS):  # small sets: borrow the component nearest the interval
        if params.fractions[name] == 0 or name in where.values():
            continue
        sizes = {s: list(where.values()).count(s) for s in SPLITS}
        donor = max(SPLITS, key=lambda s: sizes[s])
        if sizes[donor] < 2:
            raise ValueError(f"too few lineage groups ({len(pos)}) to fill split {name!r}")
        lo, hi = edges[k], edges[k + 1]
        moved = min(
            (c for c in where if where[c] == donor),
            key=lambda c: (max(lo - pos[c], pos[c] - hi, 0.0), c),
        )
        where[moved] = name
    out: dict[str, list[Triple]] = {name: [] for name in SPLITS}
    for t, c in zip(triples, comp, strict=True):
        out[where[c]].append(t)
    return out


def check_split(splits: dict[str, list[Triple]], threshold: float = 0.8) -> list[str]:
    """Leaks: a lineage group, a parent and child, or near-duplicate prompts in two splits."""
    rows = [(name, t) for name in SPLITS for t in splits.get(name, [])]
    split_of_id = {t.id: name for name, t in rows}
    problems, seen = [], {}
    for name, t in rows:
        first = seen.setdefault(t.group, name)
        if first != name:
            problems.append(f"group {t.group!r} in {first} and {name} (row {t.id})")
        elif split_of_id.get(t.group, name) != name:
            problems.append(f"row {t.id} in {name}, its parent {t.group} in {split_of_id[t.group]}")
    for i, j in find_near_duplicates([t.prompt for _, t in rows], threshold):
        if rows[i][0] != rows[j][0]:
            problems.append(
                f"near-duplicate disclosures {rows[i][1].id} ({rows[i][0]}) and "
                f"{rows[j][1].id} ({rows[j][0]})"
            )
    return problems
