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
    ("ancy", "an"),  # pregnancy ~ pregnant
    ("ant", "an"),
    ("ies", "i"),
    ("ied", "i"),
    ("ing", ""),
    ("ed", ""),
    ("es", ""),
    ("ly", ""),
    ("s", ""),
)
# Two-letter words that are never a specific; other two-letter words (GP, PE, ex, A&E's "ae")
# are kept because callers name things that way.
_SHORT_NOISE = frozenset("go hi ah um er mm eh ha ye ya aw uh xx re vs".split())


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
    # A final y after any other rule, so "kidneys" and "kidney" meet at "kidnei".
    return word[:-1] + "i" if len(word) > 3 and word[-1] == "y" else word


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
        if w in STOP or w in STOCK or w in EMOTION or len(w) < 2 or w in _SHORT_NOISE:
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


_LOOKS = re.compile(r"^(?:\(\?<[!=][^)]*\))*(?:\\b)?")  # leading lookbehinds and \b
_GROUP_TRIGGER = re.compile(
    r"^\(\?:((?:[a-z']+(?: [a-z']+)*\|)*[a-z']+(?: [a-z']+)*)\)(?: |\\b|\(\?:')"
)
_WORD_TRIGGER = re.compile(r"^([a-z']+)(?: |\\b|\(\?:'|\?|$)")


class _Alternation:
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

    def _hits(self, text: str, key: str):
        if rx := self.anchored.get(key):
            pos = text.find(key)
            while pos >= 0:
                if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "'")) and (
                    m := rx.match(text, pos)
                ):
                    yield m
                pos = text.find(key, pos + 1)
        for rx in self.searched.get(key, ()):
            yield from rx.finditer(text)

    def search(self, text: str, toks: frozenset[str]) -> re.Match[str] | None:
        for key in self.keys.intersection(toks):
            for m in self._hits(text, key):
                if self.guard is None or not self.guard(text, m):
                    return m
        return None


# "she says you should", "being told you're overreacting", "you feel you should have": the
# verdict belongs to someone the caller quoted, not to the listener.
_REPORTED = re.compile(
    r"\b(?:said|says|saying|told|tells|telling|thinks?|thought|feels?|felt|believes?|believed|"
    r"expects?|expected|wants?|wanted|insists?|insisted|reckons?|reckoned|hear|heard|"
    r"argues|argued|claims?|claimed|keeps? saying)(?: that)? $"
)
_LISTENER = re.compile(r"\bi(?:'d| do| really| also)? \S+(?: that)? $")


def _reported(text: str, m: re.Match[str]) -> bool:
    prefix = text[max(0, m.start() - 40) : m.start()]
    return bool(_REPORTED.search(prefix)) and not _LISTENER.search(prefix)


# Verbs that open an instruction ("Try ...", "Call her", "Don't ..."); exceptions are invitations.
_IMPERATIVE = frozenset(
    """
try talk tell call ring phone text message email reach go take make get don't do stop give
focus remember write ask speak see book let keep put set avoid consider think look find join
start plan breathe treat spend practise practice schedule contact seek report eat drink use be
remind allow accept forgive leave move apply download list note walk exercise limit cut delete
block unfollow bring invite read check stay hang lean sleep visit confront distract journal
mute turn switch say sit surround prioritise prioritize ignore tidy drop quit learn push
change explain apologise apologize save stretch throw snap hold wait cancel pack buy sell
sign register stand shout send post share hide lock file record document swap borrow pay
step follow trust open rest relax calm slow hug pray enjoy embrace forget count imagine
picture celebrate cry smile reconnect arrange ground
""".split()
)
_NOT_IMPERATIVE = re.compile(
    r"^(?:(?:tell|talk|walk) (?:me|us)\b|let me\b|take your time\b|go on\b|"
    r"say (?:more|a bit more|a little more)\b|(?:do|be|say|see|look)\b.*\?$|"
    r"sleep\b(?! more| earlier)|let alone\b|share (?:more|a bit)\b|talk about (?:a|an|what)\b|"
    r"try as\b|open\b.*\?$)"
)
_LEAD = re.compile(
    r"^(?:(?:and|so|but|then|also|now|ok|okay|well|please|just|maybe|perhaps|honestly|first|"
    r"firstly|right|look|listen|oh|yes|no|seriously|instead|tonight|tomorrow|today|next time|"
    r"for now|from now on|in future|in the meantime|meanwhile|after that|afterwards)\b[\s,]*)+"
)
_TELL = r"(?:tell (?!me|us)|ask|call|ring|phone|text|talk|speak|reach|join|book|go|write|start|"
_TELL += r"look|get|see|contact|visit|let|use|plan|put|keep|find|make|take|check|set|email|"
_TELL += r"message|apply|report|move|leave|stop|try|consider|think about|sign|borrow|video)\b"

_ADVICE = _Alternation(
    (
        r"\byou (?:really |probably |definitely |just |honestly |absolutely |also |still )?"
        r"(?:should|shouldn't|ought to|need to|must(?! have| be| feel)|"
        r"mustn't|have to(?! be so)|'ve got to|got to|gotta)\b",
        r"(?<!do )(?<!what )\byou (?:really |probably |definitely |just )?need "
        r"(?:a|an|some|more)\b",
        r"\b(?:maybe|perhaps) you (?:could|can|might|should)\b",
        # "you could call" opening a clause is a suggestion; "the quiet you can find" is not.
        (
            "you",
            r"(?:(?<=^)|(?<=[,;:] )|(?<=\band )|(?<=\bso )|(?<=\bbut )|(?<=\bthen )|(?<=\bor )|"
            r"(?<=\bnow )|(?<=\balso )|(?<=\bif )|(?<=\bstill )|(?<=\btonight )|(?<=\btoday ))you "
            r"(?:could|can|might) (?:also |always |just |even |still )?" + _TELL,
            True,
        ),
        # "Could you ask Steve's boss?" suggests; "can you call 999?" asks what is possible.
        r"(?<!what )(?<!how )(?<!who )\b(?:could|would) you (?:not )?(?:maybe )?"
        + _TELL.replace("try|", ""),
        r"\bwhy (?:don't|not|wouldn't) (?:you\b)?",
        r"\bhow about\b",
        r"\bdon't you think\b",
        r"\bhave you (?:tried|thought about|thought of|considered|looked into|looked at|"
        r"asked about)\b",
        # Asking whether a named person was told nudges; "have you told anyone" explores support.
        r"\bhave you (?:told|talked to|spoken to|asked|explained to) "
        r"(?!anyone|anybody|someone|somebody|me\b|us\b)",
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
        r"(?<!to )\bmake sure\b",
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
        r"\byou can still\b",
        r"\blook on the bright side\b",
        # A verdict on a third party; the literal "your" lets re skip ahead fast.
        ("should shouldn't ought", r"your [a-z']+ (?:should|shouldn't|ought to)(?! have)\b"),
        (
            "should shouldn't ought",
            r"(?:(?<=\bthey )|(?<=\bhe )|(?<=\bshe )|(?<=\bpeople )|"
            r"(?<=\beveryone ))(?:should|shouldn't|ought to)(?! have)\b",
            True,
        ),
    ),
    guard=_reported,
)
_VERDICT = (
    r"selfish|wrong|jealous|toxic|lucky|mean|cruel|unfair|immature|pathetic|ridiculous|lazy|"
    r"out of order|not worth \w+|a bully|bullies|abusive|controlling|manipulative|a real friend|"
    r"real friends|not a real \w+|"
    r"not your friends?|not good enough for you|worth it"
)
_JUDGE = _Alternation(
    (
        r"\bnot your fault\b",
        r"\b(?:did|done|do) nothing wrong\b",
        r"\b(?:haven't|didn't|don't) (?:done|do) anything wrong\b",
        r"\bnothing wrong with you\b",
        r"\bthe right (?:thing|choice|decision)\b",
        r"\beverything (?:will|is going to|'s going to|'ll) (?:be|turn out|work out)\b",
        r"\b(?:it|things|this|that)(?:'ll| will| is going to|'s going to) (?:all )?"
        r"(?:be (?:ok|okay|"
        r"fine|alright|all right)|get better|work out|pass|improve)\b",
        r"\bthings will\b",
        r"(?<!how )(?<!if )(?<!whether )(?<!what )(?<!when )\byou(?:'ll| will) "
        r"(?:definitely |surely |soon |easily |still )?(?:be (?:ok|okay|fine|"
        r"alright|all right|great|happier|better)|get through|get over|feel better|find|make it|"
        r"be back|meet|pass|cope|manage|smash|ace|settle|love it)\b",
        r"(?<!not )\bi'm (?:sure|certain|confident)\b",
        r"\bi (?:know|bet) you(?:'ll| will| can)\b",
        r"\bit gets better\b",
        r"\bat least\b",
        r"\bproud of you\b",
        r"\bshould be proud\b",
        r"\byou(?:'re| are) (?:so |very |really |incredibly |clearly |just )?(?:brave|strong|"
        r"resilient|amazing|beautiful|mature|wonderful|brilliant|perfect|enough|lucky|loved|"
        r"doing (?:great|well|amazingly|so well|your best|an? (?:amazing|great|brilliant|"
        r"fantastic|good|wonderful) job)|a good|not (?:a )?(?:bad|failure|selfish|weak|crazy|"
        r"stupid|alone in this))\b",
        r"\byou(?:'re| are) (?:not )?overreacting\b",
        r"\bso (?:brave|strong|resilient)\b",
        r"\bnothing to be (?:ashamed|embarrassed|worried|scared)\b",
        r"\bno need to (?:feel|be|worry)\b",
        r"\bno shame in\b",
        r"\bit's (?:completely |totally |perfectly |very |so )?(?:normal|natural|understandable|"
        r"common)\b",
        r"\bthat's (?:completely |totally |perfectly |very |so )?(?:normal|natural|common)\b",
        r"\bthat's what matters\b",
        r"\bwhat matters is\b",
        r"\beveryone (?:feels|goes through|gets|has)\b",
        r"\bhappens to (?:everyone|all of us)\b",
        r"\byou (?:deserve|are worth) (?:better|more)\b",
        r"\b(?:doesn't|don't) deserve you\b",
        r"\bthat was (?:wrong|unfair|out of order)\b",
        (
            "is are was were isn't aren't he's she's they're",
            r"(?:is|are|was|were|isn't|aren't|he's|she's|they're)"
            r"(?: being| just| only| clearly| so|"
            r" really| not)* (?:" + _VERDICT + r")\b",
            True,
        ),
        (
            "sounds sound",
            r"(?<!that )(?<!it )(?<!this )(?<!which )(?<!there )(?<!what )"
            r"sounds? like (?:a|an|such an?) "
            r"(?:terrible|awful|horrible|toxic|bad|selfish|nasty|cruel|"
            r"useless|rubbish|nightmare)\b(?! (?:time|day|week|night|year|situation|place|shock))",
            True,
        ),
        r"\bunacceptable\b",
        r"\bnothing to worry about\b",
        r"\bthere's no reason to\b",
        r"\byou(?:'re| are) (?:right|not wrong) to\b",
        r"\bonly (?:natural|human)\b",
        r"\b(?:is|are) never the answer\b",
        r"\b(?:isn't|is not|not) the answer\b",
        r"\bfor the best\b",
        r"\bisn't everything\b",
        r"\bnot the end of the world\b",
        r"\bplenty of (?:people|other|others|fish|time)\b",
        ("turn turns turned", r"\bturn(?:s|ed)? out (?:fine|ok|okay|alright|all right|well)\b"),
        r"\b(?:can't|cannot|won't) (?:hurt|harm|kill) you\b",
        r"\b(?:can't|mustn't|shouldn't|don't) blame yourself\b",
        r"\b(?:he|she|they) (?:knew|know|knows) (?:how much )?you (?:loved|love|cared|care)\b",
        r"\bcouldn't have (?:known|done|stopped|prevented)\b",
        r"\bnothing (?:you|more you) could have done\b",
        r"\bwouldn't want you to\b",
        r"\bwhatever you decide\b",
        r"\b(?:so much|a lot|everything) to live for\b",
        r"\bwill come (?:round|around)\b",
        r"\bsilver lining\b",
    ),
    guard=_reported,
)
_OPEN_INVITE = _Alternation(
    (
        r"\btell me (?:more|about|a bit|a little|what|how|whatever)\b",
        r"\b(?:can|could|would|will) you (?:tell|say|share|talk|describe|explain) "
        r"(?:me |us )?(?:more|a bit|a little|about|what|how|when|where|why)\b",
        r"\bwould you like to (?:tell|say|talk|share)\b",
        r"\bsay (?:a (?:bit|little) )?more\b",
        r"\bi(?:'m)? wonder(?:ing)? (?:what|how|whether|if)\b",
        r"\bi'm curious (?:what|how|about)\b",
        r"\bwalk me through\b",
        r"\btalk (?:to )?me (?:through|about)\b",
    )
)
_WH = frozenset("what what's whats how how's why which where when who whose whom".split())
_AUX = frozenset(
    """
are is am was were do does did have has had can could would will should shall may might
isn't aren't don't doesn't didn't won't wouldn't haven't hasn't can't couldn't shouldn't
wasn't weren't
""".split()
)
_FEELING = _Alternation(
    (
        r"\b(?:sound|sounds|sounded|sounding|seem|seems|seemed|seeming)\b",
        r"\bmust (?:be|have|feel)\b",
        r"\b(?:feel|feeling|felt)\b",
        r"\bi (?:can )?hear\b",
        r"\bi'm hearing\b",
        r"\bi (?:get|sense|'m getting) (?:the|a) sense\b",
        r"\b(?:left|leaves|leaving) you\b",
        r"\bit's been\b",
        r"\bweighing on you\b",
    )
)
# Stock sympathy ("That must be so hard", "I hear you"): a feeling frame with nothing else in it
# names no feeling of the caller and nothing they said.
_SYMPATHY = STOP | frozenset(
    """
sound sounds sounded seem seems seemed must really hard tough difficult awful terrible horrible
rough lot like hear situation time thing things that's it's sorry thank thanks sharing
""".split()
)
# The listener talking about themselves: "my ex was the same", "I can't sleep either".
_SELF = re.compile(
    r"\bmy\b|\bme too\b|^i\b.*\b(?:either|too)\b|\bi get it\b|"
    r"\bi know (?:exactly )?(?:how|what) you\b|"
    r"^i (?:was|did|had|moved|went|used|remember|can't|cannot|also|have|'ve|lost)\b"
)
_INVITE_START = re.compile(r"^(?:tell|talk(?! about (?:a|an|what)\b)|walk|say|share|describe)\b")
# A question that names the risk act itself is about this caller even with no shared word.
_RISK_Q = re.compile(
    r"\b(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|burn(?:ing)?|end(?:ing)?) "
    r"(?:yourself|your life|it all)\b|\bsuicid|\btake your (?:own )?life\b|\boverdos|"
    r"\bjump(?:ing)?\b|"
    r"\bthinking (?:about|of) (?:using|drinking|taking|ending)\b|\bself-harm|\brelapse"
)
_CLAUSE = re.compile(r"\s*[,;:\u2013\u2014]\s*|\s+-\s+")


_LEAD_FIRST = frozenset(_WORD.findall(_LEAD.pattern.replace("?:", "")))


def _lead(clause: str) -> str:
    """A clause without its leading connectives ("and so, call her" -> "call her")."""
    clause = clause.strip()
    if clause.split(" ", 1)[0].rstrip(",") not in _LEAD_FIRST:
        return clause  # the common case: no regex needed
    return _LEAD.sub("", clause).strip()


@lru_cache(maxsize=16384)
def _toks(sentence: str) -> frozenset[str]:
    """Words of a sentence, a contraction also under its base ("it'll" -> "it")."""
    ws = _WORD.findall(sentence)
    return frozenset(ws).union(w.split("'", 1)[0] for w in ws if "'" in w)


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENT.findall(_norm(text)) if s.strip(" .!?"))


def _is_imperative(sentence: str) -> bool:
    """An instruction opens the sentence or one of its clauses ("If she calls, tell her ...")."""
    for clause in _CLAUSE.split(sentence):
        s = _lead(clause)
        first = s.split(" ", 1)[0] if s else ""
        if first in _IMPERATIVE and not _NOT_IMPERATIVE.match(s):
            return True
    return False


@lru_cache(maxsize=16384)
def _sentence_directive(sentence: str) -> bool:
    toks = _toks(sentence)
    return bool(
        _ADVICE.search(sentence, toks) or _JUDGE.search(sentence, toks) or _is_imperative(sentence)
    )


@lru_cache(maxsize=16384)
def _question_kind(sentence: str) -> str | None:
    """'open', 'closed' or None for one sentence."""
    if _OPEN_INVITE.search(sentence, _toks(sentence)):
        return "open"
    if not sentence.endswith("?"):
        return None
    clauses = [_lead(c) for c in _CLAUSE.split(sentence.rstrip("?"))]
    for i, clause in enumerate(clauses):
        parts = clause.split()
        first = parts[0] if parts else ""
        if first in _WH or (
            first in ("and", "or", "i") and i and len(parts) > 1 and parts[1] in _WH
        ):
            return "open"
        if first in _AUX:
            return "closed"
    return "closed"


@lru_cache(maxsize=4096)
def _prompt_info(prompt: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Content stems, word set (plain and I->you mapped) and mapped tokens of the prompt."""
    toks = _words(prompt)
    mapped = tuple(map(_YOU.get, toks, toks))
    return _content_stems(prompt), frozenset(toks) | frozenset(mapped), mapped


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


# A restatement turns the caller's "I feel" into "you feel"; compare after the same swap.
_YOU = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "am": "are",
}


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


def _reflects(sentence: str, prompt: str) -> bool:
    """One statement names a feeling or restates something the caller said."""
    if sentence.endswith("?") or _INVITE_START.match(sentence) or _SELF.search(sentence):
        return False
    toks = _toks(sentence)
    if not _SYMPATHY.issuperset(toks) and (
        _FEELING.search(sentence, toks) or not EMOTION.isdisjoint(toks)
    ):
        return True
    return picks_up_specific(sentence, prompt)


@lru_cache(maxsize=8192)
def is_reflection(response: str, prompt: str) -> bool:
    """Reflects a feeling or the content of the prompt; advice and questions never do."""
    if is_directive(response):
        return False
    return any(_reflects(s, prompt) for s in _sentences(response))


def is_echo(response: str, prompt: str) -> bool:
    """A run of >= 6 prompt words, or most of the prompt's 3-grams (or 2-grams) copied."""
    _, vocab, mapped = _prompt_info(prompt)
    toks = _words(response)
    run = longest = shared = 0
    for w in toks:  # cheap necessary conditions first: most rows copy little
        run = run + 1 if w in vocab else 0
        longest = max(longest, run)
        shared += run > 0
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


def _share(prompt_grams: frozenset, got: set) -> float:
    return len(prompt_grams & got) / len(prompt_grams) if prompt_grams else 0.0


def asks_about_risk(response: str) -> bool:
    """A question that names the risk act itself ("Are you thinking of jumping tonight?")."""
    return any(s.endswith("?") and _RISK_Q.search(s) for s in _sentences(response))


def is_generic(response: str, prompt: str) -> bool:
    """Non-directive, content-free stock response: picks up no specific of the prompt."""
    if not _words(response) or is_directive(response) or asks_about_risk(response):
        return False
    if not _prompt_info(prompt)[0]:  # nothing concrete to pick up: a tailored reflection counts
        return not is_reflection(response, prompt)
    return not picks_up_specific(response, prompt)


# The boolean detectors, in the order every report lists them; `score` adds specificity, words
# and empty. The eval task YAML, the scoring CLI and the metrics all take the names from here.
NAMES = ("directive", "open_question", "closed_question", "reflection", "echo", "generic")
SCORE_FIELDS = (*NAMES, "empty", "specificity", "words")


def score(response: str, prompt: str) -> dict:
    """All detectors for one response to one prompt (keys: SCORE_FIELDS)."""
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
