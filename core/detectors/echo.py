"""Parroting: a reply that hands the caller's own words back instead of listening."""

from __future__ import annotations

from functools import lru_cache

from core.detectors.text import _prompt_info, _words


def _six(toks: tuple[str, ...]):
    """Word 6-grams (zip stops at the shortest slice on purpose)."""
    return zip(*(toks[i:] for i in range(6)), strict=False)


@lru_cache(maxsize=4096)
def _prompt_grams(prompt: str) -> tuple[frozenset, tuple, tuple]:
    """Plain 6-grams, and (plain, mapped) 3-gram and 2-gram sets; built only when needed."""
    toks, mapped = _words(prompt), _prompt_info(prompt)[2]
    six = frozenset(_six(toks))
    tri = tuple(frozenset(zip(seq, seq[1:], seq[2:], strict=False)) for seq in (toks, mapped))
    bi = tuple(frozenset(zip(seq, seq[1:], strict=False)) for seq in (toks, mapped))
    return six, tri, bi


def is_echo(response: str, prompt: str) -> bool:
    """A run of >= 6 prompt words, or most of the prompt's 3-grams (or 2-grams) copied."""
    _, vocab, mapped = _prompt_info(prompt)
    toks = _words(response)
    # Cheap necessary conditions first (most rows copy little): one byte per word, 1 where the
    # prompt has the word; the longest run of 1s and their number.
    hits = bytes(map(vocab.__contains__, toks))
    longest, shared = max(map(len, hits.split(b"\0"))), hits.count(1)
    if longest >= 6 and not _prompt_grams(prompt)[0].isdisjoint(_six(toks)):
        return True
    if longest < 2 or shared < 0.5 * len(mapped):  # > 60% of 3-grams needs most of the words
        return False
    _, tri, bi = _prompt_grams(prompt)
    if not tri[0]:
        return False
    got3 = set(zip(toks, toks[1:], toks[2:], strict=False))
    got2 = set(zip(toks, toks[1:], strict=False))
    return max(_share(t, got3) for t in tri) > 0.6 or max(_share(b, got2) for b in bi) > 0.75


def copied_run(response: str, prompt: str) -> int:
    """The longest run of words the response copies from the prompt as written (0: none)."""
    got, said = _words(response), _words(prompt)
    best, prev = 0, [0] * (len(said) + 1)
    for w in got:  # longest common substring over words, one row of the table at a time
        row = [0] * (len(said) + 1)
        for j, v in enumerate(said, 1):
            if v == w:
                row[j] = prev[j - 1] + 1
                best = max(best, row[j])
        prev = row
    return best


def _share(prompt_grams: frozenset, got: set) -> float:
    return len(prompt_grams & got) / len(prompt_grams) if prompt_grams else 0.0
