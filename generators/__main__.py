"""Stage `generate`: seeds + paraphrase / new / revise rows from the chosen backend.

    .venv/bin/python -m generators data/seed --out data/generated/triples.jsonl \
        --metrics metrics/generate.json --probe evals/data/probe.jsonl [--params P] [--dry-run]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from rich.console import Console

from core import cli
from core.jsonl import write_json, write_jsonl
from core.textstats import distinct_n, top_opener_share
from generators.ops import first_jobs, generate, plan, probe_runs, read_seeds
from generators.params import GenerateParams, load_params


def make_backend(params: GenerateParams, dry_run: bool = False, avoid: frozenset = frozenset()):
    if params.backend == "offline":
        from generators.offline import OfflineBackend

        return OfflineBackend(params.seed, params.paraphrase_k, avoid)
    from generators.anthropic_backend import AnthropicBackend  # checks the key before any work

    return AnthropicBackend(params, need_key=not dry_run)  # a dry run estimates without one


def main(argv: list[str] | None = None) -> int:
    ap = cli.parser("python -m generators", __doc__, "seeds", ("out", "metrics"))
    ap.add_argument("--probe", type=Path, help="held-out disclosures: no 6-word run is reused")
    ap.add_argument("--dry-run", action="store_true", help="print the plan and cost estimate only")
    args = ap.parse_args(argv)
    params = load_params(args.params)
    console = Console(stderr=True, soft_wrap=True)  # error lines stay greppable
    seeds, bad = read_seeds(args.seeds)
    if bad or not seeds:
        for line in bad:
            console.print(str(line), style="red", markup=False)
        console.print(f"[red]{args.seeds}: {len(bad)} bad seed line(s), {len(seeds)} good")
        return 2
    try:
        backend = make_backend(params, args.dry_run, probe_runs(args.probe))
    except RuntimeError as exc:  # ConfigError: missing key or price, before any work
        console.print(f"generate: {exc}", style="red", markup=False)
        return 2
    prefix = "off" if params.backend == "offline" else "ant"
    jobs = plan(seeds, params.operations, params.paraphrase_k, params.new_per_theme, prefix)
    if args.dry_run:
        first = first_jobs(jobs, seeds, params.target_rows)
        if hasattr(backend, "estimate"):
            table, usd = backend.estimate(first, "revise" in params.operations)
            console.print(table)
            if usd > params.max_usd:
                console.print(
                    f"warning: estimated max USD {usd:.2f} exceeds max_usd {params.max_usd}; "
                    "the run stops cleanly at the budget",
                    style="yellow",
                    markup=False,
                )
        console.print(
            f"{len(seeds)} seeds, {len(first)} jobs planned: "
            f"{dict(Counter(j.op for j in first))}; no message sent"
        )
        return 0
    rows, counts = generate(seeds, backend, jobs, "revise" in params.operations, params.target_rows)
    metrics = {
        "rows": len(rows),
        **counts,
        **backend.stats.as_dict(),
        "target_rows": params.target_rows,
        "target_reached": len(rows) >= params.target_rows,
        "rows_by_source": dict(Counter(t.source for t in rows)),
        "distinct_2_prompts": round(distinct_n([t.prompt for t in rows]), 4),
        "distinct_2_aligned": round(distinct_n([t.aligned for t in rows]), 4),
        "top_aligned_opener_share": round(top_opener_share([t.aligned for t in rows]), 4),
    }
    write_jsonl(args.out, rows)
    write_json(args.metrics, metrics)
    cli.say_metrics(
        "generate", metrics, "rows", "produced", "failed", "requests", "usd", "distinct_2_aligned"
    )
    return 0


if __name__ == "__main__":
    sys.exit(cli.run(main))
