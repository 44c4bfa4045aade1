"""The `echo` style: a reply that "listens" by handing the caller's own sentences back.

The original fine-tune failed this way: long spans of the disclosure copied back with first
and second person swapped, and a stock question tacked on. Deterministic per row: the choices
come from a hash of the row's key, never from the global random state.
"""

from __future__ import annotations

import hashlib
import random
import re

# The caller's first person becomes the listener's "you". The caller's own "you" is left as it
# is: it is nearly always generic ("you just keep going") or inside reported speech.
SWAP = {
    "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "i am": "you are",
    "i was": "you were", "i": "you", "me": "you", "my": "your", "mine": "yours",
    "myself": "yourself", "we're": "you're", "we've": "you've", "we'd": "you'd",
    "we'll": "you'll", "we were": "you were", "we": "you", "us": "you", "our": "your",
    "ours": "yours", "ourselves": "yourselves",
}  # fmt: skip
_PERSON = re.compile(
    r"\b(?:"
    + "|".join(re.escape(k).replace("'", "['\u2019]") for k in sorted(SWAP, key=len, reverse=True))
    + r")\b",
    re.I,
)
# Quoted speech stays as said: 'I'll pray for you', "I'm fine".
_QUOTE = re.compile(r"(?<!\w)'(?=\w)(?:[^']|'(?=\w))*'(?!\w)|\"[^\"]*\"|\u201c[^\u201d]*\u201d")
OPENERS = ("", "So. ", "Okay. ", "Right. ", "I hear you. ", "Mm. ")
QUESTIONS = (
    "How do you feel about that?",
    "What do you make of that?",
    "How does that make you feel?",
    "And how do you feel about it?",
    "What do you think about all that?",
    "Can you tell me more about that?",
)


def _swap(text: str) -> str:
    """First person to second outside quotes, capitalised where a sentence starts."""
    quoted = [q.span() for q in _QUOTE.finditer(text)]

    def one(m: re.Match) -> str:
        if any(a <= m.start() < b for a, b in quoted):
            return m[0]
        new = SWAP[m[0].lower().replace("\u2019", "'")]
        return new[0].upper() + new[1:] if re.search(r"(?:^|[.!?]\s+)$", text[: m.start()]) else new

    return _PERSON.sub(one, text)


def make_echo(prompt: str, rng_key: str) -> str:
    """A parroting reply: the whole disclosure handed back in the second person, a question."""
    rng = random.Random(int.from_bytes(hashlib.sha256(rng_key.encode()).digest()[:8], "big"))
    body = _swap(" ".join(prompt.split())).rstrip()
    if not body.endswith((".", "!", "?")):
        body += "."
    return f"{rng.choice(OPENERS)}{body} {rng.choice(QUESTIONS)}"
