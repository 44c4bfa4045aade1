"""Recipe knobs as DVC params: `params.yaml` `train.<stage>` values override the recipe's.

The few hyperparameters people sweep live in params.yaml, so `dvc exp run -S
train.dpo.beta=0.1` re-runs only the stages that use them and `dvc exp show` shows them; null
keeps the recipe's own value. Recipe keys are checked against Axolotl's schema first: Axolotl
itself silently drops a misspelt optional key.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.logs import log_path, quiet
from core.params import ParamsError, load_section
from training import common


class SftKnobs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    learning_rate: float | None = Field(gt=0)
    num_epochs: float | None = Field(gt=0)
    max_steps: int | None = Field(gt=0)
    lora_r: int | None = Field(gt=0)  # lora_alpha follows, keeping the recipe's alpha / r


class DpoKnobs(SftKnobs):
    beta: float | None = Field(gt=0)  # rl_beta: KL strength (DPO) or tau (IPO)
    loss: Literal["sigmoid", "ipo", "hinge", "sigmoid+sft"] | None  # dpo_loss_type


class TrainParams(BaseModel):
    """The `train` section of params.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sft: SftKnobs
    dpo: DpoKnobs


def stage_recipe(recipe_path: Path, params_path: Path, stage: str) -> dict:
    """The recipe with `train.<stage>` applied, its keys checked against Axolotl's schema."""
    from training.common import load_recipe

    knobs = getattr(load_section(params_path, "train", TrainParams), stage)
    recipe = apply(load_recipe(recipe_path), knobs)
    check_keys(recipe, recipe_path)
    return recipe


def stage_start(doc: str, inputs: dict[str, str], stage: str, argv: list[str] | None):
    """A training stage's parsed CLI (`common.stage_parser`) and its recipe, knobs applied."""
    args = common.stage_parser(doc, inputs).parse_args(argv)
    with quiet(log_path(args.metrics), f"{stage} recipe"):  # Axolotl's import-time warnings
        recipe = stage_recipe(args.recipe, args.params, stage)
    return args, recipe


def apply(recipe: dict, knobs: SftKnobs) -> dict:
    """The recipe with every non-null knob written into its Axolotl keys."""
    out = dict(recipe)
    for key in ("learning_rate", "num_epochs", "max_steps"):
        if (value := getattr(knobs, key)) is not None:
            out[key] = value
    if knobs.lora_r is not None:
        ratio = recipe.get("lora_alpha", 2 * recipe.get("lora_r", 8)) / recipe.get("lora_r", 8)
        out["lora_r"], out["lora_alpha"] = knobs.lora_r, ratio * knobs.lora_r
    if getattr(knobs, "beta", None) is not None:
        out["rl_beta"] = knobs.beta
    if getattr(knobs, "loss", None) is not None:
        out["dpo_loss_type"] = knobs.loss.split("+")
        out.pop("dpo_loss_weights", None)  # weights belong to the recipe's own loss list
    return out


def effective(recipe: dict) -> dict:
    """The swept knobs as training ran them (recorded in the stage metrics)."""
    keys = (
        "learning_rate",
        "num_epochs",
        "max_steps",
        "lora_r",
        "lora_alpha",
        "rl",
        "rl_beta",
        "dpo_loss_type",
    )
    return {k: recipe[k] for k in keys if k in recipe}


@cache
def axolotl_keys() -> frozenset[str]:
    from axolotl.utils.schemas.config import AxolotlInputConfig

    fields = AxolotlInputConfig.model_fields
    return frozenset(fields) | {f.alias for f in fields.values() if f.alias}


def plugin_keys(plugins: list[str], path: str | Path) -> frozenset[str]:
    """Config keys the recipe's Axolotl plugins add (each plugin's `get_input_args` model)."""
    from importlib import import_module

    from axolotl.integrations.base import load_plugin

    keys: set[str] = set()
    for name in plugins:
        try:
            args = load_plugin(name).get_input_args()
        except (ImportError, AttributeError, ValueError) as err:
            raise ParamsError(f"{path}: plugins: {name}: cannot be loaded ({err})") from err
        if args:
            module, _, model = args.rpartition(".")
            keys |= set(getattr(import_module(module), model).model_fields)
    return frozenset(keys)


def check_keys(recipe: dict, path: str | Path) -> None:
    """Every top-level recipe key is one Axolotl or a recipe plugin knows; else one line with a
    did-you-mean."""
    known = axolotl_keys() | plugin_keys(recipe.get("plugins") or [], path)
    for key in recipe:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamsError(f"{path}: {key}: not an Axolotl 0.19 key{hint}")
