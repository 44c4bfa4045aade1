"""Stage `dpo`: Axolotl DPO with a fresh LoRA on the merged SFT model, then merge into <out>/merged.

    .venv/bin/python -m training.dpo recipes/tiny/dpo.yaml --sft models/sft/merged \
        --data data/axolotl/dpo.jsonl --out models/dpo --curve plots/train/dpo.tsv \
        --metrics metrics/train/dpo.json

The reference model is the merged SFT model (the policy with its adapter disabled).
Writes <out>/adapter, <out>/merged (plain HF model + tokenizer) and the resolved configs.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from core import cli
from core.jsonl import InputMissing, iter_jsonl
from core.logs import log_path
from core.params import ParamsError
from training import common
from training.knobs import effective, stage_start
from training.sft import count_rows, tokens_in, train_and_merge


def pair_counts(path: Path) -> dict[str, int]:
    """Rows per pair_type (aligned>neutral, ...), for the metrics file."""
    return dict(Counter(obj.get("pair_type", "unknown") for _, obj, _ in iter_jsonl(path) if obj))


def main(argv: list[str] | None = None) -> int:
    inputs = {"sft": "merged SFT model folder", "data": "DPO pairs JSONL"}
    args, recipe = stage_start(__doc__, inputs, "dpo", argv)
    if recipe.get("rl") not in {"dpo", "ipo"}:
        raise ParamsError(f"{args.recipe}: rl: expected dpo or ipo, got {recipe.get('rl')!r}")
    if not (args.sft / "config.json").is_file():
        raise InputMissing(f"{args.sft}: no merged SFT model (config.json)")
    rows = count_rows(args.data, ("prompt", "chosen", "rejected"))
    run = train_and_merge(
        recipe, args.recipe, str(args.sft), args.data, args.out, log_path(args.metrics)
    )
    common.write_provenance(args.out, "dpo", args.recipe, str(args.sft), args.data)
    steps = run["cfg"].get("max_steps")
    # tokens actually trained: each step sees micro_batch pairs (chosen + rejected with the prompt)
    per_pair = tokens_in(
        args.out / "merged",
        args.data,
        lambda o: [o["prompt"], o["prompt"], o["chosen"], o["rejected"]],
    )
    seen = min(rows, steps * run["cfg"]["micro_batch_size"]) if steps else rows
    common.write_curve(common.curve_rows(run["history"]), args.curve)
    extra = {
        "rows": rows,
        "pairs": pair_counts(args.data),
        "merge_s": round(run["merge_s"], 1),
        **effective(run["cfg"]),
    }
    tokens = per_pair * seen // rows
    common.write_metrics(
        common.summary(run["history"], run["train_s"], tokens, extra), args.metrics
    )
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
