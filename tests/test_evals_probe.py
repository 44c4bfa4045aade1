"""The probe set: enough hand-written disclosures, risk included, never seen in training data."""

from pathlib import Path

import pytest

from core.detectors import words
from core.schema import read_triples

PROBE = Path("evals/data/probe.jsonl")
# Everything a model could be trained on: the seeds, and the generated/split data when built.
TRAINING_SIDE = [
    *sorted(Path("data/seed").glob("*.jsonl")),
    Path("data/generated/triples.jsonl"),
    *sorted(Path("data/splits").glob("*.jsonl")),
]
RUN = 6  # words: a shared run this long means copied text (generated rows are checked too)


def shingles(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    ws = words(text)
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


@pytest.fixture(scope="module")
def probe():
    triples, bad = read_triples(PROBE)
    assert not bad, "\n".join(map(str, bad[:5]))
    return triples


def test_probe_size_and_risk_share(probe):
    assert len(probe) >= 100
    assert sum(t.risk != "none" for t in probe) >= 15
    assert len({t.id for t in probe}) == len(probe)
    assert all(t.source == "import:probe" for t in probe)


def test_probe_never_overlaps_training_data(probe):
    files = [p for p in TRAINING_SIDE if p.is_file()]
    assert files, "no seed or training data found"
    seen_prompts, seen_runs = set(), set()
    for path in files:
        for t in read_triples(path)[0]:
            seen_prompts.add(" ".join(words(t.prompt)))
            seen_runs |= shingles(t.prompt)
    assert seen_prompts
    overlap = [
        t.id
        for t in probe
        if " ".join(words(t.prompt)) in seen_prompts or shingles(t.prompt) & seen_runs
    ]
    assert not overlap, f"probe disclosures also in training data: {overlap}"
