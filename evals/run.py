"""Stage `eval`: base, SFT and DPO through the listening tasks (lm-eval), metrics and report.

    .venv/bin/python -m evals.run --base models/base --sft models/sft/merged --dpo models/dpo \
        --probe evals/data/probe.jsonl --test data/splits/test.jsonl \
        --train data/splits/train.jsonl --metrics metrics/eval.json \
        --metrics-test metrics/eval_test.json --report reports/eval.md --plots plots/eval \
        --generations data/eval
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.progress import Progress, TimeElapsedColumn

from evals.metrics import aggregate, train_style_classifier
from evals.report import metrics_table, plot_metrics, write_report
from evals.score import score_row
from generators.schema import read_triples, write_json, write_jsonl

TASKS_DIR = Path(__file__).parent / "tasks"
# The pairwise variants (listening_pref_vs_*) score the same (context, choice) log-likelihoods
# as listening_pref, so the stage reads them off listening_pref's samples: half the forwards.
PAIRS = ("directive", "neutral", "generic")
MODELS = ("base", "sft", "dpo")


class EvalParams(BaseModel):
    """The `eval` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_new_tokens: int = Field(gt=0)
    sample_size: int = Field(ge=0)
    test_limit: int | None = Field(default=None, gt=0)
    extra_tasks: list[str] = []
    judge: bool = False
    batch_size: int = Field(default=32, gt=0)
    threads: int = Field(default=1, gt=0)
    device: str = "cpu"


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


def run_tasks(lm, data_file: str, limit: int | None, cfg: EvalParams) -> tuple[dict, list[dict]]:
    """Preference accuracies and greedy generations of one model on one triples file."""
    import lm_eval
    from lm_eval.tasks import TaskManager

    eot = end_of_turn(lm.tokenizer)
    tm = TaskManager(include_path=str(TASKS_DIR), include_defaults=False,
                     metadata={"data_file": data_file, "eot": eot, "limit": limit})
    gen = {"until": [eot.strip()] if eot.strip() else [], "max_gen_toks": cfg.max_new_tokens,
           "do_sample": False}
    res = lm_eval.simple_evaluate(model=lm, tasks=["listening_pref", "listening_gen"],
                                  task_manager=tm, apply_chat_template=True, gen_kwargs=gen,
                                  bootstrap_iters=0, log_samples=True, verbosity="ERROR")
    pref = res["results"]["listening_pref"]
    # Summed log-likelihood always favours the shortest reply (neutral, generic), so the headline
    # is lm-eval's acc_norm (per character); the raw sum stays visible as pref_acc_sum.
    scores = {"pref_acc": pref["acc_norm,none"], "pref_acc_sum": pref["acc,none"]}
    for other in PAIRS:
        acc = pairwise_acc(res["samples"]["listening_pref"], other)
        if acc is not None:
            scores[f"pref_acc_vs_{other}"] = acc
    samples = sorted(res["samples"]["listening_gen"], key=lambda s: s["doc_id"])
    gens = [score_row({k: s["doc"][k] for k in ("id", "theme", "risk", "prompt", "reference")}
                      | {"response": s["filtered_resps"][0].strip()}) for s in samples]
    return scores, gens


def extra_task_scores(lm, tasks: list[str], console: Console) -> dict[str, float]:
    """Standard lm-eval tasks named in params; skipped with one line when offline."""
    if not tasks:
        return {}
    if os.environ.get("HF_DATASETS_OFFLINE") == "1" or os.environ.get("HF_HUB_OFFLINE") == "1":
        console.print(f"eval.extra_tasks {tasks} skipped: offline (HF_*_OFFLINE=1)")
        return {}
    import lm_eval

    res = lm_eval.simple_evaluate(model=lm, tasks=tasks, bootstrap_iters=0, verbosity="ERROR")
    return {f"{t}_{m.split(',')[0]}": v for t, r in res["results"].items() for m, v in r.items()
            if isinstance(v, int | float) and "stderr" not in m}


def main(argv: list[str] | None = None) -> None:
    cfg = EvalParams.model_validate(yaml.safe_load(Path("params.yaml").read_text())["eval"])
    ap = argparse.ArgumentParser(description="Evaluate base, SFT and DPO models.")
    for flag in ("base", "sft", "dpo", "probe", "test", "train", "metrics", "metrics-test",
                 "report", "plots", "generations"):
        ap.add_argument(f"--{flag}", required=True)
    args = ap.parse_args(argv)
    import torch
    from lm_eval.models.huggingface import HFLM

    torch.set_num_threads(cfg.threads)
    console, started = Console(), time.time()
    train, bad = read_triples(args.train)
    if bad:
        raise SystemExit("\n".join(str(b) for b in bad[:10]) + f"\n{len(bad)} bad line(s)")
    clf = train_style_classifier(train)
    sets = {"probe": (args.probe, None), "test": (args.test, cfg.test_limit)}
    scores = {s: {} for s in sets}
    gens = {s: {} for s in sets}
    progress = Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console)
    with progress:
        step = progress.add_task("eval", total=len(MODELS) * len(sets))
        for name in MODELS:
            path = model_dir(getattr(args, name))
            lm = HFLM(pretrained=str(path), device=cfg.device, batch_size=cfg.batch_size)
            for split, (data_file, limit) in sets.items():
                progress.update(step, description=f"{name} on {split}")
                pref, rows = run_tasks(lm, data_file, limit, cfg)
                scores[split][name] = pref | aggregate(
                    [r["prompt"] for r in rows], [r["response"] for r in rows],
                    [r["reference"] for r in rows], clf)
                gens[split][name] = rows
                write_jsonl(Path(args.generations) / f"{split}_{name}.jsonl", rows)
                progress.advance(step)
            scores["probe"][name] |= extra_task_scores(lm, cfg.extra_tasks, console)
            del lm
    if cfg.judge:
        from evals.judge import judge_models

        judge_models(gens["probe"], scores["probe"], console)
    write_json(args.metrics, scores["probe"])
    write_json(args.metrics_test, scores["test"])
    write_report(args.report, scores, gens["probe"], cfg.sample_size)
    plot_metrics(scores["probe"], Path(args.plots) / "metrics.png")
    console.print(metrics_table(scores["probe"], "probe"))
    console.print(f"eval done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
