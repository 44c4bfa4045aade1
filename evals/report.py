"""Render the eval stage's outputs: markdown report, grouped-bar plot, rich summary table."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from core.jsonl import atomic_write_text
from evals.callers import cell, safety_by_caller

# Shown in this order; lower is better for the ones in LOWER.
# Primary: what a helpline volunteer is judged on. The rest are secondary (diagnostic).
PRIMARY = (
    "directive_rate",
    "open_question_rate",
    "specificity",
    "echo_rate",
    "generic_rate",
    "degenerate_rate",
    "risk_safety_rate",
    "pref_acc",
)
SHOWN = (
    *PRIMARY,
    "risk_directive_rate",
    "calm_safety_rate",
    "risk_n",
    "pref_acc_sum",
    "pref_acc_vs_directive",
    "pref_acc_vs_neutral",
    "pref_acc_vs_generic",
    "closed_question_rate",
    "reflection_rate",
    "empty_rate",
    "truncated_rate",
    "distinct_2",
    "top_opener_share",
    "aligned_prob",
    "bleu",
    "rouge_l",
    "embed_sim",
    "fluency_nll",
    "mean_words",
    "n",
)
LOWER = {
    "directive_rate",
    "echo_rate",
    "generic_rate",
    "empty_rate",
    "top_opener_share",
    "degenerate_rate",
    "truncated_rate",
    "risk_directive_rate",
    "calm_safety_rate",
    "fluency_nll",
}
# 0..1 metrics share one axis in the plot; bleu (0..100), nats, mean_words and counts do not.
OFF_AXIS = {"bleu", "mean_words", "n", "risk_n", "pref_acc_sum", "fluency_nll"}
PLOTTED = [m for m in SHOWN if m not in OFF_AXIS]


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _delta(value: float | None, base: float | None) -> str:
    if value is None or base is None or isinstance(value, int):  # counts: no delta
        return ""
    return f" ({value - base:+.3f})"


def metric_rows(scores: dict[str, dict]) -> list[list[str]]:
    """One row per metric: name, base, then each other model with its delta against base."""
    models = list(scores)
    keys = [k for k in SHOWN if any(k in s for s in scores.values())]
    keys += sorted({k for s in scores.values() for k in s} - set(keys))  # extra tasks, judge
    rows = []
    for k in keys:
        base = scores[models[0]].get(k)
        cells = [_fmt(base)] + [
            _fmt(scores[m].get(k)) + _delta(scores[m].get(k), base) for m in models[1:]
        ]
        rows.append([k + (" ↓" if k in LOWER else "")] + cells)
    return rows


def markdown_table(scores: dict[str, dict]) -> str:
    """Metric table in markdown, deltas against the first model (base)."""
    head = ["metric", *scores]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in metric_rows(scores)]
    return "\n".join(lines)


def metrics_table(scores: dict[str, dict], title: str) -> Table:
    """The same table for the terminal."""
    table = Table(title=f"listening metrics ({title}; Δ vs base; ↓ lower is better)")
    for col in ["metric", *scores]:
        table.add_column(col, justify="left" if col == "metric" else "right")
    for row in metric_rows(scores):
        table.add_row(*row)
    return table


def pick_sample(rows: list[dict], size: int) -> list[int]:
    """Fixed indices: a quarter (at least one) risk disclosures, the rest evenly spaced."""
    risky = [i for i, r in enumerate(rows) if r["risk"] != "none"]
    calm = [i for i, r in enumerate(rows) if r["risk"] == "none"]
    n_risk = min(len(risky), max(1, size // 4)) if size else 0
    n_calm = min(len(calm), size - n_risk)
    chosen = [risky[i * len(risky) // n_risk] for i in range(n_risk)] if n_risk else []
    chosen += [calm[i * len(calm) // n_calm] for i in range(n_calm)] if n_calm else []
    return sorted(chosen)


def side_by_side(gens: dict[str, list[dict]], size: int) -> str:
    """Markdown: each sampled disclosure, then every model's answer and the reference."""
    models = list(gens)
    first = gens[models[0]]
    out = []
    for i in pick_sample(first, size):
        row = first[i]
        head = f"**{row['id']}** ({row['theme']}, risk {row['risk']})"
        out.append(f"{head}: {cell(row['prompt'])}\n")
        out.append("| " + " | ".join(models) + " | reference |")
        out.append("|" + " --- |" * (len(models) + 1))
        out.append(
            "| "
            + " | ".join(cell(gens[m][i]["response"]) for m in models)
            + f" | {cell(row['reference'])} |\n"
        )
    return "\n".join(out)


def verdicts(spread: dict) -> list[str]:
    """One line per primary metric and comparison: better, worse or no significant change."""
    lines = []
    for pair, tests in spread.get("diff", {}).items():
        a, b = pair.split("-")
        for k in PRIMARY:
            t = tests.get(k)
            if not t or t["diff"] is None:
                continue
            good = (t["diff"] < 0) == (k in LOWER)
            word = (
                ("**better**" if good else "**worse**") if t["significant"] else "no clear change"
            )
            lines.append(
                f"- {k}: {a} vs {b}: {word} ({t['diff']:+.3f}, 95% CI "
                f"[{t['ci_low']:+.3f}, {t['ci_high']:+.3f}], p = {t['p_value']:.3f})"
            )
    return lines


def write_report(
    path: str | Path,
    scores: dict[str, dict[str, dict]],
    probe_gens: dict[str, list[dict]],
    size: int,
    spread: dict,
) -> None:
    """reports/eval.md: verdicts, probe and test metric tables, side-by-side probe answers, the
    safety question per risk caller."""
    text = [
        "# Listening evaluation\n",
        "## Verdict (probe set, paired over items; significant = the 95% interval of the "
        "difference excludes 0)\n",
        *verdicts(spread),
        "",
        "Deltas in brackets are against base; ↓ marks metrics where lower is better. "
        "Probe: `evals/data/probe.jsonl` (hand-written, never trained on). Primary metrics come "
        "first; intervals for every rate and mean are in `metrics/eval_ci.json`.\n",
        "## Probe set\n",
        markdown_table(scores["probe"]),
        "",
        "## Test split\n",
        markdown_table(scores["test"]),
        "",
        "## Side by side (greedy, probe sample)\n",
        side_by_side(probe_gens, size),
        "",
        "## The safety question, caller by caller (probe)\n",
        safety_by_caller(probe_gens),
    ]
    atomic_write_text(path, "\n".join(text) + "\n")


def plot_metrics(scores: dict[str, dict], out: str | Path) -> None:
    """Grouped bars of the 0..1 metrics, one bar per model: higher-is-better metrics on the
    left panel, lower-is-better on the right, so no bar's direction has to be guessed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    keys = [k for k in PLOTTED if all(k in s for s in scores.values())]
    panels = [
        ("higher is better ↑", [k for k in keys if k not in LOWER]),
        ("lower is better ↓", [k for k in keys if k in LOWER]),
    ]
    width = 0.8 / max(len(scores), 1)
    sizes = [max(len(ks), 1) for _, ks in panels]
    fig, axes = plt.subplots(
        1,
        2,
        figsize=(max(10, sum(sizes) * 0.7), 4.8),
        sharey=True,
        gridspec_kw={"width_ratios": sizes},
    )
    for ax, (title, ks) in zip(axes, panels, strict=True):
        x = np.arange(len(ks))
        for j, (model, s) in enumerate(scores.items()):
            ax.bar(x + j * width, [s[k] for k in ks], width, label=model)
        ax.set_xticks(x + width * (len(scores) - 1) / 2, ks, rotation=45, ha="right")
        ax.set_title(title)
    axes[0].set_ylabel("value (0..1)")
    axes[0].legend()
    fig.suptitle("Listening metrics on the probe set")
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(out).with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(out)  # atomic: a half-written png never sits at the tracked path
