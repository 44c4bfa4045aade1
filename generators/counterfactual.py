"""Counterfactual expansion of a seed, the offline `paraphrase` op: its specifics swapped by
one mapping in the disclosure and every reply, so the aligned reply keeps its hand-written
wording and names only what this caller said; names swap within gender, so pronouns fit."""

from __future__ import annotations

import random
import re
from functools import cache, lru_cache
from pathlib import Path

import yaml

from core import specifics as sp
from core.detectors import words

FIELDS = ("prompt", "aligned", "neutral", "directive", "generic")
BANK = Path(__file__).parent / "banks" / "counterfactual.yaml"
P_SWAP = 0.7  # chance that each specific found changes in a variant (one always does)
ATTEMPTS = 6  # draws per wanted variant before a seed with few options gives up
HIDDEN_K = 2  # variants at most when the aligned reply names nothing that can change
_DURATION = re.compile(r"\b(?P<a>[Aa]|[Oo]ne) (?P<u>week|month|year)(?P<pos>'s)?\b")
_RATE = re.compile(r"(?:\d\w*|pounds|quid|once|twice|times|per|half|every|\w\w+s|or so) $", re.I)


@cache
def lexicon() -> tuple[list[dict], dict, re.Pattern, dict]:
    """(classes, form -> (class, entry, form index), matcher, the rest of the bank)."""
    data = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    classes, index = [], {}
    for spec in data.pop("classes").values():
        spec = spec if isinstance(spec, dict) else {"members": spec}
        entries = [tuple(m.split("|")) for m in spec["members"] + spec.get("targets_only", [])]
        classes.append({**spec, "targets": entries})  # members first, so indices agree
        entries = entries[: len(spec["members"])]
        for e, entry in enumerate(entries):
            for f, form in enumerate(entry):  # lowercase entries match in any case
                index[form.lower() if form[0].islower() else form] = (len(classes) - 1, e, f)
    keys = sorted(index, key=len, reverse=True)
    alts = [f"(?i:{re.escape(k)})" if k[0].islower() else re.escape(k) for k in keys]
    rx = re.compile(rf"(?<![\w&])(?P<w>{'|'.join(alts)})(?P<suf>'s|s'|es|s)?(?![\w&]|-\w)")
    return classes, index, rx, data


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[tuple, tuple, tuple]:
    """Lexicon hits (match, class, entry, form, held by a guard), numbers and durations."""
    classes, index, rx, _ = lexicon()
    hits = []
    for m in rx.finditer(text):
        c, e, f = index.get(m["w"]) or index[m["w"].lower()]
        held = re.search(classes[c].get("freeze_before", "(?!)"), text[: m.start()])
        held = held or re.search(classes[c].get("freeze_after", "(?!)"), text[m.end() :][:30])
        hits.append((m, c, e, f, bool(held)))
    # "a month" may become "three months", but "£5 a month" is a rate, not a duration
    durs = [m for m in _DURATION.finditer(text) if not _RATE.search(text[: m.start()][-12:])]
    return tuple(hits), tuple(sp.number_matches(text)), tuple(durs)


def _has(texts: list[str], *words: str) -> bool:
    return any(re.search(rf"\b{re.escape(w)}\b", t, re.I) for t in texts for w in words)


def _around(n: int, d: int = 0, lo: int = 2, hi: int = 10**6, by: tuple = ()) -> set[int]:
    """Values within d of n (and in lo..hi), or n scaled by `by` to its own precision."""
    step = 10 ** max(0, len(str(n)) - 2) * (5 if 10 < n < 100 and n % 10 == 0 else 1)  # 40 -> 5s
    near = set(range(max(lo, n - d), min(hi, n + d) + 1))
    return (near | {max(2, round(n * f / step) * step) for f in by}) - {n}


def _candidates(m: re.Match, v: float, text: str) -> tuple[int, set[int] | None]:
    """(how telling the deciding rule is, values the number may take; None where it stays)."""
    ctx, n = f"{text[: m.start()][-12:]}\0{m[0]}\0{text[m.end() :][:12]}", int(v)
    rules = enumerate(lexicon()[3]["numbers"])
    rank, rule = next((i, r) for i, r in rules if re.search(r["when"], ctx))
    if v != n or n < 2 or m["k"] or m["ord"] or str(n) in sp.SERVICE_NUMBERS or rule.get("keep"):
        return 99, None
    band = next((b for b in rule.get("bands", []) if n <= b[0]), None)
    hi, near, lo = band or (rule.get("hi", 10**6), rule.get("near", 0), rule.get("lo", 2))
    return -rank, _around(n, near, lo, hi, () if band else tuple(rule.get("by", ())))


def _plan(seed: dict) -> dict:
    """What in this seed may change, and to what: computed once per seed."""
    classes, _, _, data = lexicon()
    texts, prompt = [seed[f] for f in FIELDS if seed.get(f)], seed["prompt"]
    # A reply that counts from the disclosure ("four days": Sunday to Thursday) keeps its dates.
    dated = any(sp.numbers(x) for x in sp.missing_specifics(seed["aligned"], prompt))
    found = {(c, e) for _m, c, e, _f, _h in _parse(prompt)[0]}
    held = {(c, e) for t in texts for _m, c, e, _f, h in _parse(t)[0] if h}
    for c, e in found:
        cls, twins = classes[c], {x for x in found if x[0] == c}
        if cls.get("dated") and dated or cls.get("single") and len(twins) > 1:
            held.add((c, e))
        held |= {(c, e)} if _has(texts, *cls.get("freeze_words", [])) else set()
    for group in data["bound"]:  # two of a group in one seed hold each other in place
        if sum(_has([prompt], w) for w in group) > 1:
            held |= {(c, e) for c, e in found if set(classes[c]["targets"][e]) & set(group)}
    pool = {k: [t for t in classes[k[0]]["targets"] if not _has(texts, *t)] for k in found - held}
    # A number takes the role of its most telling occurrence ("I'm 17" over "at seventeen").
    in_prompt = set() if dated else {v for m, v in _parse(prompt)[1] if not m["ord"]}
    occ = [(_candidates(m, v, t), v) for t in texts for m, v in _parse(t)[1]]
    values = {v: c for (_p, c), v in sorted(occ, key=lambda o: o[0][0]) if v in in_prompt}
    items = [("lex", k) for k in sorted(pool)] + [("num", v) for v, c in values.items() if c]
    items += [] if dated else [("dur", u) for u in sorted({m["u"] for m in _parse(prompt)[2]})]
    said = {("lex", (c, e)) for _m, c, e, _f, _h in _parse(seed["aligned"])[0]}
    said |= {("num", v) for _m, v in _parse(seed["aligned"])[1]}
    shown = [i for i in items if i in said or i[1] in {m["u"] for m in _parse(seed["aligned"])[2]}]
    return {"items": items, "pool": pool, "values": values, "shown": shown}


def _draw(plan: dict, rng: random.Random) -> tuple[dict, dict, dict]:
    """One consistent mapping: lexicon entry -> entry, number -> number, unit -> count."""
    items, shown = plan["items"], plan["shown"]
    chosen = [it for it in items if rng.random() < P_SWAP]
    if shown and not set(chosen) & set(shown):
        chosen.append(rng.choice(shown))  # change something the aligned reply names
    lex, vmap, dmap, taken = {}, {}, {}, set(plan["values"])
    for kind, key in chosen or [rng.choice(items)]:
        if kind == "num" and (pool := sorted(plan["values"][key] - taken)):
            vmap[key] = rng.choice(pool)
            taken.add(vmap[key])
        elif kind == "dur":
            dmap[key] = rng.choice(range(2, 5 if key == "year" else 7))
        elif kind == "lex" and (pool := [t for t in plan["pool"][key] if t not in lex.values()]):
            lex[key] = rng.choice(pool)
    return lex, vmap, dmap


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply (start, end, new) edits, fixing an 'a'/'an' right before an edited word."""
    out, last = [], 0
    for start, end, new in sorted(edits):
        said = sp.spoken(int(re.match(r"\d+", new)[0])) if new[0].isdigit() else new
        an = said[0].lower() in "aeio" or said.lower().startswith(("eight", "eleven", "hour"))
        out += [re.sub(r"\b([Aa])n? $", rf"\g<1>{'n' * an} ", text[last:start]), new]
        last = end
    return "".join(out) + text[last:]


def _case(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() and new[:1].islower() else new


def swap(text: str, lex: dict, vmap: dict, dmap: dict) -> str:
    """The text under one variant's mapping (plural and possessive endings kept)."""
    edits = []
    for m, c, e, f, _h in _parse(text)[0]:
        if new := lex.get((c, e)):
            new, suf = new[f], m["suf"] or ""
            suf = re.sub(r"^e?s$", "es" if new.endswith(("s", "sh", "ch", "x")) else "s", suf)
            edits.append((m.start(), m.end(), _case(new, m["w"]) + suf))
    for m, v in _parse(text)[1]:  # no lexicon entry holds a number, so edits never overlap
        if v in vmap and not m["ord"]:
            n, grp = vmap[v], "num" if m["num"] else "words"
            new = _case(sp.spoken(n), m[grp]) if m["words"] else f"{n:,}" if "," in m[0] else str(n)
            new += {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(n, "th") * bool(
                m["th"]
            )
            edits.append((m.start(grp), m.end("th") if m["th"] else m.end(grp), new))
    for m in _parse(text)[2]:
        if m["u"] in dmap:
            new = f"{_case(sp.spoken(dmap[m['u']]), m['a'])} {m['u']}s" + "'" * bool(m["pos"])
            edits.append((m.start(), m.end(), new))
    return _apply(text, edits)


def vary(prompt: str, rng: random.Random) -> str:
    """Light variation that keeps meaning: contractions one way or the other, an opener."""
    bank, roll = lexicon()[3], rng.random()
    for long, short, where in bank["contractions"] if roll < 0.5 else []:
        apos = re.escape(short).replace("'", "['\u2019]")
        src, dst = (rf"\b{long}\b{where}", short) if roll < 0.25 else (rf"\b{apos}(?![\w'])", long)
        prompt = re.sub(src, lambda m, d=dst: _case(d, m[0]), prompt, flags=re.I)
    first = (re.match(r"[\w']+", prompt) or [""])[0]
    keep = first == "I" or first.startswith("I'")  # else "Since ..." -> "Honestly, since ..."
    if rng.random() < 0.3 and (first.lower() in sp.FUNCTION or keep):
        start = prompt if keep else prompt[0].lower() + prompt[1:]
        prompt = f"{rng.choice(bank['openers'])} {start}"
    if rng.random() < 0.15 and prompt.endswith((".", "!", "?")):
        prompt = f"{prompt} {rng.choice(bank['closers'])}"
    return prompt


def expand(seed: dict, k: int, rng: random.Random, avoid: frozenset = frozenset()) -> list[dict]:
    """Up to k distinct variants, a specific swapped in each; none holding a 6-gram of `avoid`."""
    plan, out, seen, sid = _plan(seed), [], {tuple(seed.get(f) for f in FIELDS)}, seed["id"]
    want = k if plan["shown"] else min(k, HIDDEN_K)  # else the aligned text would repeat
    tries = want * ATTEMPTS if plan["items"] else 0
    while len(out) < want and (tries := tries - 1) >= 0:
        mapping = _draw(plan, rng)
        fields = {f: swap(seed[f], *mapping) for f in FIELDS if seed.get(f)}
        sig, fields["prompt"] = tuple(fields.get(f) for f in FIELDS), vary(fields["prompt"], rng)
        ws = words(fields["prompt"])
        if sig in seen or not avoid.isdisjoint(zip(*(ws[i:] for i in range(6)), strict=False)):
            continue
        seen.add(sig)
        meta = {"id": f"off-paraphrase-{sid}-{len(out)}", "parent_id": sid, "source": "offline"}
        out.append({key: val for key, val in seed.items() if key != "echo"} | fields | meta)
    return out
