"""Every command printed in the README or a recipe header runs as written (issue 13).

Each documented command is matched to how it is checked: run here in the tiny-profile
workspace (`here`), run with its `recipes/small` path swapped for `recipes/tiny` (`tiny`: the
small model's run is the `make accept` check, too slow for CI), identical to a DVC stage
command that the cold repro runs (`stage`), run by CI itself (`ci`), or not runnable without a
CUDA GPU and hub access (`gpu`: those recipes pass Axolotl's validation in test_recipes.py).
A command that matches no rule fails the first test: a new command needs a way to be checked.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(
    r"(?:^\s*|:\s)((?:PATH=\S+ |HF_HUB_OFFLINE=1 )*(?:\.venv/bin/python -m |axolotl |accelerate launch |"
    r"lm_eval |\.venv-dvc/bin/dvc |make |sed |export ).*)"
)
RULES = (  # (pattern, how): the first match decides
    (r"^make test$", "ci"),
    (r"^export ANTHROPIC_API_KEY=", "ci"),  # a setting; the dry run below needs no key
    # a paid run: the same backend runs against the fake server in test_generators_anthropic.py
    (r"generate\.backend=anthropic", "paid"),
    (r"recipes/(llama-2-7b|tinyllama-1\.1b|launch)/", "gpu"),
    (r"^\.venv/bin/python -m training\.(base|sft|dpo) ", "stage"),
    (r"recipes/small/", "tiny"),
    (r".", "here"),
)


def _joined(lines: list[str]) -> list[str]:
    """Continuation lines (a trailing backslash) joined; trailing `  # comments` dropped."""
    out, cur = [], ""
    for line in lines:
        line = re.sub(r"\s{2,}#\s.*$", "", line.rstrip())
        cur = f"{cur} {line.strip()}" if cur else line.strip()
        if cur.endswith("\\"):
            cur = cur[:-1].rstrip()
            continue
        if cur:  # a closing parenthetical note is prose: "(re-runs dpo and eval only)"
            out.append(re.sub(r"\s\([a-z][^)]*\)?$", "", cur))
        cur = ""
    return out


def documented() -> list[tuple[str, str]]:
    """(where, command) for every command in the README's code blocks and recipe headers."""
    found = []
    block, lines = False, []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            if block:
                found += [("README.md", c) for c in _joined(lines)]
            block, lines = not block, []
        elif block:
            lines.append(line)
    for recipe in sorted((ROOT / "recipes").rglob("*.yaml")):
        header = []
        for line in recipe.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            header.append(line.lstrip("#"))
        cmds, cur = [], []
        for line in header:
            m = START.search(line)
            if cur:  # inside a continued command
                cur.append(line.rstrip(")"))
            elif m:
                cur = [m[1].rstrip(")")]
            if cur and not cur[-1].rstrip().endswith("\\"):
                cmds += _joined(cur)
                cur = []
        found += [(str(recipe.relative_to(ROOT)), c) for c in cmds]
    return found


def how(command: str) -> str:
    return next(h for pattern, h in RULES if re.search(pattern, command))


def stage_commands() -> set[str]:
    """dvc.yaml's stage commands, each with every recipe profile filled in."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    out = set()
    for st in stages.values():
        for profile in sorted(p.name for p in (ROOT / "recipes").iterdir() if p.is_dir()):
            cmd = re.sub(r"\$\{recipes\.(\w+)\}", rf"recipes/{profile}/\1.yaml", st["cmd"])
            out.add(re.sub(r"\s+", " ", cmd).strip())
    return out


def test_the_walk_finds_the_documented_commands():
    cmds = documented()
    assert len(cmds) >= 20, cmds
    kinds = {how(c) for _, c in cmds}
    assert {"ci", "paid", "gpu", "stage", "tiny", "here"} <= kinds, kinds


@pytest.mark.parametrize("where,command", documented())
def test_a_training_command_is_the_stage_command(where, command):
    if how(command) != "stage":
        pytest.skip("not a stage command")
    # recipe variants (sft-all, dpo-ipo) run through the same stage command
    generic = re.sub(r"recipes/(\w+)/(base|sft|dpo)[\w-]*\.yaml", r"recipes/\1/\2.yaml", command)
    assert generic in stage_commands(), f"{where}: {command}"


def _tiny(command: str) -> str:
    """The command on the tiny profile: its recipe of the same name, else of the same stage."""

    def swap(m: re.Match) -> str:
        same = f"recipes/tiny/{m[1]}{m[2]}.yaml"
        return same if (ROOT / same).is_file() else f"recipes/tiny/{m[1]}.yaml"

    return re.sub(r"recipes/small/(base|sft|dpo)([\w-]*)\.yaml", swap, command)


def _run(ws: Path, command: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run(
        ["bash", "-c", command], cwd=ws, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


@pytest.mark.slow
def test_every_runnable_command_runs_as_written(workspace, scores):
    """In the tiny workspace, in document order; model folders are put back afterwards."""
    cmds = [c for _, c in documented() if how(c) in ("here", "tiny")]
    cmds = list(dict.fromkeys(map(_tiny, cmds)))
    assert cmds
    try:
        for cmd in cmds:
            proc = _run(workspace, cmd)
            if cmd.startswith("make repro"):
                lines = (proc.stdout + proc.stderr).splitlines()
                assert len(lines) <= 60, len(lines)
                assert "primary metrics" in proc.stdout, proc.stdout[-1500:]
            if " exp show " in cmd:
                width = max(map(len, proc.stdout.splitlines()))
                assert width <= 120, proc.stdout
                assert "beta" in proc.stdout, proc.stdout
    finally:
        _run(workspace, ".venv-dvc/bin/dvc checkout --force -q")
        # `make repro` ran setup in the workspace, which points the shared venv's .pth there
        _run(ROOT, "bash scripts/setup.sh")
