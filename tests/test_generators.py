"""The offline backend and the generate stage: determinism, lineage, validator pass rate."""

from __future__ import annotations

import json
import random
from pathlib import Path

from core import detectors as det
from core.schema import read_triples
from core.specifics import missing_specifics
from core.textstats import distinct_n
from generators import compose
from generators.__main__ import main
from generators.ops import plan
from generators.rewrite import paraphrase, specifics
from tests.helpers import section, write_params
from validators.core import ValidateParams, validate_file

SEED_FILE = Path(__file__).parent / "fixtures" / "gen_seeds.jsonl"


def stage(tmp: Path, name: str, **generate) -> tuple[Path, dict]:
    seeds = tmp / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "s.jsonl").write_text(SEED_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    params = tmp / f"{name}.yaml"
    write_params(params, generate={"seed": 7, "target_rows": 300, **generate})
    out, metrics = tmp / name / "triples.jsonl", tmp / name / "generate.json"
    assert (
        main([str(seeds), "--out", str(out), "--metrics", str(metrics), "--params", str(params)])
        == 0
    )
    return out, json.loads(metrics.read_text())


def test_same_seed_byte_identical_other_seed_differs(tmp_path):
    a, _ = stage(tmp_path, "a")
    b, _ = stage(tmp_path, "b")
    c, _ = stage(tmp_path, "c", seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def real_stage(tmp: Path, **generate) -> tuple[Path, dict]:
    out, metrics = tmp / "gen" / "triples.jsonl", tmp / "gen" / "generate.json"
    params = write_params(tmp / "params.yaml", generate=generate)
    argv = [
        "data/seed",
        "--out",
        str(out),
        "--metrics",
        str(metrics),
        "--params",
        str(params),
        "--probe",
        "evals/data/probe.jsonl",
    ]
    assert main(argv) == 0
    return out, json.loads(metrics.read_text())


def test_counterfactual_rows_keep_lineage_pass_validation_and_read_their_caller(tmp_path):
    out, m = real_stage(tmp_path, target_rows=1500)
    rows, bad = read_triples(out)
    assert not bad and len(rows) == m["rows"] == 1500 and m["target_reached"]
    assert len({r.id for r in rows}) == len(rows) and all(r.echo for r in rows)
    seeds = {r.id: r for r in rows if r.source == "seed"}
    para = [r for r in rows if r.source == "offline"]
    assert len(seeds) >= 500 and para and all(r.parent_id in seeds for r in para)
    attempted = sum(m["produced"].values()) + sum(m["failed"].values())
    assert m["seed"] + sum(m["produced"].values()) == m["rows"] and attempted >= len(para)
    for r in para:  # the only way to predict a variant's specifics is to read its disclosure
        assert missing_specifics(r.aligned, r.prompt) == [], (r.id, r.aligned)
        assert r.prompt != seeds[r.parent_id].prompt
    res = validate_file(out, section("validate", ValidateParams))
    generated = res.metrics["by_source"]["offline"]
    rate = generated["kept"] / (generated["kept"] + generated["rejected"])
    assert rate >= 0.8, res.metrics["reasons"]  # the rest: near-duplicates of a sibling
    q = res.metrics["quality"]
    assert q["offline"]["aligned_specificity"] >= 0.8 * q["seed"]["aligned_specificity"]
    assert q["offline"]["top_skeleton_share"] <= 0.02 and q["offline"]["aligned_echo_rate"] <= 0.02
    assert q["offline"]["aligned_distinct_2_families"] >= 0.35


def test_phrase_bank_ops_stay_available_and_face_the_gates(tmp_path):
    out, m = stage(tmp_path, "bank", operations=["paraphrase", "new"], target_rows=60)
    rows = read_triples(out)[0]
    assert any("-new-" in r.id for r in rows) and m["rows"] == 60
    res = validate_file(out, section("validate", ValidateParams))
    assert res.metrics["in"] == res.metrics["kept"] + res.metrics["rejected"]


def test_paraphrase_changes_specifics_and_keeps_them_in_responses():
    seeds = read_triples(SEED_FILE)[0]
    seed = seeds[0]  # "My sister Priya moved to Glasgow on Tuesday ..."
    texts = [paraphrase(seed.prompt, random.Random(i)) for i in range(10)]
    assert len(set(texts)) == 10 and all(t != seed.prompt for t in texts)
    assert sum("Priya" not in t or "Glasgow" not in t for t in texts) >= 7
    for t in texts:
        rng = random.Random(t)
        aligned = compose.aligned(t, seed.theme, seed.risk, rng)
        assert det.picks_up_specific(aligned, t) and not det.is_echo(aligned, t), (t, aligned)
        generic = compose.generic(t, rng)
        assert generic and not det.content_stems(generic) & det.content_stems(t)


def test_specifics_in_listener_words():
    nps = specifics("My sister Priya moved to Glasgow on Tuesday.")
    assert nps[:1] == ["your sister"] and "Priya" in nps and "Glasgow" in nps


def test_revise_fixes_a_parroting_directive_draft():
    prompt = "My dad shouted at me in the kitchen for an hour after I failed my maths mock."
    draft = "My dad shouted at me in the kitchen for an hour. You should talk to him."
    problems = compose.critique(draft, prompt, "none")
    assert {"echo", "directive", "no_open_question"} <= set(problems)
    fixed = compose.revise(draft, prompt, "exam-stress", "none", random.Random(0))
    assert compose.critique(fixed, prompt, "none") == ()


def test_plan_is_round_robin_and_ids_deterministic():
    seeds = read_triples(SEED_FILE)[0]
    jobs = plan(seeds, ["paraphrase", "new"], 2, 1, "off")
    assert [j.id for j in jobs[:4]] == [f"off-paraphrase-{s.id}-0" for s in seeds]
    assert len(jobs) == 2 * len(seeds) + len({j.theme for j in jobs if j.op == "new"})


def test_bad_seed_line_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "s.jsonl").write_text('{"id": "x", "prompt": "hi"}\n')
    assert (
        main(
            [
                str(tmp_path),
                "--out",
                str(tmp_path / "o.jsonl"),
                "--metrics",
                str(tmp_path / "m.json"),
            ]
        )
        == 2
    )
    assert "s.jsonl:1: aligned: Field required" in capsys.readouterr().err


def test_distinct_2():
    assert distinct_n(["a b a b"]) == 2 / 3
