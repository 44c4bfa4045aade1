"""Quality gates of `validate`: phrase-bank rows out, hand-written quality in, each with a reason."""

from pathlib import Path

from core.schema import Triple
from tests.helpers import section
from tests.test_checks import GOOD
from validators.checks import check_triple
from validators.core import ValidateParams, validate_file, validate_records
from validators.quality import over_cap, skeletons, top_skeleton_share

PARAMS = section("validate", ValidateParams)
PHRASE_BANK = Path("tests/fixtures/phrase_bank.jsonl")  # 600 rows of the old offline generator


def codes(**change) -> set[str]:
    return {r.code for r in check_triple(Triple(**{**GOOD, **change}), PARAMS)}


def test_phrase_bank_output_is_mostly_rejected():
    res = validate_file(PHRASE_BANK, PARAMS)
    m = res.metrics
    assert m["in"] == 600 == m["kept"] + m["rejected"]
    assert m["rejected"] / m["in"] >= 0.8, m["reasons"]
    for code in (
        "aligned_formulaic",
        "aligned_low_specificity",
        "template",
        "incoherent_time_frame",
    ):
        assert m["reasons"].get(code, 0) > 0, code


def test_hallucinated_specific_is_rejected():
    assert "hallucinated_specific" in codes(
        aligned="Since Priya moved to Manchester the flat feels empty and Sunday mornings ache. "
        "What are those mornings like now?"
    )


def test_incoherent_time_frame_is_rejected():
    got = codes(
        prompt="I've just cut deeper than I meant to and it won't stop bleeding. "
        "It's been like this for about ten weeks now."
    )
    assert "incoherent_time_frame" in got


def test_high_risk_needs_the_safety_question_first():
    base = {
        "risk": "high",
        "prompt": "I have the pills in my hand and I want to take them all tonight.",
    }
    late = "Holding the pills tonight sounds unbearable. What's brought you here? Are you safe?"
    first = "Are you safe right now, with the pills in your hand? It sounds unbearable tonight."
    assert "risk_safety_not_first" in codes(**base, aligned=late)
    assert not {"risk_safety_not_first", "risk_no_safety_question"} & codes(**base, aligned=first)


def _row(i: int, family: str, aligned: str) -> Triple:
    return Triple(
        **{**GOOD, "id": f"r{i}", "parent_id": family, "source": "offline", "aligned": aligned}
    )


def test_template_cap_counts_families_not_siblings():
    shape = "When you talk about the {x}, I hear someone who feels lost."
    rows = [_row(i, f"fam{i}", shape.format(x=f"thing{i}")) for i in range(40)]
    siblings = [
        _row(100 + i, "famS", f"Sofia's {w} has gone quiet since March, and you miss her.")
        for i, w in enumerate(("flat", "house", "room"))
    ]
    out = over_cap(rows + siblings, share=0.05)  # 41 families: 2 may share one shape
    assert sorted(out) == list(range(2, 40))
    assert top_skeleton_share([r.aligned for r in rows]) == 1.0
    assert skeletons("Fine. Are you safe?") == ("fine .", "are you _ ?")


def test_kept_quality_figures_per_source():
    rows = [
        ("x", i, {**GOOD, "id": f"s{i}", "prompt": GOOD["prompt"] + f" Day {i}."}, None)
        for i in range(3)
    ]
    m = validate_records(rows, PARAMS).metrics
    q = m["quality"]
    assert set(q) >= {"all", "seed"} and q["seed"]["rows"] == m["kept"]
    assert {
        "aligned_specificity",
        "aligned_distinct_2",
        "aligned_distinct_2_families",
        "aligned_echo_rate",
        "top_skeleton_share",
        "rejections",
    } <= set(q["seed"])
