"""Cleaning: every fix, stacked wrappers, and the fix names recorded per field."""

import pytest

from validators.clean import clean_record, clean_text


@pytest.mark.parametrize(
    ("raw", "text", "fix"),
    [
        ("Response: That sounds hard.", "That sounds hard.", "strip_label"),
        ("Nightline: That sounds hard.", "That sounds hard.", "strip_label"),
        ("Nightline-aligned response: That sounds hard.", "That sounds hard.", "strip_label"),
        ("Aligned: That sounds hard.", "That sounds hard.", "strip_label"),
        ("Directive - You should go.", "You should go.", "strip_label"),
        ("Neutral response - Thanks for sharing.", "Thanks for sharing.", "strip_label"),
        ("Option 2: Sounds tough.", "Sounds tough.", "strip_label"),
        ("**Response:** Sounds tough.", "Sounds tough.", "strip_label"),
        ("Here is your rewritten response: Sounds tough.", "Sounds tough.", "strip_preamble"),
        ("1. Sounds tough.", "Sounds tough.", "strip_numbering"),
        ('"Sounds tough."', "Sounds tough.", "strip_quotes"),
        ("\u201cSounds tough.\u201d", "Sounds tough.", "strip_quotes"),
        ("'I'm here with you.'", "I'm here with you.", "strip_quotes"),
        ("**Sounds tough.**", "Sounds tough.", "strip_markdown"),
        ('He said \\"no\\".\\nWhat now?', 'He said "no". What now?', "unescape"),
        ("  Sounds   tough. ", "Sounds tough.", "whitespace"),
    ],
)
def test_each_fix(raw, text, fix):
    got, fixes = clean_text(raw)
    assert got == text
    assert fix in fixes


def test_stacked_wrappers_come_off():
    raw = (
        'Sure! Here\'s a version:\n\n**Aligned response:** "Nightline: Those nights sound lonely."'
    )
    got, fixes = clean_text(raw)
    assert got == "Those nights sound lonely."
    assert {"strip_preamble", "strip_label", "strip_quotes"} <= set(fixes)


@pytest.mark.parametrize(
    "text",
    [
        '"No," she said. "Never."',
        "Sounds like the night bus - what happened?",
        "Responses from her have stopped.",
        "What is the hardest part?",
    ],
)
def test_clean_text_left_alone(text):
    assert clean_text(text) == (text, [])


def test_clean_record_names_fixes_by_field():
    rec = {"id": "a", "aligned": "Aligned: Hi there.", "neutral": "ok", "generic": None}
    out, fixes = clean_record(rec)
    assert out["aligned"] == "Hi there." and out["generic"] is None
    assert fixes == ["aligned:strip_label"]
    assert rec["aligned"] == "Aligned: Hi there."  # the original record is not touched
