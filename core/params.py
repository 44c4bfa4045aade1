"""One params convention: a stage's section of params.yaml into a frozen, strict pydantic model.

params.yaml is the only home of defaults, so the models declare none; a misspelt or missing
key fails here, before any work, as one line naming the section, the key and a did-you-mean.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ParamsError(ValueError):
    """A params.yaml problem, as one line."""


def read_params(path: str | Path) -> dict:
    """The whole params file as a dict (a missing or malformed file is a ParamsError)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"{path}: no such params file") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of stage sections")
    return raw


def _known(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names at loc's parent, for the did-you-mean."""
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if isinstance(model, type) else None
        ann = getattr(field, "annotation", None) if field else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return list(model.model_fields)


def explain(err: ValidationError, model: type[BaseModel], where: str) -> str:
    """The first problem of a validation error as `where.key: problem (did you mean ...)`."""
    first = err.errors()[0]
    loc = tuple(first["loc"])
    key = ".".join(map(str, loc)) or "<section>"
    if first["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _known(model, loc), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{where}.{key}: unknown key{hint}"
    got = f", got {first['input']!r}" if first["type"] != "missing" else ""
    return f"{where}.{key}: {first['msg'].lower()}{got}"


def load_section(path: str | Path, section: str, model: type[M]) -> M:
    """params.yaml[section] validated into model; any problem is one ParamsError line."""
    raw = read_params(path)
    if section not in raw:
        raise ParamsError(f"{path}: no `{section}` section")
    value = raw[section]
    try:
        return model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        raise ParamsError(f"{path}: {explain(exc, model, section)}") from None
