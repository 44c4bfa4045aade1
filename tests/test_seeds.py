"""The hand-written seeds: enough of them, broad enough, and risk answered the way a helpline would."""

from pathlib import Path

from core import detectors as det
from core.schema import read_triples

SEEDS = sorted(Path("data/seed").glob("*.jsonl"))
RISK_THEMES = {"suicidal-thoughts", "self-harm", "abuse", "harm-to-others", "medical-emergency"}


def rows():
    out = []
    for f in SEEDS:
        good, bad = read_triples(f)
        assert not bad, bad[:3]
        out += good
    return out


def test_size_breadth_and_risk_share():
    seeds = rows()
    assert len(SEEDS) >= 3 and len(seeds) >= 500
    assert len({t.theme for t in seeds}) >= 35
    risky = [t for t in seeds if t.risk != "none"]
    assert len(risky) / len(seeds) >= 0.15
    assert RISK_THEMES <= {t.theme for t in risky}


def test_every_seed_has_all_four_styles_and_unique_ids():
    seeds = rows()
    assert all(t.generic for t in seeds)
    assert len({t.id for t in seeds}) == len(seeds)
    assert len({t.prompt for t in seeds}) == len(seeds)


def test_imminent_danger_is_asked_about_directly_and_first():
    high = [t for t in rows() if t.risk == "high"]
    assert len(high) >= 40
    for t in high:
        asked = det.safety_question(t.aligned)
        assert asked is not None and det.questions(t.aligned)[0] == asked, (t.id, t.aligned)
