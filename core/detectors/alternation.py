"""Alternations tried only where one of their trigger words occurs in the sentence."""

from __future__ import annotations

import re

_LOOKS = re.compile(r"^(?:\(\?<[!=][^)]*\))*(?:\\b)?")  # leading lookbehinds and \b
_GROUP_TRIGGER = re.compile(
    r"^\(\?:((?:[a-z']+(?: [a-z']+)*\|)*[a-z']+(?: [a-z']+)*)\)(?: |\\b|\(\?:')"
)
_WORD_TRIGGER = re.compile(r"^([a-z']+)(?: |\\b|\(\?:'|\?|$)")


def _word_start(key: str) -> re.Pattern[str]:
    """The key where a word starts (not after a letter, digit or apostrophe). The literal comes
    first, so re jumps from one occurrence to the next instead of testing every offset."""
    k = re.escape(key)
    return re.compile(rf"{k}(?<=(?<![^\W_]|'){k})")  # [^\W_] is str.isalnum


class Alternation:
    """Alternatives tried only where one of their trigger words occurs in the sentence.

    One big ``a|b|c`` makes Python's re try every branch at every character (~170 us per
    sentence); matched only at the offsets of its first word it costs about a microsecond.
    ``(keys, pattern)`` gives the trigger words by hand; the pattern is then searched whole,
    or matched at the key's offsets when a third element ``True`` says it starts there.
    """

    def __init__(self, alternatives: tuple, guard=None):
        anchored: dict[str, list[str]] = {}
        self.searched: dict[str, list[re.Pattern[str]]] = {}
        self.guard = guard  # (text, match) -> True when the match does not count
        for alt in alternatives:
            if isinstance(alt, tuple):
                for key in alt[0].split():
                    if alt[2:] == (True,):
                        anchored.setdefault(key, []).append(alt[1])
                    else:
                        self.searched.setdefault(key, []).append(re.compile(alt[1]))
                continue
            looks = _LOOKS.match(alt).group(0)
            rest = alt[len(looks) :]
            m = _GROUP_TRIGGER.match(rest) or _WORD_TRIGGER.match(rest)
            if not m:
                raise ValueError(f"no trigger word in {alt!r}; give keys explicitly")
            for key in {o.split(" ", 1)[0] for o in m.group(1).split("|")}:
                # The leading \b is checked by hand at each offset; lookbehinds stay.
                anchored.setdefault(key, []).append(looks.removesuffix(r"\b") + rest)
        # All patterns of one key start at the same offset, so one alternation matches them.
        self.anchored = {
            k: re.compile("|".join(f"(?:{p})" for p in v)) for k, v in anchored.items()
        }
        self.keys = frozenset(self.anchored) | frozenset(self.searched)
        # key -> (where it starts a word, its anchored alternation, its searched patterns)
        self._by_key = {
            k: (_word_start(k), self.anchored.get(k), tuple(self.searched.get(k, ())))
            for k in self.keys
        }

    def search(self, text: str, toks: frozenset[str]) -> re.Match[str] | None:
        """The first match the guard lets through: anchored patterns are tried at each offset of
        their key that starts a word, searched ones over the whole text."""
        guard = self.guard
        for key in self.keys.intersection(toks):
            start, anchored, searched = self._by_key[key]
            # str.find is fastest; `start` skips the offsets inside a word ("it" in "with").
            pos = text.find(key) if anchored is not None else -1
            while pos >= 0:
                if pos and (text[pos - 1].isalnum() or text[pos - 1] == "'"):
                    if (at := start.search(text, pos + 1)) is None:
                        break
                    pos = at.start()
                m = anchored.match(text, pos)
                if m and (guard is None or not guard(text, m)):
                    return m
                pos = text.find(key, pos + 1)
            for rx in searched:
                for m in rx.finditer(text):
                    if guard is None or not guard(text, m):
                        return m
        return None
