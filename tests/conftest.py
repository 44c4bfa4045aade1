"""Test-wide settings: offline, no telemetry, repository root importable (see pyproject)."""

import json

import pytest

from core.env import apply_offline_env

apply_offline_env()


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """A fresh clone of HEAD with the tiny profile's pipeline run cold (minutes): shared by the
    end-to-end tests and the documented-command tests."""
    from bench.pipeline import clone_workspace, repro, use_profile

    ws = clone_workspace(tmp_path_factory.mktemp("e2e") / "ws")
    use_profile(ws, "tiny")
    _, ran, out = repro(ws)
    (ws / "logs").mkdir(exist_ok=True)
    (ws / "logs" / "cold_repro.out").write_text(out, encoding="utf-8")
    assert ran, f"cold dvc repro ran no stage:\n{out[-3000:]}"
    stages = {"generate", "validate", "split", "base", "sft", "onpolicy", "dpo", "eval"}
    assert stages <= set(ran), ran
    return ws


@pytest.fixture(scope="session")
def scores(workspace):
    return json.loads((workspace / "metrics" / "eval.json").read_text())


def pytest_collection_modifyitems(items):
    """The documented-command run last: its experiments change the shared workspace."""
    items.sort(key=lambda item: item.path.name == "test_documented_commands.py")
