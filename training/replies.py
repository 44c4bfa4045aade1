"""Greedy chat replies from a local HF model folder, decoded the way the eval stage decodes them
(the model's own chat template, greedy, stop at its end-of-turn token)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.progress import Progress


def greedy_replies(
    model_dir: str | Path,
    prompts: Sequence[str],
    *,
    prefixes: Sequence[str] | None = None,
    max_new_tokens: int = 64,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> list[tuple[str, bool]]:
    """(reply, hit_max_tokens) per prompt, in order. Batches are length-sorted (less padding).
    With `prefixes`, the assistant turn starts with each prefix and the reply is what follows
    it, as decoded (leading space kept, so prefix + reply is the whole turn)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    texts = [
        tok.apply_chat_template(
            [{"role": "user", "content": p}], add_generation_prompt=True, tokenize=False
        )
        for p in prompts
    ]
    if prefixes is not None:
        texts = [text + prefix for text, prefix in zip(texts, prefixes, strict=True)]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[tuple[str, bool] | None] = [None] * len(texts)
    task = progress.add_task("replies", total=len(texts)) if progress else None
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tok(
            [texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False
        )
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            gen = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=tok.eos_token_id,
                pad_token_id=pad,
            )
        for i, row in zip(idx, gen[:, enc["input_ids"].shape[1] :], strict=True):
            ids = row.tolist()
            stopped = tok.eos_token_id in ids
            ids = ids[: ids.index(tok.eos_token_id)] if stopped else ids
            ids = [t for t in ids if t != pad]
            text = tok.decode(ids, skip_special_tokens=True)
            out[i] = (text.strip() if prefixes is None else text.rstrip(), not stopped)
        if progress:
            progress.advance(task, len(idx))
    return out  # type: ignore[return-value]
