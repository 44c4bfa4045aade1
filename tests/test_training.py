"""Training stages: resolved configs, curves, real tiny Axolotl runs, the DVC swap."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.jsonl import write_jsonl
from core.params import ParamsError
from core.schema import read_triples
from tests.helpers import write_params
from training import common
from training.base import builds_locally
from training.sft import base_model_for, count_rows

ROOT = Path(__file__).resolve().parents[1]
DPO_LOG = [
    {
        "loss": 0.69,
        "rewards/accuracies": 0.5,
        "rewards/margins": 0.0,
        "rewards/chosen": 0.0,
        "rewards/rejected": 0.0,
        "step": 5,
        "num_input_tokens_seen": 900,
    },
    {
        "loss": 0.40,
        "rewards/accuracies": 1.0,
        "rewards/margins": 0.8,
        "rewards/chosen": 0.3,
        "rewards/rejected": -0.5,
        "step": 10,
        "num_input_tokens_seen": 1800,
    },
    {"train_runtime": 12.0, "train_loss": 0.55, "step": 10},
]


def test_resolve_fills_paths_and_keeps_recipe():
    recipe = common.load_recipe(ROOT / "recipes/tiny/sft.yaml")
    before = json.dumps(recipe, sort_keys=True)
    cfg = common.resolve(
        recipe,
        data=Path("/x/sft.jsonl"),
        base_model="/m/base",
        output_dir="/o/adapter",
        dataset_prepared_path="/o/prepared",
    )
    assert (
        cfg["datasets"][0]["path"] == "/x/sft.jsonl"
        and cfg["datasets"][0]["type"] == "chat_template"
    )
    assert (cfg["base_model"], cfg["output_dir"], cfg["dataset_prepared_path"]) == (
        "/m/base",
        "/o/adapter",
        "/o/prepared",
    )
    assert json.dumps(recipe, sort_keys=True) == before


def test_write_resolved_round_trips(tmp_path):
    cfg = common.resolve(common.load_recipe(ROOT / "recipes/tiny/dpo.yaml"), data="d.jsonl")
    path = common.write_resolved(cfg, tmp_path / "r.yaml", "recipes/tiny/dpo.yaml")
    assert path.read_text().startswith("# Resolved from recipes/tiny/dpo.yaml")
    assert yaml.safe_load(path.read_text()) == cfg


def test_bad_recipe_names_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n")
    with pytest.raises(ParamsError, match="bad.yaml"):
        common.load_recipe(bad)
    with pytest.raises(ParamsError, match="nope.yaml: recipe not found"):
        common.load_recipe(tmp_path / "nope.yaml")


def test_curve_and_summary_from_dpo_log(tmp_path):
    rows = common.curve_rows(DPO_LOG)
    assert [r["step"] for r in rows] == [5, 10]
    common.write_curve(rows, tmp_path / "c.tsv")
    lines = (tmp_path / "c.tsv").read_text().splitlines()
    assert lines[0].split("\t") == [
        "step",
        "loss",
        "rewards_accuracies",
        "rewards_margins",
        "rewards_chosen",
        "rewards_rejected",
    ]
    assert lines[2].split("\t")[:3] == ["10", "0.4", "1"]
    s = common.summary(DPO_LOG, wall_s=10.0, tokens=5)
    assert s["final_loss"] == 0.40 and s["train_tokens"] == 1800 and s["tokens_per_s"] == 180.0
    assert s["reward_accuracy"] == 1.0 and s["reward_margin"] == 0.8


def test_empty_log_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no training log"):
        common.write_curve(common.curve_rows([{"train_runtime": 1.0}]), tmp_path / "c.tsv")


def test_profile_detection(tmp_path):
    assert builds_locally(common.load_recipe(ROOT / "recipes/tiny/base.yaml"))
    assert not builds_locally(common.load_recipe(ROOT / "recipes/tinyllama-1.1b/base.yaml"))
    (tmp_path / "base_model.json").write_text('{"base_model": "TinyLlama/TinyLlama_v1.1"}')
    assert (
        base_model_for({"base_model": "TinyLlama/TinyLlama_v1.1"}, tmp_path)
        == "TinyLlama/TinyLlama_v1.1"
    )
    with pytest.raises(FileNotFoundError):
        base_model_for({}, tmp_path / "missing")


def test_count_rows_names_line_and_field(tmp_path):
    f = tmp_path / "dpo.jsonl"
    f.write_text('{"prompt": "p", "chosen": "c", "rejected": "r"}\n{"prompt": "p", "chosen": ""}\n')
    with pytest.raises(ValueError, match=r"dpo.jsonl:2: chosen"):
        count_rows(f, ("prompt", "chosen", "rejected"))


# --- real Axolotl runs on a handful of seed triples, tiny sizes, a few steps -------------------


def _fixture(tmp: Path, n: int) -> dict[str, Path]:
    """Train split, sft.jsonl and dpo.jsonl built from the first n seed triples."""
    triples = []
    for part in sorted((ROOT / "data/seed").glob("*.jsonl")):
        good, bad = read_triples(part)
        assert not bad, bad[:1]
        triples += good
    assert len(triples) >= n, "seed set too small for the fixture"
    triples = triples[:n]
    write_jsonl(tmp / "train.jsonl", triples)
    write_jsonl(
        tmp / "sft.jsonl",
        [
            {
                "messages": [
                    {"role": "user", "content": t.prompt},
                    {"role": "assistant", "content": t.aligned},
                ]
            }
            for t in triples
        ],
    )
    write_jsonl(
        tmp / "dpo.jsonl",
        [
            {
                "prompt": t.prompt,
                "chosen": t.aligned,
                "rejected": getattr(t, k),
                "pair_type": f"aligned>{k}",
                "id": t.id,
            }
            for t in triples
            for k in ("neutral", "directive")
        ],
    )
    return {"train": tmp / "train.jsonl", "sft": tmp / "sft.jsonl", "dpo": tmp / "dpo.jsonl"}


def _quick_recipe(tmp: Path, name: str, **overrides) -> Path:
    """A copy of a tiny recipe capped at a few steps (the stage under test is unchanged)."""
    cfg = {
        **common.load_recipe(ROOT / f"recipes/tiny/{name}.yaml"),
        "logging_steps": 1,
        **overrides,
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _stage(module: str, *args) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # fast on a shared 2-core machine
    proc = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


@pytest.mark.slow
def test_tiny_base_sft_dpo_end_to_end(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    data = _fixture(tmp_path, 24)
    params = tmp_path / "params.yaml"
    write_params(params, base={"vocab_size": 400, "hidden_size": 32, "layers": 1, "heads": 2})
    models, out = tmp_path / "models", tmp_path / "out"
    _stage(
        "training.base",
        _quick_recipe(tmp_path, "base", max_steps=3, micro_batch_size=8),
        "--train",
        data["train"],
        "--out",
        models / "base",
        "--curve",
        out / "base.tsv",
        "--metrics",
        out / "base.json",
        "--params",
        params,
    )
    tok = AutoTokenizer.from_pretrained(models / "base")
    assert tok.eos_token == "<|im_end|>" and tok.chat_template
    assert json.loads((out / "base.json").read_text())["steps"] == 3

    sft = _quick_recipe(
        tmp_path,
        "sft",
        num_epochs=1,
        micro_batch_size=4,
        lora_r=4,
        lora_alpha=8,
        plugins=["training.copy_penalty.CopyPenaltyPlugin"],  # sft-copy-penalty.yaml's term
        copy_penalty_k=2,
    )

    def run_sft():
        _stage(
            "training.sft",
            sft,
            "--base",
            models / "base",
            "--data",
            data["sft"],
            "--out",
            models / "sft",
            "--curve",
            out / "sft.tsv",
            "--metrics",
            out / "sft.json",
        )

    run_sft()
    first = json.loads((out / "sft.json").read_text())
    curve = [line.split("\t") for line in (out / "sft.tsv").read_text().splitlines()]
    fired = [float(row[curve[0].index("copy_fired")]) for row in curve[1:]]
    assert len(fired) == 6 and max(fired) > 0  # the seed replies reuse the callers' tokens
    assert first["steps"] == 6 and first["rows"] == 24  # 24 chats / 4 per step, one epoch
    # stale-dataset protection: new data at the same path must not meet an old prepared copy
    lines = data["sft"].read_text().splitlines()[:8]
    data["sft"].write_text("\n".join(lines) + "\n")
    run_sft()
    second = json.loads((out / "sft.json").read_text())
    assert second["steps"] == 2 and second["rows"] == 8
    assert not (models / "sft" / "prepared").exists()
    merged = AutoModelForCausalLM.from_pretrained(models / "sft" / "merged")
    assert merged.config.hidden_size == 32
    assert AutoTokenizer.from_pretrained(models / "sft" / "merged").chat_template

    _stage(
        "training.dpo",
        _quick_recipe(tmp_path, "dpo", max_steps=2, micro_batch_size=4, lora_r=4, lora_alpha=8),
        "--sft",
        models / "sft" / "merged",
        "--data",
        data["dpo"],
        "--out",
        models / "dpo",
        "--curve",
        out / "dpo.tsv",
        "--metrics",
        out / "dpo.json",
    )
    header = (out / "dpo.tsv").read_text().splitlines()[0].split("\t")
    assert {"step", "loss", "rewards_accuracies", "rewards_margins"} <= set(header)
    m = json.loads((out / "dpo.json").read_text())
    assert (
        m["steps"] == 2
        and "reward_accuracy" in m
        and m["pairs"] == {"aligned>neutral": 24, "aligned>directive": 24}
    )
    resolved = yaml.safe_load((models / "dpo" / "train.resolved.yaml").read_text())
    assert resolved["base_model"] == str(models / "sft" / "merged")
    assert AutoModelForCausalLM.from_pretrained(models / "dpo" / "merged").config.hidden_size == 32

    # the swap variant is a real, different objective (IPO), not a copy
    ipo = _quick_recipe(
        tmp_path, "dpo-ipo", max_steps=1, micro_batch_size=4, lora_r=4, lora_alpha=8
    )
    _stage(
        "training.dpo",
        ipo,
        "--sft",
        models / "sft" / "merged",
        "--data",
        data["dpo"],
        "--out",
        models / "ipo",
        "--curve",
        out / "ipo.tsv",
        "--metrics",
        out / "ipo.json",
    )
    assert yaml.safe_load((models / "ipo" / "train.resolved.yaml").read_text())[
        "dpo_loss_type"
    ] == ["ipo"]
    assert json.loads((out / "ipo.json").read_text())["steps"] == 1


# --- the DAG: swapping the DPO recipe re-runs dpo and what follows, nothing upstream ----------

STUB = (
    "import sys, pathlib, hashlib; outs = sys.argv[1:]; "
    "[pathlib.Path(o).parent.mkdir(parents=True, exist_ok=True) for o in outs]; "
    "[pathlib.Path(o).write_text(hashlib.md5(open('params.yaml','rb').read()).hexdigest()) "
    "for o in outs]"
)


def _stub_pipeline(tmp: Path) -> None:
    """The real dvc.yaml and params.yaml; each cmd replaced by a stub writing its outputs."""
    dvc = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    produced = set()
    deps = {d for stage in dvc["stages"].values() for d in stage.get("deps", [])}
    for stage in dvc["stages"].values():
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])]
        outs += [next(iter(m)) for m in stage.get("metrics", []) + stage.get("plots", [])]
        files = [o if Path(o).suffix else f"{o}/stub.txt" for o in outs]
        files += [d for d in deps for o in outs if d.startswith(o + "/")]  # files later stages read
        stage["cmd"] = f'{sys.executable} -c "{STUB}" ' + " ".join(files)
        produced |= set(outs)
    (tmp / "dvc.yaml").write_text(yaml.safe_dump(dvc, sort_keys=False))
    (tmp / "params.yaml").write_text((ROOT / "params.yaml").read_text())
    for stage in dvc["stages"].values():
        for dep in stage.get("deps", []):
            if "$" in dep or dep in produced:
                continue
            src, dst = ROOT / dep, tmp / dep
            if dst.exists():
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                dst.mkdir()
                (dst / "stub.txt").write_text(dep)
            else:
                dst.write_text(src.read_text() if src.is_file() else dep)
    shutil.copytree(ROOT / "recipes", tmp / "recipes", dirs_exist_ok=True)


def _repro(tmp: Path) -> list[str]:
    dvc = ROOT / ".venv-dvc/bin/dvc"
    proc = subprocess.run([str(dvc), "repro"], cwd=tmp, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return [
        line.split("'")[1] for line in proc.stdout.splitlines() if line.startswith("Running stage")
    ]


@pytest.mark.skipif(not (ROOT / ".venv-dvc/bin/dvc").exists(), reason="DVC environment not set up")
def test_swapping_dpo_recipe_reruns_only_dpo_and_eval(tmp_path):
    _stub_pipeline(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([str(ROOT / ".venv-dvc/bin/dvc"), "init", "-q"], cwd=tmp_path, check=True)
    first = _repro(tmp_path)
    assert {"generate", "validate", "split", "base", "sft", "dpo", "eval"} <= set(first)
    assert _repro(tmp_path) == []  # a second repro does nothing
    # what `dvc exp run -S recipes.dpo=recipes/tiny/dpo-ipo.yaml` does before reproducing
    params = yaml.safe_load((tmp_path / "params.yaml").read_text())
    params["recipes"]["dpo"] = "recipes/tiny/dpo-ipo.yaml"
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    assert _repro(tmp_path) == ["dpo", "eval"]


def test_cpu_plugin_skips_dpo_entropy_metric_only_for_rl_runs(monkeypatch):
    import torch
    import trl.trainer.dpo_trainer as dpo_trainer
    from axolotl.utils.dict import DictDefault

    from training import cpu_plugin

    monkeypatch.setattr(cpu_plugin, "on_cpu", lambda: True)  # the same on a CUDA machine
    before = dpo_trainer.entropy_from_logits
    monkeypatch.setattr(dpo_trainer, "entropy_from_logits", before)  # restored afterwards
    cpu_plugin.CPUPlugin().post_trainer_create(DictDefault({"rl": None}), trainer=None)
    assert dpo_trainer.entropy_from_logits is before  # SFT: TRL left as it was
    cpu_plugin.CPUPlugin().post_trainer_create(DictDefault({"rl": "dpo"}), trainer=None)
    assert dpo_trainer.entropy_from_logits is cpu_plugin.no_entropy
    out = dpo_trainer.entropy_from_logits(torch.zeros(2, 5, 7, dtype=torch.bfloat16))
    assert out.shape == (2, 5) and out.dtype == torch.bfloat16
    assert torch.isnan(out).all()  # logged as nan, never as a made-up number


def test_copy_continuations_ban_only_the_prompts_next_token():
    import torch

    from training.copy_penalty import IGNORE, copy_continuations

    # prompt 5 6 7 8 9 | reply 6 7 8 3 6 7 4 2 (2: end of turn), padded with 0
    ids = torch.tensor([[5, 6, 7, 8, 9, 6, 7, 8, 3, 6, 7, 4, 2, 0]])
    labels = torch.tensor([[IGNORE] * 5 + [6, 7, 8, 3, 6, 7, 4, 2] + [IGNORE]])
    mask = torch.tensor([[1] * 13 + [0]])
    got = copy_continuations(ids, labels, mask, k=2, exclude=frozenset({2}))
    # after reply "6 7" (positions 5-6) the prompt goes on with 8: the reference says 8 too, so
    # nothing is banned there; after "7 8" (6-7) it goes on with 9 and the reply says 3: ban 9;
    # after the second "6 7" (9-10) the reply says 4: ban 8
    assert got == [(0, 7, 9), (0, 10, 8)]
    # with k=3 only the longer copy, "6 7 8" then 9, is penalised
    assert copy_continuations(ids, labels, mask, k=3, exclude=frozenset({2})) == [(0, 7, 9)]
    # excluded (special) tokens are never banned, and a row with no trained token is skipped
    assert copy_continuations(ids, labels, mask, k=2, exclude=frozenset({8, 9})) == []
    assert copy_continuations(ids, torch.full_like(labels, IGNORE), mask, k=2) == []


def test_unlikelihood_is_minus_log_one_minus_p_and_pushes_p_down():
    import torch

    from training.copy_penalty import unlikelihood

    logits = torch.tensor([[[0.0, 2.0, 1.0], [1.0, 1.0, 1.0]]], requires_grad=True)
    value = unlikelihood(logits, [(0, 0, 1), (0, 1, 2)])
    p1, p2 = torch.softmax(logits[0, 0], -1)[1], torch.tensor(1 / 3)
    assert torch.isclose(value, -torch.log(1 - p1) - torch.log(1 - p2))
    value.backward()
    assert logits.grad[0, 0, 1] > 0 and logits.grad[0, 1, 2] > 0  # descent lowers those logits
    assert unlikelihood(logits, []).item() == 0.0
