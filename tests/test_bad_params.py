"""A params mistake in any stage is one line (section, key, what is wrong), exit 2, before any
output is written; a bad seed line names file:line and stops the generator (seeds are code)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, params_dict

CASES = [  # (stage module, its positional input, section, key, bad value, words the line names)
    ("validators", "data/seed/part-1.jsonl", "validate", "min_word", 4, ["min_word", "min_words"]),
    ("validators", "data/seed/part-1.jsonl", "validate", "min_words", "four", ["min_words"]),
    ("generators", "data/seed", "generate", "backend", "openai", ["backend", "openai"]),
    ("split", "data/seed/part-1.jsonl", "split", "sft_risk_copies", 0, ["sft_risk_copies"]),
    ("training.onpolicy", "data/seed/part-1.jsonl", "onpolicy", "prompts", -1, ["prompts"]),
]
FLAGS = {
    "validators": ["--kept", "k.jsonl", "--rejected", "r.jsonl", "--metrics", "m.json"],
    "generators": ["--out", "o.jsonl", "--metrics", "m.json"],
    "split": ["--splits", "s", "--axolotl", "a", "--metrics", "m.json"],
    "training.onpolicy": [
        "--sft",
        "x",
        "--pairs",
        "p.jsonl",
        "--out",
        "o.jsonl",
        "--replies",
        "r.jsonl",
        "--metrics",
        "m.json",
    ],
}


def _stage(tmp: Path, module: str, positional: str, params: dict) -> subprocess.CompletedProcess:
    (tmp / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        module,
        str(ROOT / positional),
        *FLAGS[module],
        "--params",
        str(tmp / "params.yaml"),
    ]
    return subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module,positional,section,key,value,named", CASES)
def test_a_params_mistake_is_one_line_before_any_output(
    tmp_path, module, positional, section, key, value, named
):
    proc = _stage(tmp_path, module, positional, params_dict(**{section: {key: value}}))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{section}." in lines[0] and all(w in lines[0] for w in named), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml"]  # nothing written


def test_a_bad_seed_line_names_its_file_and_line_and_writes_nothing(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    good = (ROOT / "data/seed/part-1.jsonl").read_bytes().splitlines()[:3]
    (seeds / "s.jsonl").write_bytes(
        b"\n".join([good[0], b'{"id": "x", "prompt": "caf\xe9"}', *good[1:]]) + b"\n"
    )
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params_dict()), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "generators",
            str(seeds),
            *FLAGS["generators"],
            "--params",
            str(tmp_path / "params.yaml"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "s.jsonl:2" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert "1 bad seed line(s), 3 good" in proc.stderr, proc.stderr
    assert not (tmp_path / "o.jsonl").exists()
