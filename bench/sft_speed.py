"""SFT speed: the `sft` stage's Axolotl run against a plain transformers + peft loop on the
same chats and LoRA shapes, side by side in one run (so machine load hits both alike).

Run: .venv/bin/python bench/sft_speed.py [--chats 240] [--steps 15]   (after `make repro`:
needs models/base and data/axolotl/sft.jsonl); writes bench/sft_speed.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the repository root holds core/ and training/

from core.jsonl import write_json  # noqa: E402
from core.logs import LOG_DIR  # noqa: E402
from training import common  # noqa: E402

RECIPE = ROOT / "recipes" / "small" / "sft.yaml"


def axolotl_tokens_per_s(chats: Path, steps: int, work: Path) -> float:
    """Tokens/s of the stage's own Axolotl training: the trainer's token count over its
    train_runtime (model loading and data preparation left out, as the loop leaves them out)."""
    recipe = {**common.load_recipe(RECIPE), "max_steps": steps}
    cfg = common.resolve(
        recipe,
        data=chats,
        base_model=str(ROOT / "models" / "base"),
        output_dir=str(work / "adapter"),
        dataset_prepared_path=str(work / "prep"),
    )
    history, _ = common.axolotl_train(
        common.write_resolved(cfg, work / "cfg.yaml", RECIPE), LOG_DIR / "bench_sft_speed.log"
    )
    seen = [e["num_input_tokens_seen"] for e in history if e.get("num_input_tokens_seen")]
    runtime = next((e["train_runtime"] for e in reversed(history) if "train_runtime" in e), 0)
    if not seen or not runtime:
        raise SystemExit("axolotl logged no token count or train_runtime: cannot time it")
    return seen[-1] / runtime


def loop_tokens_per_s(chats: list[list[dict]], steps: int, batch: int, recipe: dict) -> float:
    """The same LoRA (r, alpha, layers) and autocast, a bare training loop, padded per batch."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = str(ROOT / "models" / "base")
    tok = AutoTokenizer.from_pretrained(base)
    ids = sorted((tok.apply_chat_template(c, tokenize=True)["input_ids"] for c in chats), key=len)
    model = AutoModelForCausalLM.from_pretrained(base, attn_implementation="sdpa")
    lora = LoraConfig(
        r=recipe["lora_r"],
        lora_alpha=recipe["lora_alpha"],
        # Axolotl's lora_target_linear on Llama; peft refuses "all-linear" with layers_to_transform
        target_modules=[
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
        layers_to_transform=recipe.get("peft_layers_to_transform"),
    )
    model = get_peft_model(model, lora)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    seen, start = 0, None
    for step in range(steps + 1):  # step 0 warms up, untimed
        if step == 1:
            seen, start = 0, time.perf_counter()
        b = [ids[(step * batch + i) % len(ids)] for i in range(batch)]
        width = max(map(len, b))
        x = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in b])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in b])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(recipe.get("bf16"))):
            loss = model(
                input_ids=x, attention_mask=mask, labels=x.masked_fill(mask == 0, -100)
            ).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        seen += x.numel()  # as the Trainer counts num_input_tokens_seen: padding included
    return seen / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chats", type=int, default=240)
    ap.add_argument("--steps", type=int, default=15)
    args = ap.parse_args()
    from rich.console import Console
    from rich.table import Table

    rows = [json.loads(x) for x in (ROOT / "data/axolotl/sft.jsonl").read_text().splitlines()]
    rows = rows[: args.chats]
    recipe = common.load_recipe(RECIPE)
    with tempfile.TemporaryDirectory(prefix="attune-sft-speed-") as tmp:
        chats = Path(tmp) / "chats.jsonl"
        chats.write_text("".join(json.dumps(r) + "\n" for r in rows))
        axo = axolotl_tokens_per_s(chats, args.steps, Path(tmp))
    loop = loop_tokens_per_s(
        [r["messages"] for r in rows], args.steps, recipe["micro_batch_size"], recipe
    )
    result = {
        "chats": len(rows),
        "steps": args.steps,
        "axolotl_tokens_per_s": round(axo, 1),
        "loop_tokens_per_s": round(loop, 1),
        "ratio": round(axo / loop, 3),
    }
    table = Table(title=f"SFT tokens/s, {RECIPE.relative_to(ROOT)} (target ratio >= 0.8)")
    for col in ("axolotl stage", "plain loop", "ratio"):
        table.add_column(col, justify="right")
    table.add_row(f"{axo:.0f}", f"{loop:.0f}", f"{axo / loop:.2f}")
    Console().print(table)
    write_json(ROOT / "bench" / "sft_speed.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
