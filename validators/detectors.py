"""Listening detectors shared by the validators, the offline generator and the evaluation.

Rule-based and precompiled (plain regexes and word sets, a tiny suffix stemmer) so that the
validator keeps well above 3,000 triples/s on one core. Try: ``python -m evals.score``.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A sentence ends at . ! ? (or a newline); the delimiter is kept so questions can be told apart.
_SENT = re.compile(r"[^.!?\n]+[.!?]*")

STOP = frozenset("""
a about above after again against ago all almost also although always am an and another any
anyone anything anyway are aren't around as at away back be became because become been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't done down during each either else even ever every everyone everything few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it'd it'll
it's its itself just least less let let's many may me might mine more most much must mustn't my
myself neither never no nobody none nor not nothing now of off often on once one only onto or
other others ought our ours ourselves out over own per perhaps quite rather same shan't she
she'd she'll she's should shouldn't since so some somebody someone something sometimes still
such than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've this those though through to too toward towards under until up upon
us very was wasn't we we'd we'll we're we've were weren't what what's whatever when when's
where where's whether which while who who's whom whose why why's will with within without
won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
yes yeah oh ok okay o'clock s t
""".split())

# Stock helpline vocabulary and feeling words: a response that uses only these has picked up
# nothing the caller actually said, so they never count as a specific.
STOCK = frozenset("""
feel feels feeling feelings felt really sound sounds sounded sounding going go goes went gone
like likes liked thing things time times know knew known think thinking thought just lot lots
get gets getting got make makes making made want wanted need needs needed say says said saying
tell telling told way ways right now today tonight much hard harder difficult tough sure
happen happened happening happens share sharing shared thank thanks listen listening here mind
seem seems seemed bit kind sort stuff moment moments day days week lately recently really
talk talking talked hear heard sorry glad okay fine well good bad lot able let take taking
come comes coming came look looking see seeing seen carry carrying heavy weight situation
leave leaves leaving left more most anything everything something nothing someone anyone
everyone people person life lives whole part even still already always never ever also
things place space open reach reached reaching saying help helps helped helping support
mean means meant put keep kept try tried trying start started give gave use used
sad upset hurt hurting lonely alone scared afraid frightened anxious anxiety worried worry
worries worrying angry anger overwhelmed overwhelming exhausted tired stressed stress
ashamed shame guilty guilt hopeless lost confused frustrated frustrating painful pain
awful terrible horrible scary hopeless isolating isolated numb empty low down stuck
happy sadness fear grief upsetting distressing frightening hurtful
""".split())

EMOTION = frozenset("""
sad sadness upset hurt hurting lonely loneliness alone isolated isolating scared afraid
frightened frightening fear anxious anxiety worried worry worrying nervous panicky panic angry
anger furious rage resentful overwhelmed overwhelming exhausted exhausting drained tired
stressed stress ashamed shame embarrassed humiliated guilty guilt hopeless helpless lost
confused frustrated frustrating painful pain heartbroken grief grieving devastated numb empty
low down stuck trapped jealous bitter rejected abandoned invisible unwanted worthless
disappointed miserable awful terrible horrible scary heavy raw tender gutting crushing
unsettling unsettled torn conflicted dread dreading uneasy desperate distressing hard tough
difficult painful lonely relieved grateful proud excited happy joy sting stings hurts
""".split())

_STEM_RULES = (
    ("ies", "i"), ("ied", "i"), ("ing", ""), ("ed", ""), ("es", ""), ("ly", ""), ("s", ""),
    ("y", "i"),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one common English suffix (and a possessive) from a lowercase word."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, repl in _STEM_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: len(word) - len(suffix)] + repl
            break
    # Drop a doubled final consonant left by -ing/-ed ("stopped" -> "stopp" -> "stop").
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lowercase word tokens (apostrophes normalised, so "don't" stays one token)."""
    return _WORD.findall(text.translate(_APOS).lower())


_STOP_STEMS = frozenset(stem(w) for w in STOP | STOCK | EMOTION)


def content_stems(text: str) -> set[str]:
    """Stems of content words: stop-words, stock helpline phrases and feeling words excluded."""
    out = set()
    for w in words(text):
        if w in STOP or w in STOCK or w in EMOTION or len(w) < 3 and not w.isdigit():
            continue
        s = stem(w)
        if s not in _STOP_STEMS:
            out.add(s)
    return out
