"""Project import graph from the source (AST), for the architecture and DVC deps tests."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "generators", "validators", "split", "training", "evals")
# Files a module reads beside itself: a change to them changes what the module does.
DATA_FILES = {
    "core/degenerate.py": ("core/english_words.txt",),
    "core/detectors/lexicon.py": ("core/detectors/words.yaml", "core/detectors/patterns.yaml"),
    "core/env.py": ("core/offline.env",),
}


def module_file(name: str) -> Path | None:
    """The repository file of a dotted module name, or None outside the project."""
    if name.split(".")[0] not in PACKAGES:
        return None
    base = ROOT.joinpath(*name.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


@cache
def direct_imports(path: Path) -> frozenset[Path]:
    """Project files one file imports (at any depth in the file: lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]  # `from core import cli`
    found = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # a package import runs its __init__ too
            if (f := module_file(".".join(parts[:i]))) is not None:
                found.add(f)
    found.discard(path)
    return frozenset(found)


def closure(path: Path) -> set[Path]:
    """Every project file a module needs: itself, what it imports, transitively."""
    seen, todo = set(), [path]
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo += direct_imports(f)
    return seen


def with_data(files: set[Path]) -> set[str]:
    """Repository-relative paths of the files and the data files they read."""
    rel = {str(f.relative_to(ROOT)) for f in files}
    return rel | {d for f in rel for d in DATA_FILES.get(f, ())}


def stages() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def entry_module(cmd: str) -> Path:
    """The module a stage command runs (`python -m NAME`)."""
    name = re.search(r"-m ([\w.]+)", cmd).group(1)
    f = module_file(name) or module_file(f"{name}.__main__")
    if f is not None and f.name == "__init__.py":
        f = f.with_name("__main__.py")
    assert f is not None and f.is_file(), f"{cmd}: no module {name}"
    return f


def params_read(files: set[Path]) -> set[str]:
    """params.yaml sections the files load (`load_section(path, "name", Model)`)."""
    out = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "load_section"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                out.add(node.args[1].value)
    return out
