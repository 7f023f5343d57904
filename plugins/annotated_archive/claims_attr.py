"""Attribution for the claims stage: who says it (speaker, role) and how
(cue), with pronoun / surname / description resolution against the persons
named earlier in the same article.

Pure functions; the vocabularies are data (multilingual phrase lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from .claims_text import quoted_spans

# ------------------------------------------------------------------- data

# Reporting verbs (surface forms), per language.  A cue inside a quotation
# is not a cue (the quoted person's own "said").
CUE_VERBS: dict[str, tuple[str, ...]] = {
    "en": tuple(
        """say says said saying tell tells told telling warn warns warned warning claim claims
        claimed claiming deny denies denied denying state states stated add adds added note notes
        noted explain explains explained stress stresses stressed emphasise emphasises emphasised
        emphasize emphasizes emphasized insist insists insisted argue argues argued arguing believe
        believes believed think thinks thought write writes wrote report reports reported reveal
        reveals revealed announce announces announced conclude concludes concluded accuse accuses
        accused confirm confirms confirmed acknowledge acknowledges acknowledged admit admits
        admitted allege alleges alleged assert asserts asserted declare declares declared suggest
        suggests suggested underscore underscores underscored urge urges urged condemn condemns
        condemned threaten threatens threatened promise promises promised predict predicts predicted
        estimate estimates estimated tweet tweets tweeted recall recalls recalled reply replies
        replied respond responds responded counter counters countered signal signals signalled
        signaled highlight highlights highlighted denounce denounces denounced dismiss dismisses
        dismissed reject rejects rejected describe describes described contend contends contended
        maintain maintains maintained observe observes observed pointed cited cites called calls""".split()
    ),
    "de": tuple("sagte sagt sagten erklärte erklärt betonte betont warnte warnt behauptete behauptet schrieb meinte bestätigte bestritt kritisierte".split()),
    "fr": tuple("déclaré affirmé dit expliqué averti souligné estimé indiqué assuré déclare affirme dit explique estime indique écrit nié dénoncé".split()),
    "es": tuple("dijo afirmó declaró aseguró advirtió explicó señaló indicó negó denunció escribió sostuvo dice afirma asegura".split()),
    "it": tuple("detto dichiarato affermato spiegato sottolineato avvertito dice afferma scritto negato".split()),
    "pt": tuple("disse afirmou declarou explicou alertou negou escreveu diz afirma".split()),
    "ru": tuple("сказал сказала заявил заявила сообщил сообщила отметил отметила подчеркнул подчеркнула написал написала считает предупредил предупредила".split()),
}
ALL_CUE_VERBS = frozenset(w for ws in CUE_VERBS.values() for w in ws)

# "according to X", per language (token sequences, lower case).
CUE_PREPS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "according to",
        "as per",
        "laut",
        "zufolge",
        "selon",
        "d'après",
        "según",
        "de acuerdo con",
        "secondo",
        "segundo",
        "de acordo com",
        "по словам",
        "по данным",
    )
)

# Speech verbs that can come before "and <cue>" ("Shoigu also spoke and revealed").
LEAD_VERBS = frozenset("spoke speaks went appeared".split())

# Auxiliaries / adverbs skipped between a subject and its cue verb.
AUX = frozenset(
    """has have had also is was were are will would has also later then previously earlier
    reportedly further once again repeatedly publicly already has been had been
    hat habe hatte auch a aussi ha también ha anche""".split()
)

# Head nouns of a role ("Russian Defence Minister", "CSM correspondent").
ROLE_NOUNS = frozenset(
    """minister president spokesman spokeswoman spokesperson secretary correspondent analyst analysts
    director head chief official officials diplomat diplomats ambassador leader chairman chairwoman
    chair governor mayor senator representative commander general professor expert experts
    researcher journalist editor reporter commentator adviser advisor economist founder ceo
    executive premier chancellor king queen prince envoy lawyer attorney prosecutor judge
    deputy lawmaker mp host author scientist officer manager member members columnist spokespeople
    critics observer observers sources source prime vice foreign defence defense
    minister's ministre président porte-parole ministro presidente portavoz präsident sprecher
    sprecherin министр президент""".split()
)
# Role head nouns that only make a role, never a person's name: used when
# splitting "Russian President Vladimir Putin" into role and name.
TITLE_WORDS = ROLE_NOUNS | frozenset("mr mrs ms dr prof sir lord dame madame monsieur herr frau".split())
FEMALE_WORDS = frozenset("spokeswoman chairwoman queen mrs ms madame frau sprecherin she her businesswoman congresswoman".split())

# A description's head noun matches a person's role through these synonyms.
ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "journalist": ("journalist", "correspondent", "reporter", "editor", "columnist"),
    "correspondent": ("correspondent", "journalist", "reporter"),
    "diplomat": ("diplomat", "foreign minister", "ambassador", "envoy"),
    "analyst": ("analyst", "expert", "commentator", "observer"),
    "expert": ("expert", "analyst"),
    "president": ("president",),
    "minister": ("minister",),
    "official": ("official", "spokesman", "spokeswoman", "spokesperson", "secretary"),
    "leader": ("leader", "president", "prime minister", "chancellor"),
    "spokeswoman": ("spokeswoman",),
    "spokesman": ("spokesman",),
}

# Cue words that are also common nouns ("media reports", "his claims"): only
# a cue after a name, a role or a speaker noun.
NOUN_LIKE_CUES = frozenset("report reports claim claims note notes state states estimate estimates promise promises signal signals tweet tweets counter counters reply replies threatens".split())
# Non-person heads that can speak ("the embassy wrote").
SPEAKER_NOUNS = frozenset(
    """mission embassy ministry government administration office department agency spokesperson
    statement report study survey police army military court committee council company group
    campaign commission newspaper network channel""".split()
)

# Capitalised words that are not a speaker on their own ("Some said").
NOT_SPEAKERS = frozenset("some many others most it this that these those there what which i we you they one".split())

PRONOUNS_MALE = frozenset("he er il él lui он".split())
PRONOUNS_FEMALE = frozenset("she sie elle ella она".split())
DETERMINERS = frozenset("the a an der die das le la les el los las il lo".split())
# Capitalised words that do not start a person's name.
NON_NAME = frozenset(
    """the a an and but or in on at of for to by with from this that these those it its he she
    they we i you his her their our my your earlier later meanwhile however although though
    while when after before during since following last next this month week year today yesterday
    tomorrow monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december according speaking there here
    what why how who where which if as so then also even most many some several""".split()
) | frozenset("western eastern russian american ukrainian european british chinese soviet french german".split())
NATIONALITY = frozenset("western eastern russian american ukrainian european british chinese soviet french german".split())
# Words that make a capitalised run an organisation or place, not a person.
ORG_WORDS = frozenset(
    """ministry department council center centre news times monitor agency office committee union
    organization organisation treaty alliance house kremlin pentagon nato states state republic
    federation party court bank army navy force forces institute university association foundation
    company group press post journal reuters tass sputnik embassy mission delegation region city
    sea ocean river""".split()
)

_NON_NAME_OR_DET = NON_NAME | DETERMINERS
# CUE_PREPS in their order, by first word (attribute() looks them up per token)
_PREPS_BY_FIRST = MappingProxyType({w: tuple(p for p in CUE_PREPS if p[0] == w) for w in dict.fromkeys(p[0] for p in CUE_PREPS)})

_NAME_CONNECTORS = frozenset("de van von der bin al da di del la le ibn".split())
_NOUN_FOLLOWERS = frozenset("and or . , ; of for in on to by with from are were is was have has had about".split())

_TOKEN = re.compile(r"(?:[^\W_]\.){2,}|[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]", re.UNICODE)


class Tok(NamedTuple):
    """A token of a unit; ``low`` (case-folded, ’ as '), ``cap`` and
    ``word`` are derived from ``text`` once, when tokenising."""

    text: str
    start: int
    end: int
    low: str
    cap: bool
    word: bool


def tokenize(text: str) -> list[Tok]:
    # (the hot loop of the stage: tuple.__new__ skips Tok's Python-level
    # __new__; a match is never empty, so t[0] is t[:1])
    new = tuple.__new__
    curly = "’" in text
    out = []
    add = out.append
    for m in _TOKEN.finditer(text):
        t = m.group()
        low = t.casefold()
        if curly:
            low = low.replace("’", "'")
        h = t[0]
        add(new(Tok, (t, *m.span(), low, h.isupper(), h.isalnum())))
    return out


# ---------------------------------------------------------------- persons


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None = None
    female: bool = False


@dataclass(slots=True)
class Context:
    """What the article has said so far (built while walking its units in
    order; local to one extract_claims call)."""

    persons: list[Person] = field(default_factory=list)  # in order of last mention
    last_speaker: Person | None = None
    last_quote_speaker: Person | None = None
    last_cue: str | None = None

    def remember(self, p: Person) -> Person:
        old = next((q for q in self.persons if q.name == p.name), None)
        if old is not None:
            p = Person(p.name, old.role or p.role, old.female or p.female)
            self.persons.remove(old)
        self.persons.append(p)
        return p

    def by_surname(self, name: str) -> Person | None:
        parts = name.split()
        for q in reversed(self.persons):
            qp = q.name.split()
            if len(qp) > len(parts) and qp[-len(parts):] == parts:
                return q
        return None

    def by_role(self, head: str, mods: list[str]) -> Person | None:
        """Most recent person whose role has ``head`` (or a synonym); those
        whose role also has the capitalised modifiers ("Russian") first."""
        syn = ROLE_SYNONYMS.get(head, (head,))
        hits = [q for q in reversed(self.persons) if q.role and any(re.search(r"\b" + re.escape(s) + r"s?\b", q.role.casefold()) for s in syn)]
        full = [q for q in hits if all(m in (q.role or "").casefold() for m in mods)]
        return (full or hits or [None])[0]

    def get(self, name: str) -> Person | None:
        return next((q for q in self.persons if q.name == name), None)


def _is_name_tok(t: Tok) -> bool:
    return t.word and t.cap and t.low not in NON_NAME and not t.text.isdigit()


def _split_role(toks: list[Tok]) -> tuple[list[Tok], list[Tok]]:
    """A capitalised run -> (role tokens, name tokens): the name follows the
    last title word ("Russian Defence Minister | Sergei Shoigu")."""
    k = -1
    for i, t in enumerate(toks):
        if t.low in TITLE_WORDS:
            k = i
    return toks[: k + 1], toks[k + 1:]


def name_runs(toks: list[Tok]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of maximal capitalised runs (with name connectors)."""
    # (a capitalised token is never all digits: an upper-case first
    # character is not a digit; runs start only at capitalised words)
    out = []
    n = len(toks)
    conn = _NAME_CONNECTORS
    end = 0
    for i in [i for i, t in enumerate(toks) if t.cap and t.word]:
        if i < end:
            continue  # inside the previous run
        j = i + 1
        while j < n:
            t = toks[j]
            if t.word and t.cap:
                j += 1
            elif t.low in conn and j + 1 < n and toks[j + 1].cap and toks[j + 1].word:
                j += 2
            else:
                break
        out.append((i, j))
        end = j
    return out


def person_in(toks: list[Tok], i: int, j: int, text: str) -> tuple[str, str | None] | None:
    """Person name (and the role written before it, in the run or just
    before: "CSM correspondent Fred Weir") in the run toks[i:j], if the run
    ends in what looks like a person's name."""
    j = min(j, len(toks))
    k = i  # toks[k] is run[0]
    while k < j and toks[k].low in _NON_NAME_OR_DET and toks[k].low not in TITLE_WORDS and toks[k].low not in NATIONALITY:
        k += 1
    if k >= j:
        return None
    run = toks[k:j]
    role_t, name_t = _split_role(run)
    if not name_t or len(name_t) > 4:
        return None
    if any(t.low in ORG_WORDS or t.low in NON_NAME for t in name_t):
        return None
    if not all(t.text[:1].isalpha() and t.cap for t in name_t):
        return None
    name = text[name_t[0].start:name_t[-1].end]
    role_start = role_t[0].start if role_t else None
    # lower-case role words just before the run: "CSM correspondent", "the U.S. State Department spokesman,"
    b = k - 1
    if role_start is None and b >= 0 and toks[b].low in ROLE_NOUNS:
        while b - 1 >= 0 and toks[b - 1].word and toks[b - 1].low not in DETERMINERS and toks[b - 1].low not in ("and", "or", "by", "to", "with", "of", "that") and k - b < 6:
            b -= 1
        role_start = toks[b].start
    role = text[role_start:name_t[0].start].strip(" ,") if role_start is not None else None
    return name, (role or None)


def _apposition(toks: list[Tok], k: int, text: str, stop: int | None = None) -> str | None:
    """Role given after a name: ", a former Russian diplomat and ..., " starting at toks[k] == ","."""
    if k >= len(toks) or toks[k].text != ",":
        return None
    end = k + 1
    lim = min(len(toks), stop if stop is not None else len(toks), k + 20)
    while end < lim and toks[end].text not in (",", ".", ";", ":", '"', "“", "”") and toks[end].low not in ALL_CUE_VERBS:
        end += 1
    seg = toks[k + 1:end]
    if not seg or len(seg) > 18:
        return None
    words = [t for t in seg]
    head = next((n for n, t in enumerate(words[:7]) if t.low in ROLE_NOUNS and t.low not in ("foreign", "defence", "defense", "prime", "vice")), None)
    if head is None:
        return None
    nxt = words[head + 1].low if head + 1 < len(words) else ""
    if nxt not in ("", "of", "for", "at", "in", "to", "with", "and", "(", "on", "from"):
        return None
    if words[0].low in ("was", "is", "were", "said", "says", "who"):
        return None
    s = seg[0].start
    if seg[0].low in ("a", "an", "the"):
        s = seg[1].start if len(seg) > 1 else s
    return text[s:seg[-1].end].strip() or None


# ------------------------------------------------------------- attribution


@dataclass(frozen=True, slots=True)
class Attribution:
    speaker: str | None
    role: str | None
    cue: str | None
    how: str = ""  # prep | inverted | subject | pronoun | continuation


def _in_quotes(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _description(toks: list[Tok], j: int, text: str, back: bool = True) -> tuple[str, int, int] | None:
    """A noun phrase ending at toks[j] (back=True) or starting at toks[j]:
    "the senior Biden administration official", "The Pentagon", "Russia",
    "Western officials".  Returns (text, first index, last index)."""
    if back:
        if j < 0 or not toks[j].word:
            return None
        i = j
        while i - 1 >= 0 and j - i < 6 and toks[i - 1].word and not (toks[i - 1].low in ALL_CUE_VERBS and not toks[i - 1].cap) and toks[i - 1].low not in ("that", "and", "but", "which", "who", "when", "while", "because", "if", "as"):
            if toks[i - 1].low in DETERMINERS:
                i -= 1
                break
            i -= 1
        # the NP must begin at a determiner, a capitalised word, the sentence start or a clause mark
        starts_ok = toks[i].low in DETERMINERS or toks[i].cap or i == 0 or not toks[i - 1].word
        if not starts_ok:
            # fall back to the shortest capitalised tail
            while i < j and not toks[i].cap:
                i += 1
            if not toks[i].cap:
                return None
        return text[toks[i].start:toks[j].end], i, j
    # forward
    if j >= len(toks) or not toks[j].word:
        return None
    k = j
    while k + 1 < len(toks) and k - j < 6 and toks[k + 1].word and not (toks[k + 1].low in ALL_CUE_VERBS and not toks[k + 1].cap) and toks[k + 1].low not in ("that", "and", "but", "on", "in", "at", "to", "after", "during", "before", "who", "while"):
        k += 1
    return text[toks[j].start:toks[k].end], j, k


def _strip_det(s: str) -> str:
    parts = s.split()
    while parts and (parts[0].casefold() in DETERMINERS or (parts[0].casefold().endswith("ly") and len(parts) > 1)):
        parts = parts[1:]
    return " ".join(parts)


def _resolve(phrase_toks: list[Tok], text: str, ctx: Context, role_hint: str | None = None) -> tuple[Person | None, str | None]:
    """Speaker for a noun phrase / pronoun / name: a known Person where the
    article has named them, else the phrase itself."""
    if not phrase_toks:
        return None, None
    low = phrase_toks[-1].low
    if len(phrase_toks) == 1 and (low in PRONOUNS_MALE or low in PRONOUNS_FEMALE):
        fem = low in PRONOUNS_FEMALE
        cands = [p for p in reversed(ctx.persons) if p.female == fem]
        order = []
        if ctx.last_speaker is not None and ctx.last_speaker.female == fem:
            order.append(ctx.last_speaker)
        order += cands
        if not order and ctx.last_speaker is not None:
            order.append(ctx.last_speaker)
        return (order[0] if order else None), None
    i, j = 0, len(phrase_toks)
    pn = person_in(phrase_toks, i, j, text)
    if pn is not None and not (pn[0].casefold() in ORG_WORDS):
        name, role = pn
        role = role or role_hint
        parts = name.split()
        full = ctx.by_surname(name) if len(parts) == 1 or (parts and phrase_toks[0].low in TITLE_WORDS) else None
        if full is not None:
            return Person(full.name, role or full.role, full.female), role
        if len(parts) == 1 and role is None and name.casefold() in ORG_WORDS:
            return None, None
        known = ctx.get(name)
        if known is not None:
            return Person(known.name, role or known.role, known.female), role
        female = bool(role and any(w in FEMALE_WORDS for w in role.casefold().split()))
        return Person(name, role, female), role
    # a description: "the analyst", "the Russian president", "the top Russian diplomat"
    desc = _strip_det(text[phrase_toks[0].start:phrase_toks[-1].end])
    if not desc:
        return None, None
    dwords = desc.split()
    head = dwords[-1].casefold()
    if head in ROLE_NOUNS or head in ROLE_SYNONYMS:
        mods = [w.casefold() for w in dwords[:-1] if w[:1].isupper()]
        p = ctx.by_role(head.rstrip("s") if head.endswith("s") and head[:-1] in ROLE_NOUNS else head, mods)
        if p is not None and phrase_toks[0].low in ("the",) and not head.endswith("s"):
            return p, None
    return Person(desc, None, False), None


def _local_person(toks: list[Tok], j: int, text: str, ctx: Context, female: bool) -> Person | None:
    """The first person named in this unit before a pronoun at toks[j]
    ("... after Sergey Shoigu touched on ..., where he said ...")."""
    if j < 3 or any(t.text in ('"', "“", "”") for t in toks[:j]):
        return None
    for i, k in name_runs(toks[:j]):
        pn = person_in(toks, i, k, text)
        if pn is None or (len(pn[0].split()) < 2 and ctx.by_surname(pn[0]) is None and ctx.get(pn[0]) is None):
            continue
        p, _ = _resolve(toks[i:k], text, ctx)
        if p is not None and p.female == female:
            return p
        if p is not None and not female:
            return p
    return None


def _subject_before(toks: list[Tok], v: int, text: str, ctx: Context) -> tuple[Person | None, str | None]:
    j = v - 1
    while j >= 0 and (toks[j].low in AUX or (toks[j].low.endswith("ly") and not toks[j].cap)):
        j -= 1
    if j >= 1 and toks[j].low == "and" and (toks[j - 1].low in LEAD_VERBS or toks[j - 1].low in ALL_CUE_VERBS):
        j -= 2
        while j >= 0 and toks[j].low in AUX:
            j -= 1
    if j < 0:
        return None, None
    # "the U.S. State Department spokesman, Ned Price, claimed" / "Vladimir Frolov, a former ..., told"
    if toks[j].text == ",":
        k = j - 1
        while k >= 0 and toks[k].text not in (",", ".", ";", ":", '"', "“", "”") and j - k < 20:
            k -= 1
        if k >= 0 and toks[k].text == ",":
            inner = toks[k + 1:j]
            pn = person_in(toks, k + 1, j, text) if inner and all(t.cap or not t.word for t in inner) else None
            if pn is not None:
                # ", Ned Price," with a role before the first comma
                d = _description(toks, k - 1, text)
                role = _strip_det(d[0]) if d and toks[k - 1].low in ROLE_NOUNS else None
                return _resolve(inner, text, ctx, role)
            appos = _apposition(toks, k, text, stop=j + 1)
            d = _description(toks, k - 1, text)
            if appos and d and person_in(toks, d[1], d[2] + 1, text) is not None:
                return _resolve(toks[d[1]:d[2] + 1], text, ctx, appos)
        return None, None
    # "Konstantin Gavrilov, the head of ... in Vienna said"
    for k in range(j, max(-1, j - 20), -1):
        if toks[k].text == "," and k >= 1:
            appos = _apposition(toks, k, text, stop=v)
            if appos:
                d = _description(toks, k - 1, text)
                if d and person_in(toks, d[1], d[2] + 1, text) is not None:
                    return _resolve(toks[d[1]:d[2] + 1], text, ctx, appos)
            break
        if toks[k].text in (".", ";", ":", '"', "“", "”"):
            break
    if toks[j].low in PRONOUNS_MALE or toks[j].low in PRONOUNS_FEMALE:
        local = _local_person(toks, j, text, ctx, toks[j].low in PRONOUNS_FEMALE)
        if local is not None:
            return local, None
        return _resolve([toks[j]], text, ctx)
    if toks[j].text == ")":
        return None, None
    if not (toks[j].cap or toks[j].low in ROLE_NOUNS or toks[j].low in SPEAKER_NOUNS):
        return None, None
    if toks[j].low.endswith(("'s", "’s")) or toks[j].low in NOT_SPEAKERS:
        return None, None
    d = _description(toks, j, text)
    if d is None:
        return None, None
    return _resolve(toks[d[1]:d[2] + 1], text, ctx)


def _speaker_after(toks: list[Tok], i: int, text: str, ctx: Context) -> tuple[Person | None, str | None]:
    """The phrase after "according to" / an inverted cue ("says Weir", "said the Russian president")."""
    if i >= len(toks):
        return None, None
    if toks[i].low in PRONOUNS_MALE or toks[i].low in PRONOUNS_FEMALE:
        return _resolve([toks[i]], text, ctx)
    # a capitalised run (possibly after a determiner/description)
    k = i
    while k < len(toks) and k - i < 8 and toks[k].word and toks[k].low not in ("that", "and", "who", "which", "on", "in", "at", "during", "after", "before", "to", "while") and not (toks[k].low in ALL_CUE_VERBS and not toks[k].cap):
        k += 1
    if k == i:
        return None, None
    phrase = toks[i:k]
    if phrase[-1].low in ROLE_NOUNS and k < len(toks) and toks[k].text == ",":
        # "according to Moscow's leading foreign policy expert, Fyodor Lukyanov, who ..."
        e = k + 1
        while e < len(toks) and toks[e].word and toks[e].cap:
            e += 1
        pn = person_in(toks, k + 1, e, text) if e > k + 1 else None
        if pn is not None:
            return _resolve(toks[k + 1:e], text, ctx, _strip_det(text[phrase[0].start:phrase[-1].end]))
    appos = _apposition(toks, k, text)
    return _resolve(phrase, text, ctx, appos)


def attribute(
    text: str, ctx: Context, lang: str = "en", toks: list[Tok] | None = None, qs: list[tuple[int, int]] | None = None
) -> Attribution | None:
    """Find the speaker and cue of one unit (None when not attributed).
    ``toks`` / ``qs``: ``tokenize(text)`` / ``quoted_spans(text)`` when the
    caller has them already."""
    if toks is None:
        toks = tokenize(text)
    if not toks:
        return None
    if qs is None:
        qs = quoted_spans(text)
    lows = [t.low for t in toks]
    # 1. "according to X"
    for v in range(len(toks)) if not _PREPS_BY_FIRST.keys().isdisjoint(lows) else ():
        for prep in _PREPS_BY_FIRST.get(lows[v], ()):
            n = len(prep)
            if tuple(lows[v:v + n]) == prep and not _in_quotes(toks[v].start, qs):
                sp, role = _speaker_after(toks, v + n, text, ctx)
                if sp is not None:
                    return Attribution(sp.name, role or sp.role, " ".join(prep), "prep")
    # 2. cue verbs outside quotations, in order: "X (has) said", "X, a ..., told",
    #    then the inverted '"...", says Weir' / ', said the Russian president'
    for v in [v for v, low in enumerate(lows) if low in ALL_CUE_VERBS]:
        t = toks[v]
        if _in_quotes(t.start, qs) or v == 0 or t.cap:
            continue
        if t.low in NOUN_LIKE_CUES:
            nxt = lows[v + 1] if v + 1 < len(toks) else "."
            if nxt in _NOUN_FOLLOWERS or lows[v - 1] in DETERMINERS or lows[v - 1] in ("his", "her", "its", "their", "our"):
                continue
        if t.low in ("called", "calls") and (v + 1 >= len(toks) or lows[v + 1] not in ("on", "for")):
            continue  # "called on Moscow to", "calls for": a demand; "so called", "called it" are not cues
        if t.low.endswith("ing") and toks[v - 1].text == ",":
            continue  # ", arguing that": the subject is the main clause's, found at its own verb
        sp, role = _subject_before(toks, v, text, ctx)
        if sp is not None:
            return Attribution(sp.name, role or sp.role, t.low, "subject")
        prev = toks[v - 1].text
        if prev in (",", '"', "”", "»", "—", "-") and v + 1 < len(toks) and lows[v + 1] != "that":
            sp, role = _speaker_after(toks, v + 1, text, ctx)
            if sp is not None and (sp.name[:1].isupper() or lows[v + 1] in DETERMINERS):
                return Attribution(sp.name, role or sp.role, t.low, "inverted")
    return None
