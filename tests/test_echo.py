"""generators.echo: the parroting style, made deterministically from a disclosure."""

import json
from pathlib import Path

from core.detectors import is_echo, is_generic
from generators.echo import QUESTIONS, make_echo


def seeds() -> list[dict]:
    rows = [
        json.loads(line)
        for path in sorted(Path("data/seed").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) > 300, "seed files not found"
    return rows


def test_every_seed_echo_is_caught_by_the_echo_detector():
    rows = seeds()
    missed = [r["id"] for r in rows if not is_echo(make_echo(r["prompt"], r["id"]), r["prompt"])]
    assert not missed, missed[:10]
    # the hand-written aligned replies are not parroting, so the pair teaches something
    assert sum(is_echo(r["aligned"], r["prompt"]) for r in rows) <= 0.02 * len(rows)


def test_deterministic_per_key_and_varied_across_keys():
    prompt = "I'm scared my dad will find out I failed."
    assert make_echo(prompt, "a") == make_echo(prompt, "a")
    assert len({make_echo(prompt, str(i)) for i in range(40)}) > 5


def test_first_person_becomes_second_and_a_question_is_tacked_on():
    echo = make_echo("I'm scared my dad will find out. We never talk and he hurt me.", "k")
    assert "You're scared your dad will find out. You never talk and he hurt you." in echo
    assert echo.endswith(QUESTIONS) and not is_generic(echo, "scared dad")


def test_quoted_speech_and_the_callers_you_stay_as_said():
    prompt = "My mum said 'I'll pray for you' and you just can't argue with that. I left."
    echo = make_echo(prompt, "q")
    assert "Your mum said 'I'll pray for you' and you just can't argue with that. You left." in echo
