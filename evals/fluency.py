"""Fluency by likelihood: each reply's mean per-token negative log-likelihood under one fixed
reference model (the profile's untuned base), so word salad costs even where detectors miss it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=2)
def _reference(path: str, dtype: str):
    """Tokenizer and model of the reference, loaded once per run (it scores six reply sets)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    return AutoTokenizer.from_pretrained(path), model.eval()


def reply_nll(
    reference: str | Path, rows: list[dict], batch_size: int = 16, dtype: str = "float32"
) -> list[float]:
    """Mean NLL (nats per token) of each row's `response` after its `prompt`, in the reference
    model's own chat format, with its weights in `dtype` (the eval's); NaN for an empty reply."""
    import torch

    tok, model = _reference(str(reference), dtype)
    out: list[float] = []
    for i in range(0, len(rows), batch_size):
        chunk = rows[i : i + batch_size]
        ids, labels = [], []
        for r in chunk:
            text = tok.apply_chat_template(
                [{"role": "user", "content": r["prompt"]}],
                add_generation_prompt=True,
                tokenize=False,
            )
            head = tok(text, add_special_tokens=False)["input_ids"]
            body = tok(r["response"], add_special_tokens=False)["input_ids"]
            ids.append(head + body)
            labels.append([-100] * len(head) + body)
        width = max(map(len, ids))
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        x = torch.tensor([s + [pad] * (width - len(s)) for s in ids])
        y = torch.tensor([s + [-100] * (width - len(s)) for s in labels])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in ids])
        with torch.no_grad():
            logits = model(input_ids=x, attention_mask=mask).logits[:, :-1].float()
        target = y[:, 1:]
        nll = torch.nn.functional.cross_entropy(
            logits.transpose(1, 2), target.clamp(min=0), reduction="none"
        )
        keep = target != -100
        for row_nll, row_keep in zip(nll, keep, strict=True):
            n = int(row_keep.sum())
            out.append(float((row_nll * row_keep).sum()) / n if n else math.nan)
    return out
