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

STOP = frozenset(
    """
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
""".split()
)

# Stock helpline vocabulary and feeling words: a response that uses only these has picked up
# nothing the caller actually said, so they never count as a specific.
STOCK = frozenset(
    """
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
""".split()
)

EMOTION = frozenset(
    """
sad sadness upset hurt hurting lonely loneliness alone isolated isolating scared afraid
frightened frightening fear anxious anxiety worried worry worrying nervous panicky panic angry
anger furious rage resentful overwhelmed overwhelming exhausted exhausting drained tired
stressed stress ashamed shame embarrassed humiliated guilty guilt hopeless helpless lost
confused frustrated frustrating painful pain heartbroken grief grieving devastated numb empty
low down stuck trapped jealous bitter rejected abandoned invisible unwanted worthless
disappointed miserable awful terrible horrible scary heavy raw tender gutting crushing
unsettling unsettled torn conflicted dread dreading uneasy desperate distressing hard tough
difficult painful lonely relieved grateful proud excited happy joy sting stings hurts
""".split()
)

_STEM_RULES = (
    ("ies", "i"),
    ("ied", "i"),
    ("ing", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
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


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.translate(_APOS).lower()))


def words(text: str) -> list[str]:
    """Lowercase word tokens (apostrophes normalised, so "don't" stays one token)."""
    return list(_words(text))


_STOP_STEMS = frozenset(stem(w) for w in STOP | STOCK | EMOTION)


@lru_cache(maxsize=65536)
def _content_stems(text: str) -> frozenset[str]:
    out = set()
    for w in _words(text):
        if w in STOP or w in STOCK or w in EMOTION or len(w) < 3 and not w.isdigit():
            continue
        s = stem(w)
        if s not in _STOP_STEMS:
            out.add(s)
    return frozenset(out)


def content_stems(text: str) -> set[str]:
    """Stems of content words: stop-words, stock helpline phrases and feeling words excluded."""
    return set(_content_stems(text))


def _norm(text: str) -> str:
    return " ".join(text.translate(_APOS).lower().split())


_LOOKBEHINDS = re.compile(r"^(?:\(\?<![^)]*\))*")
_GROUP_TRIGGER = re.compile(
    r"^\(\?:((?:[a-z']+(?: [a-z']+)*\|)*[a-z']+(?: [a-z']+)*)\)(?: |\\b|\(\?:')"
)
_WORD_TRIGGER = re.compile(r"^([a-z']+)(?: |\\b|\(\?:'|$)")


class _Alternation:
    """Alternatives searched only when their first word occurs in the text.

    One big ``a|b|c`` with leading ``\\b`` makes Python's re try every branch at every
    character (~190 us per sentence); keyed on the first word it is a few microseconds.
    """

    def __init__(self, alternatives: tuple[str, ...]):
        self.pattern = "|".join(f"(?:{a})" for a in alternatives)
        self.keyed: dict[str, list[re.Pattern[str]]] = {}
        self.always: list[re.Pattern[str]] = []
        for alt in alternatives:
            behind = _LOOKBEHINDS.match(alt).group(0)
            body = alt[len(behind) :].removeprefix(r"\b")
            # Without the leading \b the literal prefix is found fast; the boundary is checked
            # by hand in search().
            rx = re.compile(behind + body)
            if m := _GROUP_TRIGGER.match(body):
                keys = {opt.split(" ", 1)[0] for opt in m.group(1).split("|")}
            elif m := _WORD_TRIGGER.match(body):
                keys = {m.group(1)}
            else:
                self.always.append(rx)
                continue
            for key in keys:
                self.keyed.setdefault(key, []).append(rx)

    def search(self, text: str) -> re.Match[str] | None:
        starts = _word_starts(text)
        for key in starts.keys() & self.keyed.keys():
            for pos in starts[key]:
                for rx in self.keyed[key]:
                    if m := rx.match(text, pos):
                        return m
        for rx in self.always:
            for m in rx.finditer(text):
                start = m.start()
                if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "'"):
                    return m
        return None


@lru_cache(maxsize=16384)
def _word_starts(text: str) -> dict[str, list[int]]:
    """Word -> its start offsets in text (a contraction also under its base: "it'll" -> "it")."""
    out: dict[str, list[int]] = {}
    for m in _WORD.finditer(text):
        w = m.group(0)
        out.setdefault(w, []).append(m.start())
        if "'" in w:
            out.setdefault(w.split("'", 1)[0], []).append(m.start())
    return out


def _rx(*alternatives: str) -> _Alternation:
    return _Alternation(alternatives)


# Verbs that open an instruction ("Try ...", "Call her", "Don't ..."); exceptions are invitations.
_IMPERATIVE = frozenset(
    """
try talk tell call ring phone text message email reach go take make get don't do stop give
focus remember write ask speak see book let keep put set avoid consider think look find join
start plan breathe treat spend practise practice schedule contact seek report eat drink use be
remind allow accept forgive leave move apply download list note walk exercise limit cut delete
block unfollow bring invite read check stay hang lean sleep visit confront distract journal
mute turn switch say sit surround prioritise prioritize ignore tidy drop quit learn push
change explain apologise apologize save stretch throw snap hold wait cancel pack buy sell tidy
sign register stand shout send post share hide lock file record document swap borrow pay
""".split()
)
_NOT_IMPERATIVE = _rx(
    r"^(?:tell|talk|walk) (?:me|us)\b",
    r"^talk to me\b",
    r"^let me\b",
    r"^take your time\b",
    r"^go on\b",
    r"^say (?:more|a bit more|a little more)\b",
    r"^(?:do|be|say|see|look)\b.*\?$",
    r"^sleep\b(?! more| earlier)",
    r"^let alone\b",
    r"^share (?:more|a bit)\b",
)
_LEAD = re.compile(
    r"^(?:(?:and|so|but|then|also|now|ok|okay|well|please|just|maybe|perhaps|honestly|first|"
    r"firstly|right|look|listen|oh|yes|no|seriously|instead|tonight|tomorrow|today|next time|"
    r"for now|from now on|in future|in the meantime|meanwhile|after that|afterwards)\b[\s,]*)+"
)

_ADVICE = _rx(
    r"\byou (?:really |probably |definitely |just |honestly |absolutely |also )?"
    r"(?:should|shouldn't|ought to|need to|must|mustn't|have to|'ve got to|got to|gotta)\b",
    r"\b(?:maybe|perhaps) you (?:could|can|might|should)\b",
    r"\byou (?:could|can|might) (?:also |always |just |even )?(?:try|consider|think about|ask|"
    r"call|ring|phone|text|talk|speak|reach|join|book|go|write|start|look|get|tell (?!me)|see|"
    r"contact|visit|let|use|plan|put|keep|find|make|take|check|set)\b",
    r"\bwhy (?:don't|not|wouldn't) (?:you\b)?",
    r"\bhow about\b",
    r"\bhave you (?:tried|thought about|thought of|considered|looked into|looked at|asked about)\b",
    r"\b(?:did|could|would|can|will) you (?:try|consider)\b",
    r"\bwhat if you\b",
    r"\bwhat about (?:\w+ing|getting|going|asking|trying|seeing|joining|booking)\b",
    r"\bit (?:might|may|could|would|will|can|should|often|usually) (?:really |also |honestly )?"
    r"help(?:s)?\b",
    r"\bit helps to\b",
    r"\bworth (?:trying|talking|a try|considering|asking)\b",
    r"\bgood idea\b",
    r"\bbest thing\b",
    r"\bi(?:'d| would)? (?:strongly )?(?:recommend|suggest|advise|urge)\b",
    r"\bmy (?:advice|suggestion|recommendation)\b",
    r"\bif i were you\b",
    r"\bi(?:'d| would) (?:\w+ )?(?:look|go|talk|tell|call|ring|speak|get|ask|try|start|find|"
    r"make|take|book|see|consider|think about|write|report|contact|leave|stop|apologise|put|"
    r"keep|join|change|move|quit|block|give)\b",
    r"\bwould be (?:better|best|good|wise|sensible) (?:for you|to)\b",
    r"\bmake sure\b",
    r"\bbe sure to\b",
    r"\bremember (?:to|that)\b",
    r"\bdon't forget\b",
    r"\bbetter off\b",
    r"\bit's (?:really |so )?important (?:to|that you)\b",
    r"(?<!you )(?<!i )(?<!we )(?<!they )(?<!she )(?<!he )(?<!to )\btry (?:to|not to)\b",
    r"\b(?:be|go) (?:kind|gentle|easy) (?:to|with|on) yourself\b",
    r"\blook after yourself\b",
    r"\btake care of yourself\b",
    r"\byou(?:'d| would) (?:be better|feel better)\b",
    r"\bplease (?:\w+ )?(?:call|ring|talk|speak|tell|reach|go|get|don't|try|contact|see)\b",
    r"\bthe first step\b",
    r"\bone (?:thing|option) (?:you|is)\b",
    r"\binstead of\b.*\byou\b",
)
_JUDGE = _rx(
    r"\bnot your fault\b",
    r"\b(?:did|done|do) nothing wrong\b",
    r"\b(?:haven't|didn't|don't) (?:done|do) anything wrong\b",
    r"\bnothing wrong with you\b",
    r"\b(?:did|doing|done|made) the right (?:thing|choice|decision)\b",
    r"\beverything (?:will|is going to|'s going to|'ll) (?:be|turn out|work out)\b",
    r"\b(?:it|things|this|that)(?:'ll| will| is going to|'s going to) (?:all )?(?:be (?:ok|okay|fine|"
    r"alright|all right)|get better|work out|pass|improve)\b",
    r"\bthings will\b",
    r"\byou(?:'ll| will) (?:be (?:ok|okay|fine|alright|all right)|get through|"
    r"feel better|find (?:someone|a way|your)|make it|be back)\b",
    r"\bit gets better\b",
    r"\bat least\b",
    r"\bproud of you\b",
    r"\bshould be proud\b",
    r"\byou(?:'re| are) (?:so |very |really |incredibly |clearly )?(?:brave|strong|resilient|"
    r"amazing|doing (?:great|well|amazingly|so well|your best)|a good|not (?:a )?(?:bad|failure|"
    r"selfish|weak|overreacting|crazy|stupid))\b",
    r"\bso (?:brave|strong|resilient)\b",
    r"\bnothing to be (?:ashamed|embarrassed|worried|scared)\b",
    r"\bno need to (?:feel|be|worry)\b",
    r"\bno shame in\b",
    r"\bit's (?:completely |totally |perfectly |very |so )?(?:normal|natural|understandable|common)"
    r"\b",
    r"\bthat's (?:completely |totally |perfectly |very |so )?(?:normal|natural|common)\b",
    r"\beveryone (?:feels|goes through|gets|has)\b",
    r"\bhappens to (?:everyone|all of us)\b",
    r"\byou (?:deserve|are worth) (?:better|more)\b",
    r"\b(?:doesn't|don't) deserve you\b",
    r"\boverreacting\b",
    r"\bthat was (?:wrong|unfair|out of order)\b",
    r"\b(?:he|she|they)(?:'s| is| are|'re| was| were) (?:wrong|out of order|toxic|not worth)\b",
    r"\bunacceptable\b",
    r"\bnothing to worry about\b",
    r"\bthere's no reason to\b",
    r"\byou(?:'re| are) (?:right|not wrong) to\b",
    r"\bonly (?:natural|human)\b",
)
_OPEN_INVITE = _rx(
    r"\btell me (?:more|about|a bit|a little|what|how|whatever)\b",
    r"\b(?:can|could|would|will) you (?:tell|say|share|talk) (?:me |us )?(?:more|a bit|a little|"
    r"about|what|how)\b",
    r"\bwould you like to (?:tell|say|talk|share)\b",
    r"\bsay (?:a (?:bit|little) )?more\b",
    r"\bi(?:'m)? wonder(?:ing)? (?:what|how|whether|if)\b",
    r"\bi'm curious (?:what|how|about)\b",
    r"\bwalk me through\b",
    r"\btalk (?:to )?me (?:through|about)\b",
)
_WH = frozenset("what what's whats how how's why which where when who whose whom".split())
_AUX = frozenset(
    """
are is am was were do does did have has had can could would will should shall may might
isn't aren't don't doesn't didn't won't wouldn't haven't hasn't can't couldn't shouldn't
wasn't weren't
""".split()
)
_FEELING = _rx(
    r"\b(?:sound|sounds|sounded|sounding|seem|seems|seemed|seeming)\b",
    r"\bmust (?:be|have|feel)\b",
    r"\byou(?:'re| are| were|'ve been| have been)? (?:\w+ )?(?:feel|feeling|felt)\b",
    r"\bi (?:can )?hear\b",
    r"\bi'm hearing\b",
    r"\bi (?:get|sense|'m getting) (?:the|a) sense\b",
    r"\b(?:left|leaves|leaving) you\b",
    r"\bit's been\b",
    r"\bweighing on you\b",
)
_CLAUSE = re.compile(r"\s*[,;:\u2013\u2014]\s*|\s+-\s+")


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENT.findall(_norm(text)) if s.strip(" .!?"))


def _is_imperative(sentence: str) -> bool:
    """An instruction opens the sentence or one of its clauses ("If she calls, tell her ...")."""
    for clause in _CLAUSE.split(sentence):
        s = _LEAD.sub("", clause).strip()
        first = s.split(" ", 1)[0] if s else ""
        if first in _IMPERATIVE and not _NOT_IMPERATIVE.search(s):
            return True
    return False


@lru_cache(maxsize=16384)
def _sentence_directive(sentence: str) -> bool:
    return bool(_ADVICE.search(sentence) or _JUDGE.search(sentence) or _is_imperative(sentence))


@lru_cache(maxsize=16384)
def _question_kind(sentence: str) -> str | None:
    """'open', 'closed' or None for one sentence."""
    if _OPEN_INVITE.search(sentence):
        return "open"
    if not sentence.endswith("?"):
        return None
    clauses = [_LEAD.sub("", c).strip() for c in _CLAUSE.split(sentence.rstrip("?"))]
    firsts = [c.split(" ", 1)[0] for c in clauses if c]
    for i, first in enumerate(firsts):
        if first in _WH or (
            first in ("and", "or", "i")
            and i
            and len(clauses[i].split()) > 1
            and clauses[i].split()[1] in _WH
        ):
            return "open"
        if first in _AUX:
            return "closed"
    return "closed"


@lru_cache(maxsize=4096)
def _prompt_info(prompt: str) -> tuple[frozenset[str], frozenset[tuple[str, ...]], frozenset]:
    toks = _words(prompt)
    six = frozenset(tuple(toks[i : i + 6]) for i in range(len(toks) - 5))
    tri = frozenset(tuple(toks[i : i + 3]) for i in range(len(toks) - 2))
    return _content_stems(prompt), six, tri


@lru_cache(maxsize=8192)
def directive_sentence(response: str) -> str | None:
    """The first sentence that advises, instructs or judges (None when there is none)."""
    return next((s for s in _sentences(response) if _sentence_directive(s)), None)


def is_directive(response: str) -> bool:
    """Advice, instructions, suggestions, evaluative judgement or false reassurance."""
    return directive_sentence(response) is not None


def questions(response: str) -> list[str]:
    """The question sentences of a response (lowercased)."""
    return [s for s in _sentences(response) if _question_kind(s)]


@lru_cache(maxsize=8192)
def open_question_count(response: str) -> int:
    """Number of open-question sentences (a listener asks one at a time)."""
    return sum(
        _question_kind(s) == "open" and not _sentence_directive(s) for s in _sentences(response)
    )


def has_open_question(response: str) -> bool:
    """A what/how/tell-me question that is not advice in disguise."""
    return open_question_count(response) > 0


def has_closed_question(response: str) -> bool:
    """A yes/no question (are you / do you / is it ...)."""
    return any(_question_kind(s) == "closed" for s in _sentences(response))


def picks_up_specific(response: str, prompt: str) -> bool:
    """At least one content stem of the prompt appears in the response."""
    return not _prompt_info(prompt)[0].isdisjoint(_content_stems(response))


def specificity(response: str, prompt: str) -> float:
    """Share (0..1) of the prompt's content stems that the response picks up."""
    stems = _prompt_info(prompt)[0]
    return len(stems & _content_stems(response)) / len(stems) if stems else 0.0


def is_reflection(response: str, prompt: str) -> bool:
    """Reflects a feeling or the content of the prompt (in a sentence that is not advice)."""
    calm = [s for s in _sentences(response) if not _sentence_directive(s)]
    if any(_FEELING.search(s) or not EMOTION.isdisjoint(_words(s)) for s in calm):
        return True
    return any(picks_up_specific(s, prompt) for s in calm if not s.endswith("?"))


def is_echo(response: str, prompt: str) -> bool:
    """A verbatim run of >= 6 prompt words, or more than 60% of the prompt's 3-grams copied."""
    _, six, tri = _prompt_info(prompt)
    toks = _words(response)
    if any(tuple(toks[i : i + 6]) in six for i in range(len(toks) - 5)):
        return True
    if not tri:
        return False
    got = {tuple(toks[i : i + 3]) for i in range(len(toks) - 2)}
    return len(tri & got) / len(tri) > 0.6


def is_generic(response: str, prompt: str) -> bool:
    """Non-directive, content-free stock response: picks up no specific of the prompt."""
    return (
        bool(_words(response))
        and not is_directive(response)
        and not picks_up_specific(response, prompt)
    )


def score(response: str, prompt: str) -> dict:
    """All detectors for one response to one prompt."""
    n = len(_words(response))
    return {
        "directive": is_directive(response),
        "open_question": has_open_question(response),
        "closed_question": has_closed_question(response),
        "reflection": is_reflection(response, prompt),
        "echo": is_echo(response, prompt),
        "generic": is_generic(response, prompt),
        "specificity": specificity(response, prompt),
        "words": n,
        "empty": n == 0,
    }
