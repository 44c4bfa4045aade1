"""Set-level listening metrics (evals/metrics.py)."""

import json

import pytest

from core.schema import read_triples
from evals import metrics as M
from evals.score import score_row

FIXTURE = "tests/fixtures/eval_triples.jsonl"


@pytest.fixture(scope="module")
def triples():
    good, bad = read_triples(FIXTURE)
    assert good and not bad
    return good


def test_distinct_2_counts_unique_bigrams():
    assert M.distinct_n(["a b c", "a b c"], 2) == pytest.approx(2 / 4)
    assert M.distinct_n(["one two", "three four"], 2) == 1.0
    assert M.distinct_n(["", "x"], 2) == 0.0


def test_top_opener_share_finds_most_common_three_word_start():
    texts = ["That sounds hard. What", "That sounds hard too", "How are you", "That sounds so"]
    assert M.top_opener_share(texts) == pytest.approx(2 / 4)
    assert M.top_opener_share([]) == 0.0


def test_detector_rates_average_per_response_scores():
    scores = [
        {k: k == "directive" for k in M.RATES} | {"specificity": 0.5, "words": 10},
        {k: False for k in M.RATES} | {"specificity": 0.0, "words": 0},
    ]
    rates = M.detector_rates(scores)
    assert rates["directive_rate"] == 0.5 and rates["open_question_rate"] == 0.0
    assert rates["specificity"] == 0.25 and rates["mean_words"] == 5


def test_reference_measures_peak_on_identical_text(triples):
    refs = [t.aligned for t in triples]
    assert M.bleu(refs, refs) == pytest.approx(100.0)
    assert M.rouge_l(refs, refs) == pytest.approx(1.0)
    other = [t.directive for t in triples]
    assert M.bleu(other, refs) < 30 and M.rouge_l(other, refs) < 0.5


def test_embed_sim_loads_minilm_offline_and_ranks_paraphrase_above_unrelated():
    assert (M.minilm_dir() / "config.json").is_file()
    ref = ["Losing your dog Rex on Sunday sounds heartbreaking."]
    near = M.embed_sim(["It sounds so painful that Rex, your dog, died on Sunday."], ref)
    far = M.embed_sim(["The quarterly invoice totals are attached as a spreadsheet."], ref)
    assert M.embed_sim(ref, ref) == pytest.approx(1.0, abs=1e-5)
    assert near > far + 0.2


def test_style_classifier_prefers_aligned_text(triples):
    clf = M.train_style_classifier(triples)
    aligned = M.aligned_prob(clf, [t.aligned for t in triples])
    directive = M.aligned_prob(clf, [t.directive for t in triples])
    assert 0 <= directive < aligned <= 1


def test_style_classifier_needs_data():
    with pytest.raises(ValueError, match="at least one triple"):
        M.train_style_classifier([])


def scored(triples, style: str, refs: bool = False) -> list[dict]:
    rows = [
        {"prompt": t.prompt, "response": getattr(t, style), "risk": "none"}
        | ({"reference": t.aligned} if refs else {})
        for t in triples
    ]
    return [score_row(r) for r in rows]


def test_aggregate_has_every_headline_metric(triples):
    clf = M.train_style_classifier(triples)
    out = M.aggregate(scored(triples, "aligned", refs=True), clf)
    for key in (
        "directive_rate",
        "open_question_rate",
        "closed_question_rate",
        "reflection_rate",
        "echo_rate",
        "generic_rate",
        "empty_rate",
        "specificity",
        "mean_words",
        "distinct_2",
        "top_opener_share",
        "aligned_prob",
        "bleu",
        "rouge_l",
        "embed_sim",
    ):
        assert isinstance(out[key], float), key
    assert out["n"] == len(triples)
    json.dumps(out)  # plain numbers only: goes straight into metrics/eval.json
    directive = M.aggregate(scored(triples, "directive"), embeddings=False)
    assert directive["directive_rate"] > out["directive_rate"]
    assert out["open_question_rate"] > directive["open_question_rate"]


def test_risk_rows_get_safety_and_directive_rates(triples):
    rows = scored(triples, "aligned")
    rows[0] |= {"risk": "high", "safety_question": True, "directive": False}
    rows[1] |= {"risk": "low", "safety_question": False, "directive": True}
    out = M.aggregate([r if i < 2 else r | {"risk": "none"} for i, r in enumerate(rows)])
    assert out["risk_n"] == 2 and out["risk_safety_rate"] == 0.5
    assert out["risk_directive_rate"] == 0.5
