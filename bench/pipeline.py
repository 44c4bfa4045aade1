"""Pipeline benchmark: cold, no-op and incremental `dvc repro` timings with peak memory per stage.

Run: .venv/bin/python bench/pipeline.py [--profile tiny] [--cold-only | --in-place]  (or `make
bench`); writes bench/results.json. Works on a fresh clone of the committed HEAD in a temporary
folder, so the workspace is untouched. The profile is params.yaml's own (small) unless --profile
says otherwise; --cold-only skips the incremental runs (on small they add ~17 minutes: eval,
then dpo + eval). --in-place times a forced cold run of this workspace instead (every stage
rerun, `dvc.lock` updated: the run whose metrics are committed), then the no-op.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the repository root holds core/

from core.env import offline_env  # noqa: E402

DVC = ROOT / ".venv-dvc" / "bin" / "dvc"
STAGES = ["generate", "validate", "split", "base", "sft", "onpolicy", "dpo", "eval"]


def use_profile(ws: Path, profile: str) -> None:
    """Point a workspace's params.yaml at one recipe profile (recipes/<profile>/*.yaml)."""
    import yaml

    path = ws / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["recipes"] = {s: f"recipes/{profile}/{s}.yaml" for s in ("base", "sft", "dpo")}
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def clone_workspace(dest: Path) -> Path:
    """Clone committed HEAD into dest and link the already set-up environments."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    for env in (".venv", ".venv-dvc"):
        (dest / env).symlink_to(ROOT / env, target_is_directory=True)
    return dest


def run(ws: Path, *args: str) -> tuple[float, int, str]:
    """Run a command in ws; returns (wall seconds, peak RSS of the process tree in MiB, output)."""
    env = {**offline_env(), **os.environ}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)  # rusage covers the child and its waited-for children
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} exited {code}:\n{out[-4000:]}")
    return seconds, usage.ru_maxrss // 1024, out


def stages_ran(output: str) -> list[str]:
    """Stage names DVC actually executed, in order, from `dvc repro` output."""
    return re.findall(r"Running stage '([\w-]+)'", output)


def repro(ws: Path, *extra: str) -> tuple[float, list[str], str]:
    seconds, _, out = run(ws, str(DVC), "repro", *extra)
    return seconds, stages_ran(out), out


def exp_run(ws: Path, *sets: str) -> tuple[float, list[str], str]:
    args = [str(DVC), "exp", "run"]
    for s in sets:
        args += ["-S", s]
    seconds, _, out = run(ws, *args)
    return seconds, stages_ran(out), out


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(prog="bench/pipeline.py", description=__doc__)
    ap.add_argument("--profile", help="recipes/<profile>/ instead of params.yaml's recipes")
    ap.add_argument("--cold-only", action="store_true", help="no incremental runs")
    ap.add_argument("--in-place", action="store_true", help="force-rerun this workspace, cold only")
    args = ap.parse_args()
    if args.in_place and args.profile:
        ap.error("--in-place runs this workspace's own params.yaml: no --profile")
    console = Console()
    results: dict = {"stages": {}, "cpus": os.cpu_count(), "in_place": args.in_place}
    with tempfile.TemporaryDirectory(prefix="attune-bench-") as tmp:
        ws = ROOT if args.in_place else clone_workspace(Path(tmp) / "ws")
        if args.profile:
            use_profile(ws, args.profile)
        results["recipes"] = _recipes(ws)
        total = 0.0
        force = ["--force"] if args.in_place else []
        for stage in STAGES:  # one stage at a time so each gets its own time and peak memory
            seconds, rss, _ = run(ws, str(DVC), "repro", *force, "--single-item", stage)
            results["stages"][stage] = {"seconds": round(seconds, 1), "peak_rss_mib": rss}
            total += seconds
            console.print(f"[bold]{stage}[/] {seconds:.1f} s, peak {rss} MiB")
        results["cold_total_seconds"] = round(total, 1)
        results["noop_seconds"] = round(repro(ws)[0], 2)
        # other work on the machine inflates every figure: the 1/5/15-minute load at the end
        results["load_average_after_cold"] = [round(x, 2) for x in os.getloadavg()]
        incremental = {"eval_param_change": "eval.sample_size=4", "dpo_knob": "train.dpo.beta=0.2"}
        for key, change in ({} if args.cold_only or args.in_place else incremental).items():
            seconds, ran, _ = exp_run(ws, change)
            results[key] = {"change": change, "seconds": round(seconds, 1), "stages": ran}

    table = Table(title=f"attune pipeline benchmark ({results['cpus']} CPUs)")
    table.add_column("what")
    table.add_column("wall s", justify="right")
    table.add_column("peak MiB", justify="right")
    for stage, fig in results["stages"].items():
        table.add_row(f"cold: {stage}", f"{fig['seconds']:.1f}", str(fig["peak_rss_mib"]))
    table.add_row("cold: total", f"{results['cold_total_seconds']:.1f}", "")
    table.add_row("no-op dvc repro", f"{results['noop_seconds']:.2f}", "")
    for key in ("eval_param_change", "dpo_knob"):
        if key not in results:
            continue
        fig = results[key]
        table.add_row(f"{key} ({', '.join(fig['stages'])})", f"{fig['seconds']:.1f}", "")
    console.print(table)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def _recipes(ws: Path) -> dict:
    import yaml

    return yaml.safe_load((ws / "params.yaml").read_text(encoding="utf-8"))["recipes"]


if __name__ == "__main__":
    sys.exit(main())
