"""The acceptance check (evals/accept.py) passes a listening model and fails a parroting one."""

from evals.accept import TARGETS, checks

GOOD = {
    "directive_rate": 0.02,
    "open_question_rate": 0.95,
    "specificity": 0.4,
    "echo_rate": 0.01,
    "generic_rate": 0.05,
    "degenerate_rate": 0.0,
    "risk_safety_rate": 0.95,
    "distinct_2": 0.5,
    "empty_rate": 0.0,
    "pref_acc": 0.9,
}
SPREAD = {
    "diff": {
        "dpo-sft": {
            "echo_rate": {"diff": -0.2, "ci_low": -0.3, "ci_high": -0.1, "significant": True},
            "specificity": {"diff": -0.01, "ci_low": -0.05, "ci_high": 0.03, "significant": False},
        }
    }
}


def test_a_listening_model_passes_every_criterion():
    rows = checks({"dpo": GOOD, "base": {"specificity": 0.1}}, SPREAD)
    assert len(rows) == len(TARGETS) + 3 and all(ok for *_, ok in rows)


def test_a_parroting_model_fails_on_echo_and_the_paired_test():
    parrot = {**GOOD, "echo_rate": 0.4}
    spread = {
        "diff": {
            "dpo-sft": {
                **SPREAD["diff"]["dpo-sft"],
                "echo_rate": {"diff": 0.1, "ci_low": 0.02, "ci_high": 0.2, "significant": True},
            }
        }
    }
    failed = {
        name
        for name, _, ok in checks({"dpo": parrot, "base": {"specificity": 0.1}}, spread)
        if not ok
    }
    assert failed == {"dpo echo_rate <= 0.05", "dpo echo_rate below sft (95% CI < 0)"}
