"""Exact and near-duplicate texts: MinHash over word shingles with LSH banding, in numpy.

Sub-quadratic: texts are hashed once, candidates come only from shared LSH buckets, and every
candidate is verified on its signature. Used by ``python -m validators`` on disclosures.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

from core.detectors import words

NUM_PERM = 64  # estimate's std. error at J=0.8 is ~0.05; 128 doubles the cost
SHORT = 12  # texts under this many words use 3-word shingles, longer ones 5-word shingles
_rng = np.random.default_rng(20240613)  # fixed: signatures are reproducible across runs
_A = _rng.integers(1, 1 << 63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 1 << 63, NUM_PERM, dtype=np.uint64)
_MIX = _rng.integers(1, 1 << 63, 8, dtype=np.uint64) | np.uint64(1)
_BUCKET_ALL_PAIRS = 64  # larger buckets compare each member to its predecessor and the first
_TOKEN = re.compile(r"[a-z0-9']+")


def word_shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Exact word n-gram set of a text (a text shorter than n is one shingle)."""
    w = _TOKEN.findall(text.lower())
    return {tuple(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard similarity of two sets (0 when both are empty)."""
    return len(a & b) / max(1, len(a | b))


class _WordIds(dict):
    """word -> crc32 + 1, hashed on first sight (a dict lookup after that)."""

    def __missing__(self, word: str) -> int:
        wid = self[word] = zlib.crc32(word.encode()) + 1
        return wid


def _doc_ids(docs: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """All word ids of the tokenised texts, concatenated (uint64), and each text's length."""
    ids = _WordIds()
    flat: list[int] = []
    lengths = np.empty(len(docs), dtype=np.int64)
    for i, toks in enumerate(docs):
        toks = toks or [""]  # an empty text still gets one (empty) shingle
        flat.extend(map(ids.__getitem__, toks))
        lengths[i] = len(toks)
    return np.asarray(flat, dtype=np.uint64), lengths


def _shingles(ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of each text's word k-shingles (k=3 for short texts, 5 otherwise) and the
    index of the first shingle of every text; a text shorter than k is one shingle."""
    k_doc = np.where(lengths < SHORT, 3, 5)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_sh = np.maximum(lengths - k_doc + 1, 1)
    doc = np.repeat(np.arange(len(lengths)), n_sh)
    pos = np.arange(n_sh.sum()) - np.repeat(np.cumsum(n_sh) - n_sh, n_sh)  # shingle index in doc
    begin = starts[doc] + pos
    end = starts[doc] + lengths[doc]  # one past the text's last word
    padded = np.concatenate([ids, np.zeros(5, dtype=np.uint64)])
    h = np.zeros(len(doc), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(5):  # order-sensitive mix of up to k word ids (wrap-around uint64)
            take = (j < k_doc[doc]) & (begin + j < end)
            word = np.where(take, padded[begin + j], np.uint64(0))
            h = (h ^ word) * _MIX[j]
            h ^= h >> np.uint64(29)
    return h, np.cumsum(n_sh) - n_sh


def signatures(docs: Sequence[list[str]], chunk: int = 4096) -> np.ndarray:
    """MinHash signatures of tokenised texts, shape (len(docs), NUM_PERM), uint64."""
    sig = np.empty((len(docs), NUM_PERM), dtype=np.uint64)
    for start in range(0, len(docs), chunk):
        h, offsets = _shingles(*_doc_ids(docs[start : start + chunk]))
        with np.errstate(over="ignore"):
            # Multiply-shift hashing: the high 32 bits of a*h+b (mod 2^64) are the well-mixed ones;
            # (NUM_PERM, shingles) so that the per-text minimum runs along contiguous memory.
            perm = (_A[:, None] * h[None, :] + _B[:, None]) >> np.uint64(32)
        sig[start : start + len(offsets)] = np.minimum.reduceat(perm, offsets, axis=1).T
    return sig


def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows) with bands*rows = NUM_PERM whose S-curve midpoint sits just below threshold."""
    options = [(b, NUM_PERM // b) for b in (2, 4, 8, 16, 32) if NUM_PERM % b == 0]
    return min(options, key=lambda br: abs((1 / br[0]) ** (1 / br[1]) - (threshold - 0.1)))


def _candidates(sig: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    mult = np.arange(1, rows + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for b in range(bands):
        with np.errstate(over="ignore"):
            keys = (sig[:, b * rows : (b + 1) * rows] * mult).sum(axis=1)
        order = np.argsort(keys, kind="stable")
        same = np.flatnonzero(keys[order][1:] == keys[order][:-1])  # order[i] and order[i+1] share
        if not len(same):
            continue
        # Buckets of two (the common case) in bulk; larger buckets one by one below.
        run_start = np.concatenate([[True], np.diff(same) != 1])
        run_id = np.cumsum(run_start) - 1
        run_len = np.bincount(run_id)
        two = same[run_len[run_id] == 1]
        lo, hi = np.minimum(order[two], order[two + 1]), np.maximum(order[two], order[two + 1])
        pairs.update(zip(lo.tolist(), hi.tolist(), strict=True))
        for r in np.flatnonzero(run_len > 1):
            first = same[np.searchsorted(run_id, r)]
            g = sorted(order[first : first + run_len[r] + 1].tolist())
            if len(g) <= _BUCKET_ALL_PAIRS:
                pairs.update((g[i], g[j]) for i in range(len(g)) for j in range(i + 1, len(g)))
            else:
                pairs.update((g[0], x) for x in g[1:])
                pairs.update(zip(g[1:-1], g[2:], strict=True))
    return pairs


def find_near_duplicates(texts: Sequence[str], threshold: float) -> list[tuple[int, int]]:
    """Pairs i<j whose estimated Jaccard >= threshold; exact duplicates pair with their first."""
    first: dict[str, int] = {}
    exact: list[tuple[int, int]] = []
    unique: list[int] = []
    docs: list[list[str]] = []
    for j, text in enumerate(texts):
        toks = words(text)
        key = " ".join(toks)
        if key in first:
            exact.append((first[key], j))
        else:
            first[key] = j
            unique.append(j)
            docs.append(toks)
    if len(unique) < 2:
        return exact
    sig = signatures(docs)
    bands, rows = _bands(threshold)
    cand = np.array(sorted(_candidates(sig, bands, rows)), dtype=np.int64).reshape(-1, 2)
    agree = (sig[cand[:, 0]] == sig[cand[:, 1]]).mean(axis=1) if len(cand) else np.zeros(0)
    keep = cand[agree >= threshold]
    near = [(unique[i], unique[j]) for i, j in keep.tolist()]
    return sorted(exact + near)
