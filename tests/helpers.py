"""Test helpers: params built from the project's params.yaml (the only home of defaults)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def project_params() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def params_dict(**sections: dict) -> dict:
    """The project's params with each named section's keys overridden."""
    raw = project_params()
    for name, over in sections.items():
        raw[name] = {**raw.get(name, {}), **over}
    return raw


def write_params(path: Path, **sections: dict) -> Path:
    path.write_text(yaml.safe_dump(params_dict(**sections)), encoding="utf-8")
    return path


def section(name: str, model, **over):
    """params.yaml[name] with overrides, validated into model."""
    return model.model_validate({**project_params()[name], **over})
