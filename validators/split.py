"""Stage `split`: lineage-safe train/eval/test split and the Axolotl SFT / DPO exports.

    .venv/bin/python -m validators.split data/validated/kept.jsonl \
        --splits data/splits --axolotl data/axolotl --metrics metrics/split.json
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rich.console import Console
from rich.table import Table

from generators.schema import Triple, read_triples, write_json, write_jsonl
from validators.dedup import find_near_duplicates
from validators.detectors import picks_up_specific

SPLITS = ("train", "eval", "test")
PairType = Literal["aligned>neutral", "aligned>directive", "aligned>generic", "aligned>mismatched"]


class SplitParams(BaseModel):
    """The `split` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int
    fractions: dict[Literal["train", "eval", "test"], float]
    system_prompt: str = ""
    pair_types: list[PairType] = Field(min_length=1, description="listed once each")
    near_dup_threshold: float = Field(default=0.8, gt=0, le=1)

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitParams:
        if set(self.fractions) != set(SPLITS) or any(f < 0 for f in self.fractions.values()):
            raise ValueError(f"fractions needs non-negative {', '.join(SPLITS)}")
        if len(set(self.pair_types)) != len(self.pair_types):
            raise ValueError(f"pair_types lists a type twice: {self.pair_types}")
        if abs(sum(self.fractions.values()) - 1) > 1e-6:
            raise ValueError(f"fractions must sum to 1, got {sum(self.fractions.values())}")
        return self


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


def split_triples(triples: Sequence[Triple], params: SplitParams) -> dict[str, list[Triple]]:
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
        moved = min((c for c in where if where[c] == donor),
                    key=lambda c: (max(lo - pos[c], pos[c] - hi, 0.0), c))
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
            problems.append(f"near-duplicate disclosures {rows[i][1].id} ({rows[i][0]}) and "
                            f"{rows[j][1].id} ({rows[j][0]})")
    return problems


def sft_rows(triples: Iterable[Triple], system_prompt: str) -> list[dict]:
    """Chat rows: optional system, user = disclosure, assistant = aligned."""
    head = [{"role": "system", "content": system_prompt}] if system_prompt else []
    return [
        {"messages": [*head, {"role": "user", "content": t.prompt},
                      {"role": "assistant", "content": t.aligned}], "id": t.id}
        for t in triples
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


def dpo_rows(triples: Sequence[Triple], pair_types: Sequence[str], system_prompt: str,
             seed: int = 0) -> list:
    """Preference rows, one per triple and pair type, where that rejected reply exists."""
    others = mismatched(triples, seed) if "aligned>mismatched" in pair_types else {}
    rows = []
    for t in triples:
        for pair_type in pair_types:
            style = pair_type.split(">")[1]
            rejected = others.get(t.id) if style == "mismatched" else getattr(t, style)
            if rejected is None:
                continue
            row = {"id": t.id, "prompt": t.prompt, "chosen": t.aligned, "rejected": rejected,
                   "pair_type": pair_type}
            rows.append({**row, "system": system_prompt} if system_prompt else row)
    return rows


def summarize(triples: Sequence[Triple], splits: dict[str, list], sft: list, dpo: list) -> dict:
    """metrics/split.json: rows and groups per split, pairs per type; the row counts add up."""
    pairs: dict[str, int] = {}
    for row in dpo:
        pairs[row["pair_type"]] = pairs.get(row["pair_type"], 0) + 1
    return {
        "rows_in": len(triples),
        "rows": {name: len(rows) for name, rows in splits.items()},
        "groups": {name: len({t.group for t in rows}) for name, rows in splits.items()},
        "risk_rows": {name: sum(t.risk != "none" for t in rows) for name, rows in splits.items()},
        "sft_rows": len(sft),
        "dpo_pairs": pairs,
    }


def print_summary(metrics: dict) -> None:
    table = Table(title="split")
    for col in ("split", "rows", "groups", "risk rows"):
        table.add_column(col, justify="right" if col != "split" else "left")
    for name in SPLITS:
        table.add_row(name, *(str(metrics[k][name]) for k in ("rows", "groups", "risk_rows")))
    table.add_section()
    table.add_row("sft rows (train)", str(metrics["sft_rows"]), "", "")
    for pair_type, n in metrics["dpo_pairs"].items():
        table.add_row(f"dpo {pair_type}", str(n), "", "")
    Console().print(table)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kept", type=Path)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--axolotl", type=Path, required=True)
    ap.add_argument("--metrics", type=Path, required=True)
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = ap.parse_args(argv)
    params = SplitParams.model_validate(yaml.safe_load(args.params.read_text())["split"])

    triples, bad = read_triples(args.kept)
    if bad:  # kept rows passed validation already: a bad one here is a pipeline bug
        raise SystemExit("\n".join(f"split: bad kept row {b}" for b in bad))
    if len({t.id for t in triples}) != len(triples):
        raise SystemExit(f"split: {args.kept}: duplicate ids")
    splits = split_triples(triples, params)
    problems = check_split(splits, params.near_dup_threshold)
    if problems:
        raise SystemExit("split: leakage across splits:\n" + "\n".join(problems))

    sft = sft_rows(splits["train"], params.system_prompt)
    dpo = dpo_rows(splits["train"], params.pair_types, params.system_prompt, params.seed)
    for name, rows in splits.items():
        write_jsonl(args.splits / f"{name}.jsonl", rows)
    write_jsonl(args.axolotl / "sft.jsonl", sft)
    write_jsonl(args.axolotl / "dpo.jsonl", dpo)
    metrics = summarize(triples, splits, sft, dpo)
    write_json(args.metrics, metrics)
    print_summary(metrics)


if __name__ == "__main__":
    main()
