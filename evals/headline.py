"""The headline metrics file: dpo's primary metrics under short names, for `dvc exp show`."""

from __future__ import annotations

# Short, unique column names for `dvc exp show` / `dvc metrics diff` at 120 columns (a name
# shared with eval.json would make DVC prefix every column with its file path).
HEADLINE = {
    "directive": "directive_rate",
    "open_q": "open_question_rate",
    "spec": "specificity",
    "echo": "echo_rate",
    "generic": "generic_rate",
    "degen": "degenerate_rate",
    "safety": "risk_safety_rate",
    "pref": "pref_acc",
}


def headline(scores: dict[str, dict]) -> dict:
    """dpo's primary metrics under short names, plus sft's echo and specificity."""
    out = {k: _round(scores["dpo"].get(m)) for k, m in HEADLINE.items()} if "dpo" in scores else {}
    if "sft" in scores:
        out |= {
            "sft_echo": _round(scores["sft"].get("echo_rate")),
            "sft_spec": _round(scores["sft"].get("specificity")),
        }
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)
