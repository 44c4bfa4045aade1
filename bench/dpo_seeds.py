"""DPO seeds per arm: is a DPO recipe change bigger than DPO's own retraining noise?

    .venv/bin/python bench/dpo_seeds.py recipes/small/dpo.yaml recipes/small/dpo-nll1.yaml \
        --seeds 13 14 15 --out /tmp/dpo_seeds

Each recipe (an arm) is trained once per seed, only Axolotl's `seed` changed (LoRA init and
pair order), by the real `dpo` stage on the workspace's SFT model and pairs (`--sft`,
`--data`; the pipeline's own by default). Each merged model answers the probe set with the
eval stage's settings (greedy, `eval` in params.yaml). Printed: every run's rates, then per
arm the mean over seeds with the seeds' spread, and each later arm minus the first with a
two-level bootstrap interval: probe items resampled once for all runs (they are the same
items), seeds resampled within each arm, so DPO's retraining noise widens the interval
instead of hiding in it. With three seeds the seed level is coarse: read a difference only
when its interval is clear of zero *and* larger than the first arm's own seed spread.

Writes <out>/<arm>-s<seed>/generations.jsonl (scored replies) and <out>/summary.json.
Resumable: a run whose generations exist is not retrained. Run logs: logs/<arm>-s<seed>.log.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the repository root holds core/

from core.env import offline_env  # noqa: E402
from core.jsonl import iter_jsonl, write_json, write_jsonl  # noqa: E402

METRICS = (
    "echo_rate",
    "degenerate_rate",
    "risk_safety_rate",
    "calm_safety_rate",
    "open_question_rate",
    "directive_rate",
    "specificity",
    "mean_words",
)


def arm_name(recipe: Path) -> str:
    return recipe.stem


def seeded_recipe(recipe: Path, seed: int, out: Path) -> Path:
    """A copy of the recipe with only `seed` changed, next to the run's outputs. A finished
    run trained from another version of the recipe is an error, not a result to reuse."""
    cfg = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    cfg["seed"] = seed
    path = out / f"{recipe.stem}-s{seed}.yaml"
    text = f"# {recipe} with seed {seed} (bench/dpo_seeds.py)\n" + yaml.safe_dump(
        cfg, sort_keys=False
    )
    if path.is_file() and yaml.safe_load(path.read_text(encoding="utf-8")) != cfg:
        raise SystemExit(f"{path}: trained from another version of {recipe}; remove {out}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def train(recipe: Path, sft: Path, data: Path, run: Path) -> None:
    """The real `dpo` stage in its own process (Axolotl keeps state between trainings)."""
    cmd = [
        sys.executable, "-m", "training.dpo", str(recipe), "--sft", str(sft), "--data",
        str(data), "--out", str(run / "model"), "--curve", str(run / "curve.tsv"),
        "--metrics", str(run / f"{run.name}.json"),
    ]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, **offline_env()}, check=True)


def probe_replies(model: Path, probe: Path, params: Path, log: Path) -> list[dict]:
    """Greedy probe replies of one merged model, scored as the eval stage scores them."""
    import torch
    from lm_eval.models.huggingface import HFLM

    from core.logs import quiet
    from core.params import load_section
    from evals.harness import run_tasks
    from evals.run import EvalParams
    from evals.score import quality

    cfg = load_section(params, "eval", EvalParams)
    torch.set_num_threads(cfg.threads)
    with quiet(log, f"probe {model}"):
        lm = HFLM(pretrained=str(model), device=cfg.device, batch_size=cfg.batch_size,
                  dtype=cfg.dtype)  # fmt: skip
        _, rows = run_tasks(lm, str(probe), None, cfg.max_new_tokens)
    return [r | quality(r) for r in rows]


def values(rows: list[dict]) -> dict[str, np.ndarray]:
    from evals.intervals import item_values

    per_item = item_values(rows)
    return {m: np.asarray(per_item[m], dtype=float) for m in METRICS}


def two_level_diff(
    a: list[np.ndarray], b: list[np.ndarray], n_boot: int = 4000, seed: int = 0
) -> tuple[float, float, float]:
    """mean(b) - mean(a) over seeds of per-run item means; 95% interval resampling items
    (shared by every run) and seeds within each arm."""
    rng = np.random.default_rng(seed)
    A, B = np.vstack(a), np.vstack(b)  # runs x items, NaN where the metric does not apply
    point = np.nanmean(np.nanmean(B, axis=1)) - np.nanmean(np.nanmean(A, axis=1))
    n = A.shape[1]
    stats = np.empty(n_boot)
    for i in range(n_boot):
        items = rng.integers(0, n, n)
        ra = A[rng.integers(0, len(A), len(A))][:, items]
        rb = B[rng.integers(0, len(B), len(B))][:, items]
        stats[i] = np.nanmean(np.nanmean(rb, axis=1)) - np.nanmean(np.nanmean(ra, axis=1))
    lo, hi = np.nanpercentile(stats, [2.5, 97.5])
    return float(point), float(lo), float(hi)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recipes", nargs="+", type=Path, help="DPO recipes; the first is the baseline")
    ap.add_argument("--seeds", nargs="+", type=int, default=[13, 14, 15])
    ap.add_argument("--sft", type=Path, default=Path("models/sft/merged"))
    ap.add_argument("--data", type=Path, default=Path("data/onpolicy/dpo.jsonl"))
    ap.add_argument("--probe", type=Path, default=Path("evals/data/probe.jsonl"))
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/dpo_seeds"))
    args = ap.parse_args(argv)
    for key in ("sft", "data", "probe", "params", "out"):  # the caller's paths, before the chdir
        setattr(args, key, getattr(args, key).resolve())
    args.recipes = [r.resolve() for r in args.recipes]
    os.chdir(ROOT)
    for path in (*args.recipes, args.sft / "config.json", args.data, args.probe):
        if not path.is_file():
            raise SystemExit(f"{path}: no such file (run `dvc repro onpolicy` first?)")
    if len({arm_name(r) for r in args.recipes}) < len(args.recipes):
        raise SystemExit("recipes: two arms share a file name; rename one")

    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    runs: dict[str, list[dict[str, np.ndarray]]] = {}
    table = Table("run", *METRICS, title="DPO runs on the probe set")
    for recipe in args.recipes:
        arm = arm_name(recipe)
        runs[arm] = []
        for seed in args.seeds:
            run = args.out / f"{arm}-s{seed}"
            gens, seeded = run / "generations.jsonl", seeded_recipe(recipe, seed, run)
            if not gens.is_file():
                console.print(f"[bold]{run.name}[/]: training (log: logs/{run.name}.log)")
                train(seeded, args.sft, args.data, run)
                rows = probe_replies(run / "model" / "merged", args.probe, args.params,
                                     Path("logs") / f"{run.name}.log")  # fmt: skip
                write_jsonl(gens, rows)
            vals = values([obj for _, obj, _ in iter_jsonl(gens) if obj])
            runs[arm].append(vals)
            table.add_row(run.name, *(f"{np.nanmean(vals[m]):.3f}" for m in METRICS))
    console.print(table)

    summary: dict = {"seeds": args.seeds, "sft": str(args.sft), "data": str(args.data), "arms": {}}
    arms = Table("arm", "metric", "mean over seeds", "seed spread (min–max)", title="Per arm")
    for arm, vals in runs.items():
        summary["arms"][arm] = {}
        for m in METRICS:
            per_run = [float(np.nanmean(v[m])) for v in vals]
            summary["arms"][arm][m] = {"runs": per_run, "mean": float(np.mean(per_run))}
            spread = f"{min(per_run):.3f}–{max(per_run):.3f}"
            arms.add_row(arm, m, f"{np.mean(per_run):.3f}", spread)
    console.print(arms)
    first, *others = runs
    diffs = Table("arm − " + first, "metric", "difference", "95% interval (items × seeds)")
    summary["differences"] = {}
    for arm in others:
        summary["differences"][arm] = {}
        for m in METRICS:
            point, lo, hi = two_level_diff([v[m] for v in runs[first]], [v[m] for v in runs[arm]])
            summary["differences"][arm][m] = {"diff": point, "lo": lo, "hi": hi}
            clear = "" if lo <= 0 <= hi else " *"
            diffs.add_row(arm, m, f"{point:+.3f}", f"[{lo:+.3f}, {hi:+.3f}]{clear}")
    if others:
        console.print(diffs)
    write_json(args.out / "summary.json", summary)
    console.print(f"summary: {args.out / 'summary.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
