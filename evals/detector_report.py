"""The listening detectors on human-labelled text that is not ours, beside one-line regexes.

    python -m evals.detector_report DIR --out evals/detector_report.md

DIR holds local copies (non-commercial licences: never committed) of ESConv's {dev,test}With-
Strategy_short.tsv and MI gold's test_output.csv (the report says where from); a missing source
is skipped. Dev is for developing rules, test only reported. Tables go between the report's
markers; the hand-written text around them is kept.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
from pathlib import Path

import numpy as np

from core import detectors as d
from core.jsonl import atomic_write_text

ADVICE_RX, QUESTION_RX = r"\b(should|try|why don't you)\b", r"\?"
REFLECT_RX, OPEN_RX = r"\b(sounds like|it seems|you feel)\b", r"\b(what|how|why)\b.*\?"
CLOSED_RX = r"^(do|does|did|is|are|was|were|have|has|can|could|would|will)\b.*\?"
SUGGEST = {"Providing Suggestions"}
RESTATE = {"Restatement or Paraphrasing", "Reflection of feelings"}
MI_ADVICE = {"Advise with Permission", "Advise without Permission", "Direct"}
MI_Q, MI_REFLECT = {"Open Question", "Closed Question"}, {"Simple Reflection", "Complex Reflection"}
DETECTORS = {
    "directive": lambda r, p: d.is_directive(r),
    "advice": lambda r, p: d.is_advice(r),
    "question": lambda r, p: d.has_open_question(r) or d.has_closed_question(r),
    "open_question": lambda r, p: d.has_open_question(r),
    "closed_question": lambda r, p: d.has_closed_question(r),
    "reflection": d.is_reflection,
}
ROWS = [  # (source, detector, labels mapped to True, one-line baseline regex)
    ("ESConv", "directive", SUGGEST, ADVICE_RX),
    ("ESConv", "advice", SUGGEST, ADVICE_RX),
    ("ESConv", "question", {"Questions"}, QUESTION_RX),
    ("ESConv", "reflection", RESTATE, REFLECT_RX),
    ("MI", "directive", MI_ADVICE, ADVICE_RX),
    ("MI", "advice", MI_ADVICE, ADVICE_RX),
    ("MI", "question", MI_Q, QUESTION_RX),
    ("MI", "open_question", {"Open Question"}, OPEN_RX),
    ("MI", "closed_question", {"Closed Question"}, CLOSED_RX),
    ("MI", "reflection", MI_REFLECT, REFLECT_RX),
]
UNGATED = {"question"}  # a union of two detectors, shown for ESConv's undivided label
MARGIN, N_BOOT, EXAMPLES = 0.10, 2000, 0  # no quoted text: the data is non-commercial
_SEG = re.compile(r"^\S+ (\d) \d+ (?:\[([^\]]+)\] )?(.*)$", re.S)


def load_esconv(path: Path, split: str) -> list[dict]:
    """A line is ' EOS '-joined segments `score speaker turn [Strategy] text`; its last is a
    supporter turn (speaker 1), and the seeker turns (speaker 0) just before it are the prompt."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        segs = [m.groups() for s in line.split(" EOS ") if (m := _SEG.match(s.strip()))]
        if not segs or segs[-1][0] != "1" or not segs[-1][1]:
            continue
        seeker: list[str] = []
        for speaker, _, text in reversed(segs[:-1]):
            if speaker == "0":
                seeker.insert(0, text.strip())
            elif seeker:
                break
        prompt, label, text = " ".join(seeker), segs[-1][1], segs[-1][2].strip()
        items.append({"split": split, "prompt": prompt, "response": text, "label": label})
    return items


def load_mi(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [(r["Text"].strip(), r["Ground truth"].strip()) for r in csv.DictReader(f)]
    odd = [hashlib.sha1(t.encode()).digest()[-1] % 2 for t, _ in rows]  # the last bit of sha1
    return [
        {"split": "test" if o else "dev", "prompt": "", "response": t, "label": lab}
        for (t, lab), o in zip(rows, odd, strict=True)
    ]


def load(root: Path) -> dict[str, list[dict]]:
    data, tsv = {}, [root / f"{s}WithStrategy_short.tsv" for s in ("dev", "test")]
    if all(p.is_file() for p in tsv):
        data["ESConv"] = load_esconv(tsv[0], "dev") + load_esconv(tsv[1], "test")
    if (root / "test_output.csv").is_file():
        data["MI"] = load_mi(root / "test_output.csv")
    return data


def prf(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    tp, fp, fn = int(np.sum(y & p)), int(np.sum(~y & p)), int(np.sum(y & ~p))
    prec, rec = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return prec, rec, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def f1_boot(y: np.ndarray, preds: list[np.ndarray], seed: int = 0) -> np.ndarray:
    """(N_BOOT, len(preds)) F1s on the same item resamples, so a difference of two columns is a
    paired bootstrap (a percentile interval, as in evals.stats.bootstrap_ci)."""
    idx = np.random.default_rng(seed).integers(0, len(y), size=(N_BOOT, len(y)))
    yy, out = y[idx], []
    for p in preds:
        pp = p[idx]
        tp, fp, fn = (yy & pp).sum(1), (~yy & pp).sum(1), (yy & ~pp).sum(1)
        out.append(np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0))
    return np.stack(out, axis=1)


def evaluate(data: dict[str, list[dict]], splits=("dev", "test")) -> tuple[list[dict], dict]:
    results, misses = [], {}
    for source, det, labels, rx in ROWS:
        for split in splits:
            items = [it for it in data.get(source, []) if it["split"] == split]
            if not items:
                continue
            keys = [hashlib.sha1(it["response"].encode()).digest() for it in items]
            y = np.array([it["label"] in labels for it in items])
            p = np.array([DETECTORS[det](it["response"], it["prompt"]) for it in items], bool)
            b = np.array([bool(re.search(rx, it["response"].lower())) for it in items])
            boot = f1_boot(y, [p, b])
            boot = np.column_stack([boot, boot[:, 0] - boot[:, 1]])  # detector, baseline, delta
            row = {"source": source, "detector": det, "split": split, "n": len(y), "rx": rx}
            row |= {"pos": int(y.sum()), "det": prf(y, p), "base": prf(y, b)}
            lo, hi = np.quantile(boot, [0.025, 0.975], axis=0)
            row["ci"] = tuple(f"[{a:.2f}, {z:.2f}]" for a, z in zip(lo, hi, strict=True))
            row["delta"] = row["det"][2] - row["base"][2]
            results.append(row)
            if split == "dev":  # a few misses of each kind, the first by hash of the text
                firsts = (
                    sorted(np.flatnonzero(m), key=lambda i: keys[i]) for m in (y & ~p, ~y & p)
                )
                misses[(source, det)] = [[items[i] for i in f[:EXAMPLES]] for f in firsts]
    return results, misses


def _short(text: str, n: int = 100) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= n else text[: n - 1] + "…"


BEGIN, END = "<!-- detector_report: begin -->", "<!-- detector_report: end -->"
SPLITS = {"ESConv": "ESConv's dev file / its test file", "MI": "sha1(text) even / odd"}
TABLES = (
    "| source | detector | positive labels (others negative) | one-line baseline | dev / test |",
    "| source | detector | split | n | pos | P | R | F1 [95% CI] | baseline P | R | F1 [95% CI] "
    "| ΔF1 [95% CI] | pass |",
)


def render(results: list[dict], misses: dict) -> str:
    out = [TABLES[0], "|---|---|---|---|---|"]
    for s, det, lab, rx in ROWS:
        rx = rx.replace("|", "\\|")  # a pipe inside a table cell
        out.append(f"| {s} | {det} | {', '.join(sorted(lab))} | `{rx}` | {SPLITS[s]} |")
    out += ["", f"F1, 95% bootstrap interval ({N_BOOT} item resamples, paired for ΔF1); pass: ΔF1"]
    out += [f"≥ {MARGIN:.2f} on dev.", "", TABLES[1]]
    out.append("|---|---|---|---:|---:|---:|---:|---|---:|---:|---|---|---|")
    for r in results:
        (p, rc, f), (bp, br, bf), (c1, c2, c3) = r["det"], r["base"], r["ci"]
        ok = "yes" if r["delta"] >= MARGIN else "**no**"
        ok = "" if r["split"] != "dev" else "n/a" if r["detector"] in UNGATED else ok
        out.append(
            f"| {r['source']} | {r['detector']} | {r['split']} | {r['n']} | {r['pos']} | {p:.2f} "
            f"| {rc:.2f} | {f:.2f} {c1} | {bp:.2f} | {br:.2f} | {bf:.2f} {c2} "
            f"| {r['delta']:+.2f} {c3} | {ok} |"
        )
    out += ["", "Remaining misses on dev (the first by hash):", ""]
    for (source, det), pair in misses.items():
        out.append(f"- **{source} {det}**")
        for kind, items in zip(("missed", "false alarm"), pair, strict=True):
            out += [f'  - {kind} ({it["label"]}): "{_short(it["response"])}"' for it in items]
    return "\n".join(out)


def write(path: Path, block: str) -> None:
    """Replace what lies between the markers; keep the hand-written text around them."""
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Detector report\n\n"
    head, _, rest = old.partition(BEGIN)
    tail = rest.partition(END)[2] if END in rest else "\n"
    atomic_write_text(path, f"{head.rstrip()}\n\n{BEGIN}\n{block}\n{END}{tail}")


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="folder with the external files")
    ap.add_argument("--out", type=Path, default=Path("evals/detector_report.md"))
    ap.add_argument("--dev-only", action="store_true", help="while developing rules")
    args = ap.parse_args(argv)
    if not (data := load(args.data)):
        raise SystemExit(f"no external data found in {args.data}")
    results, misses = evaluate(data, ("dev",) if args.dev_only else ("dev", "test"))
    write(args.out, render(results, misses))
    return results


if __name__ == "__main__":
    main()
