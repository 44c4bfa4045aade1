"""End to end: a fresh clone runs the whole pipeline on the tiny profile (minutes, so `make
test` fits CI) and shows the alignment effect; `make accept` checks the default small run."""

import json

import pytest

from bench.pipeline import exp_run, repro

pytestmark = pytest.mark.slow


def test_probe_metrics_show_the_alignment_effect(scores):
    base, sft, dpo = scores["base"], scores["sft"], scores["dpo"]
    assert dpo["n"] >= 100
    assert dpo["directive_rate"] <= base["directive_rate"] / 2
    assert dpo["directive_rate"] <= 0.10
    assert dpo["pref_acc"] >= base["pref_acc"] + 0.25
    assert sft["open_question_rate"] >= base["open_question_rate"] + 0.20
    assert dpo["empty_rate"] <= 0.05


@pytest.mark.xfail(
    reason="known gap (issue 7): the tiny model's replies barely pick up the caller's specifics "
    "(specificity ~0.005 for sft and dpo alike), so which is higher is noise",
    strict=False,
)
def test_dpo_keeps_attention_to_specifics(scores):
    assert scores["dpo"]["specificity"] >= scores["sft"]["specificity"]


def test_outputs_exist(workspace, scores):
    for path in (
        "reports/eval.md",
        "reports/data_card.md",
        "metrics/eval_test.json",
        "metrics/validate.json",
        "metrics/generate.json",
        "plots/eval/metrics.png",
    ):
        assert (workspace / path).is_file(), path


def test_a_cold_run_prints_a_short_summary(workspace, scores):
    """Progress lines aside (bars redraw with a carriage return), at most ~60 lines."""
    out = (workspace / "logs" / "cold_repro.out").read_text(encoding="utf-8")
    lines = [line for line in out.splitlines() if line.strip() and "\r" not in line]
    assert 10 <= len(lines) <= 60, "\n".join(lines)


def test_second_repro_does_nothing(workspace, scores):
    seconds, ran, out = repro(workspace)
    assert ran == [], out[-2000:]


def test_eval_param_change_reruns_only_eval(workspace, scores):
    _, ran, out = exp_run(workspace, "eval.sample_size=4")
    assert ran == ["eval"], out[-2000:]


def test_dpo_recipe_swap_reruns_only_dpo_and_eval(workspace, scores):
    _, ran, out = exp_run(workspace, "recipes.dpo=recipes/tiny/dpo-ipo.yaml")
    assert ran == ["dpo", "eval"], out[-2000:]


def test_a_schema_change_marks_every_stage_that_imports_it(workspace, scores):
    import subprocess

    from bench.pipeline import DVC
    from tests.imports import ROOT, closure, entry_module, stages

    importers = {
        n
        for n, st in stages().items()
        if ROOT / "core/schema.py" in closure(entry_module(st["cmd"]))
    }
    assert {"generate", "validate", "split", "eval", "base"} <= importers
    schema = workspace / "core" / "schema.py"
    original = schema.read_text(encoding="utf-8")
    schema.write_text(original + "\n# a deliberate change\n", encoding="utf-8")
    try:
        out = subprocess.run(
            [str(DVC), "status", "--json"],
            cwd=workspace,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        schema.write_text(original, encoding="utf-8")
    status = json.loads(out)
    for name in importers:
        changed = {
            p
            for entry in status.get(name, [])
            if isinstance(entry, dict)
            for p in entry.get("changed deps", {})
        }
        assert changed & {"core/schema.py", "core"}, (name, status.get(name))


def test_a_recipe_knob_is_a_param_that_reruns_only_its_stages(workspace, scores):
    _, ran, out = exp_run(workspace, "train.dpo.beta=0.05")
    assert ran == ["dpo", "eval"], out[-2000:]
    metrics = json.loads((workspace / "metrics" / "train" / "dpo.json").read_text())
    assert metrics["rl_beta"] == 0.05
