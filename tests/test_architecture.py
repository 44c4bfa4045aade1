"""The layout the design card asks for: stages import only `core`, DVC deps and params are true."""

from __future__ import annotations

import pytest

from tests.imports import (
    PACKAGES,
    ROOT,
    closure,
    direct_imports,
    entry_module,
    params_read,
    stages,
    with_data,
)

STAGES = stages()
MAX_LINES = 250


def package_of(path) -> str:
    return path.relative_to(ROOT).parts[0]


def test_stage_packages_import_only_core_and_core_imports_no_stage():
    files = [f for p in PACKAGES for f in (ROOT / p).rglob("*.py")]
    assert len(files) > 30
    for f in files:
        own = package_of(f)
        for dep in direct_imports(f):
            other = package_of(dep)
            allowed = {own} if own == "core" else {own, "core"}
            assert other in allowed, f"{f.relative_to(ROOT)} imports {dep.relative_to(ROOT)}"


def test_no_import_cycle_between_packages():
    edges = {p: set() for p in PACKAGES}
    for p in PACKAGES:
        for f in (ROOT / p).rglob("*.py"):
            edges[p] |= {package_of(d) for d in direct_imports(f)} - {p}
    state: dict[str, int] = {}

    def visit(p: str, path: tuple) -> None:
        assert state.get(p) != 1, f"cycle: {' -> '.join((*path, p))}"
        if state.get(p) == 2:
            return
        state[p] = 1
        for q in edges[p]:
            visit(q, (*path, p))
        state[p] = 2

    for p in PACKAGES:
        visit(p, ())


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_deps_cover_every_file_it_imports(name):
    stage = STAGES[name]
    needed = with_data(closure(entry_module(stage["cmd"])))
    assert len(needed) > 3
    deps = [d for d in stage["deps"] if "${" not in d]
    missing = sorted(
        f for f in needed if not any(f == d or f.startswith(d.rstrip("/") + "/") for d in deps)
    )
    assert not missing, f"stage {name}: deps do not cover {missing}"


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_declares_exactly_the_params_sections_it_reads(name):
    stage = STAGES[name]
    read = params_read(closure(entry_module(stage["cmd"])))
    declared = {p.split(".")[0] for p in stage.get("params", [])} - {"recipes"}
    assert read == declared, f"stage {name}: reads {sorted(read)}, declares {sorted(declared)}"


def test_no_module_over_the_line_budget():
    files = [f for p in (*PACKAGES, "bench") for f in (ROOT / p).rglob("*.py")]
    assert files
    long = {
        str(f.relative_to(ROOT)): n
        for f in files
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long
