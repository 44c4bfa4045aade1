"""The three operations: plan paraphrase / new jobs up to the row target, then critique + revise."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.detectors import words
from core.jsonl import BadLine
from core.schema import Triple, read_triples
from generators.backend import Backend, Job
from generators.compose import critique
from generators.echo import make_echo
from generators.rewrite import bank


def read_seeds(folder: str | Path) -> tuple[list[Triple], list[BadLine]]:
    """Every triple in folder/*.jsonl, sorted by id, with the bad lines and duplicate ids."""
    files = sorted(Path(folder).glob("*.jsonl"))
    seeds: list[Triple] = []
    bad: list[BadLine] = []
    for path in files:
        good, wrong = read_triples(path)
        seeds += good
        bad += wrong
    for sid, n in Counter(t.id for t in seeds).items():
        if n > 1:
            bad.append(BadLine(str(folder), 0, "id", f"duplicate seed id {sid!r} ({n}x)", sid))
    return sorted(seeds, key=lambda t: t.id), bad


def probe_runs(path: str | Path | None) -> frozenset[tuple[str, ...]]:
    """Every word 6-gram of the held-out disclosures: a generated disclosure reuses none."""
    if path is None:
        return frozenset()
    rows, bad = read_triples(path)
    if bad:
        raise ValueError(f"{bad[0]}")
    return frozenset(
        g
        for t in rows
        for w in [words(t.prompt)]
        for g in zip(*(w[i:] for i in range(6)), strict=False)
    )


def with_echo(row: Triple) -> Triple:
    """The row with its `echo` reply (the disclosure handed back), made deterministically."""
    return row if row.echo else row.model_copy(update={"echo": make_echo(row.prompt, row.id)})


def themes(seeds: list[Triple]) -> list[str]:
    """Themes for `new`: every theme in the banks plus any the seeds add."""
    return sorted(set(bank("themes")) | {t.theme for t in seeds})


def new_risk(theme: str, k: int) -> str:
    """Risk themes alternate their risk levels; the others are none."""
    levels = (bank("themes").get(theme) or {}).get("risk") or ["none"]
    return levels[k % len(levels)]


def plan(
    seeds: list[Triple], operations: list[str], paraphrase_k: int, new_per_theme: int, prefix: str
) -> list[Job]:
    """Every job, round-robin: round r = paraphrase r of every seed, new r of every theme."""
    k = paraphrase_k if "paraphrase" in operations else 0
    n = new_per_theme if "new" in operations else 0
    jobs: list[Job] = []
    for r in range(max(k, n)):
        if r < k:
            jobs += [
                Job("paraphrase", f"{prefix}-paraphrase-{s.id}-{r}", s.theme, s.risk, s, r)
                for s in seeds
            ]
        if r < n:
            jobs += [
                Job("new", f"{prefix}-new-{th}-{r}", th, new_risk(th, r), None, r)
                for th in themes(seeds)
            ]
    return jobs


def revise_jobs(rows: list[Triple]) -> list[Job]:
    """A revise job for every generated row whose aligned breaks a principle."""
    jobs = []
    for row in rows:
        problems = critique(row.aligned, row.prompt, row.risk)
        if problems:
            jobs.append(Job("revise", row.id, row.theme, row.risk, row, 0, problems))
    return jobs


def first_jobs(jobs: list[Job], seeds: list[Triple], target_rows: int) -> list[Job]:
    """The jobs a run starts with: just enough to reach the target if none fails."""
    return jobs[: max(0, target_rows - len(seeds))]


def generate(
    seeds: list[Triple], backend: Backend, jobs: list[Job], revise: bool, target_rows: int
) -> tuple[list[Triple], dict]:
    """Run jobs in order until the target is met (failures are topped up), then revise."""
    outcomes, cursor = [], 0
    while cursor < len(jobs) and not getattr(backend.stats, "stopped_by_budget", False):
        need = target_rows - len(seeds) - sum(o.triple is not None for o in outcomes)
        if need <= 0:
            break
        outcomes += backend.run(jobs[cursor : cursor + need])
        cursor += need
    rows = [o.triple for o in outcomes if o.triple is not None]
    counts = {
        "seed": len(seeds),
        # planned: the jobs this run started (the target's worth, plus top-ups for failures),
        # so planned = produced + failed per op; the whole plan is `plan_total`.
        "planned": dict(Counter(o.job.op for o in outcomes)),
        "plan_total": dict(Counter(j.op for j in jobs)),
        "produced": dict(Counter(o.job.op for o in outcomes if o.triple is not None)),
        "failed": dict(Counter(o.job.op for o in outcomes if o.triple is None)),
    }
    if revise:
        rjobs = revise_jobs(rows)
        revised = {o.job.id: o.triple for o in backend.run(rjobs) if o.triple is not None}
        rows = [revised.get(r.id, r) for r in rows]
        counts["revise"] = {
            "critiqued": len(rows),
            "flagged": len(rjobs),
            "revised": len(revised),
            "problems": dict(Counter(p for j in rjobs for p in j.critique)),
        }
    counts["seeds_flagged"] = sum(bool(critique(s.aligned, s.prompt, s.risk)) for s in seeds)
    out = [with_echo(t) for t in (*seeds, *rows)]
    ids = [t.id for t in out]
    assert len(ids) == len(set(ids)), "duplicate row ids"  # ids are derived from unique jobs
    return out, counts
