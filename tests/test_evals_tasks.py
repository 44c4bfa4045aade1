"""The lm-eval task folder evals/tasks on a tiny random Llama built offline."""

from pathlib import Path

import pytest
import yaml

from core.schema import read_triples
from evals.harness import TASKS_DIR, end_of_turn, pairwise_acc
from evals.tasks import utils
from training.build import save_tiny

FIXTURE = "tests/fixtures/eval_triples.jsonl"
EOT = "<|im_end|>\n"
TASKS = [
    "listening_pref",
    "listening_pref_vs_directive",
    "listening_pref_vs_neutral",
    "listening_gen",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    import lm_eval
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    triples, _ = read_triples(FIXTURE)
    texts = [t.prompt + " " + t.aligned + " " + t.directive for t in triples]
    lm = HFLM(
        pretrained=str(save_tiny(tmp_path_factory.mktemp("tiny"), texts)),
        device="cpu",
        batch_size=8,
    )
    assert end_of_turn(lm.tokenizer) == EOT
    tm = TaskManager(
        include_path=str(TASKS_DIR),
        include_defaults=False,
        metadata={"data_file": FIXTURE, "eot": EOT},
    )
    return lm_eval.simple_evaluate(
        model=lm,
        tasks=TASKS,
        task_manager=tm,
        apply_chat_template=True,
        bootstrap_iters=0,
        gen_kwargs={"until": ["<|im_end|>"], "max_gen_toks": 4},
        log_samples=True,
        verbosity="ERROR",
    )


def test_every_task_yaml_is_versioned_and_registered():
    files = sorted(Path(TASKS_DIR).glob("*.yaml"))
    assert len(files) >= 4
    for f in files:
        text = f.read_text()
        assert "metadata:" in text and "version:" in text, f
    names = {yaml.safe_load(f.read_text().replace("!function", ""))["task"] for f in files}
    assert set(TASKS) <= names


def test_choices_are_assistant_turns_in_the_training_chat_format(results):
    triples, _ = read_triples(FIXTURE)
    samples = sorted(results["samples"]["listening_pref"], key=lambda s: s["doc_id"])
    assert len(samples) == len(triples)
    for sample, t in zip(samples, triples, strict=True):
        contexts = {ctx for ctx, _ in sample["arguments"]}
        assert contexts == {f"<|im_start|>user\n{t.prompt}<|im_end|>\n<|im_start|>assistant\n"}
        conts = [cont for _, cont in sample["arguments"]]
        assert conts == [t.aligned + EOT, t.neutral + EOT, t.directive + EOT, t.generic + EOT]
        assert sample["target"] == 0


def test_pairwise_accuracy_from_pref_samples_matches_the_pairwise_tasks(results):
    samples = results["samples"]["listening_pref"]
    for other in ("directive", "neutral"):
        task = results["results"][f"listening_pref_vs_{other}"]["acc_norm,none"]
        assert pairwise_acc(samples, other) == pytest.approx(task)


def test_generation_is_scored_with_the_detectors(results):
    gen = results["results"]["listening_gen"]
    for key in utils.SCORE_FIELDS:
        assert 0 <= gen[f"{key},none"] <= (64 if key == "words" else 1), key
    sample = results["samples"]["listening_gen"][0]
    assert sample["arguments"][0][0].endswith("<|im_start|>assistant\n")


def test_loader_errors_name_file_line_and_field(tmp_path):
    with pytest.raises(ValueError, match="data_file"):
        utils.load()
    bad = tmp_path / "bad.jsonl"
    good_line = Path(FIXTURE).read_text().splitlines()[0]
    bad.write_text(good_line + "\n" + good_line.replace('"risk": "none"', '"risk": "maybe"') + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: risk:"):
        utils.load(data_file=str(bad))


def test_loader_limit_and_optional_generic(tmp_path):
    rows = utils.load(data_file=FIXTURE, eot="E", limit=2)["test"]
    assert len(rows) == 2 and rows[0]["choices"][0].endswith("E")
    no_generic = tmp_path / "ng.jsonl"
    line = Path(FIXTURE).read_text().splitlines()[0]
    no_generic.write_text(
        line.replace('"generic": "That sounds really hard. How does that make you feel?", ', "")
        + "\n"
    )
    row = utils.load(data_file=str(no_generic), eot="E")["test"][0]
    assert row["styles"] == ["aligned", "neutral", "directive"] and len(row["choices"]) == 3


def test_end_of_turn_is_read_from_the_model_when_not_given(tmp_path):
    texts = [t.prompt + " " + t.aligned for t in read_triples(FIXTURE)[0]]
    model = save_tiny(tmp_path / "tiny", texts)
    derived = utils.load(str(FIXTURE), pretrained=str(model))["test"][0]["choices"]
    given = utils.load(str(FIXTURE), eot="<|im_end|>\n")["test"][0]["choices"]
    assert derived == given
    with pytest.raises(ValueError, match="pretrained"):
        utils.load(str(FIXTURE))
