"""Stage `sft`: Axolotl LoRA SFT on the aligned chats, then `axolotl merge-lora` into <out>/merged.

    .venv/bin/python -m training.sft recipes/tiny/sft.yaml --base models/base \
        --data data/axolotl/sft.jsonl --out models/sft --curve plots/train/sft.tsv \
        --metrics metrics/train/sft.json

Writes <out>/adapter (LoRA), <out>/merged (plain HF model + tokenizer) and the resolved configs.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from core import cli
from core.jsonl import iter_jsonl
from core.logs import log_path
from training import common
from training.knobs import effective, stage_start


def base_model_for(recipe: dict, base_dir: Path) -> str:
    """The stage-built base model, or the recipe's hub model when `base` only left a marker."""
    if (base_dir / "config.json").is_file():
        return str(base_dir)
    if (base_dir / "base_model.json").is_file():
        return str(
            recipe["base_model"]
        )  # GPU profile: the base is the hub model named in the recipe
    raise FileNotFoundError(
        f"{base_dir}: neither a model (config.json) nor a base_model.json marker"
    )


def count_rows(path: Path, required: tuple[str, ...]) -> int:
    """Count JSONL rows, failing on the first bad line with file, line and field."""
    n = 0
    for lineno, obj, bad in iter_jsonl(path):
        if bad:
            raise ValueError(str(bad))
        missing = [k for k in required if not obj.get(k)]
        if missing:
            raise ValueError(f"{path}:{lineno}: {missing[0]}: missing or empty")
        n += 1
    if n == 0:
        raise ValueError(f"{path}: no rows")
    return n


def train_and_merge(
    recipe: dict, recipe_path: Path, base_model: str, data: Path, out: Path, log: Path
) -> dict:
    """Train a LoRA adapter into <out>/adapter and merge it into <out>/merged; return timings."""
    common.fresh_dir(out)
    adapter, prepared = out / "adapter", out / "prepared"
    cfg = common.resolve(
        recipe,
        data=data,
        base_model=base_model,
        output_dir=str(adapter),
        dataset_prepared_path=str(prepared),
    )
    history, train_s = common.axolotl_train(
        common.write_resolved(cfg, out / "train.resolved.yaml", recipe_path), log
    )
    shutil.rmtree(prepared, ignore_errors=True)  # never reused; keeps the DVC out small
    # merge-lora writes <output_dir>/merged: point output_dir at <out>, the adapter stays put.
    merge_cfg = {**cfg, "output_dir": str(out), "lora_model_dir": str(adapter)}
    merge_s = common.axolotl_merge(
        common.write_resolved(merge_cfg, out / "merge.resolved.yaml", recipe_path), log
    )
    common.drop_logs(out)
    if not (out / "merged" / "config.json").is_file():
        raise RuntimeError(f"{out / 'merged'}: merge-lora wrote no model")
    return {"history": history, "train_s": train_s, "merge_s": merge_s, "cfg": cfg}


def tokens_in(model_dir: Path, data: Path, texts_of) -> int:
    """Token count of the training data under the merged model's tokenizer (for tokens/s)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    texts = [t for _, obj, _ in iter_jsonl(data) if obj for t in texts_of(obj)]
    return sum(len(ids) for ids in tok(texts)["input_ids"])


def main(argv: list[str] | None = None) -> int:
    inputs = {"base": "base model folder", "data": "SFT chats JSONL"}
    args, recipe = stage_start(__doc__, inputs, "sft", argv)
    rows = count_rows(args.data, ("messages",))
    run = train_and_merge(
        recipe,
        args.recipe,
        base_model_for(recipe, args.base),
        args.data,
        args.out,
        log_path(args.metrics),
    )
    common.write_provenance(
        args.out, "sft", args.recipe, base_model_for(recipe, args.base), args.data
    )
    tokens = tokens_in(
        args.out / "merged", args.data, lambda o: [m["content"] for m in o["messages"]]
    )
    common.write_curve(common.curve_rows(run["history"]), args.curve)
    extra = {"rows": rows, "merge_s": round(run["merge_s"], 1), **effective(run["cfg"])}
    epochs = run["cfg"].get("num_epochs", 1)
    common.write_metrics(
        common.summary(run["history"], run["train_s"], tokens * epochs, extra), args.metrics
    )
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
