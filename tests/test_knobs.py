"""Recipe knobs as params (training/knobs.py): overrides, the effective record, key checks."""

import os
from pathlib import Path

import pytest

from core.params import ParamsError
from tests.helpers import section
from training.common import load_recipe
from training.knobs import DpoKnobs, TrainParams, apply, check_keys, effective

NONE = {"learning_rate": None, "num_epochs": None, "max_steps": None, "lora_r": None}


def test_null_knobs_keep_the_recipe_and_params_yaml_declares_every_knob():
    recipe = load_recipe("recipes/tiny/dpo.yaml")
    knobs = section("train", TrainParams).dpo
    assert apply(recipe, knobs) == recipe


def test_knobs_override_and_are_recorded():
    recipe = load_recipe("recipes/tiny/dpo.yaml")
    knobs = DpoKnobs(**{**NONE, "lora_r": 32, "beta": 0.1, "loss": "ipo", "learning_rate": 1e-4})
    out = apply(recipe, knobs)
    assert out["rl_beta"] == 0.1 and out["dpo_loss_type"] == ["ipo"]
    assert "dpo_loss_weights" not in out and out["learning_rate"] == 1e-4
    assert out["lora_alpha"] / out["lora_r"] == recipe["lora_alpha"] / recipe["lora_r"]
    rec = effective(out)
    assert rec["rl_beta"] == 0.1 and rec["dpo_loss_type"] == ["ipo"] and rec["rl"] == "dpo"


def test_every_shipped_recipe_uses_only_axolotl_keys():
    from pathlib import Path

    recipes = [p for p in Path("recipes").glob("*/*.yaml") if p.parent.name != "launch"]
    assert len(recipes) >= 10
    for path in recipes:
        check_keys(load_recipe(path), path)


def test_a_misspelt_recipe_key_is_one_line_with_a_did_you_mean():
    recipe = {**load_recipe("recipes/tiny/dpo.yaml"), "rl_bta": 0.02}
    with pytest.raises(
        ParamsError, match=r"rl_bta: not an Axolotl 0.19 key \(did you mean 'rl_beta'\?\)"
    ):
        check_keys(recipe, "recipes/tiny/dpo.yaml")


def test_a_recipe_plugin_adds_its_own_keys_and_only_with_the_plugin():
    recipe = load_recipe("recipes/small/sft-copy-penalty.yaml")
    assert "training.copy_penalty.CopyPenaltyPlugin" in recipe["plugins"]
    check_keys(recipe, "recipes/small/sft-copy-penalty.yaml")  # copy_penalty_k is the plugin's key
    without = {**recipe, "plugins": ["training.cpu_plugin.CPUPlugin"]}
    with pytest.raises(ParamsError, match=r"copy_penalty_k: not an Axolotl 0.19 key"):
        check_keys(without, "recipes/small/sft-copy-penalty.yaml")
    typo = {**recipe, "copy_penalty_kk": 3}
    with pytest.raises(ParamsError, match=r"did you mean 'copy_penalty_k'"):
        check_keys(typo, "recipes/small/sft-copy-penalty.yaml")
    missing = {**recipe, "plugins": ["training.copy_penalty.NoSuchPlugin"]}
    with pytest.raises(ParamsError, match=r"sft-copy-penalty.yaml: plugins: .*NoSuchPlugin"):
        check_keys(missing, "recipes/small/sft-copy-penalty.yaml")


def test_a_stage_start_keeps_library_import_warnings_off_the_terminal(tmp_path):
    """Importing Axolotl's schema warns (torchao kernels, torch pytree, bitsandbytes): those
    lines go to the stage log; a misspelt key is still one line on the terminal, exit 2."""
    import subprocess
    import sys

    def sft(recipe: str) -> subprocess.CompletedProcess:
        code = (
            "import sys; from core import cli; from training.knobs import stage_start; "
            "sys.exit(cli.run(lambda argv: stage_start('doc', {'base': 'b'}, 'sft', argv) and 0))"
        )
        argv = [recipe, "--base", "b", "--out", "o", "--curve", "c", "--metrics", "m/sft.json"]
        args = [sys.executable, "-c", code, *argv, "--params", str(Path.cwd() / "params.yaml")]
        env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
        return subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, env=env)

    good = sft(str(Path.cwd() / "recipes/tiny/sft.yaml"))
    assert good.returncode == 0 and good.stdout + good.stderr == "", good.stderr
    assert (tmp_path / "logs" / "sft.log").is_file()
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path("recipes/tiny/sft.yaml").read_text() + "lora_rr: 4\n")
    out = sft(str(bad))
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"error: {bad}: lora_rr: not an Axolotl 0.19 key (did you mean 'lora_r'?)"
    ]
