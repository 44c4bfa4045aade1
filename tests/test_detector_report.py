"""evals.detector_report on a tiny synthetic labelled set (tests/fixtures/detector_report/, written
for this test in the two external formats): loading, the F1 arithmetic, the paired bootstrap and
the report the markers enclose."""

from pathlib import Path

import numpy as np

from evals import detector_report as dr

FIXTURE = Path(__file__).parent / "fixtures" / "detector_report"


def test_prf_arithmetic():
    y = np.array([1, 1, 0, 0, 1], bool)
    p = np.array([1, 0, 1, 0, 1], bool)  # tp 2, fp 1, fn 1
    assert dr.prf(y, p) == (2 / 3, 2 / 3, 2 / 3)
    assert dr.prf(y, np.zeros(5, bool)) == (0.0, 0.0, 0.0)
    assert dr.prf(y, y) == (1.0, 1.0, 1.0)


def test_bootstrap_is_paired_and_bounded():
    rng = np.random.default_rng(1)
    y, p = rng.random(200) < 0.3, rng.random(200) < 0.4
    boot = dr.f1_boot(y, [p, p, y])
    assert boot.shape == (dr.N_BOOT, 3)
    assert np.all(boot[:, 0] == boot[:, 1])  # same resamples: identical predictions, zero delta
    assert np.all(boot[:, 2] == 1.0)  # perfect predictions (every resample has a positive)
    assert np.all((boot >= 0) & (boot <= 1))
    lo, hi = np.quantile(boot[:, 0], [0.025, 0.975])
    assert lo < dr.prf(y, p)[2] < hi


def test_loaders_keep_the_prompt_and_split_deterministically():
    items = dr.load_esconv(FIXTURE / "devWithStrategy_short.tsv", "dev")
    assert len(items) == 6
    assert items[0]["label"] == "Questions"
    assert items[0]["response"] == "How long has this been going on?"
    assert items[0]["prompt"].startswith("I have not slept properly")
    assert "Hello, can I talk" not in items[0]["prompt"]  # only the seeker turns just before
    mi = dr.load_mi(FIXTURE / "test_output.csv")
    assert mi == dr.load_mi(FIXTURE / "test_output.csv")
    assert {it["split"] for it in mi} == {"dev", "test"}
    assert all(it["prompt"] == "" for it in mi)


def test_report_rows_baseline_and_hand_text(tmp_path):
    out = tmp_path / "report.md"
    out.write_text(f"# Hand title\n\nSources.\n\n{dr.BEGIN}\nold\n{dr.END}\n\n## Notes\n\nKept.\n")
    results = dr.main([str(FIXTURE), "--out", str(out)])
    text = out.read_text()
    assert text.startswith("# Hand title\n\nSources.") and text.endswith("## Notes\n\nKept.\n")
    assert "\nold\n" not in text and text.count(dr.BEGIN) == 1
    assert {(r["source"], r["detector"], r["split"]) for r in results} == {
        (s, det, split) for s, det, _, _ in dr.ROWS for split in ("dev", "test")
    }
    row = {(r["source"], r["detector"], r["split"]): r for r in results}
    # Dev questions: "How long ...?" and "what else do you enjoy" (no mark). The "?" baseline also
    # fires on "So you feel let down?", a reflection checked back: P = R = F1 = 1/2.
    q = row["ESConv", "question", "dev"]
    assert q["base"] == (0.5, 0.5, 0.5) and q["det"] == (1.0, 1.0, 1.0) and q["delta"] == 0.5
    # Reflections: "So you feel let down?" (cue) and "You're worried the kids will notice." (none).
    refl = row["ESConv", "reflection", "dev"]
    assert refl["base"] == (1.0, 0.5, 2 / 3) and refl["det"] == (1.0, 1.0, 1.0)
    assert "| ESConv | question | dev | 6 | 2 | 1.00 | 1.00 | 1.00" in text
    assert "| ESConv | reflection | dev | 6 | 2 |" in text and "| yes |" in text
    assert "`\\b(should\\|try\\|why don't you)\\b`" in text  # pipes escaped inside the table
