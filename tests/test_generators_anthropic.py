"""The anthropic backend against a real local HTTP server speaking the Messages/Batches API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.schema import read_triples
from generators.__main__ import main
from tests import helpers
from tests.fake_anthropic import FakeAnthropic
from tests.helpers import section
from validators.core import ValidateParams, validate_file

SEED_FILE = Path(__file__).parent / "fixtures" / "gen_seeds.jsonl"
KEY = "fake-anthropic-key-SECRET-0123456789"


def seed_dir(tmp: Path) -> Path:
    """A seed folder holding only this module's fixture (tests/fixtures is shared)."""
    folder = tmp / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "seeds.jsonl").write_text(SEED_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def write_params(tmp: Path, url: str, **over) -> Path:
    generate = {
        "backend": "anthropic",
        "seed": 1,
        "operations": ["paraphrase", "new", "revise"],
        "paraphrase_k": 2,
        "new_per_theme": 1,
        "target_rows": 16,
        "concurrency": 4,
        "cache_dir": str(tmp / "cache"),
        "base_url": url,
        "timeout_s": 1.0,
        "max_retries": 4,
        "max_reasks": 1,
        "max_usd": 5.0,
        "poll_s": 0.05,
        "prices": {
            "claude-sonnet-4-6": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}
        },
        **over,
    }
    path = tmp / "params.yaml"
    helpers.write_params(path, generate=generate)
    return path


def run(tmp: Path, params: Path) -> tuple[int, dict, list]:
    out, metrics = tmp / "out" / "triples.jsonl", tmp / "metrics" / "generate.json"
    rc = main(
        [str(seed_dir(tmp)), "--out", str(out), "--metrics", str(metrics), "--params", str(params)]
    )
    rows = read_triples(out)[0] if out.exists() else []
    return rc, (json.loads(metrics.read_text()) if metrics.exists() else {}), rows


def no_key_anywhere(tmp: Path) -> None:
    files = [p for p in tmp.rglob("*") if p.is_file()]
    assert files, "nothing written"
    for p in files:
        assert KEY not in p.read_text(encoding="utf-8", errors="replace"), p


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


def test_faults_counted_and_rerun_is_free(tmp_path):
    with FakeAnthropic(hang_s=2.5) as fake:
        fake.faults += ["429", "529", "500", "hang", "malformed", "wrong_schema"]
        params = write_params(tmp_path, fake.url)
        rc, m, rows = run(tmp_path, params)
        assert rc == 0
        assert fake.api_keys == {KEY}  # the SDK really authenticated with it
        ids = [r.id for r in rows]
        assert len(ids) == len(set(ids)) and len(rows) == m["rows"] >= 16
        assert m["retries"] == 4  # 429, 529, 500, timeout: each retried once
        # Two bad answers (malformed, wrong tool): each was re-asked or ended its job.
        assert m["reasks"] + m["failures"].get("malformed tool answer", 0) == 2
        assert m["requests"] == fake.counts["messages"]  # every attempt counted
        assert m["seed"] + sum(m["produced"].values()) == m["rows"]
        assert sum(m["failed"].values()) == sum(
            n for r, n in m["failures"].items() if not r.startswith("revision")
        )
        assert {r.source for r in rows} == {"seed", "anthropic"}
        res = validate_file(tmp_path / "out" / "triples.jsonl", section("validate", ValidateParams))
        assert res.metrics["by_source"]["anthropic"]["kept"] >= 0.9 * (m["rows"] - m["seed"])
        assert all(
            r.parent_id == r.id.split("-paraphrase-")[1].rsplit("-", 1)[0]
            for r in rows
            if "-paraphrase-" in r.id
        )
        before = fake.requests
        rc, m2, rows2 = run(tmp_path, params)
        assert rc == 0 and fake.requests == before and m2["requests"] == 0
        assert [r.model_dump() for r in rows2] == [r.model_dump() for r in rows]
        assert m2["cache_hits"] > 0
    no_key_anywhere(tmp_path)


def test_malformed_twice_is_rejected_with_reason(tmp_path):
    with FakeAnthropic() as fake:
        fake.faults += ["malformed", "malformed"]
        params = write_params(tmp_path, fake.url, concurrency=1, operations=["new"], target_rows=6)
        rc, m, rows = run(tmp_path, params)
        assert rc == 0
        assert m["failures"] == {"malformed tool answer": 1}
        assert m["failed"] == {"new": 1} and len(rows) == 6  # topped up to the target


def test_budget_stops_cleanly(tmp_path):
    with FakeAnthropic() as fake:
        params = write_params(tmp_path, fake.url, max_usd=0.03, concurrency=1)
        rc, m, rows = run(tmp_path, params)
        assert rc == 0 and m["stopped_by_budget"] and m["usd"] <= 0.03
        assert m["requests"] == fake.counts.get("messages", 0) < 16
        assert m["token_count_requests"] == fake.token_counts > m["requests"]  # the estimate


def test_batch_mode_and_resume(tmp_path):
    with FakeAnthropic() as fake:
        params = write_params(tmp_path, fake.url, batch=True, operations=["paraphrase", "new"])
        rc, m, rows = run(tmp_path, params)
        assert rc == 0 and len(rows) == 16
        assert fake.counts["batch_create"] == 1 and fake.counts["batch_retrieve"] >= 2
        assert fake.counts.get("messages", 0) == 0  # everything came through the batch
        assert list((tmp_path / "cache" / "batches").rglob("*.json")), "batch id not stored"
        before = fake.requests
        assert run(tmp_path, params)[0] == 0 and fake.requests == before
    no_key_anywhere(tmp_path)


def dry_run(tmp: Path, params: Path) -> int:
    out = tmp / "t.jsonl"
    rc = main(
        [str(seed_dir(tmp)), "--out", str(out), "--dry-run", "--metrics", str(tmp / "m.json")]
        + ["--params", str(params)]
    )
    assert not out.exists() and not (tmp / "m.json").exists()
    return rc


def test_dry_run_sends_nothing(tmp_path, capsys):
    with FakeAnthropic() as fake:
        params = write_params(tmp_path, fake.url)
        assert dry_run(tmp_path, params) == 0
        assert fake.requests == 0  # no message, only free token counts
        assert fake.token_counts == 12  # one per first job (16 rows - 4 seeds)
        assert dry_run(tmp_path, params) == 0 and fake.token_counts == 12  # counts are cached
    err = capsys.readouterr().err
    assert "max USD" in err and "warning" not in err


def test_dry_run_without_key_estimates_and_warns(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with FakeAnthropic() as fake:
        params = write_params(tmp_path, fake.url, max_usd=0.01)
        assert dry_run(tmp_path, params) == 0
        assert fake.counts == {}  # no key: the character estimate, no network at all
    err = capsys.readouterr().err
    assert "max USD" in err and "warning: estimated max USD" in err and "max_usd 0.01" in err


def test_missing_key_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    params = write_params(tmp_path, "http://127.0.0.1:9")
    assert run(tmp_path, params)[0] == 2
    assert "ANTHROPIC_API_KEY is not set" in capsys.readouterr().err


def test_generate_validate_split_run_end_to_end_on_the_anthropic_backend(tmp_path):
    """The stage CLIs of dvc.yaml, in order, with generate.backend: anthropic (fake server)."""
    from split.__main__ import main as split_main
    from validators.__main__ import main as validate_main

    real = yaml.safe_load(Path("params.yaml").read_text())
    with FakeAnthropic() as fake:
        params = write_params(tmp_path, fake.url, target_rows=40, paraphrase_k=3)
        merged = {**real, **yaml.safe_load(params.read_text())}  # real validate/split sections
        params.write_text(yaml.safe_dump(merged))
        rc, m, rows = run(tmp_path, params)
    assert rc == 0 and len(rows) == m["rows"] >= 40
    gen, val = tmp_path / "out" / "triples.jsonl", tmp_path / "validated"
    validate_main(
        [
            str(gen),
            "--kept",
            str(val / "kept.jsonl"),
            "--rejected",
            str(val / "rejected.jsonl"),
            "--metrics",
            str(val / "m.json"),
            "--params",
            str(params),
        ]
    )
    vm = json.loads((val / "m.json").read_text())
    assert vm["in"] == len(rows) == vm["kept"] + vm["rejected"]
    assert vm["kept"] >= 0.9 * len(rows)
    split_main(
        [
            str(val / "kept.jsonl"),
            "--splits",
            str(tmp_path / "splits"),
            "--axolotl",
            str(tmp_path / "axolotl"),
            "--metrics",
            str(tmp_path / "split.json"),
            "--params",
            str(params),
        ]
    )
    sm = json.loads((tmp_path / "split.json").read_text())
    assert sum(sm["rows"].values()) == vm["kept"]
    assert (tmp_path / "axolotl" / "dpo.jsonl").stat().st_size > 0
    no_key_anywhere(tmp_path)


def test_templated_answers_are_rejected_by_the_same_gates(tmp_path):
    with FakeAnthropic() as fake:
        fake.faults += ["templated"] * 40  # every answer composed from the old phrase banks
        params = write_params(tmp_path, fake.url, operations=["new"], target_rows=24)
        rc, m, rows = run(tmp_path, params)
    assert rc == 0 and any(r.source == "anthropic" for r in rows)
    res = validate_file(tmp_path / "out" / "triples.jsonl", section("validate", ValidateParams))
    ant = res.metrics["quality"]["anthropic"]
    assert res.metrics["by_source"]["anthropic"]["rejected"] >= 0.5 * (m["rows"] - m["seed"])
    assert {"aligned_formulaic", "aligned_low_specificity", "template"} & set(ant["rejections"])
