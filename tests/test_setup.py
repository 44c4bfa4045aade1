"""The setup script refuses bad conditions with one clear line, and is a no-op when set up."""

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fake_python(tmp_path: Path, version: str) -> Path:
    exe = tmp_path / "python"
    exe.write_text(f"#!/bin/sh\necho {version}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def _setup(env_extra: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        ["bash", "scripts/setup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_wrong_python_fails_with_one_line(tmp_path):
    result = _setup({"PYTHON": str(_fake_python(tmp_path, "3.9"))})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Python 3.11 required, found 3.9" in lines[0]


def test_no_disk_space_fails_with_one_line(tmp_path):
    # An impossible free-space requirement stands in for a full disk.
    result = _setup({"ATTUNE_FORCE_INSTALL": "1", "ATTUNE_MIN_FREE_GIB": "999999"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "GiB free disk" in lines[0]


def test_setup_is_idempotent_and_quick():
    result = _setup({})
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stdout
