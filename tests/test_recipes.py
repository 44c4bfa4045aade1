"""Every recipe under recipes/ passes Axolotl's own config validation, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

RECIPES = Path(__file__).resolve().parents[1] / "recipes"
PROFILES = {
    "tiny": {"base", "sft", "dpo", "dpo-ipo"},
    "small": {"base", "sft", "dpo"},
    "tinyllama-1.1b": {"base", "sft", "dpo"},
    "llama-2-7b": {"base", "sft", "dpo"},
}
# What Axolotl's CLI would probe on each kind of machine (axolotl.cli.config.gpu_capabilities);
# passing them explicitly validates GPU recipes on this CPU-only machine without touching a GPU.
CPU = {"bf16": False, "fp8": False, "tf32": False, "n_gpu": 1, "compute_capability": None}
GPU = {"bf16": True, "fp8": False, "tf32": True, "n_gpu": 1, "compute_capability": "sm_90"}
ENV = {"torch_version": "2.13.0"}


def recipe_files() -> list[Path]:
    return sorted(p for p in RECIPES.glob("*/*.yaml") if p.parent.name in PROFILES)


def test_walk_finds_every_profile():
    found = {(p.parent.name, p.stem) for p in recipe_files()}
    expected = {(prof, stem) for prof, stems in PROFILES.items() for stem in stems}
    assert len(found) >= 7
    assert expected <= found, f"missing recipes: {sorted(expected - found)}"


@pytest.mark.parametrize("path", recipe_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_recipe_passes_axolotl_validation(path: Path):
    from axolotl.utils.config import validate_config
    from axolotl.utils.dict import DictDefault

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), f"{path}: header comment with the run command missing"
    assert "python -m training." in text or "dvc exp run" in text, (
        f"{path}: no run command in header"
    )
    raw = yaml.safe_load(text)
    assert all(v is not None for v in raw.values()), f"{path}: empty placeholder key"
    gpu = path.parent.name not in ("tiny", "small")
    cfg = validate_config(DictDefault(raw), capabilities=GPU if gpu else CPU, env_capabilities=ENV)
    assert cfg.base_model and cfg.datasets and cfg.output_dir
    if gpu:
        assert cfg.load_in_4bit and cfg.adapter == "qlora" and cfg.bf16
        if path.stem == "sft":
            assert cfg.sample_packing
    else:
        # bf16 on CPU only as autocast through the project's plugin (Axolotl alone fails there)
        assert not cfg.bf16 or "training.cpu_plugin.CPUPlugin" in (cfg.plugins or [])
        assert not cfg.fp16 and not cfg.tf32
        # Axolotl's fused LoRA kernels are CUDA-only; validation auto-enables them if unset
        if cfg.adapter:
            assert not any(cfg[f"lora_{k}_kernel"] for k in ("mlp", "qkv", "o", "embedding"))
    if path.stem.startswith("dpo"):
        assert cfg.rl is not None and cfg.datasets[0]["type"] == "chat_template.default"
    if path.stem == "sft":
        ds = cfg.datasets[0]
        assert ds["roles_to_train"] == ["assistant"] and ds["train_on_eos"] == "turn"


def test_invalid_recipe_is_rejected():
    from axolotl.utils.config import validate_config
    from axolotl.utils.dict import DictDefault

    raw = yaml.safe_load((RECIPES / "tiny" / "sft.yaml").read_text(encoding="utf-8"))
    raw["adapter"] = "not-an-adapter"
    with pytest.raises(Exception, match="adapter"):
        validate_config(DictDefault(raw), capabilities=CPU, env_capabilities=ENV)


@pytest.mark.parametrize("name", ["zero2.json", "zero3.json"])
def test_deepspeed_configs_parse(name: str):
    ds = json.loads((RECIPES / "launch" / name).read_text(encoding="utf-8"))
    assert ds["zero_optimization"]["stage"] == int(name[4])
