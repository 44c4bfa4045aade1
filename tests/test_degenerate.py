import json
import time
from pathlib import Path

import pytest

from core.degenerate import REASONS, degenerate_reasons, is_degenerate, is_truncated

ROOT = Path(__file__).resolve().parents[1]
REPLY_FIELDS = ("aligned", "neutral", "directive", "generic")


def _jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_word_salad_scores_degenerate():
    rows = _jsonl(ROOT / "tests/fixtures/word_salad.jsonl")
    assert len(rows) >= 15
    flagged = [is_degenerate(r["reply"], hit_max_tokens=r["hit_max_tokens"]) for r in rows]
    assert sum(flagged) / len(rows) >= 0.8
    # the loops and garbage are caught even without knowing the token limit was hit
    assert sum(is_degenerate(r["reply"]) for r in rows) / len(rows) >= 0.8


def test_the_issues_ipo_sample_is_degenerate():
    text = "appreci credit\ufffd Hong Kong desk … hung hung hung background background…"
    assert {"word_run", "bad_chars"} <= set(degenerate_reasons(text))


def test_every_seed_reply_is_clean():
    rows = [r for path in sorted((ROOT / "data/seed").glob("*.jsonl")) for r in _jsonl(path)]
    assert len(rows) > 300
    dirty = [
        (r["id"], field, reasons)
        for r in rows
        for field in REPLY_FIELDS
        if r.get(field) and (reasons := degenerate_reasons(r[field]))
    ]
    assert dirty == []


def test_every_probe_prompt_is_clean():
    rows = _jsonl(ROOT / "evals/data/probe.jsonl")
    assert len(rows) >= 100
    dirty = [(r["id"], reasons) for r in rows if (reasons := degenerate_reasons(r["prompt"]))]
    assert dirty == []


def test_truncation_depends_on_the_sentence_end():
    assert is_truncated("That sounds really hard, and what", True)
    assert not is_truncated("That sounds really hard.", True)
    assert not is_truncated('What was that like for you?" ', True)
    assert not is_truncated("That sounds really hard, and what", False)  # stopped by itself
    assert degenerate_reasons("That sounds really hard, and what", hit_max_tokens=True) == [
        "truncated"
    ]
    assert degenerate_reasons("That sounds really hard.", hit_max_tokens=True) == []


CASES = {
    "empty": ("", "Hmm."),
    "repeated_4gram": (
        "it sounds like a lot and it sounds like a lot when it sounds like a lot",
        "it sounds like a lot, and it sounds like a long week for you",
    ),
    "repeated_sentence": (
        "How are you feeling tonight? I'm listening. How are you feeling tonight?",
        "No. No. I hear you, and I'm here.",
    ),
    "word_run": ("That is very very very hard.", "That is very, very hard."),
    "bad_chars": ("That sounds\x07 hard.", "That sounds hard.\n\tWhat happened next?"),
    "non_words": (
        "sou nds lik yo hav bee fee ing ver lonel",
        "Since Siobhan and Kwame left Dundee, your flatmate's silence sounds heavy.",
    ),
}


@pytest.mark.parametrize("reason", sorted(CASES))
def test_each_reason_has_a_positive_and_a_negative(reason):
    positive, negative = CASES[reason]
    assert reason in degenerate_reasons(positive)
    assert reason not in degenerate_reasons(negative)


@pytest.mark.parametrize(
    "text",
    ["Margaret\u00e2\u20ac\u2122s chair", "caf\u00c3\u00a9 by the sea", "a \ufffd here", "x\x1by"],
)
def test_bad_chars_catches_mojibake_and_garbage(text):
    assert "bad_chars" in degenerate_reasons(text)


def test_accents_curly_apostrophes_and_names_are_not_bad():
    text = "It sounds like Zoë’s café in Kraków meant a lot — you’d been going since you were six."
    assert degenerate_reasons(text) == []


def test_reasons_come_in_declared_order():
    reasons = degenerate_reasons("go go go go go go go go go go go go \ufffd", hit_max_tokens=True)
    assert reasons == [r for r in REASONS if r in reasons]
    assert {"repeated_4gram", "word_run", "bad_chars", "truncated"} <= set(reasons)


def test_fast_enough_for_every_training_row():
    rows = _jsonl(ROOT / "data/seed/part-1.jsonl")
    texts = [r[f] for r in rows for f in REPLY_FIELDS if r.get(f)] * 5
    start = time.perf_counter()
    for text in texts:
        degenerate_reasons(text, hit_max_tokens=True)
    per_reply = (time.perf_counter() - start) / len(texts)
    assert per_reply < 1e-3  # 1 ms; about 25 µs measured
