"""The validate CLI end to end: bad lines, schema errors, fixes, duplicates, counts invariant."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.jsonl import iter_jsonl
from tests.helpers import section, write_params
from tests.test_checks import GOOD
from validators.core import ValidateParams, validate_file, validate_records

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    good2 = {
        **GOOD,
        "id": "t2",
        "aligned": "Aligned: " + GOOD["aligned"],
        "prompt": "My dad missed my graduation at Leeds on Saturday because of work again. "
        "I kept looking for him in the hall.",
    }
    good2["aligned"] = (
        "Aligned: Scanning the hall at Leeds for your dad on Saturday sounds painful. What was that like?"
    )
    return _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(GOOD),
            "{not json",
            "[1, 2]",
            json.dumps({**GOOD, "id": "t3", "risk": "maybe"}),
            json.dumps({**GOOD, "id": "t4"}),  # exact duplicate disclosure of t1
            json.dumps(good2),
            json.dumps({**GOOD, "id": "t5", "neutral": "You should stop worrying so much."}),
            "",
        ],
    )


def test_validate_file_counts_and_reasons(mixed: Path):
    res = validate_file(mixed, section("validate", ValidateParams))
    m = res.metrics
    assert (m["in"], m["kept"], m["rejected"]) == (7, 2, 5)
    assert m["in"] == m["kept"] + m["rejected"]
    assert [t.id for t in res.kept] == ["t1", "t2"]
    assert res.kept[1].fixes == ["aligned:strip_label"] and m["fixes"] == {"aligned:strip_label": 1}
    assert m["reasons"] == {
        "bad_json": 1,
        "not_object": 1,
        "schema": 1,
        "exact_duplicate": 1,
        "neutral_directive": 1,
    }
    by_code = {r["reasons"][0]["code"]: r for r in res.rejected}
    assert by_code["bad_json"]["line"] == 2 and by_code["bad_json"]["raw"] == "{not json"
    schema = by_code["schema"]["reasons"][0]
    assert schema["field"] == "risk" and schema["detail"].startswith(f"{mixed}:4: risk:")
    assert by_code["exact_duplicate"]["reasons"][0]["detail"].endswith(
        ":5: prompt: duplicate of t1"
    )
    assert by_code["neutral_directive"]["id"] == "t5"  # original record kept whole
    assert m["by_source"]["seed"] == {"kept": 2, "rejected": 3}


def test_duplicate_ids_rejected(tmp_path: Path):
    other = {
        **GOOD,
        "prompt": "I failed my driving test in Croydon for the third time today "
        "and the examiner laughed.",
        "aligned": "A third attempt in Croydon and a laughing "
        "examiner sounds humiliating. What was the drive home like?",
    }
    res = validate_file(
        _write(tmp_path / "d.jsonl", [json.dumps(GOOD), json.dumps(other)]),
        section("validate", ValidateParams),
    )
    assert res.metrics["reasons"] == {"duplicate_id": 1}


def test_params_typo_is_one_line_with_a_did_you_mean(tmp_path: Path):
    params = write_params(tmp_path / "params.yaml", validate={"max_wrods": 3})
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "validators",
            str(tmp_path / "none.jsonl"),
            "--kept",
            "k",
            "--rejected",
            "r",
            "--metrics",
            "m",
            "--params",
            str(params),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {params}: validate.max_wrods: unknown key (did you mean 'max_words'?)"
    ]


def test_missing_input_is_one_line(tmp_path: Path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "validators",
            str(tmp_path / "none.jsonl"),
            "--kept",
            "k",
            "--rejected",
            "r",
            "--metrics",
            "m",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"error: {tmp_path / 'none.jsonl'}: no such file"


def test_cli_writes_outputs(mixed: Path, tmp_path: Path):
    params = write_params(tmp_path / "params.yaml")
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "validators",
            str(mixed),
            "--kept",
            str(out / "kept.jsonl"),
            "--rejected",
            str(out / "rejected.jsonl"),
            "--metrics",
            str(out / "m.json"),
            "--card",
            str(out / "card.md"),
            "--params",
            str(params),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    m = json.loads((out / "m.json").read_text())
    kept = (out / "kept.jsonl").read_text().splitlines()
    rejected = (out / "rejected.jsonl").read_text().splitlines()
    assert (m["kept"], m["rejected"]) == (len(kept), len(rejected)) == (2, 5)
    assert all("reasons" in json.loads(line) for line in rejected)
    assert (out / "card.md").exists()


def test_seeds_all_pass():
    files = sorted((ROOT / "data" / "seed").glob("*.jsonl"))
    assert files, "no seed files found"
    rows = [(str(p), n, obj, bad) for p in files for n, obj, bad in iter_jsonl(p)]
    res = validate_records(
        rows, section("validate", ValidateParams)
    )  # all files together: cross-file duplicates
    assert res.metrics["in"] >= 300
    assert res.metrics["rejected"] == 0, [(r.get("id"), r["reasons"]) for r in res.rejected]
