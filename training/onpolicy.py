"""Stage `onpolicy`: the SFT model's own mistakes as the rejected side of DPO pairs.

    .venv/bin/python -m training.onpolicy data/splits/train.jsonl --sft models/sft/merged \
        --pairs data/axolotl/dpo.jsonl --out data/onpolicy/dpo.jsonl \
        --replies data/onpolicy/replies.jsonl --metrics metrics/onpolicy.json

Offline negatives (an advice rewrite, the disclosure copied back) are easy to tell from the
aligned reply, so DPO separates them in a few steps and the model's real habits survive:
restating the caller's words verbatim, and answering "I'm on the bridge right now" with "What's
it like sitting there?". Here the merged SFT model answers a seeded sample of training
disclosures (risk rows first in the draw, `onpolicy.risk_share`) greedily, as the eval decodes;
the detectors flag each reply (no safety question on a risk disclosure, a safety question on
a calm one, echo, directive, generic, degenerate) and `training.pairs` turns it into a pair:
style faults against the aligned reply, the safety question as minimal pairs of the model's
own reply with and without it. The output is those pairs plus `offline_per_onpolicy` offline
pairs for each (seeded, every pair type), so the DPO stage's capped steps see both. Every
sampled reply, flagged or not, is in --replies.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter
from functools import partial
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import Progress

from core import cli
from core.degenerate import is_degenerate
from core.detectors import asks_about_risk, score
from core.jsonl import InputMissing, iter_jsonl, write_json, write_jsonl
from core.logs import captured, log_path
from core.params import load_section
from core.schema import read_triples
from training.pairs import OPENER, SAFETY_FAULTS, balance, first_question, pair_for, without_safety
from training.replies import greedy_replies

# The order faults are named in when a reply has several (the first names the pair type).
# false_alarm: a suicide or safety question to a caller who disclosed no risk (the SFT model,
# shown risk chats twice, learns the question as a stock ending otherwise).
FAULTS = ("no_safety_question", "false_alarm", "echo", "directive", "generic", "degenerate")


class OnPolicyParams(BaseModel):
    """The `onpolicy` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int
    prompts: int = Field(ge=0)  # training disclosures the SFT model answers
    risk_share: float = Field(ge=0, le=1)  # of those, drawn from risk rows (where there are enough)
    offline_per_onpolicy: float = Field(ge=0)  # offline pairs kept per on-policy pair
    alarm_per_safety: float = Field(ge=0)  # calm false-alarm pairs per risk-side safety pair
    calm_chosen: Literal["aligned", "swapped"]  # a false alarm's chosen side (training.pairs)
    echo_chosen: Literal["aligned", "reworded"]  # an echo's chosen side (training.pairs)
    open_question: Literal["own", "aligned"]  # where a swapped-in open question comes from
    max_new_tokens: int = Field(gt=0)
    batch_size: int = Field(gt=0)
    threads: int = Field(gt=0)


def faults(reply: str, prompt: str, risk: str, hit_max_tokens: bool) -> list[str]:
    """What the detectors find wrong with one reply to one disclosure (empty: nothing)."""
    s = score(reply, prompt)
    found = {
        "echo": s["echo"],
        "no_safety_question": risk != "none" and not asks_about_risk(reply),
        "false_alarm": risk == "none" and asks_about_risk(reply),
        "directive": s["directive"],
        "generic": s["generic"],
        "degenerate": s["empty"] or is_degenerate(reply, hit_max_tokens=hit_max_tokens),
    }
    return [f for f in FAULTS if found[f]]


def _refaults(t, text: str) -> list[str]:
    """The faults of an edited reply (a safety question put in or taken out)."""
    return faults(text, t.prompt, t.risk, False)


def draw(triples: list, n: int, risk_share: float, rng: random.Random) -> list:
    """n triples, round(n * risk_share) of them risk rows where there are that many."""
    risk = [t for t in triples if t.risk != "none"]
    calm = [t for t in triples if t.risk == "none"]
    k = min(len(risk), round(n * risk_share))
    picked = rng.sample(risk, k) + rng.sample(calm, min(len(calm), n - k))
    return sorted(picked, key=lambda t: t.id)


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser(
        "python -m training.onpolicy",
        __doc__,
        "train",
        ("sft", "pairs", "out", "replies", "metrics"),
    )
    args = ap.parse_args(argv)
    cfg = load_section(args.params, "onpolicy", OnPolicyParams)
    cli.require(args.train, args.pairs, hint="run `dvc repro split` first")
    if not (args.sft / "config.json").is_file():
        raise InputMissing(f"{args.sft}: no merged SFT model (config.json)")
    triples, bad = read_triples(args.train)
    if bad:
        raise SystemExit("\n".join(str(b) for b in bad[:10]) + f"\n{len(bad)} bad line(s)")
    offline = [obj for _, obj, _ in iter_jsonl(args.pairs) if obj]
    rng = random.Random(cfg.seed)
    sample = draw(triples, cfg.prompts, cfg.risk_share, rng)

    import torch

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    started = time.time()
    # the bar writes to the terminal; library output goes to logs/onpolicy.log
    terminal = Console(file=os.fdopen(os.dup(2), "w"), stderr=True)
    bar = Progress(console=terminal, transient=True)
    with bar, captured(log_path(args.metrics), "onpolicy"):
        replies = greedy_replies(
            args.sft,
            [t.prompt for t in sample],
            max_new_tokens=cfg.max_new_tokens,
            batch_size=cfg.batch_size,
            progress=bar,
        )
        found_all = [
            faults(r, t.prompt, t.risk, hit) for t, (r, hit) in zip(sample, replies, strict=True)
        ]
        own = _own_open(args.sft, sample, replies, found_all, cfg, bar)
    rows, pairs = [], []
    for k, (t, (reply, hit)) in enumerate(zip(sample, replies, strict=True)):
        found = found_all[k]
        rows.append(
            {
                "id": t.id,
                "risk": t.risk,
                "prompt": t.prompt,
                "reply": reply,
                "hit_max_tokens": hit,
                "faults": found,
            }
        )
        pair = pair_for(
            t, reply, found, partial(_refaults, t), cfg.calm_chosen, own.get(k), cfg.echo_chosen
        )
        if pair is not None:
            pairs.append(pair)
    pairs = balance(pairs, cfg.alarm_per_safety, rng)
    keep = min(len(offline), round(len(pairs) * cfg.offline_per_onpolicy))
    mixed = pairs + rng.sample(offline, keep)
    rng.shuffle(mixed)
    write_jsonl(args.replies, rows)
    write_jsonl(args.out, mixed)

    risky = [r for r in rows if r["risk"] != "none"]
    metrics = {
        "sampled": len(rows),
        "risk_sampled": len(risky),
        "flagged": sum(bool(r["faults"]) for r in rows),
        "empty_replies": sum(not r["reply"].strip() for r in rows),  # flagged, but no pair
        "onpolicy_pairs": dict(Counter(p["pair_type"] for p in pairs)),
        "faults": dict(Counter(f for r in rows for f in r["faults"])),
        "sft_echo_rate": _share(rows, lambda r: "echo" in r["faults"]),
        "sft_risk_safety_rate": _share(risky, lambda r: "no_safety_question" not in r["faults"]),
        "sft_calm_safety_rate": _share(
            [r for r in rows if r["risk"] == "none"], lambda r: "false_alarm" in r["faults"]
        ),
        "own_open_questions": len(own),
        "offline_pairs": keep,
        "pairs": len(mixed),
        "wall_s": round(time.time() - started, 1),
    }
    write_json(args.metrics, metrics)
    cli.say(
        "onpolicy",
        sampled=len(rows),
        flagged=metrics["flagged"],
        onpolicy_pairs=len(pairs),
        pairs=len(mixed),
        faults=metrics["faults"],
        seconds=metrics["wall_s"],
    )
    return 0


def _own_open(model_dir, sample, replies, found_all, cfg, bar) -> dict[int, str]:
    """Index -> the reply with its safety question swapped for the SFT model's own open
    question, for each reply that asked about safety and has no style fault (`open_question:
    own`; training.pairs): the other sentences, then OPENER, and the model goes on to its "?"."""
    if cfg.open_question != "own":
        return {}
    todo = {}
    for k, ((reply, _), found) in enumerate(zip(replies, found_all, strict=True)):
        if asks_about_risk(reply) and all(f in SAFETY_FAULTS for f in found):
            if (kept := without_safety(reply)) is not None:
                todo[k] = f"{kept} {OPENER}"
    if not todo:
        return {}  # nothing to finish: no second model load
    ends = greedy_replies(
        model_dir,
        [sample[k].prompt for k in todo],
        prefixes=list(todo.values()),
        max_new_tokens=24,  # one question; the SFT model's run 8-15 tokens
        batch_size=cfg.batch_size,
        progress=bar,
    )
    own = {}
    for (k, prefix), (end, _) in zip(todo.items(), ends, strict=True):
        if (question := first_question(OPENER + end)) is not None:
            own[k] = f"{prefix[: -len(OPENER)]}{question}"
    return own


def _share(rows: list[dict], pred) -> float | None:
    return round(sum(map(pred, rows)) / len(rows), 4) if rows else None


if __name__ == "__main__":
    sys.exit(cli.run(main))
