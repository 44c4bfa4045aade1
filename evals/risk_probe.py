"""Can a model tell a risk disclosure from a calm one? A linear probe on its hidden states.

    .venv/bin/python -m evals.risk_probe models/base [--train data/splits/train.jsonl]
        [--probe evals/data/probe.jsonl] [--rows 600]

Mean-pooled hidden states of each chat-templated disclosure, per layer; a balanced logistic
regression fitted on `--rows` seeded training rows (risk or not) and scored on the probe set.
A diagnostic: if the probe separates the two well while the trained model asks about safety
as often of calm callers as of risk ones, the information is in the model and the training
did not make the reply depend on it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

from rich.console import Console
from rich.table import Table


def _features(tok, model, prompts: list[str], batch: int = 32):
    import torch

    out = []
    for i in range(0, len(prompts), batch):
        texts = [
            tok.apply_chat_template(
                [{"role": "user", "content": p}], add_generation_prompt=True, tokenize=False
            )
            for p in prompts[i : i + batch]
        ]
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            states = model(**enc, output_hidden_states=True).hidden_states
        mask = enc["attention_mask"].unsqueeze(-1).float()
        out.append(torch.stack([(h.float() * mask).sum(1) / mask.sum(1) for h in states], 1))
    return torch.cat(out).numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.risk_probe", description=__doc__)
    ap.add_argument("model")
    ap.add_argument("--train", default="data/splits/train.jsonl")
    ap.add_argument("--probe", default="evals/data/probe.jsonl")
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModelForCausalLM, AutoTokenizer

    load = lambda path: [json.loads(x) for x in open(path, encoding="utf-8") if x.strip()]  # noqa: E731
    train, probe = load(args.train), load(args.probe)
    train = random.Random(args.seed).sample(train, min(args.rows, len(train)))
    tok = AutoTokenizer.from_pretrained(args.model, padding_side="left")
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16).eval()
    x_train = _features(tok, model, [r["prompt"] for r in train])
    x_probe = _features(tok, model, [r["prompt"] for r in probe])
    y_train = np.array([r["risk"] != "none" for r in train])
    y_probe = np.array([r["risk"] != "none" for r in probe])
    table = Table(title=f"risk vs calm, linear probe: {args.model} (probe n={len(probe)})")
    for col in ("layer", "accuracy", "risk recall", "calm flagged"):
        table.add_column(col, justify="right")
    for layer in range(0, x_train.shape[1], 5):
        clf = LogisticRegression(max_iter=2000, C=0.1, class_weight="balanced")
        pred = clf.fit(x_train[:, layer], y_train).predict(x_probe[:, layer])
        table.add_row(
            str(layer),
            f"{(pred == y_probe).mean():.3f}",
            f"{pred[y_probe].mean():.2f}",
            f"{pred[~y_probe].mean():.3f}",
        )
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
