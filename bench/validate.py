"""Validator throughput: triples/s on 100k and 200k synthetic triples, and the 200k/100k time ratio.

Run: .venv/bin/python bench/validate.py [--n 100000]  (or `make bench`); writes bench/validate.json.
Targets (issue 3): at least 3,000 triples/s on one core, ratio under 2.5 (no quadratic step).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # validators/ is not installed; run from anywhere

from core.jsonl import atomic_write_text  # noqa: E402
from core.params import load_section  # noqa: E402
from validators.core import ValidateParams, validate_records  # noqa: E402

SYLLABLES = "ka ri to me lo sa vi na de ro mi zu pe la ti ko ha ne bo fi gu ya".split()
RELATIONS = "sister brother mum dad nan grandad cousin aunt uncle flatmate boss coach".split()
PLACES = """night bus kitchen canteen allotment warehouse library station chapel garage
laundrette hospital campsite ferry classroom bakery office stairwell""".split()
EVENTS = """funeral birthday party wedding interview exam shift appointment match audition
hearing move operation concert""".split()
DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
FEELINGS = "lonely scared worn out ashamed furious numb lost heartbroken anxious".split()
OBJECTS = """phone letter jacket photo ring bike guitar notebook key mug scarf ticket
watch laptop blanket""".split()
GENERIC = [
    "That sounds really hard. How does that make you feel?",
    "I'm here to listen. What's on your mind right now?",
    "It sounds like a lot to carry. What feels hardest at the moment?",
    "Thank you for reaching out. How are you feeling in yourself?",
]
NEUTRAL = [
    "Thank you for sharing that with me. It sounds like a difficult situation.",
    "I appreciate you telling me about this. That sounds like a lot.",
    "Thanks for letting me know. It seems like a tough time for you.",
]


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def triple(i: int, rng: random.Random) -> dict:
    """One clean synthetic triple with varied specifics, so near-dup shingles rarely collide."""
    who, rel, place = name(rng), rng.choice(RELATIONS), rng.choice(PLACES)
    event, obj, day = rng.choice(EVENTS), rng.choice(OBJECTS), rng.choice(DAYS)
    feel, hour = rng.choice(FEELINGS), rng.randint(1, 12)
    prompt = (
        f"My {rel} {who} missed the {event} at the {place} on {day}, and since then I "
        f"keep holding the {obj} {name(rng)} gave me until {hour} in the morning, {feel}."
    )
    return {
        "id": f"b{i}",
        "theme": "grief",
        "risk": "none",
        "source": "offline",
        "prompt": prompt,
        "aligned": (
            f"It sounds like {who} not turning up to the {event} has left you {feel}, and "
            f"the {obj} keeps bringing it back. What has this week been like for you?"
        ),
        "neutral": rng.choice(NEUTRAL),
        "directive": (
            f"You should call {who} and tell them how you feel, and try to put the "
            f"{obj} away so you can get some sleep before {day}."
        ),
        "generic": rng.choice(GENERIC),
    }


def dirty(row: dict, rng: random.Random, previous: list[dict]) -> dict:
    """A few % of rows: a fixable label prefix, a (near-)duplicate disclosure, advice in aligned."""
    kind = rng.randrange(4)
    if kind == 0:
        return {**row, "aligned": f"Aligned response: {row['aligned']}"}
    if kind == 1 and previous:
        return {**rng.choice(previous), "id": row["id"]}  # same disclosure and responses
    if kind == 2 and previous:  # the last word changed: 1 of ~27 word 5-shingles differs
        twin = rng.choice(previous)
        return {**twin, "id": row["id"], "prompt": twin["prompt"].rsplit(" ", 1)[0] + " again."}
    advice = "You should talk to them. What has"
    return {**row, "aligned": row["aligned"].replace("What has", advice)}


def synthetic(n: int, seed: int = 0, dirty_share: float = 0.04) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for i in range(n):
        row = triple(i, rng)
        rows.append(dirty(row, rng, rows[-1000:]) if rng.random() < dirty_share else row)
    return rows


def timed(n: int, params: ValidateParams) -> dict:
    """Validate n fresh synthetic triples single-process; returns seconds, rate and counts."""
    items = [("<synthetic>", i + 1, row, None) for i, row in enumerate(synthetic(n, seed=n))]
    start, cpu = time.perf_counter(), time.process_time()
    res = validate_records(items, params)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(res.kept) + len(res.rejected) == n, "kept + rejected must equal the input"
    # Wall time is the headline; CPU time shows what a busy machine (other jobs) adds to it.
    return {
        "n": n,
        "seconds": round(seconds, 2),
        "triples_per_s": round(n / seconds),
        "cpu_seconds": round(cpu, 2),
        "triples_per_cpu_s": round(n / cpu),
        "kept": len(res.kept),
        "rejected": len(res.rejected),
        "reasons": res.metrics["reasons"],
        "fixes": res.metrics["fixes"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="validator throughput benchmark")
    ap.add_argument("--n", type=int, default=100_000, help="smaller run; 2n is timed too")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "validate.json")
    args = ap.parse_args()
    params = load_section(ROOT / "params.yaml", "validate", ValidateParams)
    runs = [timed(args.n, params), timed(2 * args.n, params)]
    ratio = runs[1]["seconds"] / runs[0]["seconds"]
    cpu_ratio = runs[1]["cpu_seconds"] / runs[0]["cpu_seconds"]
    result = {
        "runs": runs,
        "ratio_2n_over_n": round(ratio, 2),
        "cpus": os.cpu_count(),
        "cpu_ratio_2n_over_n": round(cpu_ratio, 2),
        "targets": {"triples_per_s": 3000, "ratio_below": 2.5},
        "meets_targets": min(r["triples_per_s"] for r in runs) >= 3000 and ratio < 2.5,
    }
    table = Table(title="validator throughput (single process)")
    cols = {
        "n": "triples",
        "seconds": "wall s",
        "triples_per_s": "triples/s",
        "cpu_seconds": "CPU s",
        "triples_per_cpu_s": "triples/CPU s",
        "kept": "kept",
        "rejected": "rejected",
    }
    for col in cols.values():
        table.add_column(col, justify="right")
    for r in runs:
        table.add_row(*(f"{r[key]:,}" for key in cols))
    table.caption = (
        f"time ratio {2 * args.n:,}/{args.n:,}: wall {ratio:.2f}, CPU {cpu_ratio:.2f}"
        " (target < 2.5)"
    )
    Console().print(table)
    atomic_write_text(args.out, json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
