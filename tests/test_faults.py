"""Generation under faults: every fault kind counted, torn cache entries missed, Ctrl-C resumed.

The anthropic backend runs against the fake Messages API (tests/fake_anthropic.py) with the
real SDK over real HTTP; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core.cache import REQUIRED, Cache, request_key
from core.meter import MAX_WAIT_S, cap_retry_after
from generators.__main__ import main
from generators.anthropic_backend import PROMPTS, request_body
from generators.ops import plan, read_seeds
from generators.params import load_params
from tests.fake_anthropic import BAD_ANSWER, FAULTS, RETRYABLE, FakeAnthropic
from tests.helpers import ROOT
from tests.test_generators_anthropic import KEY, no_key_anywhere, seed_dir, write_params

# What Meter (core/claude.py) calls the failed attempt each fault kind causes.
CAUSE = {
    "429": "http 429",
    "529": "http 529",
    "500": "http 500",
    "hang": "timeout",
    "drop": "connection",
    "truncated": "bad body",
    "truncated_utf8": "bad body",
}


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


def argv(tmp: Path, params: Path) -> list[str]:
    out, metrics = tmp / "out" / "triples.jsonl", tmp / "metrics" / "generate.json"
    return [
        str(seed_dir(tmp)),
        "--out",
        str(out),
        "--metrics",
        str(metrics),
        "--params",
        str(params),
    ]


def outputs(tmp: Path) -> tuple[dict, list[dict]]:
    metrics = json.loads((tmp / "metrics" / "generate.json").read_text(encoding="utf-8"))
    lines = (tmp / "out" / "triples.jsonl").read_text(encoding="utf-8").splitlines()
    return metrics, [json.loads(x) for x in lines]


def cache_files(tmp: Path) -> list[Path]:
    return [p for p in (tmp / "cache").rglob("*") if p.is_file()]


def assert_cache_whole(tmp: Path) -> None:
    """Every cache file parses and has its kind's shape; no temp file anywhere."""
    files = cache_files(tmp)
    assert files, "nothing cached"
    for p in files:
        kind = p.relative_to(tmp / "cache").parts[0]
        entry = json.loads(p.read_bytes().decode("utf-8"))
        assert isinstance(entry, dict) and REQUIRED[kind] in entry, p
    temps = [p for p in tmp.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".")]
    assert not temps, temps


def first_bodies(params_path: Path, tmp: Path, n: int) -> list[dict]:
    """The request bodies of the first n planned jobs, as the backend will build them."""
    p = load_params(params_path)
    seeds, _ = read_seeds(seed_dir(tmp))
    jobs = plan(seeds, p.operations, p.paraphrase_k, p.new_per_theme, "ant")
    style = (PROMPTS / "style.md").read_text(encoding="utf-8")
    return [request_body(j, p, style) for j in jobs[:n]]


def seed_torn_entries(tmp: Path, bodies: list[dict]) -> list[Path]:
    """Cache entries for bodies: cut inside a multi-byte character, empty, and wrongly shaped."""
    paths = []
    for body, kind in zip(bodies, ("utf8", "empty", "shape"), strict=True):
        key = request_key(body)
        path = tmp / "cache" / "messages" / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"request": body, "response": {"content": [{"type": "text", "text": "caf\u00e9"}]}}
        data = json.dumps(entry, ensure_ascii=False).encode()
        if kind == "utf8":
            data = data[: data.index("\u00e9".encode()) + 1]  # the first byte of a 2-byte char
        path.write_bytes({"utf8": data, "empty": b"", "shape": b'["not", "an", "entry"]'}[kind])
        paths.append(path)
    return paths


def test_every_fault_kind_is_counted_and_a_rerun_is_free(tmp_path, capsys):
    with FakeAnthropic(hang_s=2.5) as fake:  # past timeout_s; a slow clean answer stays inside
        # every job of the plan runs (target above it), so planned = produced + failed per op
        params = write_params(
            tmp_path,
            fake.url,
            operations=["paraphrase", "new"],
            paraphrase_k=6,
            target_rows=1000,
            max_reasks=1,
            timeout_s=2.0,
        )
        m_jobs = len(first_bodies(params, tmp_path, 10_000))
        torn = seed_torn_entries(tmp_path, first_bodies(params, tmp_path, 3))
        for kind in FAULTS:  # one fault every 6th request: ~15% of them
            fake.faults += [None] * 5 + [kind]
        assert m_jobs >= 6 * len(FAULTS), "plan too small for the fault schedule"
        assert main(argv(tmp_path, params)) == 0
        m, rows = outputs(tmp_path)
        assert not any(fake.faults) and set(fake.served) == set(FAULTS)  # every kind was served
        sent = fake.counts["messages"]
        assert 0.10 <= sum(fake.served.values()) / sent <= 0.20
        # nothing lost: every planned job ended produced or failed, each row once
        for op, n in m["planned"].items():
            assert n == m["produced"].get(op, 0) + m["failed"].get(op, 0), op
        assert sum(m["failed"].values()) == sum(m["failures"].values())
        assert len(rows) == m["rows"] == m["seed"] + sum(m["produced"].values())
        assert len({r["id"] for r in rows}) == len(rows)
        assert len({r["prompt"] for r in rows}) == len(rows)
        # the counts are what the server did
        assert m["requests"] == sent and m["token_count_requests"] == fake.token_counts
        assert m["retries"] == sum(fake.served[k] for k in RETRYABLE)
        causes = Counter()
        for kind in RETRYABLE:
            causes[CAUSE[kind]] += fake.served[kind]
        assert m["faults"] == dict(causes)
        bad = sum(fake.served[k] for k in BAD_ANSWER)
        assert m["reasks"] + m["failures"].get("malformed tool answer", 0) == bad
        assert m["cache_hits"] == 0  # the three torn entries were misses
        assert_cache_whole(tmp_path)  # ... and are whole entries now
        assert all(json.loads(p.read_text(encoding="utf-8"))["response"]["id"] for p in torn)

        shutil.rmtree(tmp_path / "out")
        shutil.rmtree(tmp_path / "metrics")
        before, counted = fake.requests, fake.token_counts
        assert main(argv(tmp_path, params)) == 0
        m2, rows2 = outputs(tmp_path)
        assert fake.requests == before and fake.token_counts == counted  # all from the cache
        assert m2["requests"] == 0 == m2["token_count_requests"] and rows2 == rows
    no_key_anywhere(tmp_path)
    assert KEY not in "".join(capsys.readouterr())


def test_cache_misses_every_torn_entry_and_writes_whole_ones(tmp_path):
    cache = Cache(tmp_path)
    entry = {"request": {"x": 1}, "response": {"text": "caf\u00e9 \ud83d"}}  # lone surrogate too
    cache.put("ab" * 32, entry)
    assert cache.get("ab" * 32) == entry and "ab" * 32 in cache
    path = tmp_path / "messages" / "ab" / f"{'ab' * 32}.json"
    whole = path.read_bytes()
    for torn in (whole[: whole.index(b"caf") + 4], b"", b"\xff\xfe", b"[1]", b'{"request": {}}'):
        path.write_bytes(torn)
        assert cache.get("ab" * 32) is None and "ab" * 32 not in cache, torn
    path.unlink()
    path.mkdir()  # unreadable: a folder where the file should be
    assert cache.get("ab" * 32) is None
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


def test_server_asked_waits_are_capped():
    headers = {"retry-after": "86400", "retry-after-ms": "250"}  # a day: clamped; 0.25 s: kept
    cap_retry_after(headers)
    assert headers["retry-after"] == str(int(MAX_WAIT_S)) and headers["retry-after-ms"] == "250"


def test_truncated_bodies_past_max_retries_fail_the_job_with_a_reason(tmp_path):
    with FakeAnthropic() as fake:
        fake.faults += ["truncated", "truncated_utf8"]
        params = write_params(
            tmp_path, fake.url, concurrency=1, operations=["new"], target_rows=6, max_retries=1
        )
        assert main(argv(tmp_path, params)) == 0
        m, rows = outputs(tmp_path)
        assert m["failures"] == {"malformed response body": 1} and m["failed"] == {"new": 1}
        assert m["faults"] == {"bad body": 2} and m["retries"] == 1 and len(rows) == 6


def test_ctrl_c_midway_then_resume(tmp_path, capsys):
    concurrency = 2
    with FakeAnthropic(delay_s=0.15) as fake:
        params = write_params(
            tmp_path,
            fake.url,
            operations=["paraphrase", "new"],
            target_rows=40,
            concurrency=concurrency,
        )
        log = (tmp_path / "stdout.log").open("w"), (tmp_path / "stderr.log").open("w")
        env = {**os.environ, "ANTHROPIC_API_KEY": KEY, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "generators", *argv(tmp_path, params)],
            cwd=ROOT,
            env=env,
            stdout=log[0],
            stderr=log[1],
        )
        try:
            deadline = time.monotonic() + 30
            while fake.counts.get("messages", 0) < 10 and time.monotonic() < deadline:
                assert proc.poll() is None, "the run ended before the interrupt"
                time.sleep(0.02)
            assert fake.counts.get("messages", 0) >= 10, "the run never got going"
            proc.send_signal(signal.SIGINT)
            rc = proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
            for fh in log:
                fh.close()
        assert rc != 0 and not (tmp_path / "out" / "triples.jsonl").exists()
        assert_cache_whole(tmp_path)  # no torn entry, no temp file in cache or outputs
        cached = {p.stem for p in (tmp_path / "cache" / "messages").rglob("*.json")}
        answered = set(fake.answered)
        assert cached and cached <= answered  # the fake and the cache agree on request keys
        assert len(cached) < 36 - concurrency, "the interrupt came too late to test a resume"
        mark = len(fake.received)

        assert main(argv(tmp_path, params)) == 0
        resent = set(fake.received[mark:])
        assert not resent & cached  # nothing cached is sent again
        assert len(resent & answered) <= concurrency  # answered but unsaved: only those in flight
        m, rows = outputs(tmp_path)
        assert m["cache_hits"] == len(cached) and len(rows) == 40
    no_key_anywhere(tmp_path)  # including the interrupted run's stdout and stderr
    assert KEY not in "".join(capsys.readouterr())
