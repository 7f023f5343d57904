"""Text helpers for the claims stage: normalisation, tokens, sentence units.

Pure functions.  Vocabularies are data (tuples / frozensets), multilingual
where they are phrase lists.  No module-level mutable state: pysbd's
processor keeps per-call state on itself, so one is built per call (cheap);
the module-level tables (compiled regexes, processor classes) are read-only.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType

import pysbd
from pysbd.abbreviation_replacer import AbbreviationReplacer as _PysbdReplacer
from pysbd.between_punctuation import BetweenPunctuation as _PysbdBetween
from pysbd.exclamation_words import ExclamationWords as _PysbdExclamationWords
from pysbd.languages import Language as _PysbdLanguage
from pysbd.lists_item_replacer import ListItemReplacer as _PysbdListItemReplacer
from pysbd.processor import Processor as _PysbdProcessor
from pysbd.utils import Rule as _PysbdRule
from pysbd.utils import TextSpan as _TextSpan

# ------------------------------------------------------------------- data

# Opening / closing quotation marks.  ASCII " toggles; single quotes are too
# ambiguous (apostrophes) and are ignored when tracking open quotations.
QUOTE_OPEN = frozenset("“„«‹「『")
QUOTE_CLOSE = frozenset("”»›」』")
QUOTE_TOGGLE = frozenset('"')
_QMARKS = "“„«‹「『”»›」』\""
ALL_QUOTES = "\"'“”„‟«»‹›‘’‚‛「」『』"

# Sentences merged at most this many together while a quotation stays open.
MAX_QUOTE_MERGE = 4
MAX_UNIT_CHARS = 900

# Languages pysbd knows; other codes fall back to English rules.
PYSBD_LANGS = frozenset(
    "en hi mr zh es am ar el ru da fa hy ja it nl my pl bg ur de fr kk sk".split()
)

# Function words (multilingual), for content tokens and language guessing.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a an the and or but if then else of to in on at by for with from into onto
        over under about as than that this these those there here it its it's is are was were be been
        being am do does did done has have had having not no nor so such too very can could
        would should shall will may might must also just only even still yet which who whom
        whose what when where why how all any both each few more most other some own same
        he she they them his her their we us our you your i me my mine one ones up down out off
        again further once while because until against between through during before after
        above below s t don now said says say""".split()
    ),
    "de": frozenset(
        """der die das den dem des ein eine einer eines einem einen und oder aber nicht
        ist sind war waren wird werden wurde wurden hat haben hatte mit von zu zum zur im in
        auf an für aus bei nach über unter auch als wie dass daß es er sie wir ihr ich sich
        so noch nur schon sagte sagt""".split()
    ),
    "fr": frozenset(
        """le la les un une des du de d l et ou mais ne pas est sont était été a ont avait
        avec pour par dans sur au aux ce cette ces qui que qu il elle ils elles nous vous
        je se son sa ses leur leurs plus aussi comme en y""".split()
    ),
    "es": frozenset(
        """el la los las un una unos unas y o pero no es son era fue han ha había con para
        por en sobre al del de que se su sus lo le les como más también este esta estos""".split()
    ),
    "it": frozenset(
        """il lo la i gli le un una uno e o ma non è sono era ha hanno con per da di in su
        al del della che si suo sua come più anche questo questa""".split()
    ),
    "pt": frozenset(
        """o a os as um uma e ou mas não é são era foi tem com para por em no na do da que
        se seu sua como mais também este esta""".split()
    ),
    "ru": frozenset(
        """и в во не что он она они на я с со как а то все так его но да ты к у же вы за бы
        по только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну ли
        если уже или ни быть был была были него до вас""".split()
    ),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
_SPACE = re.compile(r"\s+")
# Characters whose case folding holds a character of another class for _WORD
# (word character / apostrophe or hyphen / other): "İ" -> "i" + U+0307, Greek
# letters with iota subscript, ...  Found by brute force over all code points;
# tests/test_claims_speed.py checks the list is complete.
_CASEFOLD_HAZARD = re.compile(
    "[\u0130\u01f0\u0345\u0390\u03b0\u1e96-\u1e99\u1f50\u1f52\u1f54\u1f56\u1fb6\u1fb7\u1fc6\u1fc7"
    "\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2-\u1fe4\u1fe6\u1fe7\u1ff6\u1ff7]"
)
_QUOTE_TRANS = str.maketrans({c: '"' for c in "“”„‟«»"} | {c: "'" for c in "‘’‚‛‹›"} | {"–": "-", "—": "-", "…": "..."})
# (no replacement holds a replaced character, so one pass per character is
# the same as the translation)
_QUOTE_REPLACE = tuple((chr(k), v) for k, v in sorted(_QUOTE_TRANS.items()))

# Boundaries pysbd misses in scraped text: a lacuna where sentences were glued
# ("thatThe", "Putin.Earlier", "escalation.\"There").
_GLUED = (
    re.compile(r"(?<![^\W\d_])[a-z]{3,}(?=[A-Z][a-z])"),  # thatThe -> end after "that"
    re.compile(r"[a-z]{2}[.!?](?=[A-Z][a-z])"),  # Putin.Earlier
    re.compile(r"[a-z]{2}[.!?](?=[\"“][A-Z])"),  # ago."There (the quote opens the next one)
    re.compile(r"[\"”][.!?](?=[A-Z][a-z])"),  # back".Weir
)


# English abbreviations pysbd knows (a period after them is not an end).
try:
    from pysbd.lang.english import English as _En

    _ABBR = frozenset(a.casefold() for a in (*_En.Abbreviation.ABBREVIATIONS, *_En.Abbreviation.PREPOSITIVE_ABBREVIATIONS, *_En.Abbreviation.NUMBER_ABBREVIATIONS))
except Exception:  # pragma: no cover - pysbd layout changed: always ask pysbd
    _ABBR = frozenset()
_ABBR = _ABBR | frozenset("mr mrs ms dr prof st jr sr no vs etc inc ltd co corp gov sen rep gen col lt sgt capt".split())
_MARK = re.compile(r"[.!?]+[\"”’)\]]*")
_QUOTE_CHAR = re.compile("[" + re.escape("".join(sorted(QUOTE_OPEN | QUOTE_CLOSE | QUOTE_TOGGLE))) + "]")
_END_CHAR = re.compile("[.!?…]")
# Every _GLUED match ends between one of [a-z.!?] and one of [A-Z"“]: no
# such pair, no glued boundary (a cheap test before the four scans).
_GLUE_HINT = re.compile(r"[a-z.!?][A-Z\"“]")
# ... and per pattern, the characters around that end (exact: each _GLUED
# pattern's match holds or is followed by its hint)
_GLUED_HINTS = tuple(
    re.compile(p)
    for p in (
        r"[a-z][A-Z][a-z]",
        r"[.!?][A-Z][a-z]",
        r"[.!?][\"“][A-Z]",
        r"[.!?][A-Z][a-z]",
    )
)
_LASTWORD = re.compile(r"[^\s\"“(\[]+(?=[.!?]*$)")
_WORD_STOPS = frozenset('"“([')
_SPACES = re.compile(r"\s*")


# --------------------------------------------------------------- helpers


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def normalise(text: str) -> str:
    """Normalised text of a claim (for ids and matching): NFKC, case-folded,
    typographic quotes/dashes unified, whitespace collapsed, surrounding
    punctuation and quotes stripped."""
    t = unicodedata.normalize("NFKC", text)
    for a, b in _QUOTE_REPLACE:  # == t.translate(_QUOTE_TRANS), cheaper when few occur
        if a in t:
            t = t.replace(a, b)
    t = t.casefold()
    t = _SPACE.sub(" ", t).strip()
    return t.strip(" \"'.,;:!?-()[]")


def words(text: str) -> list[str]:
    """Case-folded word tokens (apostrophes and hyphens kept inside words)."""
    t = unicodedata.normalize("NFKC", text)
    if _CASEFOLD_HAZARD.search(t) is None:
        # case-folding the text keeps every character's class for _WORD
        # (word character, apostrophe / hyphen, other), so its words are
        # the folded words
        t = t.casefold()
        return _WORD.findall(t.replace("’", "'") if "’" in t else t)
    if "’" in t:
        return [w.casefold().replace("’", "'") for w in _WORD.findall(t)]
    return [w.casefold() for w in _WORD.findall(t)]


def stem(w: str) -> str:
    """A very light, language-neutral stemmer: enough to make "Donbas" and
    "Donbass", "component" and "components" meet."""
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ss"):
        w = w[:-1]
    if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def content_tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in ALL_STOPWORDS and (len(w) > 1 or w.isdigit())]


def guess_language(text: str) -> str:
    """ISO code of the stop-word list that covers most words (``en`` on ties)."""
    ws = words(text[:4000])
    if not ws:
        return "en"
    counts = Counter(ws)
    best, score = "en", 0
    for lang in sorted(STOPWORDS):
        s = sum(counts[w] for w in STOPWORDS[lang].intersection(counts))
        if s > score or (s == score and lang == "en"):
            best, score = lang, s
    return best


# ------------------------------------------------------------ quotations


def quote_state(text: str, is_open: bool = False, opener: str = "") -> tuple[bool, str]:
    """Whether a quotation is open after reading ``text`` (given the state
    before it).  Handles “…”, „…“, «…» and ASCII "…"."""
    for ch in _QUOTE_CHAR.findall(text):  # other characters change nothing
        if ch in QUOTE_OPEN:
            if ch == "“" and is_open and opener == "„":
                is_open, opener = False, ""
            else:
                is_open, opener = True, ch
        elif ch in QUOTE_CLOSE:
            is_open, opener = False, ""
        elif ch in QUOTE_TOGGLE:
            if is_open and opener == '"':
                is_open, opener = False, ""
            elif not is_open:
                is_open, opener = True, '"'
            else:  # a straight quote while a curly one is open: closes it
                is_open, opener = False, ""
    return is_open, opener


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the quoted passages (inside the marks); an unclosed
    quotation runs to the end of ``text``."""
    out: list[tuple[int, int]] = []
    if not any(q in text for q in _QMARKS):
        return out
    is_open, opener, start = False, "", 0
    for i, ch in enumerate(text):
        if ch not in _QMARKS:
            continue
        was = is_open
        is_open, opener = quote_state(ch, is_open, opener)
        if is_open and not was:
            start = i + 1
        elif was and not is_open:
            out.append((start, i))
        elif was and is_open and ch in QUOTE_OPEN:  # re-opened: treat as new
            start = i + 1
    if is_open:
        out.append((start, len(text)))
    return out


# ------------------------------------------------------------- sentences


@dataclass(frozen=True, slots=True)
class Unit:
    """A claim candidate: one sentence, or several merged while a quotation
    was open.  ``quote_open_before``: the unit starts inside a quotation
    opened in an earlier paragraph; ``quote_open_after``: one is still open at
    its end."""

    start: int
    end: int
    text: str
    quote_open_before: bool = False
    quote_open_after: bool = False
    merged: int = 1


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _last_word(text: str, i: int) -> str:
    """``_LASTWORD.search(text, 0, i)``'s text ("" for none): the run of
    characters other than whitespace and ``"“([`` that ends at ``i``."""
    if i > 0 and text[i - 1] == "\n":
        w = _LASTWORD.search(text, 0, i)  # "$" also matches before a final newline
        return w.group(0) if w else ""
    j = i
    while j > 0 and text[j - 1] not in _WORD_STOPS and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def _simple_spans(text: str) -> list[tuple[int, int]] | None:
    """Sentence spans when the paragraph has no hazard pysbd exists for:
    every ``.!?`` is followed by space + capital (or ends the text), the
    word before a period is not an abbreviation, an initial, a number or
    dotted ("U.S."), and there is no ellipsis.  None = ask pysbd."""
    if "..." in text or "…" in text or ".." in text:
        return None
    cuts = []
    end = len(text.rstrip())
    for m in _MARK.finditer(text):
        i = m.start()
        after = m.end()
        if after >= end:
            continue  # the final mark
        k = _SPACES.match(text, after).end()  # (text[after:].lstrip() starts at k)
        if k == after:
            return None  # "U.S.A", "3.5", "Putin.Earlier": let pysbd (and the glue rules) decide
        nxt = text[k]  # (k < end: a non-space character follows)
        if not (nxt.isupper() or nxt in "\"“‘(["):
            return None
        if text[i] == ".":
            word = _last_word(text, i)
            if len(word) <= 1 or word.casefold() in _ABBR or "." in word or word[:1].isdigit() or word.isupper():
                return None
        cuts.append(after)
    spans, prev = [], 0
    for c in cuts:
        spans.append((prev, c))
        prev = c
    spans.append((prev, len(text)))
    return spans


# ------------------------------------------------ pysbd, without recompiling
#
# ``pysbd.Segmenter(char_span=True).segment`` builds regexes from strings on
# every call: for every abbreviation of its list that occurs as a substring
# (``"p"``, ``"is"``, ``"man"`` ... occur in nearly every paragraph) a
# case-insensitive ``findall`` over the line, one substitution per match, and
# one regex per output sentence to find its character span.  There are more
# distinct patterns than ``re``'s cache holds, so most calls recompiled them,
# and the rest of the time went to scans that find nothing.  ``_segment`` is
# the same algorithm (pysbd's own Processor and rules) with three exact
# shortcuts:
#
# * the matches of ``(?:^|\s|\r|\n)abbr`` (re.I) for an alphanumeric
#   lower-case ``abbr`` are found with ``str.find`` in the lowered line, with
#   whitespace made spaces, unless the line holds a character for which re.I
#   and ``str.lower`` disagree on the abbreviation letters
#   (``_IGNORECASE_HAZARD``);
# * a replacement of the period after an abbreviation is skipped when the
#   line has no ``abbr.`` (every language's pattern is a ``\.`` right after
#   a lookbehind ending in the abbreviation), and the ``(?<={abbr} )`` quirk
#   pattern is only run when the literal ``{abbr} `` occurs;
# * sentence spans are found with ``str.find`` (what
#   ``re.finditer(re.escape(sent) + r"\s*")`` matches).
#
# Only for the languages whose replacer code was checked (``_FAST_LANGS``);
# tests/test_claims_speed.py compares with ``pysbd.Segmenter``.

_FAST_LANGS = frozenset("en de fr es it ru".split())

# Characters for which ``re.I`` matching of a lower-case letter of pysbd's
# abbreviation lists differs from comparing ``str.lower()`` (or whose lower
# case is not one character, or depends on context: final sigma).
_IGNORECASE_HAZARD = re.compile("[\u0130\u0131\u017f\u039c\u03bc\u03a3\u1c80-\u1c88\u212a]")
_WS = re.compile(r"\s")


def _plain_matches(text: str, spaced: str, abbr: str) -> list[str]:
    r"""``re.findall(r"(?:^|\s|\r|\n)" + abbr, text, re.I)`` for an
    alphanumeric lower-case ``abbr`` and a ``text`` without
    ``_IGNORECASE_HAZARD`` (``spaced``: ``text.lower()`` with every
    whitespace character a space, so positions agree)."""
    out = []
    n = len(abbr)
    if spaced.startswith(abbr):
        out.append(text[:n])
    k = spaced.find(" " + abbr)
    while k >= 0:
        out.append(text[k:k + 1 + n])
        k = spaced.find(" " + abbr, k + 1 + n)
    return out


class _FastAbbreviations:
    """Mixin over a language's pysbd AbbreviationReplacer (see above)."""

    # Set per language by _fast_processor (immutable):
    # (abbreviation, stripped, stripped + ".", simple) in pysbd's order, where
    # simple = alphanumeric and lower case;
    _abbr_table: tuple[tuple[str, str, str, bool], ...] = ()
    # simple stripped form -> its indices in the table; indices of the others
    _abbr_simple: MappingProxyType = MappingProxyType({})
    _abbr_other: tuple[int, ...] = ()
    _abbr_maxlen: int = 0
    # the replacer's period patterns are pysbd's own (not overridden)
    _fast_scan: bool = False

    def _candidates(self, lowered: str):
        """Table indices, in order, of the abbreviations that can change a
        line without ``_IGNORECASE_HAZARD``: a simple one only when the line
        has "abbr." (``scan_for_replacements`` needs it), i.e. when it is a
        suffix of the alphanumeric run before some "."; the others always."""
        idx = set(self._abbr_other)
        simple, maxlen = self._abbr_simple, self._abbr_maxlen
        p = lowered.find(".")
        while p >= 0:
            k, lim = p, max(0, p - maxlen)
            while k > lim and lowered[k - 1].isalnum():
                k -= 1
            for q in range(k, p):
                hit = simple.get(lowered[q:p])
                if hit:
                    idx.update(hit)
            p = lowered.find(".", p + 1)
        return sorted(idx)

    def search_for_abbreviations_in_string(self, text):
        self._applied = set()  # fast-path patterns applied to this line (per call)
        lowered = text.lower()
        plain = _IGNORECASE_HAZARD.search(text) is None
        spaced = _WS.sub(" ", lowered) if plain else ""
        table = self._abbr_table
        for i in self._candidates(lowered) if plain else range(len(table)):
            _abbr, stripped, dotted, simple = table[i]
            if plain and simple:
                # every replacement needs "abbr." (see scan_for_replacements):
                # without one in the line, this abbreviation changes nothing
                if dotted not in lowered:
                    continue
                abbrev_match = _plain_matches(text, spaced, stripped)
            else:
                if stripped not in lowered:
                    continue
                abbrev_match = re.findall(r"(?:^|\s|\r|\n){}".format(stripped), text, flags=re.IGNORECASE)
            if not abbrev_match:
                continue
            if "{" + stripped + "} " in text or not any(c.isalpha() for c in stripped):
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = re.findall(next_word_start, text)
            else:
                char_array = []  # the lookbehind wants a literal "{abbr} "
            for ind, match in enumerate(abbrev_match):
                text = self.scan_for_replacements(text, match, ind, char_array)
        return text

    def scan_for_replacements(self, txt, am, ind, char_array):
        lit = am.strip()
        if not lit.isalnum():
            return super().scan_for_replacements(txt, am, ind, char_array)
        if lit + "." not in txt:
            return txt  # nothing to replace: the patterns all end in "abbr\."
        if not self._fast_scan:
            return super().scan_for_replacements(txt, am, ind, char_array)
        # pysbd's scan_for_replacements with its three patterns
        # "(?<=\s{abbr})\.(?=...)" written "\.(?<=\s{abbr}\.)(?=...)": the same
        # one-character matches, but the leading literal lets re skip ahead
        char = char_array[ind] if ind < len(char_array) else ""
        low = lit.lower()
        prepositive = low in self.lang.Abbreviation.PREPOSITIVE_ABBREVIATIONS
        if str(char).isupper() and not prepositive:
            return txt
        if prepositive:
            rest = r"(?=(\s|:\d+))"
        elif low in self.lang.Abbreviation.NUMBER_ABBREVIATIONS:
            rest = r"(?=(\s\d|\s+\())"
        else:
            rest = r"(?=((\.|\:|-|\?|,)|(\s([a-z]|I\s|I'm|I'll|\d|\())))"
        pattern = r"\.(?<=\s" + lit + r"\.)" + rest
        done = self.__dict__.setdefault("_applied", set())
        if pattern in done:
            # applied to this line already: its matches are "∯" now, and
            # the other replacements (also "." -> "∯") cannot create one
            return txt
        done.add(pattern)
        return re.sub(pattern, "∯", " " + txt)[1:]


def _abbr_tables(lang) -> dict:
    table, simple, other = [], {}, []
    for i, abbr in enumerate(lang.Abbreviation.ABBREVIATIONS):
        stripped = abbr.strip()
        is_simple = stripped.isalnum() and stripped == stripped.lower()
        table.append((abbr, stripped, stripped + ".", is_simple))
        if is_simple:
            simple.setdefault(stripped, []).append(i)
        else:
            other.append(i)
    return {
        "_abbr_table": tuple(table),
        "_abbr_simple": MappingProxyType({k: tuple(v) for k, v in simple.items()}),
        "_abbr_other": tuple(other),
        "_abbr_maxlen": max((len(k) for k in simple), default=0),
    }


# ----------------------------------------- pysbd's rules, skipped when idle
#
# Most of pysbd's remaining time goes to regex substitutions that find
# nothing (placeholder characters such as "∯" that the text does not hold,
# list markers, brackets).  ``_needles`` reads a pattern's parse tree for
# the characters every match needs in the text (top-level literals, also
# inside groups, positive lookarounds and items repeated at least once;
# a class of plain literals is "one of these"); ``_sub`` runs the
# precompiled pattern only when the text has them.  Skipping a substitution
# that cannot match returns the same text, so the result is pysbd's.

try:
    from re import _parser as _sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]


def _needles(pattern: str) -> tuple[tuple[str, bool], ...]:
    """What a text must contain to hold a match of ``pattern``: each entry
    is a substring (consecutive literals) or, for a class of literals, a
    string of alternative characters.  () = no filter."""
    try:
        parsed = _sre_parse.parse(pattern)
        if parsed.state.flags & re.IGNORECASE:
            return ()
        c = _sre_parse
        repeats = tuple(getattr(c, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(c, n))
        out: list[tuple[str, bool]] = []

        def walk(seq) -> None:
            run = ""  # consecutive literals: one substring
            for op, av in seq:
                if op is c.LITERAL:
                    run += chr(av)
                    continue
                if run:
                    out.append((run, False))
                    run = ""
                if op is c.IN and av and all(o is c.LITERAL for o, _ in av):
                    out.append(("".join(chr(v) for _, v in av), True))
                elif op is c.ASSERT:
                    walk(av[1])
                elif op is c.SUBPATTERN and not av[1] & re.IGNORECASE:
                    walk(av[3])
                elif op in repeats and av[0] >= 1:
                    walk(av[2])
            if run:
                out.append((run, False))

        walk(parsed)
        return tuple(dict.fromkeys(out))
    except Exception:  # pragma: no cover - parser layout changed: no filter
        return ()


def _caseless_gate(patterns) -> tuple[str, ...]:
    """One ASCII punctuation character that each pattern needs (case-
    insensitive matching cannot vary it); () when some pattern has none."""
    out = []
    for p in patterns:
        ch = next((c for n, any_of in _needles(p) if not any_of for c in n if c.isascii() and not c.isalnum() and not c.isspace()), None)
        if ch is None:
            return ()
        out.append(ch)
    return tuple(dict.fromkeys(out))


def _collect_patterns(obj, out: dict, depth: int = 0) -> None:
    for name in dir(obj):
        if name.startswith("__"):
            continue
        v = getattr(obj, name, None)
        if isinstance(v, _PysbdRule) and isinstance(v.pattern, str):
            out.setdefault(v.pattern, None)
        elif isinstance(v, str) and name.isupper() and name.endswith("REGEX"):
            out.setdefault(v, None)
        elif isinstance(v, type) and depth < 2 and v.__module__.startswith("pysbd"):
            _collect_patterns(v, out, depth + 1)


def _pattern_table(langs) -> MappingProxyType:
    pats: dict[str, None] = {}
    for lang in langs:
        _collect_patterns(lang, pats)
    _collect_patterns(_PysbdListItemReplacer, pats)
    return MappingProxyType({p: (re.compile(p), _needles(p), _HINTS.get(p)) for p in pats})


# Hand-written necessary conditions for pysbd patterns that start with a
# lookbehind or a class (re then tries every position) and whose needles are
# just "." (present in nearly every paragraph): a shorter pattern that every
# match contains or that every match's context holds, starting with a
# literal or a class so that re can skip ahead.  Keyed by pysbd's exact
# pattern text (a changed pattern simply gets no hint);
# tests/test_claims_speed.py checks each is implied by its pattern.
_HINTS = MappingProxyType({
    # "." or "∯" then "[" or a digit (both alternatives of group 2 start so)
    r"(?<=[^\d\s])(\.|∯)((\[(\d{1,3},?\s?-?\s?)*\b\d{1,3}\])+|((\d{1,3}\s?)?\d{1,3}))(\s)(?=[A-Z])": re.compile(r"[.∯][\[\d]"),
    r"(?<=[a-z])(\.\s){3}\.($|\\n)": re.compile(r"\.\s\."),
    r"(\s\.){3}\s": re.compile(r"\.\s\."),
    r"(?<=\S)\.{3}(?=\.\s[A-Z])": re.compile(r"\.\.\.\."),
    r"(?<=\s)\.(?=(jpe?g|png|gif|tiff?|pdf|ps|docx?|xlsx?|svg|bmp|tga|exif|odt|html?|txt|rtf|bat|sxw|xml|zip|exe|msi|blend|wmv|mp[34]|pptx?|flac|rb|cpp|cs|js)\s)": re.compile(r"\.[a-z]"),
    r"(?<=\d)\.(?=\S)": re.compile(r"\d\.\S"),
    r"(?<=^\d)\.(?=(\s\S)|\))": re.compile(r"\A\d\."),
    r"(?<=^\d\d)\.(?=(\s\S)|\))": re.compile(r"\A\d\d\."),
    r"(?<=^[A-Z])\.(?=\s)": re.compile(r"\A[A-Z]\."),
    r"(?<=\s[A-Z])\.(?=,?\s)": re.compile(r"[A-Z]\.[,\s]"),
    r"([a-zA-Z0-9_])(\.)([a-zA-Z0-9_])": re.compile(r"\.[a-zA-Z0-9_]"),
    r"(?<=-\d)\.(?=\s)|(?<=-\d\d)\.(?=\s)": re.compile(r"\d\.\s"),
    r"(?<=\s\d)\.(?=\s)|(?<=\s\d\d)\.(?=\s)": re.compile(r"\d\.\s"),
})


def _can_match(needles: tuple[tuple[str, bool], ...], text: str) -> bool:
    for needle, any_of in needles:
        if any_of:
            if not any(ch in text for ch in needle):
                return False
        elif needle not in text:
            return False
    return True


def _sub(pattern: str, repl, text: str) -> str:
    """``re.sub(pattern, repl, text)``, skipped when it cannot match."""
    hit = _PATTERNS.get(pattern)
    if hit is None:
        return re.sub(pattern, repl, text)
    rx, needles, hint = hit
    if needles and not _can_match(needles, text):
        return text
    if hint is not None and hint.search(text) is None:
        return text
    return rx.sub(repl, text)


def _apply(text: str, *rules) -> str:
    """``pysbd.utils.Text(text).apply(*rules)`` (``_sub`` inlined)."""
    for r in rules:
        hit = _PATTERNS.get(r.pattern)
        if hit is None:
            text = re.sub(r.pattern, r.replacement, text)
        elif (not hit[1] or _can_match(hit[1], text)) and (hit[2] is None or hit[2].search(text)):
            text = hit[0].sub(r.replacement, text)
    return text


def _gate(rules) -> re.Pattern | None:
    """A character class that a text must hit for any of ``rules`` to
    match (one needed character per rule); None when some rule has no
    needle."""
    chars: set[str] = set()
    for r in rules:
        hit = _PATTERNS.get(r.pattern)
        if hit is None or not hit[1]:
            return None
        needle, any_of = next(((n, a) for n, a in hit[1] if not a), hit[1][0])
        chars.update(needle if any_of else needle[0])
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")


def _compiled(pattern: str):
    hit = _PATTERNS.get(pattern)
    return hit[0] if hit is not None else re.compile(pattern)


# ListItemReplacer's list scans need these in the text (exact: every
# alternative of NUMBERED_LIST_REGEX_1 is a digit before ".\s" or ".)",
# NUMBERED_LIST_PARENS_REGEX a digit before ")\s"; the alphabetical
# patterns with parens all end in "(?=\))").  ALPHABETICAL_LIST_WITH_PERIODS
# ("^" | "\A" | "\s" before the letter) is "(?<!\S)": the same matches.
_NUMBER_DOT_HINT = re.compile(r"\d\.[\s)]")
_NUMBER_PAREN_HINT = re.compile(r"\d\)\s")
_ALPHA_PERIOD_LIST = re.compile(r"(?<!\S)[a-z](?=\.)")


def _letters_before_periods(text: str) -> list[str]:
    """``_ALPHA_PERIOD_LIST.findall(text)``: each a-z letter before a "."
    that starts the text or follows whitespace (found from the periods)."""
    out = []
    p = text.find(".", 1)
    while p >= 0:
        c = text[p - 1]
        if "a" <= c <= "z" and (p == 1 or text[p - 2].isspace()):
            out.append(c)
        p = text.find(".", p + 1)
    return out


def _letters_before_parens(text: str) -> list[str]:
    """``re.findall(ListItemReplacer.ALPHABETICAL_LIST_WITH_PARENS, text)``:
    each run of a-z that ends at a ")" and starts the text or follows "("
    or whitespace (found from the closing parentheses)."""
    out = []
    r = text.find(")", 1)
    while r >= 0:
        q = r
        while q > 0 and "a" <= text[q - 1] <= "z":
            q -= 1
        if q < r and (q == 0 or text[q - 1] == "(" or text[q - 1].isspace()):
            out.append(text[q:r])
        r = text.find(")", r + 1)
    return out


class _FastLists(_PysbdListItemReplacer):
    """pysbd's ListItemReplacer without the scans that cannot find a list."""

    def iterate_alphabet_array(self, regex, parens=False, roman_numeral=False):
        if regex == self.ALPHABETICAL_LIST_WITH_PERIODS:
            list_array = _letters_before_periods(self.text)
        elif regex == self.ALPHABETICAL_LIST_WITH_PARENS:
            list_array = _letters_before_parens(self.text)
        else:
            return super().iterate_alphabet_array(regex, parens, roman_numeral)
        alphabet = self.ROMAN_NUMERALS if roman_numeral else self.LATIN_NUMERALS
        list_array = [i for i in list_array if i in alphabet]
        if len(list_array) < 2:
            return self.text  # a lone item is never replaced (its "neighbour" is itself)
        for ind, each in enumerate(list_array):
            if ind == len(list_array) - 1:
                self.text = self.last_array_item_replacement(each, ind, alphabet, list_array, parens)
            else:
                self.text = self.other_items_replacement(each, ind, alphabet, list_array, parens)
        return self.text

    def scan_lists(self, regex1, regex2, replacement, strip=False):
        # each item ends at its own "digit + .\s" (or ".)", ")\s"): fewer than
        # two of those, fewer than two items, and one item is never replaced
        if regex1 == self.NUMBERED_LIST_REGEX_1 and len(_NUMBER_DOT_HINT.findall(self.text)) < 2:
            return
        if regex1 == self.NUMBERED_LIST_PARENS_REGEX and len(_NUMBER_PAREN_HINT.findall(self.text)) < 2:
            return
        super().scan_lists(regex1, regex2, replacement, strip)

    def format_numbered_list_with_periods(self):
        self.replace_periods_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_periods()
        self.text = _apply(self.text, self.SubstituteListPeriodRule)

    def format_numbered_list_with_parens(self):
        self.replace_parens_in_numbered_list()
        self.add_line_breaks_for_numbered_list_with_parens()
        self.text = _apply(self.text, self.ListMarkerRule)

    def replace_parens(self):
        if "(" not in self.text:
            return self.text
        return super().replace_parens()


# BetweenPunctuation's steps in pysbd's order, with the character each one's
# pattern starts with (no such character, nothing to protect).
_BETWEEN_STEPS = (
    ("sub_punctuation_between_single_quotes", "'"),
    ("sub_punctuation_between_single_quote_slanted", "‘"),
    ("sub_punctuation_between_double_quotes", '"'),
    ("sub_punctuation_between_square_brackets", "["),
    ("sub_punctuation_between_parens", "("),
    ("sub_punctuation_between_quotes_arrow", "«"),
    ("sub_punctuation_between_em_dashes", "--"),
    ("sub_punctuation_between_quotes_slanted", "“"),
)
_EXCLAMATION_WORDS = tuple(_PysbdExclamationWords.EXCLAMATION_WORDS)
_ALPHA_ONLY = re.compile(r"\A[a-zA-Z]*\Z")


class _FastProcess:
    """Mixin over pysbd's own Processor: ``process`` and the steps it calls,
    line for line, with ``Text.apply`` / ``re.sub`` replaced by ``_apply`` /
    ``_sub`` (skipped when they cannot match) and the list / between-
    punctuation scans by their guarded versions.  Only for languages that
    keep pysbd's Processor and BetweenPunctuation (see ``_fast_processor``)."""

    def process(self):
        if not self.text:
            return self.text
        self.text = self.text.replace("\n", "\r")
        self.text = _FastLists(self.text).add_line_break()
        self.replace_abbreviations()
        self.replace_numbers()
        self.replace_continuous_punctuation()
        self.replace_periods_before_numeric_references()
        self.text = _apply(self.text, self.lang.Abbreviation.WithMultiplePeriodsAndEmailRule, self.lang.GeoLocationRule, self.lang.FileFormatRule)
        return self.split_into_segments()

    def split_into_segments(self):
        self.check_for_parens_between_quotes()
        sents = self.rm_none_flatten(self.text.split("\r"))
        sents = [_apply(s, self.lang.SingleNewLineRule, *self.lang.EllipsisRules.All) for s in sents]
        sents = self.rm_none_flatten([self.check_for_punctuation(s) for s in sents])
        out = []
        gate = self._sub_symbols_gate
        for sent in sents:
            if gate is None or gate.search(sent):
                sent = _apply(sent, *self.lang.SubSymbolsRules.All)
            pps = self.post_process_segments(sent)
            if pps and isinstance(pps, str):
                out.append(pps)
            elif isinstance(pps, list):
                out.extend(pps)
        return [_apply(ns, self.lang.SubSingleQuoteRule) for ns in out]

    def post_process_segments(self, txt):
        if len(txt) > 2 and _ALPHA_ONLY.search(txt):
            return txt
        txt = _apply(txt, *self.lang.ReinsertEllipsisRules.All)
        hit = _PATTERNS.get(self.lang.QUOTATION_AT_END_OF_SENTENCE_REGEX)
        if (hit[0] if hit else re.compile(self.lang.QUOTATION_AT_END_OF_SENTENCE_REGEX)).search(txt):
            return _compiled(self.lang.SPLIT_SPACE_QUOTATION_AT_END_OF_SENTENCE_REGEX).split(txt)
        return txt.replace("\n", "").strip()

    def check_for_parens_between_quotes(self):
        if "(" in self.text:
            super().check_for_parens_between_quotes()

    def replace_continuous_punctuation(self):
        if "!" in self.text or "?" in self.text:
            super().replace_continuous_punctuation()

    def replace_periods_before_numeric_references(self):
        self.text = _sub(self.lang.NUMBERED_REFERENCE_REGEX, r"∯\2\r\7", self.text)

    def replace_numbers(self):
        self.text = _apply(self.text, *self.lang.Numbers.All)

    def process_text(self, txt):
        if txt[-1] not in self.lang.Punctuations:
            txt += "ȸ"
        if any(w in txt for w in _EXCLAMATION_WORDS):
            txt = _PysbdExclamationWords.apply_rules(txt)
        txt = self.between_punctuation(txt)
        if not _compiled(self.lang.DoublePunctuationRules.DoublePunctuation).match(txt):
            txt = _apply(txt, *self.lang.DoublePunctuationRules.All)
        txt = _apply(txt, self.lang.QuestionMarkInQuotationRule, *self.lang.ExclamationPointRules.All)
        txt = _FastLists(txt).replace_parens()
        return self.sentence_boundary_punctuation(txt)

    def between_punctuation(self, txt):
        bp = self.between_punctuation_processor(txt)
        for step, needle in _BETWEEN_STEPS:
            if needle in txt:
                txt = getattr(bp, step)(txt)
        return txt

    def sentence_boundary_punctuation(self, txt):
        if hasattr(self.lang, "ReplaceColonBetweenNumbersRule"):
            txt = _apply(txt, self.lang.ReplaceColonBetweenNumbersRule)
        if hasattr(self.lang, "ReplaceNonSentenceBoundaryCommaRule"):
            txt = _apply(txt, self.lang.ReplaceNonSentenceBoundaryCommaRule)
        if "&ᓴ&" in txt:
            txt = re.sub(r"&ᓴ&$", "!", txt)
        return [m.group() for m in _compiled(self.lang.SENTENCE_BOUNDARY_REGEX).finditer(txt)]


class _FastReplace:
    """Mixin over pysbd's AbbreviationReplacer.replace (same steps, idle
    substitutions skipped)."""

    def replace(self):
        self.text = _apply(self.text, self.lang.PossessiveAbbreviationRule, self.lang.KommanditgesellschaftRule, *self.lang.SingleLetterAbbreviationRules.All)
        self.text = "".join(self.search_for_abbreviations_in_string(line) for line in self.text.splitlines(True))
        self.replace_multi_period_abbreviations()
        self.text = _apply(self.text, *self.lang.AmPmRules.All)
        if "∯" in self.text:  # the pattern is "(U∯S|...)∯(...)"
            self.text = self.replace_abbreviation_as_sentence_boundary()
        return self.text


def _fast_processor(module):
    base_replacer = getattr(module, "AbbreviationReplacer", _PysbdReplacer)
    mixins: tuple[type, ...] = (_FastAbbreviations,)
    if base_replacer.replace is _PysbdReplacer.replace:
        mixins = (_FastReplace, _FastAbbreviations)
    attrs = _abbr_tables(module)
    attrs["_fast_scan"] = (
        base_replacer.scan_for_replacements is _PysbdReplacer.scan_for_replacements
        and base_replacer.replace_period_of_abbr is _PysbdReplacer.replace_period_of_abbr
    )
    replacer = type(f"Fast{base_replacer.__qualname__.replace('.', '')}", (*mixins, base_replacer), attrs)
    base = getattr(module, "Processor", _PysbdProcessor)
    pmixins: tuple[type, ...] = ()
    if base is _PysbdProcessor and getattr(module, "BetweenPunctuation", _PysbdBetween) is _PysbdBetween:
        pmixins = (_FastProcess,)

    def abbreviations_replacer(self):
        return replacer(self.text, self.lang)

    return type(
        f"Fast{module.__name__}Processor",
        (*pmixins, base),
        {"abbreviations_replacer": abbreviations_replacer, "_sub_symbols_gate": _gate(module.SubSymbolsRules.All)},
    )


_PATTERNS = _pattern_table([_PysbdLanguage.get_language_code(code) for code in sorted(_FAST_LANGS)])
_PROCESSORS = MappingProxyType({code: _fast_processor(_PysbdLanguage.get_language_code(code)) for code in sorted(_FAST_LANGS)})


def _char_spans(sents: list[str], text: str) -> list[_TextSpan]:
    """pysbd's ``Segmenter.sentences_with_char_spans`` without a regex per
    sentence: the first occurrence of ``sent`` (plus trailing whitespace)
    among the non-overlapping ones that ends after the previous span."""
    out = []
    prior = 0
    n = len(text)
    for sent in sents:
        if not sent:  # the regex would match empty strings: keep pysbd's own code
            for m in re.finditer(r"{0}\s*".format(re.escape(sent)), text):
                if m.end() > prior:
                    out.append(_TextSpan(m.group(), m.start(), m.end()))
                    prior = m.end()
                    break
            continue
        pos = 0
        while True:
            k = text.find(sent, pos)
            if k < 0:
                break
            e = k + len(sent)
            while e < n and text[e].isspace():
                e += 1
            if e > prior:
                out.append(_TextSpan(text[k:e], k, e))
                prior = e
                break
            pos = e
    return out


def _segment(text: str, lang: str) -> list[_TextSpan]:
    """``pysbd.Segmenter(language=lang, clean=False, char_span=True).segment(text)``."""
    proc = _PROCESSORS.get(lang)
    if proc is None:
        return pysbd.Segmenter(language=lang, clean=False, char_span=True).segment(text)
    if not text:
        return []
    return _char_spans(proc(text, _PysbdLanguage.get_language_code(lang), char_span=True).process(), text)


def _pysbd_spans(text: str, lang: str) -> list[tuple[int, int]]:
    # Fast path: no sentence-final mark before the end -> one sentence.
    body = text.rstrip().rstrip(ALL_QUOTES + ")]»”’ ")
    inner = body[:-1] if body[-1:] in ".!?…" else body
    if _END_CHAR.search(inner) is None:
        return [(0, len(text))]
    if lang in ("en",) or lang not in PYSBD_LANGS:
        simple = _simple_spans(text)
        if simple is not None:
            return simple
    try:
        spans = _segment(text, lang if lang in PYSBD_LANGS else "en")
    except Exception:  # pysbd chokes on odd input; one sentence is a safe answer
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    pos = 0
    for sp in spans:
        s, e = sp.start, sp.end
        # pysbd spans come from str.find; keep them monotone and inside text
        if s < pos or e > len(text) or text[s:e] != sp.sent:
            k = text.find(sp.sent.strip(), pos)
            if k < 0:
                continue
            s, e = k, k + len(sp.sent.strip())
        out.append((s, e))
        pos = e
    if not out:
        return [(0, len(text))]
    # cover gaps: extend each span to the start of the next
    fixed = []
    for i, (s, e) in enumerate(out):
        s = 0 if i == 0 else s
        e = out[i + 1][0] if i + 1 < len(out) else len(text)
        fixed.append((s, e))
    return fixed


def _glued_cuts(text: str) -> set[int]:
    """Ends of the _GLUED matches (hard sentence breaks)."""
    if _GLUE_HINT.search(text) is None:
        return set()
    return {m.end() for rx, hint in zip(_GLUED, _GLUED_HINTS) if hint.search(text) for m in rx.finditer(text)}


def sentence_spans(text: str, lacunae: tuple[int, ...] = (), lang: str = "en") -> list[tuple[int, int]]:
    """Sentence spans of one paragraph: pysbd, plus hard breaks at the
    block's lacunae and at glued boundaries; whitespace trimmed; empty
    spans dropped."""
    return _sentence_spans(text, lacunae, lang, _glued_cuts(text))


def _sentence_spans(text: str, lacunae: tuple[int, ...], lang: str, glued: set[int]) -> list[tuple[int, int]]:
    if not text.strip():
        return []
    cuts = {c for c in lacunae if 0 < c < len(text)} | glued
    out: list[tuple[int, int]] = []
    for s, e in _pysbd_spans(text, lang):
        inner = sorted(c for c in cuts if s < c < e) if cuts else ()
        for a, b in zip([s, *inner], [*inner, e]):
            a, b = _trim(text, a, b)
            if b > a:
                out.append((a, b))
    return out


def units(text: str, lacunae: tuple[int, ...] = (), lang: str = "en", quote_open_before: bool = False) -> list[Unit]:
    """Sentences of one paragraph, merged while a quotation stays open (a
    quotation opened in one sentence and closed in a later one is one unit)."""
    glued = _glued_cuts(text)
    spans = _sentence_spans(text, lacunae, lang, glued)
    cuts = set(lacunae) | glued
    out: list[Unit] = []
    is_open, opener = False, ""  # a continued quotation re-opens with its own mark
    i = 0
    while i < len(spans):
        s, e = spans[i]
        if cuts and any(out and out[-1].end <= c <= s for c in cuts):
            is_open, opener = False, ""  # text was lost here: the quote state is unknown
        before = quote_open_before if not out else False
        is_open, opener = quote_state(text[s:e], is_open, opener)
        n = 1
        while is_open and i + 1 < len(spans) and n < MAX_QUOTE_MERGE and spans[i + 1][1] - s <= MAX_UNIT_CHARS and not any(e <= c <= spans[i + 1][0] for c in cuts):
            i += 1
            n += 1
            e = spans[i][1]
            is_open, opener = quote_state(text[spans[i][0]:e], is_open, opener)
        out.append(Unit(s, e, text[s:e], before, is_open, n))
        i += 1
    return out
