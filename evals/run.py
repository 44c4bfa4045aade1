"""Stage `eval`: base, SFT and DPO through the listening tasks (lm-eval), metrics and report.

    .venv/bin/python -m evals.run --base models/base --sft models/sft/merged --dpo models/dpo \\
        --probe evals/data/probe.jsonl --test data/splits/test.jsonl \\
        --train data/splits/train.jsonl --metrics metrics/eval.json \\
        --metrics-test metrics/eval_test.json --headline metrics/headline.json \\
        --intervals metrics/eval_ci.json \\
        --report reports/eval.md --plots plots/eval --generations data/eval
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console

from core import cli
from core.jsonl import write_json, write_jsonl
from core.logs import captured, log_path
from core.params import load_section
from core.schema import read_triples
from evals.curves import plot_curves
from evals.fluency import reply_nll
from evals.harness import MODELS, extra_task_scores, model_dir, run_tasks
from evals.headline import headline
from evals.intervals import intervals
from evals.judge import JudgeParams
from evals.metrics import aggregate, train_style_classifier
from evals.report import plot_metrics, write_report
from evals.score import quality


class EvalParams(BaseModel):
    """The `eval` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_new_tokens: int = Field(gt=0)
    sample_size: int = Field(ge=0)
    test_limit: int | None = Field(gt=0)
    extra_tasks: list[str]
    batch_size: int = Field(gt=0)
    threads: int = Field(gt=0)
    device: str
    dtype: Literal["float32", "bfloat16", "auto"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.run", description=__doc__.splitlines()[0])
    for flag in (
        "base",
        "sft",
        "dpo",
        "probe",
        "test",
        "train",
        "metrics",
        "metrics-test",
        "headline",
        "intervals",
        "report",
        "plots",
        "generations",
    ):
        ap.add_argument(f"--{flag}", required=True)
    ap.add_argument("--curves", default="plots/train", help="folder of the training curve TSVs")
    ap.add_argument("--params", default="params.yaml")
    args = ap.parse_args(argv)
    cfg = load_section(args.params, "eval", EvalParams)
    judge = load_section(args.params, "judge", JudgeParams)
    import torch
    from lm_eval.models.huggingface import HFLM

    torch.set_num_threads(cfg.threads)
    console, started = Console(stderr=True), time.time()
    train, bad = read_triples(args.train)
    if bad:
        raise SystemExit("\n".join(str(b) for b in bad[:10]) + f"\n{len(bad)} bad line(s)")
    clf = train_style_classifier(train)
    sets = {"probe": (args.probe, None), "test": (args.test, cfg.test_limit)}
    scores = {s: {} for s in sets}
    gens = {s: {} for s in sets}
    log = log_path(args.metrics)  # lm-eval's and transformers' output: logs/eval.log
    for name in MODELS:
        with captured(log, f"eval {name}"):
            lm = HFLM(
                pretrained=str(model_dir(getattr(args, name))),
                device=cfg.device,
                batch_size=cfg.batch_size,
                dtype=cfg.dtype,
            )
            for split, (data_file, limit) in sets.items():
                pref, rows = run_tasks(lm, data_file, limit, cfg.max_new_tokens)
                gens[split][name] = [r | quality(r) for r in rows]
                scores[split][name] = pref
            scores["probe"][name] |= extra_task_scores(lm, cfg.extra_tasks, console)
            del lm
    # One fixed reference (the untuned base) scores every model's replies: fluency by likelihood.
    with captured(log, "eval fluency"):
        for split, by_model in gens.items():
            for name, rows in by_model.items():
                nlls = reply_nll(model_dir(args.base), rows, dtype=cfg.dtype)
                for r, nll in zip(rows, nlls, strict=True):
                    r["nll"] = nll
                scores[split][name] |= aggregate(rows, clf)
                write_jsonl(Path(args.generations) / f"{split}_{name}.jsonl", rows)
    if judge.enabled:
        from evals.judge import judge_models

        judge_models(gens["probe"], scores["probe"], console, judge)
    spread = intervals(gens["probe"])
    write_json(args.metrics, scores["probe"])
    write_json(args.metrics_test, scores["test"])
    write_json(args.headline, headline(scores["probe"]))
    write_json(args.intervals, spread)
    write_report(args.report, scores, gens["probe"], cfg.sample_size, spread)
    plot_metrics(scores["probe"], Path(args.plots) / "metrics.png")
    plot_curves(
        {s: Path(args.curves) / f"{s}.tsv" for s in MODELS}, Path(args.plots) / "curves.png"
    )
    cli.say(
        "eval",
        models=len(MODELS),
        probe_items=scores["probe"]["dpo"]["n"],
        seconds=round(time.time() - started),
        table="python -m evals.show",
    )
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
