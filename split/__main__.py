"""Stage `split`: lineage-safe train/eval/test split and the Axolotl SFT / DPO exports.

    .venv/bin/python -m split data/validated/kept.jsonl \
        --splits data/splits --axolotl data/axolotl --metrics metrics/split.json
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core import cli
from core.jsonl import write_json, write_jsonl
from core.params import load_section
from core.schema import Triple, read_triples
from split.grouping import SPLITS, check_split, split_triples
from split.pairs import copies_too_much, dpo_rows, sft_rows

PairType = Literal[
    "aligned>neutral", "aligned>directive", "aligned>generic", "aligned>echo", "aligned>mismatched"
]


class SplitParams(BaseModel):
    """The `split` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int
    fractions: dict[Literal["train", "eval", "test"], float]
    system_prompt: str
    pair_types: list[PairType] = Field(min_length=1, description="listed once each")
    near_dup_threshold: float = Field(gt=0, le=1)
    sft_risk_copies: float = Field(ge=1)  # each risk chat this many times on average in SFT
    sft_max_copy_run: int | None = Field(ge=1)  # SFT leaves out replies copying longer runs

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitParams:
        if set(self.fractions) != set(SPLITS) or any(f < 0 for f in self.fractions.values()):
            raise ValueError(f"fractions needs non-negative {', '.join(SPLITS)}")
        if len(set(self.pair_types)) != len(self.pair_types):
            raise ValueError(f"pair_types lists a type twice: {self.pair_types}")
        if abs(sum(self.fractions.values()) - 1) > 1e-6:
            raise ValueError(f"fractions must sum to 1, got {sum(self.fractions.values())}")
        return self


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


def main(argv: Sequence[str] | None = None) -> int:
    ap = cli.parser("python -m split", __doc__, "kept", ("splits", "axolotl", "metrics"))
    args = ap.parse_args(argv)
    params = load_section(args.params, "split", SplitParams)

    triples, bad = read_triples(args.kept)
    if bad:  # kept rows passed validation already: a bad one here is a pipeline bug
        raise SystemExit("\n".join(f"split: bad kept row {b}" for b in bad))
    if len({t.id for t in triples}) != len(triples):
        raise SystemExit(f"split: {args.kept}: duplicate ids")
    splits = split_triples(triples, params)
    problems = check_split(splits, params.near_dup_threshold)
    if problems:
        raise SystemExit("split: leakage across splits:\n" + "\n".join(problems))

    train = splits["train"]
    sft = sft_rows(
        train, params.system_prompt, params.sft_risk_copies, params.sft_max_copy_run, params.seed
    )
    dpo = dpo_rows(train, params.pair_types, params.system_prompt, params.seed)
    for name, rows in splits.items():
        write_jsonl(args.splits / f"{name}.jsonl", rows)
    write_jsonl(args.axolotl / "sft.jsonl", sft)
    write_jsonl(args.axolotl / "dpo.jsonl", dpo)
    metrics = summarize(triples, splits, sft, dpo)
    left_out = [t for t in train if copies_too_much(t, params.sft_max_copy_run)]
    metrics["sft_left_out_copying"] = {  # train rows not in the SFT chats, and why
        "rows": len(left_out),
        "risk_rows": sum(t.risk != "none" for t in left_out),
        "max_copy_run": params.sft_max_copy_run,
    }
    risky = {t.id for t in train if t.risk != "none"}
    metrics["sft_risk_rows"] = sum(row["id"] in risky for row in sft)  # copies counted
    write_json(args.metrics, metrics)
    pairs = sum(metrics["dpo_pairs"].values())
    cli.say_metrics("split", metrics, "rows", "groups", "sft_rows", dpo_pairs=pairs)
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
