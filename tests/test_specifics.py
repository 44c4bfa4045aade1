"""core.specifics: the names, places and numbers of a text, and those a reply adds."""

import json
from pathlib import Path

import pytest

from core.specifics import missing_specifics, names, numbers, specifics, spoken, words_value


def seeds() -> list[dict]:
    rows = [
        json.loads(line)
        for path in sorted(Path("data/seed").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) > 300, "seed files not found"
    return rows


def test_names_mid_sentence_multiword_and_dates():
    text = "I moved to Leeds from Hong Kong in March. Friday nights I ring Age UK and my nan."
    assert names(text) == {"Leeds", "Hong Kong", "March", "Friday", "Age UK"}


def test_sentence_openers_and_the_pronoun_are_not_names():
    text = "Hiding in the library at lunch. Since then I've told nobody. I'm fine, I think."
    assert names(text) == set()


def test_an_opening_word_counts_when_it_is_a_name_elsewhere_or_a_date():
    assert names("Marcus owes me. I lent Marcus £600.") == {"Marcus"}
    assert names("Sunday was the worst.") == {"Sunday"}


def test_possessives_are_stripped_and_codes_are_names():
    assert names("I sat in Sainsbury's car park near the M62 and rang O2.") == {
        "Sainsbury",
        "M62",
        "O2",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I've got £14 until the 28th", {"£14", "28"}),
        ("six hundred pounds", {"£600"}),
        ("I wake at 3am, or 3 am", {"3am"}),
        ("I'm 17, a 17-year-old, for eighteen months", {"17", "18"}),
        ("40,000 views and £30k", {"40000", "£30000"}),
        ("my fourth interview", {"4"}),
    ],
)
def test_numbers_in_digits_words_amounts_and_times(text, expected):
    assert numbers(text) == expected


def test_not_counts():
    # "one" alone, "you two" (a pair of people), road and illness names
    assert numbers("One day, you two, the M25 and Covid-19") == set()


def test_spoken_is_the_inverse_of_words_value():
    for n in (2, 13, 21, 99, 100, 105, 450, 600, 1500, 40000):
        assert words_value(spoken(n)) == n
    assert spoken(650) == "six hundred and fifty"


def test_specifics_is_names_and_numbers():
    assert specifics("I lent Marcus £600 in March.") == {"Marcus", "£600", "March"}


def test_missing_specifics_catches_what_the_reply_adds():
    disclosure = "My friend Marcus borrowed £600 and went to Ibiza."
    assert missing_specifics("Marcus and Ibiza, and that money gone.", disclosure) == []
    assert missing_specifics("Marcus took it to Tenerife.", disclosure) == ["Tenerife"]
    assert missing_specifics("Jake borrowed it.", disclosure) == ["Jake"]  # not a word: a name
    assert missing_specifics("Lending it hurt.", disclosure) == []  # an opening word
    assert missing_specifics("Five hundred pounds, gone.", disclosure) == ["£500"]
    assert missing_specifics("Since Tuesday at 4am.", disclosure) == ["4am", "Tuesday"]


def test_missing_specifics_tolerates_case_plurals_possessives_and_forms():
    disclosure = "My mum's friend from Canada rings every Monday; she's Marcus's aunt."
    reply = "Your Mum, those Mondays, Marcus, and a Canadian friend: that's a lot."
    assert missing_specifics(reply, disclosure) == []


def test_numbers_meet_across_digits_and_words_and_helplines_are_allowed():
    disclosure = "I've got £14 until the 28th and I'm 16."
    assert missing_specifics("Fourteen pounds until the 28th, at sixteen.", disclosure) == []
    assert missing_specifics("Can you call 999 now?", disclosure) == []


def test_hand_written_aligned_replies_add_almost_no_specifics():
    rows = seeds()
    adds = {r["id"]: missing_specifics(r["aligned"], r["prompt"]) for r in rows}
    exceptions = {k: v for k, v in adds.items() if v}
    assert len(exceptions) <= 0.03 * len(rows), exceptions
