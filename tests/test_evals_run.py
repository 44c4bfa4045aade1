"""Stage `eval` end to end on three tiny random Llamas (offline)."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.schema import read_triples
from evals.harness import extra_task_scores, model_dir
from evals.run import EvalParams, main
from tests.helpers import project_params, write_params
from training.build import save_tiny

FIXTURE = Path("tests/fixtures/eval_triples.jsonl").resolve()
HEADLINE = (
    "pref_acc",
    "pref_acc_vs_directive",
    "pref_acc_vs_neutral",
    "directive_rate",
    "open_question_rate",
    "closed_question_rate",
    "reflection_rate",
    "specificity",
    "echo_rate",
    "generic_rate",
    "distinct_2",
    "mean_words",
    "empty_rate",
    "aligned_prob",
    "bleu",
    "rouge_l",
    "embed_sim",
    "degenerate_rate",
    "truncated_rate",
    "risk_safety_rate",
    "risk_n",
    "fluency_nll",
    "n",
)


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    triples, _ = read_triples(FIXTURE)
    texts = [t.prompt + " " + t.aligned for t in triples]
    for i, sub in enumerate(("base", "sft/merged", "dpo/merged")):
        save_tiny(root / "models" / sub, texts, seed=i)
    write_params(
        root / "params.yaml",
        eval={
            "max_new_tokens": 6,
            "sample_size": 4,
            "test_limit": 3,
            "extra_tasks": ["truthfulqa_mc2"],
            "batch_size": 8,
        },
    )
    args = [
        "--base",
        "models/base",
        "--sft",
        "models/sft/merged",
        "--dpo",
        "models/dpo",
        "--probe",
        str(FIXTURE),
        "--test",
        str(FIXTURE),
        "--train",
        str(FIXTURE),
        "--metrics",
        "metrics/eval.json",
        "--metrics-test",
        "metrics/eval_test.json",
        "--intervals",
        "metrics/eval_ci.json",
        "--headline",
        "metrics/headline.json",
        "--report",
        "reports/eval.md",
        "--plots",
        "plots/eval",
        "--generations",
        "data/eval",
    ]
    mp = pytest.MonkeyPatch()
    mp.chdir(root)
    mp.setenv("HF_DATASETS_OFFLINE", "1")
    try:
        main(args)
    finally:
        mp.undo()
    return root


@pytest.mark.slow  # 5 s idle, ~30 s on a busy 2-core box: three models, MiniLM, report, plot
def test_metrics_have_design_shape(stage):
    probe = json.loads((stage / "metrics/eval.json").read_text())
    test = json.loads((stage / "metrics/eval_test.json").read_text())
    assert set(probe) == set(test) == {"base", "sft", "dpo"}
    for scores in (*probe.values(), *test.values()):
        missing = [k for k in HEADLINE if k not in scores]
        assert not missing, missing
    assert probe["dpo"]["n"] == 6 and test["dpo"]["n"] == 3  # test_limit applies to test only
    head = json.loads((stage / "metrics/headline.json").read_text())
    assert {"directive", "echo", "safety", "spec", "sft_echo"} <= set(head)
    spread = json.loads((stage / "metrics/eval_ci.json").read_text())
    lo, hi = spread["ci"]["dpo"]["specificity"]
    assert lo <= probe["dpo"]["specificity"] <= hi
    assert {"dpo-base", "dpo-sft"} == set(spread["diff"])
    assert "p_value" in spread["diff"]["dpo-sft"]["directive_rate"]


@pytest.mark.slow
def test_generations_report_and_plot_are_written(stage):
    rows = [json.loads(x) for x in (stage / "data/eval/probe_sft.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    assert {"id", "prompt", "response", "reference", "directive", "specificity"} <= set(rows[0])
    report = (stage / "reports/eval.md").read_text()
    assert "| metric | base | sft | dpo |" in report and "## Side by side" in report
    assert "## Verdict" in report and "- directive_rate: dpo vs base:" in report
    assert "risk high" in report  # the fixed sample always includes risk disclosures
    assert (stage / "plots/eval/metrics.png").stat().st_size > 1000


def test_params_reject_misspelt_keys():
    with pytest.raises(ValidationError):
        EvalParams(**{**project_params()["eval"], "judg": True})


def test_model_dir_finds_merged_or_fails_clearly(tmp_path):
    (tmp_path / "dpo/merged").mkdir(parents=True)
    (tmp_path / "dpo/merged/config.json").write_text("{}")
    assert model_dir(tmp_path / "dpo") == tmp_path / "dpo/merged"
    with pytest.raises(FileNotFoundError, match="no config.json"):
        model_dir(tmp_path / "missing")


def test_extra_tasks_are_skipped_offline_with_one_line(monkeypatch):
    from rich.console import Console

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    console = Console(record=True, width=200)
    assert extra_task_scores(None, ["truthfulqa_mc2"], console) == {}
    assert console.export_text().strip() == (
        "eval.extra_tasks ['truthfulqa_mc2'] skipped: offline (HF_*_OFFLINE=1)"
    )
    assert extra_task_scores(None, [], console) == {}


def test_model_dir_follows_a_gpu_profile_base_marker(tmp_path):
    from evals.harness import model_dir

    marker = {"base_model": "TinyLlama/TinyLlama_v1.1", "trained": False}
    (tmp_path / "base_model.json").write_text(json.dumps(marker))
    assert model_dir(tmp_path) == "TinyLlama/TinyLlama_v1.1"
    with pytest.raises(FileNotFoundError):
        model_dir(tmp_path / "missing")
