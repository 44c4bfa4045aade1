"""The validate CLI on hostile input: every line kept or rejected with file:line, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, write_params
from validators.__main__ import main

SEEDS = (ROOT / "data" / "seed" / "part-1.jsonl").read_text(encoding="utf-8").splitlines()


def valid_rows() -> list[dict]:
    """Five hand-written seeds, the last with emoji and right-to-left text added."""
    rows = [json.loads(line) for line in SEEDS[:5]]
    assert len(SEEDS) > 5, "data/seed/part-1.jsonl has too few rows"
    rows[4] = {**rows[4], "prompt": rows[4]["prompt"] + " 😔 My gran says \u202bשלום\u202c."}
    return rows


def hostile_lines(rows: list[dict]) -> list[bytes]:
    """One record per entry (b"" and whitespace: blank); joined with b"\\n" they make the file."""
    row = rows[0]
    j = json.dumps

    def variant(name: str, **over) -> bytes:
        return j({**row, "id": f"fz-{name}", **over}).encode()

    return [
        b"\xef\xbb\xbf" + j(rows[0]).encode(),  # BOM on the first line
        j(rows[1]).encode() + b"\r",  # CRLF line end
        b"",
        j(rows[2]).encode().replace(b', "aligned"', b',\r "aligned"'),  # lone CR as JSON space
        j(rows[3], ensure_ascii=False).encode(),
        j(rows[4], ensure_ascii=False).encode(),
        b'{"id": "fz-torn", "prompt": "I have',  # malformed JSON
        j({"id": "fz-missing", "prompt": row["prompt"]}).encode(),  # missing fields
        variant("types", risk=3, aligned=["a", "list"]),  # wrong types
        variant("empty", aligned="", neutral=""),  # empty strings
        variant("long", prompt="I feel so alone tonight " * 4200),  # ~100k characters
        b'{"id": "fz-bytes", "prompt": "caf\xe9 \xff\xfe"}',  # not UTF-8
        j({**row, "id": "fz-cr"}).encode().replace(b"Leeds", b"Le\reds", 1),  # raw CR in a string
        b"   ",
        variant(
            "ctl-escaped", prompt=row["prompt"] + "\u0007\u001b[31m"
        ),  # control characters (escaped)
        j({**row, "id": "fz-ctl"}).encode().replace(b"Leeds", b"Le\x01eds", 1),  # raw control byte
        variant("surrogate", prompt="\ud83d lonely"),  # lone surrogate escape
        b"[" * 100_000 + b"]" * 100_000,  # 100k-deep nesting
        b'{"id": "fz-deep", "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
        b'{"id": 1' + b"0" * 5000 + b"}",  # an int past the str-to-int digit limit
        b"[1, 2]",
        b"null",
        j(rows[0]).encode(),  # duplicate id (and disclosure) of the first row
        j({**json.loads(SEEDS[5]), "id": rows[0]["id"]}).encode(),  # duplicate id only
        j({**rows[1], "prompt": rows[2]["prompt"]}).encode(),  # duplicate disclosure, own id
    ]


def run_cli(tmp: Path, src: Path, name: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp / name
    params = write_params(tmp / "params.yaml")
    cmd = [sys.executable, "-m", "validators", str(src)]
    for flag in ("kept", "rejected", "metrics"):
        cmd += [f"--{flag}", str(out / f"{flag}.json{'l' if flag != 'metrics' else ''}")]
    proc = subprocess.run(
        cmd + ["--params", str(params)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    return proc, out


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, list[bytes], subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("fuzz")
    lines = hostile_lines(valid_rows())
    src = tmp / "fuzz.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    proc, out = run_cli(tmp, src, "mixed")
    return src, lines, proc, out


def test_hostile_file_every_line_accounted_for(mixed, tmp_path):
    src, lines, proc, out = mixed
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    m = json.loads((out / "metrics.json").read_text())
    nonblank = sum(1 for line in lines if line.strip())
    assert m["in"] == m["kept"] + m["rejected"] == nonblank
    rejected = [json.loads(r) for r in read_lines(out / "rejected.jsonl")]
    assert len(rejected) == m["rejected"] and all(r["reasons"] for r in rejected)
    codes = {x["code"] for r in rejected for x in r["reasons"]}
    want = {"bad_json", "bad_utf8", "bad_string", "not_object", "schema", "too_long"}
    assert want | {"exact_duplicate", "duplicate_id"} <= codes, codes
    # line numbers stay true: a lone CR never splits a line
    deep_line = lines.index(b"[" * 100_000 + b"]" * 100_000) + 1
    deep = [r for r in rejected if r.get("line") == deep_line]
    assert deep and f"{src}:{deep_line}: " in deep[0]["reasons"][0]["detail"]
    assert "nested too deep" in deep[0]["reasons"][0]["detail"]
    kept = {json.loads(x)["id"]: x for x in read_lines(out / "kept.jsonl")}
    assert len(kept) == m["kept"], "a kept id twice"
    rows = valid_rows()
    assert rows[0]["id"] in kept  # the BOM line is a row, not bad_json
    # every valid row fares in the mix exactly as it does alone
    checked = 0
    for n, row in enumerate(rows):
        alone_src = tmp_path / f"alone-{n}.jsonl"
        alone_src.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
        alone = tmp_path / f"alone-{n}"
        argv = [str(alone_src), "--params", str(src.parent / "params.yaml")]
        for flag in ("kept", "rejected", "metrics"):
            argv += [f"--{flag}", str(alone / flag)]
        assert main(argv) == 0
        alone_kept = read_lines(alone / "kept")
        if alone_kept:
            assert kept.get(row["id"]) == alone_kept[0], row["id"]
            checked += 1
        else:
            assert row["id"] not in kept
    assert checked >= 4, "too few valid rows kept to compare"


def test_every_rejection_names_file_and_line(mixed):
    src, _, _, out = mixed
    rejected = [json.loads(r) for r in read_lines(out / "rejected.jsonl")]
    unlocated = [
        (r.get("id"), [x["code"] for x in r["reasons"]])
        for r in rejected
        if not any(re.search(rf"{re.escape(str(src))}:\d+: ", x["detail"]) for x in r["reasons"])
    ]
    assert not unlocated


def test_empty_file(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_bytes(b"")
    proc, out = run_cli(tmp_path, src, "empty")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    m = json.loads((out / "metrics.json").read_text())
    assert m["in"] == m["kept"] == m["rejected"] == 0
    assert read_lines(out / "kept.jsonl") == [] == read_lines(out / "rejected.jsonl")


@pytest.mark.parametrize("name", ["missing.jsonl", "."])
def test_missing_input_is_one_line(tmp_path, name):
    proc, _ = run_cli(tmp_path, tmp_path / name, "none")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
