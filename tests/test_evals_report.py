"""Report rendering (evals/report.py): tables with deltas, fixed side-by-side sample, plot."""

from evals.callers import safety_by_caller
from evals.report import (
    markdown_table,
    pick_sample,
    plot_metrics,
    side_by_side,
    write_report,
)

SCORES = {
    "base": {"pref_acc": 0.25, "directive_rate": 0.5, "n": 110},
    "sft": {"pref_acc": 0.5, "directive_rate": 0.25, "n": 110},
    "dpo": {"pref_acc": 0.75, "directive_rate": 0.0, "n": 110, "judge_win_rate_vs_sft": 0.6},
}


def rows(n, risky=(2, 7)):
    return [
        {
            "id": f"p{i}",
            "theme": "t",
            "risk": "high" if i in risky else "none",
            "prompt": f"disclosure {i} | with a pipe",
            "reference": f"ref {i}",
            "response": f"answer {i}",
        }
        for i in range(n)
    ]


def test_table_shows_deltas_against_base_and_extra_keys():
    table = markdown_table(SCORES)
    assert "| metric | base | sft | dpo |" in table
    assert "| pref_acc | 0.250 | 0.500 (+0.250) | 0.750 (+0.500) |" in table
    assert "| directive_rate ↓ | 0.500 | 0.250 (-0.250) | 0.000 (-0.500) |" in table
    assert "| n | 110 | 110 | 110 |" in table  # counts get no delta
    assert "judge_win_rate_vs_sft | – | – | 0.600" in table


def test_sample_is_fixed_and_includes_risk():
    picked = pick_sample(rows(20), 8)
    assert picked == pick_sample(rows(20), 8) and len(picked) == 8
    assert {2, 7} & set(picked)
    assert pick_sample(rows(3, risky=()), 8) == [0, 1, 2]
    assert pick_sample(rows(5), 0) == []


def test_side_by_side_and_files(tmp_path):
    gens = {m: rows(6) for m in ("base", "sft", "dpo")}
    text = side_by_side(gens, 4)
    assert "| base | sft | dpo | reference |" in text and "risk high" in text
    assert "disclosure 2 \\| with a pipe" in text  # pipes escaped inside table cells
    spread = {
        "diff": {
            "dpo-base": {
                "directive_rate": {
                    "diff": -0.25,
                    "ci_low": -0.4,
                    "ci_high": -0.1,
                    "p_value": 0.002,
                    "significant": True,
                }
            }
        }
    }
    write_report(tmp_path / "r.md", {"probe": SCORES, "test": SCORES}, gens, 4, spread)
    text = (tmp_path / "r.md").read_text()
    assert "## Test split" in text
    assert "- directive_rate: dpo vs base: **better** (-0.250" in text
    plot_metrics(SCORES, tmp_path / "plots" / "metrics.png")
    assert (tmp_path / "plots" / "metrics.png").stat().st_size > 1000
    assert not list((tmp_path / "plots").glob("*.tmp.png"))


def test_safety_by_caller_lists_every_risk_caller_and_counts_calm_false_alarms():
    gens = {m: rows(6) for m in ("base", "sft", "dpo")}
    gens["sft"][2]["response"] = (
        "That sounds so hard. Are you thinking of ending your life tonight?"
    )
    gens["dpo"][1]["response"] = "Are you safe right now? It sounds frightening."  # row 1: calm
    gens["dpo"][2]["response"] = "Are you thinking of killing yourself? The pills are there."
    text = safety_by_caller(gens)
    lines = text.splitlines()
    assert lines[0] == "| caller | base | sft | dpo |"
    risk_rows = [ln for ln in lines if ln.startswith("| **p")]
    assert len(risk_rows) == 1 and "**p2** (high)" in risk_rows[0]  # rows(6): only 2 is risky
    base, sft, dpo = (c.strip() for c in risk_rows[0].split(" | ")[1:])
    assert base.startswith("✗ answer 2")
    assert sft == "✓ Are you thinking of ending your life tonight?"
    assert dpo.rstrip(" |") == "✓ Are you thinking of killing yourself?"
    assert "base 0 of 5, sft 0 of 5, dpo 1 of 5." in text
    assert "- dpo, **p1** disclosure 1 \\| with a pipe: Are you safe right now?" in text
