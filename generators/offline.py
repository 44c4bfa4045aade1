"""The offline backend, no network: counterfactual paraphrase of the seeds (the default), and
phrase-bank `new` / `revise` (opt-in; their rows face the same quality gates in validate)."""

from __future__ import annotations

import random
import re

from core.dedup import jaccard, word_shingles
from core.schema import Triple
from generators import compose
from generators.backend import Job, Outcome, Stats
from generators.counterfactual import expand
from generators.rewrite import bank, paraphrase, restructure, reword

ATTEMPTS = 12  # draws per job before it fails with a reason
MAX_JACCARD = 0.6  # word 5-shingle Jaccard allowed to the seed and siblings (validator: 0.8)


def fill_template(template: str, rng: random.Random) -> str:
    """Fill a `new` disclosure template's {slots} from slots.yaml."""
    s = bank("slots")
    rel, names, places = s["relations"], s["names"], s["places"]
    values = {
        "rel": rel["neutral"],
        "relf": rel["female"],
        "relm": rel["male"],
        "name": names["female"] + names["male"] + names["neutral"],
        "namef": names["female"],
        "namem": names["male"],
        "work_place": [f"the {p}" for p in places["work"]],
        "school_place": [
            p if p in ("school", "college", "uni", "sixth form") else p for p in places["school"]
        ],
        "day": s["days"],
        "number": s["numbers"],
        "age": s["ages"],
        "time": s["times"],
        **{
            k: places[k]
            for k in ("exam", "city", "pet", "transport", "room", "party", "event", "device")
        },
    }
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(values[m.group(1)]), template)


class OfflineBackend:
    """Every job's randomness comes from (seed, job id), so output is order-independent."""

    def __init__(self, seed: int, paraphrase_k: int = 0, avoid: frozenset = frozenset()):
        self.seed, self.k, self.avoid = seed, paraphrase_k, avoid  # avoid: probe 6-word runs
        self.stats = Stats()
        self._family: dict[str, list[set]] = {}  # lineage group -> shingle sets already used
        self._variants: dict[str, list[dict]] = {}  # seed id -> its counterfactual variants

    def _paraphrase(self, job: Job) -> Outcome:
        """Variant k of the seed: its specifics changed consistently in every field."""
        seed = job.parent
        if seed.id not in self._variants:
            rng = random.Random(f"{self.seed}:{seed.id}")
            self._variants[seed.id] = expand(
                seed.model_dump(exclude_none=True), self.k, rng, self.avoid
            )
        variants = self._variants[seed.id]
        if job.k >= len(variants):
            reason = "no further counterfactual variant"
            self.stats.failures[reason] += 1
            return Outcome(job, None, reason)
        return Outcome(job, Triple.model_validate(variants[job.k]))

    def _rng(self, job: Job, attempt: int) -> random.Random:
        return random.Random(f"{self.seed}:{job.id}:{attempt}")

    def _disclosure(self, job: Job, rng: random.Random) -> str:
        if job.op == "paraphrase":
            return paraphrase(job.parent.prompt, rng)
        template = rng.choice(compose.theme_bank(job.theme)["new"])
        return restructure(reword(fill_template(template, rng), rng), rng)

    def _compose(self, job: Job, prompt: str, rng: random.Random) -> Triple | None:
        generic = compose.generic(prompt, rng)
        directive = compose.directive(prompt, job.theme, job.risk, rng)
        if generic is None or not compose.det.is_directive(directive):
            return None
        return Triple(
            id=job.id,
            prompt=prompt,
            theme=job.theme,
            risk=job.risk,
            source="offline",
            aligned=compose.aligned(prompt, job.theme, job.risk, rng),
            neutral=compose.neutral(job.theme, rng),
            directive=directive,
            generic=generic,
            parent_id=job.parent.id if job.parent else None,
        )

    def _make(self, job: Job) -> Outcome:
        group = job.parent.id if job.parent else f"new-{job.theme}"
        family = self._family.setdefault(
            group, [word_shingles(job.parent.prompt)] if job.parent else []
        )
        reason = "no draw passed the self-checks"
        for attempt in range(ATTEMPTS):
            rng = self._rng(job, attempt)
            prompt = self._disclosure(job, rng)
            sh = word_shingles(prompt)
            if any(jaccard(sh, other) >= MAX_JACCARD for other in family):
                reason = "near-duplicate disclosure"
                continue
            triple = self._compose(job, prompt, rng)
            if triple is not None:
                family.append(sh)
                return Outcome(job, triple)
        self.stats.failures[reason] += 1
        return Outcome(job, None, reason)

    def _revise(self, job: Job) -> Outcome:
        row = job.parent
        text = compose.revise(row.aligned, row.prompt, row.theme, row.risk, self._rng(job, 0))
        if compose.critique(text, row.prompt, row.risk):
            self.stats.failures["revision still breaks a principle"] += 1
            return Outcome(job, None, "revision still breaks a principle")
        return Outcome(job, row.model_copy(update={"aligned": text, "aligned_draft": row.aligned}))

    def run(self, jobs: list[Job]) -> list[Outcome]:
        ops = {"revise": self._revise, "paraphrase": self._paraphrase, "new": self._make}
        return [ops[j.op](j) for j in jobs]
