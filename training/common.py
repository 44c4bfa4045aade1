"""Shared by the training stages: resolve a recipe, run Axolotl in-process, write curves, metrics.

Not a stage; `training.base`, `training.sft` and `training.dpo` import it.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

import yaml

from core import cli
from core.env import apply_offline_env
from core.jsonl import atomic_write_text, write_json
from core.logs import captured
from core.params import ParamsError

CURVE_KEYS = (
    "loss",
    "rewards/accuracies",
    "rewards/margins",
    "rewards/chosen",
    "rewards/rejected",
    "copy_ul",  # SFT with training.copy_penalty: the copy unlikelihood term per trained token
    "copy_fired",
)


def stage_parser(doc: str, inputs: dict[str, str]) -> argparse.ArgumentParser:
    """Training stages' CLI: RECIPE, the stage's inputs, then --out, --curve and --metrics."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("recipe", type=Path)
    for flag, help_text in inputs.items():
        ap.add_argument(f"--{flag}", type=Path, required=True, help=help_text)
    for flag in ("out", "curve", "metrics"):
        ap.add_argument(f"--{flag}", type=Path, required=True)
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    return ap


def load_recipe(path: str | Path) -> dict:
    """Read an Axolotl YAML recipe; a missing or non-mapping file is an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: recipe not found")
    recipe = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(recipe, dict):
        raise ParamsError(f"{path}: line 1: <recipe>: expected a YAML mapping of Axolotl keys")
    return recipe


def resolve(recipe: dict, **paths: Any) -> dict:
    """Copy of `recipe` with stage paths filled in; `data` replaces the first dataset's path."""
    cfg = {**recipe}
    data = paths.pop("data", None)
    if data is not None:
        if not cfg.get("datasets"):
            raise ValueError("recipe: datasets: needs at least one entry to point at the data")
        cfg["datasets"] = [{**cfg["datasets"][0], "path": str(data)}, *cfg["datasets"][1:]]
    for key, value in paths.items():
        cfg[key] = str(value) if isinstance(value, Path) else value
    return cfg


def write_resolved(cfg: dict, path: Path, source: str | Path) -> Path:
    """Write the resolved config (what Axolotl actually ran) atomically, with a provenance line."""
    header = f"# Resolved from {source} by the training stage; do not edit, edit the recipe.\n"
    atomic_write_text(path, header + yaml.safe_dump(cfg, sort_keys=False))
    return path


def fresh_dir(path: Path) -> Path:
    """Empty a directory: Axolotl's prepared-data cache keys on the config, not the file bytes."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def axolotl_train(config: Path, log: Path) -> tuple[list[dict], float]:
    """Run real Axolotl training on a config file (its output to `log`); return
    (trainer log_history, wall seconds)."""
    with captured(log, f"axolotl train {config}"):
        return _train(config)


def _train(config: Path) -> tuple[list[dict], float]:
    apply_offline_env()
    from axolotl.cli.args import TrainerCliArgs
    from axolotl.cli.config import load_cfg
    from axolotl.common.datasets import load_datasets, load_preference_datasets
    from axolotl.train import train

    start = time.perf_counter()
    cfg = load_cfg(str(config))
    load = load_preference_datasets if cfg.rl else load_datasets
    meta = load(cfg=cfg, cli_args=TrainerCliArgs())
    _, _, trainer = train(cfg=cfg, dataset_meta=meta)
    return list(trainer.state.log_history), time.perf_counter() - start


def axolotl_merge(config: Path, log: Path) -> float:
    """Merge the LoRA adapter named in `config` into `<output_dir>/merged`; return wall seconds."""
    from axolotl.cli.merge_lora import do_cli

    start = time.perf_counter()
    with captured(log, f"axolotl merge-lora {config}"):
        do_cli(config=str(config))
    return time.perf_counter() - start


def sha256_file(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def write_provenance(out: Path, stage: str, recipe: Path, parent: str, data: Path) -> None:
    """<out>/provenance.json: this model's own recipe, parent model and data (with hashes);
    replaces the model card merge-lora copies from the parent, which names the wrong model."""
    record = {
        "stage": stage,
        "recipe": str(recipe),
        "recipe_sha256": sha256_file(recipe),
        "parent_model": parent,
        "data": str(data),
        "data_sha256": sha256_file(data),
    }
    for card in Path(out).rglob("README.md"):
        card.unlink()
    write_json(Path(out) / "provenance.json", record)


def drop_logs(folder: Path) -> None:
    """Axolotl writes a timestamped debug.log into output_dir: keep it out of DVC outputs."""
    for f in Path(folder).rglob("debug.log"):
        f.unlink()


def curve_rows(log_history: list[dict]) -> list[dict]:
    """Per-step training log entries (loss and, for DPO, rewards), in step order."""
    rows = []
    for entry in log_history:
        if "loss" not in entry or "step" not in entry:
            continue  # eval entries and the final train summary carry no per-step loss
        rows.append({"step": int(entry["step"]), **{k: entry[k] for k in CURVE_KEYS if k in entry}})
    return sorted(rows, key=lambda r: r["step"])


def write_curve(rows: list[dict], path: Path) -> None:
    """TSV for `dvc plots`: step, loss and any reward columns (slashes become underscores)."""
    if not rows:
        raise ValueError(f"{path}: no training log entries with a loss (logging_steps too large?)")
    keys = [k for k in CURVE_KEYS if any(k in r for r in rows)]
    header = ["step", *(k.replace("rewards/", "rewards_") for k in keys)]
    lines = ["\t".join(header)]
    for r in rows:
        lines.append("\t".join([str(r["step"]), *(f"{r[k]:.6g}" if k in r else "" for k in keys)]))
    atomic_write_text(path, "\n".join(lines) + "\n")


def summary(log_history: list[dict], wall_s: float, tokens: int, extra: dict | None = None) -> dict:
    """Final figures: last loss, DPO reward accuracy and margin, wall seconds, tokens/s."""
    rows = curve_rows(log_history)
    last = rows[-1] if rows else {}
    # the trainer's own count (Axolotl enables it) beats our estimate: it sees max_steps and drops
    seen = [e["num_input_tokens_seen"] for e in log_history if e.get("num_input_tokens_seen")]
    tokens = int(seen[-1]) if seen else tokens
    out = {
        "final_loss": last.get("loss"),
        "steps": max((int(e["step"]) for e in log_history if "step" in e), default=0),
        "wall_s": round(wall_s, 1),
        "train_tokens": tokens,
        "tokens_per_s": round(tokens / wall_s, 1) if wall_s > 0 else None,
    }
    if "rewards/accuracies" in last:
        tail = [r for r in rows[-max(1, len(rows) // 5) :] if "rewards/accuracies" in r]
        out["reward_accuracy"] = round(sum(r["rewards/accuracies"] for r in tail) / len(tail), 4)
        out["reward_margin"] = round(sum(r["rewards/margins"] for r in tail) / len(tail), 4)
    return {**out, **(extra or {})}


def write_metrics(metrics: dict, path: Path) -> None:
    """Write the stage's metrics JSON atomically and say its headline figures in one line."""
    write_json(path, metrics)
    keys = ("steps", "final_loss", "tokens_per_s", "wall_s", "base_model")
    cli.say(path.stem, **{k: metrics[k] for k in keys if k in metrics})
