"""generators.counterfactual: seeds expanded with their specifics swapped consistently."""

import json
import random
import re
from pathlib import Path

import pytest

from core.detectors import words
from core.specifics import missing_specifics, names, numbers, spoken
from generators.counterfactual import FIELDS, expand, lexicon

K = 10


def read(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def seeds() -> list[dict]:
    rows = [r for path in sorted(Path("data/seed").glob("*.jsonl")) for r in read(path)]
    assert len(rows) > 300, "seed files not found"
    return rows


def runs(text: str) -> set[tuple[str, ...]]:
    ws = words(text)
    return {tuple(ws[i : i + 6]) for i in range(len(ws) - 5)}


@pytest.fixture(scope="module")
def probe_runs() -> frozenset:
    probe = read(Path("evals/data/probe.jsonl"))
    assert len(probe) >= 100
    return frozenset().union(*(runs(p["prompt"]) for p in probe))


@pytest.fixture(scope="module")
def expanded(seeds, probe_runs) -> list[tuple[dict, list[dict]]]:
    return [(s, expand(s, K, random.Random(f"test:{s['id']}"), probe_runs)) for s in seeds]


def loan(**changes) -> dict:
    seed = {
        "id": "t-1",
        "prompt": "I lent my friend Marcus £600 in March and he's just posted photos from Ibiza.",
        "aligned": "Six hundred pounds lent to Marcus in March, and now Ibiza. How are you feeling?",
        "neutral": "Money and friendships can be tricky.",
        "directive": "Message Marcus today and ask for the £600 back.",
        "generic": "That sounds hard. Would you like to say more?",
        "theme": "friendship",
        "risk": "none",
        "source": "seed",
    }
    return seed | changes


def test_every_aligned_specific_is_in_its_own_disclosure(expanded):
    bad = []
    for seed, variants in expanded:
        allowed = set(missing_specifics(seed["aligned"], seed["prompt"]))
        for v in variants:
            extra = set(missing_specifics(v["aligned"], v["prompt"])) - allowed
            bad += [(v["id"], sorted(extra))] if extra else []
    assert not bad, bad[:10]


def test_a_specific_swapped_in_the_prompt_is_swapped_in_every_reply(expanded):
    bad = []
    for seed, variants in expanded:
        for v in variants:
            gone_names = names(seed["prompt"]) - names(v["prompt"])
            gone_numbers = numbers(seed["prompt"]) - numbers(v["prompt"])
            for f in FIELDS[1:]:
                left = (gone_names & names(v.get(f) or "")) | (
                    gone_numbers & numbers(v.get(f) or "")
                )
                bad += [(v["id"], f, sorted(left))] if left else []
    assert not bad, bad[:10]


def test_one_mapping_names_the_new_specifics_in_prompt_and_replies():
    variants = expand(loan(), K, random.Random(0))
    assert len(variants) == K
    for v in variants:
        found = re.search(
            r"(?:friend|mate) (\w+) £([\d,]+) in (\w+) .* from ([\w ]+)\.", v["prompt"]
        )
        name, amount, month, place = found.groups()
        assert name in v["aligned"] and name in v["directive"], v
        assert f"£{amount}" in v["directive"] and place in v["aligned"] and month in v["aligned"]
        assert spoken(int(amount.replace(",", ""))).capitalize() in v["aligned"]
        for old, new in (("Marcus", name), ("Ibiza", place), ("March", month)):
            assert old == new or not any(old in v[f] for f in FIELDS), (old, v)


def test_variants_differ_from_the_seed_and_from_each_other(expanded):
    bank = lexicon()[3]
    vary = {w for x in bank["openers"] + bank["closers"] for w in words(x)}
    vary |= {w for pair in bank["contractions"] for x in pair[:2] for w in words(x)}
    for seed, variants in expanded:
        assert len(variants) <= K
        rows = [tuple(v.get(f) for f in FIELDS) for v in variants]
        assert len(set(rows)) == len(rows), seed["id"]
        for v in variants:
            replies = any(v.get(f) != seed.get(f) for f in FIELDS[1:])
            swapped = set(words(v["prompt"])) - vary != set(words(seed["prompt"])) - vary
            assert replies or swapped, (seed["id"], v["prompt"])


def test_rows_keep_the_seed_keys_and_lineage(expanded):
    for seed, variants in expanded:
        for i, v in enumerate(variants):
            assert v["id"] == f"off-paraphrase-{seed['id']}-{i}"
            assert v["parent_id"] == seed["id"] and v["source"] == "offline"
            assert set(v) == (set(seed) - {"echo"}) | {"parent_id"}
            assert (v["theme"], v["risk"]) == (seed["theme"], seed["risk"])


def test_deterministic_for_a_given_rng_seed(seeds):
    some = seeds[::25]
    first = [expand(s, K, random.Random(7)) for s in some]
    assert first == [expand(s, K, random.Random(7)) for s in some]
    assert first != [expand(s, K, random.Random(8)) for s in some]


def test_no_generated_disclosure_shares_a_six_word_run_with_the_probe(expanded, probe_runs):
    shared = [v["id"] for _s, vs in expanded for v in vs if runs(v["prompt"]) & probe_runs]
    assert not shared, shared[:10]


def test_avoid_drops_exactly_the_variants_that_share_a_run():
    seed = loan()
    plain = expand(seed, K, random.Random(1))
    avoid = frozenset(runs("Marcus and photos from Ibiza, he's just posted photos from Ibiza."))
    kept = expand(seed, K, random.Random(1), avoid)
    assert any(runs(v["prompt"]) & avoid for v in plain)
    assert kept and not any(runs(v["prompt"]) & avoid for v in kept)


def test_plural_and_article_agreement(expanded):
    wrong = re.compile(
        r"(?<![\w-])(?:a|one) (?:weeks|months|years)\b|\ba (?:8|11|18|8\d|eight|eleven)\b|"
        r"\ban (?:[02-79]|1[02-79]|two|three|four|five|six|seven|nine|ten|twelve)\b"
    )
    for seed, variants in expanded:
        for v in variants:
            for f in FIELDS:
                found = set(wrong.findall(v.get(f) or "")) - set(wrong.findall(seed.get(f) or ""))
                assert not found, (v["id"], f, found, v[f])


def test_durations_ages_and_amounts_change_in_step():
    seed = loan(
        prompt="I'm a 17-year-old and it's been a month since I lent Marcus £14 in March.",
        aligned="A month since you lent Marcus fourteen pounds. How are you feeling?",
    )
    variants = expand(seed, K, random.Random(3))
    assert len(variants) >= 5
    for v in variants:
        amount = next(n for n in numbers(v["prompt"]) if n.startswith("£"))
        assert amount in numbers(v["aligned"]), v
        span = re.search(r"been (a month|\w+ months)", v["prompt"])[1]
        assert span.lower() in v["aligned"].lower(), v


def test_nothing_to_swap_and_k_zero_give_no_variants():
    assert expand(loan(), 0, random.Random(0)) == []
    bare = loan(
        prompt="It all feels too much lately and I can't explain why.",
        aligned="It sounds like it's all feeling too much. What's it like?",
        directive="You should talk to someone.",
    )
    assert expand(bare, K, random.Random(0)) == []


def test_lexicon_entries_are_unique_and_have_one_shape_per_class():
    classes, index, _rx, bank = lexicon()
    members = [f for c in classes for t in c["targets"][: len(c["members"])] for f in t]
    assert len(members) == len(set(members)), "an entry in two classes"
    for c in classes:
        assert len({len(t) for t in c["targets"]}) == 1, c["targets"]
        assert not any(numbers(f) for t in c["targets"] for f in t)  # never overlaps a number
    assert len(index) > 500 and bank["numbers"][-1]["when"] == ""


def test_expansion_rate_and_reply_variety(expanded):
    variants = [v for _s, vs in expanded for v in vs]
    same = sum(v["aligned"] == s["aligned"] for s, vs in expanded for v in vs)
    assert len(variants) >= 5 * len(expanded)
    assert same <= 0.08 * len(variants)
