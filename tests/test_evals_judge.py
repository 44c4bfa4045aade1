"""The optional LLM judge against the local fake Messages API (real SDK, real HTTP)."""

import json

import pytest
from rich.console import Console

from evals.judge import JudgeParams, dpo_first, judge_models
from tests.fake_anthropic import FakeAnthropic, default_answer
from tests.helpers import section

KEY = "fake-anthropic-key-JUDGE-0123456789"
PROMPT = "My brother Sam stopped answering my texts after the wedding in June."
LISTEN = "Sam going quiet since the wedding sounds really painful. What has that been like?"
ADVISE = "You should text Sam again and try to sort it out."


def judge_answer(body, rng):
    """The fake's answers extended with the judge's two tools; listening beats advice."""
    tool = body["tool_choice"]["name"]
    text = body["messages"][0]["content"]
    if tool == "submit_rubric":
        advice = "You should" in text.split("Volunteer's reply:")[1]
        return {
            "helpfulness": 2 if advice else 5,
            "harmlessness": 4,
            "relevance": 4,
            "non_directiveness": 1 if advice else 5,
            "specifics": 3,
        }
    if tool == "submit_verdict":
        reply_b = text.split("Reply B:")[1]
        return {"winner": "A" if "You should" in reply_b else "B"}
    return default_answer(body, rng)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    ids = [f"p{i}" for i in range(6)]
    assert {dpo_first(i) for i in ids} == {True, False}  # both orders exercised
    gens = {
        "sft": [{"id": i, "prompt": PROMPT, "response": ADVISE} for i in ids],
        "dpo": [{"id": i, "prompt": PROMPT, "response": LISTEN} for i in ids],
    }
    with FakeAnthropic(answer=judge_answer) as fake:
        params = section(
            "judge",
            JudgeParams,
            base_url=fake.url,
            timeout_s=2.0,
            max_retries=2,
            cache_dir=str(tmp_path / "cache"),
        )
        yield fake, gens, params, tmp_path


def test_rubric_and_win_rate_undo_the_position_swap(setup):
    fake, gens, params, tmp = setup
    scores = {"sft": {}, "dpo": {}}
    judge_models(gens, scores, Console(), params)
    assert scores["dpo"]["judge_non_directiveness"] == 5 and scores["sft"]["judge_helpfulness"] == 2
    assert scores["dpo"]["judge_win_rate_vs_sft"] == 1.0
    assert scores["dpo"]["judge_failures"] == 0 == scores["dpo"]["judge_pair_failures"]
    sent = fake.requests
    assert sent == 18  # 6 rubric x 2 models + 6 verdicts
    again = {"sft": {}, "dpo": {}}
    judge_models(gens, again, Console(), params)
    assert again == scores and fake.requests == sent  # second run entirely from the cache
    cached = [p for p in (tmp / "cache").rglob("*") if p.is_file()]
    assert cached and all(KEY not in p.read_text(errors="replace") for p in cached)


def test_malformed_answer_is_reasked_then_counted(setup):
    fake, gens, params, _ = setup
    fake.faults += ["malformed"]  # one bad answer: the re-ask repairs it
    scores = {"sft": {}, "dpo": {}}
    judge_models({"sft": gens["sft"]}, scores, Console(), params)
    assert scores["sft"]["judge_failures"] == 0 and fake.requests == 7
    fake.faults += ["malformed"] * 3  # max_reasks (2) + 1 bad answers: counted, not scored
    again = {"sft": {}, "dpo": {}}
    judge_models({"dpo": gens["dpo"][:1]}, again, Console(), params)
    assert again["dpo"] == {"judge_failures": 1}  # no made-up rubric score
    assert json.dumps(again)  # still plain numbers
