"""The lm-eval plumbing of the eval stage: model folders, end-of-turn text, task runs.

Each greedy generation is scored once, by the listening_gen task's `process_results`
(core.detectors through evals/tasks/utils.py); the stage reads those scores back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.console import Console

from core.detectors import NAMES, SCORE_FIELDS

TASKS_DIR = Path(__file__).parent / "tasks"
# The pairwise variants (listening_pref_vs_*) score the same (context, choice) log-likelihoods
# as listening_pref, so the stage reads them off listening_pref's samples: half the forwards.
PAIRS = ("directive", "neutral", "generic")
MODELS = ("base", "sft", "dpo")


def model_dir(path: str | Path) -> Path | str:
    """The HF folder under path (itself or its `merged/`), or the hub model a GPU profile's
    `base` stage named in its `base_model.json` marker."""
    for cand in (Path(path), Path(path) / "merged"):
        if (cand / "config.json").is_file():
            return cand
    marker = Path(path) / "base_model.json"
    if marker.is_file():
        return json.loads(marker.read_text())["base_model"]
    raise FileNotFoundError(f"{path}: no config.json here or in merged/ (train the model first)")


def end_of_turn(tokenizer) -> str:
    """Text the chat template puts after an assistant message (what training taught to emit)."""
    if not tokenizer.chat_template:
        raise ValueError(f"{tokenizer.name_or_path}: tokenizer has no chat template")
    mark = "\u2063MARK\u2063"
    chat = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": mark}]
    return tokenizer.apply_chat_template(chat, tokenize=False).split(mark, 1)[1]


def pairwise_acc(samples: list[dict], other: str) -> float | None:
    """Share of docs whose aligned turn beats `other` on log-likelihood per character (as acc_norm;
    ties go to aligned)."""
    wins = []
    for s in samples:
        styles, choices = s["doc"]["styles"], s["doc"]["choices"]
        if other in styles:
            j = styles.index(other)
            lls = [s["filtered_resps"][i][0] / len(choices[i]) for i in (0, j)]
            wins.append(lls[0] >= lls[1])
    return sum(wins) / len(wins) if wins else None


def typed(sample: dict) -> dict:
    """A sample's detector scores as `core.detectors.score` types them (lm-eval keeps floats)."""
    out = {k: sample[k] for k in SCORE_FIELDS}
    return out | {k: bool(out[k]) for k in (*NAMES, "empty")} | {"words": int(out["words"])}


def run_tasks(lm, data_file: str, limit: int | None, max_new_tokens: int) -> tuple[dict, list]:
    """Preference accuracies and scored greedy generations of one model on one triples file.

    Each generation row carries `hit_max_tokens` (it used the whole token allowance) and
    `pref_ok` (the model ranked the aligned reply first): the per-item values behind the
    intervals.
    """
    import lm_eval
    from lm_eval.tasks import TaskManager

    eot = end_of_turn(lm.tokenizer)
    tm = TaskManager(
        include_path=str(TASKS_DIR),
        include_defaults=False,
        metadata={"data_file": data_file, "eot": eot, "limit": limit},
    )
    gen = {
        "until": [eot.strip()] if eot.strip() else [],
        "max_gen_toks": max_new_tokens,
        "do_sample": False,
    }
    res = lm_eval.simple_evaluate(
        model=lm,
        tasks=["listening_pref", "listening_gen"],
        task_manager=tm,
        apply_chat_template=True,
        gen_kwargs=gen,
        bootstrap_iters=0,
        log_samples=True,
        verbosity="ERROR",
    )
    pref = res["results"]["listening_pref"]
    # Summed log-likelihood always favours the shortest reply (neutral, generic), so the headline
    # is lm-eval's acc_norm (per character); the raw sum stays visible as pref_acc_sum.
    scores = {"pref_acc": pref["acc_norm,none"], "pref_acc_sum": pref["acc,none"]}
    for other in PAIRS:
        acc = pairwise_acc(res["samples"]["listening_pref"], other)
        if acc is not None:
            scores[f"pref_acc_vs_{other}"] = acc
    pref_ok = {s["doc"]["id"]: bool(s["acc_norm"]) for s in res["samples"]["listening_pref"]}
    rows = []
    for s in sorted(res["samples"]["listening_gen"], key=lambda s: s["doc_id"]):
        text = s["filtered_resps"][0].strip()
        n_tokens = len(lm.tokenizer(s["filtered_resps"][0], add_special_tokens=False).input_ids)
        rows.append(
            {k: s["doc"][k] for k in ("id", "theme", "risk", "prompt", "reference")}
            | {
                "response": text,
                "hit_max_tokens": n_tokens >= max_new_tokens,
                "pref_ok": pref_ok.get(s["doc"]["id"]),
            }
            | typed(s)
        )
    return scores, rows


def extra_task_scores(lm, tasks: list[str], console: Console) -> dict[str, float]:
    """Standard lm-eval tasks named in params; skipped with one line when offline."""
    if not tasks:
        return {}
    if os.environ.get("HF_DATASETS_OFFLINE") == "1" or os.environ.get("HF_HUB_OFFLINE") == "1":
        console.print(f"eval.extra_tasks {tasks} skipped: offline (HF_*_OFFLINE=1)")
        return {}
    import lm_eval

    res = lm_eval.simple_evaluate(model=lm, tasks=tasks, bootstrap_iters=0, verbosity="ERROR")
    return {
        f"{t}_{m.split(',')[0]}": v
        for t, r in res["results"].items()
        for m, v in r.items()
        if isinstance(v, int | float) and "stderr" not in m
    }
