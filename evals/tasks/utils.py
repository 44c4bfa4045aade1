"""Helpers for the listening tasks: load triples, build choices, score generations.

The stage passes `data_file`, `eot` (the chat template's end-of-turn text) and `limit`
through TaskManager metadata; lm-eval hands them to `load` as keyword arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path

import datasets

# lm-eval imports this file by path; the repository root must be importable even when the
# `lm_eval` CLI is started elsewhere (generators/ and validators/ are never pip-installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.detectors import SCORE_FIELDS, score  # noqa: E402
from core.schema import read_triples  # noqa: E402

STYLES = ("aligned", "neutral", "directive", "generic")


def load(
    data_file: str | None = None,
    eot: str = "",
    limit: int | None = None,
    styles: list[str] | tuple[str, ...] = STYLES,
    pretrained: str | None = None,
    **_: object,
) -> datasets.DatasetDict:
    """Read triples into one `test` split; each choice is an assistant turn closed by eot.

    Without `eot` the end-of-turn text comes from the chat template of the model named by
    `pretrained` (a wrong guess changes acc_norm silently, so one of the two is required)."""
    if not data_file:
        raise ValueError("listening tasks need metadata data_file=PATH.jsonl (see evals/run.py)")
    triples, bad = read_triples(data_file)
    if bad:
        shown = "\n".join(str(b) for b in bad[:10])
        raise ValueError(f"{len(bad)} bad line(s) in {data_file}:\n{shown}")
    if not triples:
        raise ValueError(f"{data_file}: no triples")
    if not eot:
        if not pretrained:
            raise ValueError("listening tasks need metadata pretrained=MODEL_DIR (or eot=TEXT)")
        from transformers import AutoTokenizer

        from evals.harness import end_of_turn

        eot = end_of_turn(AutoTokenizer.from_pretrained(pretrained))
    rows = []
    for t in triples[:limit]:
        present = [s for s in styles if getattr(t, s)]  # generic is optional
        rows.append(
            {
                "id": t.id,
                "prompt": t.prompt,
                "theme": t.theme,
                "risk": t.risk,
                "reference": t.aligned,
                "styles": present,
                "choices": [getattr(t, s) + eot for s in present],
            }
        )
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


def doc_to_text(doc: dict) -> str:
    """The user turn is the disclosure itself, as in training."""
    return doc["prompt"]


def doc_to_choice(doc: dict) -> list[str]:
    return doc["choices"]


def process_gen(doc: dict, results: list[str]) -> dict[str, float]:
    """Score one greedy generation with the shared detectors (the stage reads these back)."""
    s = score(results[0].strip(), doc["prompt"])
    return {k: float(s[k]) for k in SCORE_FIELDS}
