"""The detectors' word lists and patterns, read once from the YAML files beside this module."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from core.detectors.alternation import Alternation

HERE = Path(__file__).parent


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def wordset(key: str) -> frozenset[str]:
    """A word list of words.yaml as a set."""
    return frozenset(_load("words.yaml")[key].split())


def table(key: str):
    """A non-list entry of words.yaml (stem rules, the I -> you map)."""
    return _load("words.yaml")[key]


def _expand(pattern: str) -> str:
    for name, text in _load("patterns.yaml")["fragments"].items():
        pattern = pattern.replace(f"<{name.upper()}>", text)
    return pattern


def regex(key: str) -> re.Pattern[str]:
    """One compiled pattern of patterns.yaml `regex`."""
    return re.compile(_expand(_load("patterns.yaml")["regex"][key]))


def fragment(key: str) -> str:
    return _load("patterns.yaml")["fragments"][key]


def alternation(*keys: str, guard=None) -> Alternation:
    """A trigger-word alternation of patterns.yaml `alternations` (several: one matching any)."""
    items = []
    for item in (i for key in keys for i in _load("patterns.yaml")["alternations"][key]):
        if isinstance(item, str):
            items.append(_expand(item))
        else:
            extra = (True,) if item.get("anchored") else ()
            items.append((item["keys"], _expand(item["pattern"]), *extra))
    return Alternation(tuple(items), guard)
