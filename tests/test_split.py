"""Split stage: determinism, lineage and near-duplicates never cross, counts, export formats."""

import json
import random

import pytest
import yaml

import split.__main__ as sp
from core.jsonl import write_jsonl
from core.schema import Triple, read_triples
from split import grouping, pairs

WORDS = """sister priya night bus nan funeral tuesday maths mock flat rent landlord dog vet
exam college shift manager warehouse football coach phone message party cousin wedding
hospital scan doctor garden allotment bike train station kitchen fridge letter council
brother dad mum grandad school teacher uniform lunch canteen locker drawing guitar band""".split()

PARAMS = {
    "seed": 13,
    "fractions": {"train": 0.8, "eval": 0.1, "test": 0.1},
    "system_prompt": "",
    "pair_types": ["aligned>neutral", "aligned>directive", "aligned>generic"],
    "near_dup_threshold": 0.8,
    "sft_risk_copies": 1,
    "sft_max_copy_run": None,
}


def disclosure(rng: random.Random) -> str:
    return "I keep thinking about " + " ".join(rng.choice(WORDS) for _ in range(14)) + "."


def make(
    i: int,
    rng: random.Random,
    parent: str | None = None,
    prompt: str | None = None,
    generic: bool = True,
) -> Triple:
    return Triple(
        id=f"t{i}",
        prompt=prompt or disclosure(rng),
        aligned=f"aligned {i}",
        neutral=f"neutral {i}",
        directive=f"directive {i}",
        generic=f"generic {i}" if generic else None,
        theme="grief",
        risk="high" if i % 7 == 0 else "none",
        source="offline" if parent else "seed",
        parent_id=parent,
    )


def corpus(n_seeds: int = 40, k: int = 3, seed: int = 0) -> list[Triple]:
    """Seeds with k paraphrases each; some paraphrases are near-copies of another seed."""
    rng = random.Random(seed)
    rows = [make(i, rng, generic=i % 3 != 0) for i in range(n_seeds)]
    for s in range(n_seeds):
        for j in range(k):
            i = n_seeds + s * k + j
            copy = rows[(s + 1) % n_seeds].prompt if j == 0 and s % 5 == 0 else None
            rows.append(make(i, rng, parent=f"t{s}", prompt=copy))
    return rows


def params(**over) -> sp.SplitParams:
    return sp.SplitParams.model_validate({**PARAMS, **over})


def where(splits: dict) -> dict[str, str]:
    return {t.id: name for name, rows in splits.items() for t in rows}


def test_deterministic_and_counts_add_up():
    rows = corpus()
    a, b = (
        grouping.split_triples(rows, params()),
        grouping.split_triples(list(reversed(rows)), params()),
    )
    assert where(a) == where(b)
    assert sum(len(v) for v in a.values()) == len(rows)
    assert sorted(t.id for v in a.values() for t in v) == sorted(t.id for t in rows)
    assert all(a[name] for name in grouping.SPLITS)
    assert where(grouping.split_triples(rows, params(seed=14))) != where(a)


def test_adding_rows_does_not_move_others():
    rows = corpus(60)
    before = where(grouping.split_triples(rows[:60], params()))
    after = where(grouping.split_triples(rows[:60] + [make(999, random.Random(9))], params()))
    assert {k: after[k] for k in before} == before


def test_lineage_and_near_duplicates_never_cross():
    rows = corpus()
    splits = grouping.split_triples(rows, params())
    assert grouping.check_split(splits) == []
    groups: dict[str, set] = {}
    for t in rows:
        groups.setdefault(t.group, set()).add(where(splits)[t.id])
    assert all(len(s) == 1 for s in groups.values())
    # t40 (a paraphrase of t0) copies t1's disclosure: seeds t0 and t1 must share a split
    assert rows[40].prompt == rows[1].prompt and where(splits)["t0"] == where(splits)["t1"]


def test_check_split_catches_leaks():
    rng = random.Random(3)
    seed, para = make(1, rng), make(2, rng, parent="t1")
    twin = make(3, rng, prompt=seed.prompt.replace(".", "!"))
    problems = grouping.check_split({"train": [seed], "eval": [para], "test": [twin]})
    assert any("group 't1'" in p for p in problems)
    assert any("near-duplicate" in p and "t3" in p for p in problems)


def test_parent_chains_stay_together():
    rng = random.Random(4)
    rows = [make(i, rng) for i in range(30)]
    rows += [make(100 + i, rng, parent=f"t{i}") for i in range(30)]  # paraphrases of seeds
    rows += [make(200 + i, rng, parent=f"t{100 + i}") for i in range(30)]  # and of paraphrases
    splits = grouping.split_triples(rows, params())
    assert grouping.check_split(splits) == []
    at = where(splits)
    assert all(at[f"t{i}"] == at[f"t{100 + i}"] == at[f"t{200 + i}"] for i in range(30))
    chained = make(7, rng, parent="t1"), make(8, rng, parent="t7")
    problems = grouping.check_split({"train": [chained[0]], "eval": [], "test": [chained[1]]})
    assert problems == ["row t8 in test, its parent t7 in train"]


def test_small_dataset_gets_nonempty_eval_and_test():
    rng = random.Random(1)
    for n in (3, 4, 6):
        splits = grouping.split_triples([make(i, rng) for i in range(n)], params())
        assert all(splits[name] for name in grouping.SPLITS), n
    with pytest.raises(ValueError, match="too few lineage groups"):
        grouping.split_triples([make(i, rng) for i in range(2)], params())


def test_params_are_strict():
    with pytest.raises(ValueError):
        params(fractions={"train": 0.8, "eval": 0.1, "test": 0.2})
    with pytest.raises(ValueError):
        params(pairs=["aligned>neutral"])
    with pytest.raises(ValueError):
        params(pair_types=["neutral>aligned"])
    with pytest.raises(ValueError, match="twice"):
        params(pair_types=["aligned>neutral", "aligned>neutral"])


def test_exports_respect_pair_types_and_generic():
    rng = random.Random(2)
    rows = [make(0, rng, generic=True), make(1, rng, generic=False)]
    dpo = pairs.dpo_rows(rows, ["aligned>directive", "aligned>generic"], "")
    assert [(r["id"], r["pair_type"]) for r in dpo] == [
        ("t0", "aligned>directive"),
        ("t0", "aligned>generic"),
        ("t1", "aligned>directive"),
    ]
    assert dpo[0] == {
        "id": "t0",
        "prompt": rows[0].prompt,
        "chosen": "aligned 0",
        "rejected": "directive 0",
        "pair_type": "aligned>directive",
    }
    assert all(
        r["system"] == "Listen." for r in pairs.dpo_rows(rows, ["aligned>neutral"], "Listen.")
    )
    sft = pairs.sft_rows(rows, "")
    assert sft[0]["messages"] == [
        {"role": "user", "content": rows[0].prompt},
        {"role": "assistant", "content": "aligned 0"},
    ]
    system = pairs.sft_rows(rows, "Listen.")[1]["messages"][0]
    assert system == {"role": "system", "content": "Listen."}


def run_main(tmp_path):
    sp.main(
        [
            str(tmp_path / "kept.jsonl"),
            "--splits",
            str(tmp_path / "s"),
            "--axolotl",
            str(tmp_path / "a"),
            "--metrics",
            str(tmp_path / "m.json"),
            "--params",
            str(tmp_path / "params.yaml"),
        ]
    )


def test_main_writes_everything(tmp_path):
    rows = corpus(30)
    write_jsonl(tmp_path / "kept.jsonl", rows)
    only_neutral = {**PARAMS, "pair_types": ["aligned>neutral"]}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"split": only_neutral}))
    run_main(tmp_path)
    metrics = json.loads((tmp_path / "m.json").read_text())
    parts = {name: read_triples(tmp_path / "s" / f"{name}.jsonl") for name in grouping.SPLITS}
    assert all(not bad for _, bad in parts.values())
    assert {n: len(g) for n, (g, _) in parts.items()} == metrics["rows"]
    assert sum(metrics["rows"].values()) == metrics["rows_in"] == len(rows)
    dpo = [json.loads(x) for x in (tmp_path / "a" / "dpo.jsonl").read_text().splitlines()]
    sft = (tmp_path / "a" / "sft.jsonl").read_text().splitlines()
    train_ids = {t.id for t in parts["train"][0]}
    assert len(dpo) == len(sft) == metrics["rows"]["train"]
    assert metrics["dpo_pairs"] == {"aligned>neutral": len(dpo)}
    assert {r["id"] for r in dpo} == train_ids
    assert {r["pair_type"] for r in dpo} == {"aligned>neutral"}


def test_main_rejects_bad_kept_rows(tmp_path):
    (tmp_path / "kept.jsonl").write_text('{"id": "x"}\n')
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"split": PARAMS}))
    with pytest.raises(SystemExit, match=r"kept.jsonl:1: prompt"):
        run_main(tmp_path)


def _caller(i: int, theme: str, prompt: str, aligned: str, parent: str | None = None) -> Triple:
    return Triple(
        id=f"m{i}",
        prompt=prompt,
        aligned=aligned,
        neutral="How are you?",
        directive="You should rest.",
        generic=None,
        theme=theme,
        risk="none",
        source="offline" if parent else "seed",
        parent_id=parent,
    )


def test_mismatched_pairs_reject_another_callers_reply():
    rows = [
        _caller(
            0,
            "grief",
            "My nan's allotment goes back to the council.",
            "Losing the allotment sounds hard. What was it like there?",
        ),
        _caller(
            1,
            "grief",
            "My nan's allotment is being taken away by the council.",  # m0's lineage
            "That is a big loss to face. What do you miss most?",
            parent="m0",
        ),
        _caller(
            2,
            "grief",
            "Since the funeral the house is silent.",
            "The silence after the funeral sounds heavy. What are evenings like?",
        ),
        _caller(
            3,
            "work",
            "My manager shouted at me on the shop floor.",
            "Being shouted at by your manager sounds humiliating. How was the rest of it?",
        ),
        _caller(
            4,
            "grief",
            "My neighbour gave me her allotment keys before she died.",
            "Those allotment keys sound precious. What do they mean to you?",
        ),  # fits m0, m1
    ]
    for seed in range(30):  # every start position: each rule alone excludes one candidate
        others = pairs.mismatched(rows, seed=seed)
        # m0: m1 is its own lineage, m4 picks up "allotment"; only m2 was written for another
        assert others["m0"] == rows[2].aligned and others["m1"] == rows[2].aligned, seed
        assert others["m4"] in {rows[1].aligned, rows[2].aligned}, seed
        assert others["m2"] != rows[2].aligned, seed
        assert "m3" not in others  # alone in its theme: no pair rather than a cross-theme one
        assert pairs.mismatched(list(reversed(rows)), seed=seed) == others  # order-free
    dpo = pairs.dpo_rows(rows, ["aligned>mismatched"], "", seed=13)
    assert [r["id"] for r in dpo] == ["m0", "m1", "m2", "m4"]
    assert all(r["chosen"] != r["rejected"] for r in dpo)


def test_risk_chats_are_repeated_in_the_sft_data():
    from split.pairs import sft_rows

    rows = corpus(n_seeds=10, k=1)
    risky = [t.model_copy(update={"risk": "high"}) if i % 4 == 0 else t for i, t in enumerate(rows)]
    n_risk = sum(t.risk != "none" for t in risky)
    assert n_risk and len(sft_rows(risky, "", 3)) == len(risky) + 2 * n_risk


def test_fractional_risk_copies_repeat_a_stable_share_of_risk_chats():
    from split.pairs import sft_rows

    rows = [t.model_copy(update={"risk": "high"}) for t in corpus(n_seeds=100, k=1)]
    half = [r["id"] for r in sft_rows(rows, "", 1.5, seed=3)]
    twice = {i for i in half if half.count(i) == 2}
    assert set(half) == {t.id for t in rows}  # every risk chat at least once
    assert 0.35 < len(twice) / len(rows) < 0.65 and len(half) == len(rows) + len(twice)
    assert [r["id"] for r in sft_rows(rows, "", 1.5, seed=3)] == half  # stable
    assert [r["id"] for r in sft_rows(rows, "", 1.5, seed=4)] != half  # the seed picks them
    assert len(sft_rows(rows, "", 1.0)) == len(rows)


def test_replies_that_copy_long_runs_are_left_out_of_the_sft_data():
    from core.detectors import copied_run
    from split.pairs import sft_rows

    prompt = "My sister Priya missed the funeral on Tuesday and has not called me since then."
    copying = make(1, random.Random(0), prompt=prompt).model_copy(
        update={"aligned": "Your sister Priya missed the funeral on Tuesday. How has that been?"}
    )
    fresh = make(2, random.Random(0), prompt=prompt).model_copy(
        update={"aligned": "Priya not being there, and the silence since. How has that been?"}
    )
    assert copied_run(copying.aligned, prompt) == 7  # "sister priya missed the funeral on tuesday"
    assert copied_run(fresh.aligned, prompt) == 1
    assert [r["id"] for r in sft_rows([copying, fresh], "", 1, max_copy_run=3)] == ["t2"]
    assert len(sft_rows([copying, fresh], "", 1, max_copy_run=None)) == 2
