"""Axolotl plugin: SFT with a copy unlikelihood term, so the model learns not to parrot the caller.

Echo (a reply repeating a 6-word run of the disclosure) starts in SFT: the training replies copy
at most 3 words (split.sft_max_copy_run), yet the SFT model still copies long spans, because a
pretrained model continues any run it has started to copy. This plugin adds, at every response
position where the last `copy_penalty_k` tokens of the reply also occur in the prompt, the
unlikelihood term -log(1 - p(c)) for each token c that follows that k-gram in the prompt (the
copy's continuation), unless c is the reference reply's own next token. The reply may reuse the
caller's words; what it is taught against is carrying on copying the caller's sentence.

A recipe turns it on with

    plugins: [training.copy_penalty.CopyPenaltyPlugin]
    copy_penalty_k: 3          # tokens of copied context before the term applies (null: off)
    copy_penalty_weight: 1.0   # weight against the cross-entropy, both per trained token

Measured (recipes/small/sft-copy-penalty.yaml, k 3, weight 2.0): no effect on the probe's echo
rate, 0.00 [-0.06, +0.06] against the same recipe without it. The training replies copy 3 words
at most, so the term only acts at the edge of short copies; the model's echoes are 4-12 words.

Each logged step gains `copy_ul` (the term, per trained token, before weighting) and
`copy_fired` (penalised continuations per trained token).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import torch
from axolotl.integrations.base import BasePlugin
from pydantic import BaseModel, Field

IGNORE = -100


class CopyPenaltyArgs(BaseModel):
    """Recipe keys the plugin adds to Axolotl's config schema."""

    copy_penalty_k: int | None = Field(default=None, ge=1)
    copy_penalty_weight: float = Field(default=1.0, ge=0.0)


def copy_continuations(
    input_ids: torch.Tensor,
    labels: torch.Tensor,
    attention_mask: torch.Tensor | None,
    k: int,
    exclude: frozenset[int] = frozenset(),
) -> list[tuple[int, int, int]]:
    """(row, position, token) triples: the logits at `position` should not favour `token`.

    For each row the prompt is the attended, untrained tokens before the first trained one.
    Position t qualifies when tokens t-k+1..t are trained reply tokens and token t+1 is trained
    too; its banned tokens are those that follow the same k-gram anywhere in the prompt, less the
    reference's next token and `exclude` (special tokens such as the end of turn).
    """
    ids, lab = input_ids.tolist(), labels.tolist()
    mask = attention_mask.tolist() if attention_mask is not None else None
    found = []
    for b, (row, row_labels) in enumerate(zip(ids, lab, strict=True)):
        trained = [y != IGNORE for y in row_labels]
        if True not in trained:
            continue
        first = trained.index(True)
        prompt = [tok for i, tok in enumerate(row[:first]) if mask is None or mask[b][i]]
        follows: dict[tuple[int, ...], set[int]] = defaultdict(set)
        for i in range(len(prompt) - k):
            follows[tuple(prompt[i : i + k])].add(prompt[i + k])
        for t in range(first + k - 1, len(row) - 1):
            if not (trained[t + 1] and all(trained[t - k + 1 : t + 1])):
                continue
            banned = follows.get(tuple(row[t - k + 1 : t + 1]))
            if banned:
                found += [(b, t, c) for c in sorted(banned - {row[t + 1]} - exclude)]
    return found


def unlikelihood(logits: torch.Tensor, triples: list[tuple[int, int, int]]) -> torch.Tensor:
    """Sum over the triples of -log(1 - p(token)) under softmax(logits[row, position]), in fp32."""
    if not triples:
        return logits.new_zeros((), dtype=torch.float32)
    rows, pos, tok = (torch.tensor(x, device=logits.device) for x in zip(*triples, strict=True))
    logp = torch.log_softmax(logits[rows, pos].float(), dim=-1).gather(1, tok[:, None])[:, 0]
    # log(1 - p) from log p, stable near p = 1; the clamp keeps one sure copy from dominating
    return -torch.log1p(-logp.exp().clamp(max=1 - 1e-4)).sum()


@dataclass
class Tally:
    """Running sums between two logged steps."""

    ul: float = 0.0
    fired: int = 0
    tokens: int = 0

    def drain(self) -> dict[str, float]:
        out = {"copy_ul": self.ul / self.tokens, "copy_fired": self.fired / self.tokens}
        self.ul, self.fired, self.tokens = 0.0, 0, 0
        return out


def special_ids(tokenizer) -> frozenset[int]:
    return frozenset(getattr(tokenizer, "all_special_ids", None) or [])


class CopyPenaltyPlugin(BasePlugin):
    """Adds the copy unlikelihood term to the trainer's loss (SFT only: ignored for rl runs)."""

    def get_input_args(self):
        return "training.copy_penalty.CopyPenaltyArgs"

    def post_trainer_create(self, cfg, trainer):
        if not cfg.copy_penalty_k or cfg.rl:
            return
        k, weight = int(cfg.copy_penalty_k), float(cfg.copy_penalty_weight)
        exclude = special_ids(getattr(trainer, "processing_class", None))
        tally = Tally()
        compute_loss, log = trainer.compute_loss, trainer.log

        def copy_penalised_loss(model, inputs, return_outputs=False, num_items_in_batch=None):
            ids, labels = inputs["input_ids"], inputs["labels"]
            triples = copy_continuations(ids, labels, inputs.get("attention_mask"), k, exclude)
            loss, outputs = compute_loss(
                model, inputs, return_outputs=True, num_items_in_batch=num_items_in_batch
            )
            n_trained = int((labels[:, 1:] != IGNORE).sum())
            per_token = num_items_in_batch if num_items_in_batch is not None else n_trained
            ul = unlikelihood(outputs.logits, triples)
            loss = loss + weight * ul / max(int(per_token), 1)
            tally.ul += float(ul.detach())
            tally.fired += len(triples)
            tally.tokens += n_trained
            return (loss, outputs) if return_outputs else loss

        def log_with_copy(logs, *args, **kwargs):
            if "loss" in logs and tally.tokens:
                logs = {**logs, **tally.drain()}
            return log(logs, *args, **kwargs)

        trainer.compute_loss = copy_penalised_loss
        trainer.log = log_with_copy
