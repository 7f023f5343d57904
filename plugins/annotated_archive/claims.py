"""Claims stage: checkable sentences of each article, who said them, where
else in the archive they appear, and which curator notes belong to them.

    extract_claims(doc) -> tuple[Claim, ...]
    corroborate(claims, versions) -> tuple[ClaimMatch, ...]
    anchor_notes(notes, claims) -> tuple[AnchoredNote, ...]

Pure functions: no Pelican/Jinja, no file I/O, no clock or randomness, no
module-level mutable state.  Heuristics are data (see the constants here and
in claims_text / claims_attr / claims_match); docs/claims.md explains them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from . import metadata as md
from .claims_attr import ORG_WORDS, Context, Person, Tok, attribute, name_runs, person_in, tokenize
from .claims_match import anchor_notes, corroborate
from .claims_text import ALL_QUOTES, Unit, _caseless_gate, guess_language, normalise, quoted_spans, units, words
from .models import Claim, CleanDoc

__all__ = ["extract_claims", "corroborate", "anchor_notes", "claim_id", "CLAIM_RULES"]

# ------------------------------------------------------------------- data

CLAIM_RULES = {
    "min_words": 5,  # shorter units are labels, not claims
    "min_quote_words": 4,  # a quotation shorter than this is a scare quote, not speech
    "min_document_quote_words": 8,  # an unattributed quotation this long is a claim (a document's words)
    "headline_cap_ratio": 0.6,  # share of capitalised words that makes an unpunctuated line a heading
}

# Lines that are page furniture, not text (lower-cased prefixes / patterns).
BOILERPLATE = tuple(
    re.compile(p, re.I)
    for p in (
        r"^(read|see) (more|also)\b",
        r"^comments?\s*/?\s*\d*$",
        r"^(related|advertisement|share|follow us|subscribe|sign up|click here|community policy)\b",
        r"^(copyright|©|all rights reserved)",
        r"^https?://\S+$",
        r"\b(photo|image|picture|credit|foto|bild)\s*:",  # captions
        r"^(leave a (reply|comment)|powered by)\b",
        r"^(lesen sie auch|mehr zum thema|lire aussi|voir aussi|leer más|leggi anche)\b",
    )
)

# Writer's own voice: analysis, hedging, rhetorical moves (multilingual).
OPINION_MARKERS = tuple(
    re.compile(r"(?<!\w)" + p + r"(?!\w)", re.I)
    for p in (
        "probably", "perhaps", "maybe", "it seems", "hard to imagine", "let alone", "in other words",
        "to put it simply", "the question is", "we will see", "i think", "in my view", "arguably",
        "why would", "it is worth", "it's worth", "needless to say", "of course",
        "vielleicht", "wahrscheinlich", "peut-être", "sans doute", "quizás", "tal vez", "forse", "возможно",
    )
)
WRITER_PERSON = frozenset("i we us our you your ich wir uns nous vous nosotros я мы".split())
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions trillion dozen dozens half
    percent per cent twice double triple first second third""".split()
)
DATE_WORDS = frozenset(
    """today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday week month
    year weekend morning evening night earlier decade""".split()
) | frozenset(md.MONTHS)
DENIAL_WORDS = frozenset("deny denies denied denial rejected rejects dismissed refuted bestritt nié negó отрицает".split())
ACCUSATION_WORDS = frozenset("accuse accuses accused accusing blame blames blamed condemned condemns alleged allegation allegations".split())
# OPINION_MARKERS / BOILERPLATE as one alternation each (a search of the
# alternation succeeds exactly when one of the patterns' searches does; the
# markers' shared (?<!\w) ... (?!\w) is factored out, ~7x faster)
_OPINION_RX = re.compile(
    r"(?<!\w)(?:" + "|".join(p.pattern[len(r"(?<!\w)"):-len(r"(?!\w)")] for p in OPINION_MARKERS) + r")(?!\w)", re.I
)
_BOILERPLATE_RX = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE), re.I)
# ... split into the patterns anchored at the start ("^", no MULTILINE: a
# search is a match at 0) and the rest, which are searched
_BOILERPLATE_START = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE if p.pattern.startswith("^")), re.I)
_BOILERPLATE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE if not p.pattern.startswith("^")), re.I)
# ... which are searched only when the text holds a caseless character (ASCII
# punctuation) that one of them needs, e.g. the ":" of "photo:"; () = always
_BOILERPLATE_ANY_GATE = _caseless_gate(p.pattern for p in BOILERPLATE if not p.pattern.startswith("^"))
_FEMALE_ROLE = re.compile(r"\b(spokeswoman|chairwoman|mrs|ms)\b", re.I)
CAPTION_PREFIX = re.compile(r"^[A-Z][\w ,./-]{0,80}\s[-–—]\s*(PHOTO|FILE|IMAGE)\b|^\(?(AP|AFP|Reuters|Getty)\b.*(photo|file)", re.I)

_TERMINAL = ".!?…:;"
_HAS_ALNUM = re.compile(r"[^\W_]")


# -------------------------------------------------------------------- ids


def claim_id(doc_id: str, text: str, occurrence: int = 0) -> str:
    """Stable id: sha256 of the article identity and the normalised text
    (the k-th repeat of the same sentence in one article adds ``#k``)."""
    return _claim_id(doc_id, normalise(text), occurrence)


def _claim_id(doc_id: str, norm: str, occurrence: int) -> str:
    """claim_id with the text already normalised."""
    key = f"{doc_id}\n{norm}" + (f"\n#{occurrence}" if occurrence else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------- filters


def _is_heading_like(u: Unit, single: bool) -> bool:
    text = u.text
    if not single:
        # (only "no word with a letter" makes a unit of a longer block a
        # heading; a letter is never whitespace, so: no letter at all)
        return not any(map(str.isalpha, text))
    t = text.rstrip(ALL_QUOTES + " ")
    ws = [w for w in text.split() if any(map(str.isalpha, w))]
    if not ws:
        return True
    if t[-1:] not in _TERMINAL and len(ws) <= 20:
        return True  # a short one-line block with no closing punctuation: a label, heading or link
    if len(ws) > 16 or t[-1:] not in "?!:":
        return False
    caps = sum(1 for w in ws if w.lstrip(ALL_QUOTES + "(")[:1].isupper())
    return caps / len(ws) >= CLAIM_RULES["headline_cap_ratio"]


def _is_boilerplate(text: str, captions: frozenset[str]) -> bool:
    s = text.strip()
    if s in captions or any(c and (s in c or c in s) and len(c) > 20 for c in captions):
        return True
    if CAPTION_PREFIX.match(s):  # both alternatives start with "^"
        return True
    if _BOILERPLATE_START.match(s) is not None:
        return True
    if _BOILERPLATE_ANY_GATE and not any(g in s for g in _BOILERPLATE_ANY_GATE):
        return False
    return _BOILERPLATE_ANY.search(s) is not None


def _writer_question(text: str) -> bool:
    t = text.rstrip()
    if not t.endswith("?"):
        return False
    spans = quoted_spans(t)
    return not spans or not any(a <= len(t) - 1 <= b for a, b in spans)


def _outside_quotes(text: str, spans: list[tuple[int, int]] | None = None) -> str:
    if spans is None:
        spans = quoted_spans(text)
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        pos = b
    out.append(text[pos:])
    return " ".join(out)


def _quote_words(text: str, spans: list[tuple[int, int]] | None = None) -> int:
    if spans is None:
        spans = quoted_spans(text)
    return max((len(text[a:b].split()) for a, b in spans), default=0)


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _checkable(text: str, toks: list[Tok] | None = None, spans: list[tuple[int, int]] | None = None) -> tuple[bool, str]:
    """Unattributed unit: does it assert something a fact-checker can verify?
    (``toks`` / ``spans``: ``tokenize(text)`` / ``quoted_spans(text)``.)"""
    if toks is None:
        toks = tokenize(text)
    if spans is None:
        spans = quoted_spans(text)
    outside = _outside_quotes(text, spans) if spans else text
    if _OPINION_RX.search(outside):
        return False, "opinion"
    # tokens outside the quotations (no token crosses a quotation mark, so
    # these are the tokens of ``outside``); "I" is the only token whose
    # case-folded form ("i") matters that WRITER_PERSON does not hold
    if not WRITER_PERSON.isdisjoint([t.low for t in toks]):
        if any(t.text == "I" or (t.low in WRITER_PERSON and t.text != t.text.upper()) for t in toks if not (spans and _in_spans(t.start, spans))):
            return False, "writer"
    ws = words(text)
    wo = words(outside) if spans else ws
    if not DENIAL_WORDS.isdisjoint(wo):
        return True, "denial"
    if not ACCUSATION_WORDS.isdisjoint(wo):
        return True, "accusation"
    # named entities: capitalised words not at the sentence start
    ents = sum(1 for i, t in enumerate(toks) if i > 0 and t.word and t.cap and toks[i - 1].text not in ".!?\"“")
    if not ents:
        return False, "vague"
    if any(map(str.isdigit, "".join(ws))) or not NUMBER_WORDS.isdisjoint(ws):
        return True, "figure"
    if not DATE_WORDS.isdisjoint(ws):
        return True, "event"
    if ents >= 2:
        return True, "statement"
    return False, "vague"


# ------------------------------------------------------------- extraction


def _register_persons(text: str, ctx: Context, toks: list[Tok] | None = None) -> None:
    if toks is None:
        toks = tokenize(text)
    for i, j in name_runs(toks):
        pn = person_in(toks, i, j, text)
        if pn is None:
            continue
        name, role = pn
        if len(name.split()) >= 2 or (role and ctx.by_surname(name) is None and ctx.get(name) is None):
            ctx.remember(Person(name, role, bool(role and _FEMALE_ROLE.search(role))))
        else:
            full = ctx.by_surname(name)
            if full is not None:
                ctx.remember(full)


def _units_of(doc: CleanDoc, lang: str) -> list[tuple[int, Unit, bool]]:
    """(block index, unit, single-unit block) for every paragraph unit."""
    out: list[tuple[int, Unit, bool]] = []
    open_before = False
    for bi, b in enumerate(doc.blocks):
        if b.kind != "p":
            open_before = False
            continue
        us = units(b.text, tuple(b.lacunae), lang, open_before)
        for u in us:
            out.append((bi, u, len(us) == 1))
        open_before = bool(us) and us[-1].quote_open_after
    return out


def extract_claims(doc: CleanDoc) -> tuple[Claim, ...]:
    """Claims of one article, in reading order."""
    lang = guess_language(doc.body_text)
    captions = frozenset(c.strip() for c in doc.captions if c.strip())
    ctx = Context()
    out: list[Claim] = []
    seen: Counter[str] = Counter()
    prev: tuple[int, Unit, Claim | None] | None = None
    for bi, u, single in _units_of(doc, lang):
        text = u.text
        claim: Claim | None = None
        n_words = len(list(filter(_HAS_ALNUM.search, text.split())))  # [^\W_] is str.isalnum
        skip = (
            n_words < CLAIM_RULES["min_words"]
            or _is_heading_like(u, single)
            or _is_boilerplate(text, captions)
            or text.rstrip(ALL_QUOTES + " ").endswith(("...", "…")) and single
        )
        toks = tokenize(text)
        if not skip:
            qs = quoted_spans(text)
            att = attribute(text, ctx, lang, toks, qs)
            qwords = _quote_words(text, qs)
            kind = None
            speaker = role = cue = None
            if att is not None and att.speaker:
                speaker, role, cue = att.speaker, att.role, att.cue
                kind = "quote" if qwords >= CLAIM_RULES["min_quote_words"] else "attributed"
            elif qwords >= CLAIM_RULES["min_quote_words"] and prev is not None and prev[2] is not None and prev[2].speaker and (
                (prev[0] == bi) or u.quote_open_before or (prev[1].quote_open_after)
            ) and _quote_led(text, qs):
                # a quotation continued from the previous (attributed) unit
                speaker, role, cue, kind = prev[2].speaker, prev[2].role, "quotation marks", "quote"
            if kind is None and _writer_question(text):
                kind = None
            elif kind is None:
                ok, why = _checkable(text, toks, qs)
                if ok:
                    kind = "quote" if qwords >= CLAIM_RULES["min_quote_words"] and why == "statement" else why
                elif qwords >= CLAIM_RULES["min_document_quote_words"] and why not in ("opinion", "writer"):
                    kind = "quote"  # a long quotation (of a document, a statement) is checkable as such
            if kind is not None and cue in ("deny", "denies", "denied"):
                kind = "denial"
            if kind is not None:
                key = normalise(text)
                k = seen[key]
                seen[key] += 1
                claim = Claim(
                    id=_claim_id(doc.doc_id, key, k),
                    doc_id=doc.doc_id,
                    block=bi,
                    start=u.start,
                    end=u.end,
                    text=text,
                    kind=kind,
                    speaker=speaker,
                    role=role,
                    cue=cue,
                )
                out.append(claim)
                if speaker:
                    known = next((p for p in ctx.persons if p.name == speaker), None)
                    if known is not None:
                        ctx.last_speaker = ctx.remember(known)
                    elif _person_like(speaker):
                        ctx.last_speaker = ctx.remember(Person(speaker, role))
        _register_persons(text, ctx, toks)
        prev = (bi, u, claim)
    return tuple(out)


def _quote_led(text: str, spans: list[tuple[int, int]] | None = None) -> bool:
    """Does the unit start with (or mostly consist of) a quotation?"""
    t = text.lstrip()
    if t[:1] in ALL_QUOTES:
        return True
    if spans is None:
        spans = quoted_spans(text)
    inside = sum(b - a for a, b in spans)
    return inside >= 0.6 * len(text)


def _person_like(name: str) -> bool:
    parts = name.split()
    return 2 <= len(parts) <= 4 and all(p[:1].isupper() for p in parts) and not any(p.casefold() in ORG_WORDS for p in parts)
