"""The claims stage's speed paths must not change results: the precompiled
pysbd segmentation equals ``pysbd.Segmenter``, and each shortcut equals the
plain computation it replaces.  (No timings here: speed is shown by
``bench/claims_bench.py --corpus``; docs/claims.md, "Speed".)"""

from __future__ import annotations

import sys
from pathlib import Path

import re

import pysbd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from annotated_archive import claims_attr as A  # noqa: E402
from annotated_archive import claims_text as T  # noqa: E402

TEXTS = [
    "Russian Defence Minister Sergei Shoigu said on Tuesday that U.S. private military contractors were in Ukraine. He gave no evidence.",
    "Gen. Mark Milley met Mr. Putin's envoy in St. Petersburg at 5 p.m. on Jan. 3. The talks, i.e. the first round, failed.",
    "See p. 5 and pp. 10-12 (art. 3). No. 7 was missing, e.g. in Fig. 2. Dr. Smith left vs. stayed.",
    "“We will respond,” said Col. Ivanov. “The U.S. has been warned.” Then he left... The end.",
    "GEN. SMITH SAID NO. 5 WAS READY. THE U.S. DISAGREED.",
    "Prof. Müller sagte: „Das ist falsch.“ Dann ging er.",
    "The ſt. Kelvin sign K and dotted İstanbul, ı too: Mr. İnce said so. Gen. Kaya agreed.",
    "Text with a {mr} quirk: {mr} Smith said Mr. Brown left. Then {st} X.",
    "Line one ends here.\nLine two, Mr. Jones, starts here.\rAnd three. Done",
    "Weird abbr a.m spacing: a(m. and e.g. ph.d. holders, d.phil. too. OK?",
    "Numbers 3.5 and 1.2.3 and U.S.A. and Ph.D. in 2021. Next.",
    "He asked: is it true? She said yes! Wow!! Really?!",
    "",
    "   ",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", ["en", "de", "ru", "fr"])
def test_segment_equals_pysbd(text: str, lang: str) -> None:
    def ref(t):
        try:
            return [(s.sent, s.start, s.end) for s in pysbd.Segmenter(language=lang, clean=False, char_span=True).segment(t)]
        except Exception as e:  # pragma: no cover - same failure expected
            return ("error", type(e).__name__)

    def new(t):
        try:
            return [(s.sent, s.start, s.end) for s in T._segment(t, lang)]
        except Exception as e:  # pragma: no cover
            return ("error", type(e).__name__)

    assert new(text) == ref(text)


def test_ignorecase_hazard_is_complete() -> None:
    """Outside ``_IGNORECASE_HAZARD``, re.I matching of the abbreviation
    letters equals comparing ``str.lower()`` (what ``_plain_matches`` does)."""
    import re

    from pysbd.languages import Language

    letters = set()
    for code in T._FAST_LANGS:
        for a in Language.get_language_code(code).Abbreviation.ABBREVIATIONS:
            s = a.strip()
            if s.isalnum() and s == s.lower():
                letters.update(s)
    for cp in range(0x10000):
        ch = chr(cp)
        if T._IGNORECASE_HAZARD.match(ch):
            continue
        low = ch.lower()
        assert len(low) == 1, hex(cp)
        for x in letters:
            if low == x:
                continue
            assert not re.fullmatch(re.escape(x), ch, re.I), (x, hex(cp))
        if low in letters:
            assert re.fullmatch(re.escape(low), ch, re.I), hex(cp)


def test_segment_hazard_texts() -> None:
    for text in ("Dr. ıstanbul and DR. İZMİR: ſt. Paul met Mr. Μ.", "ΟΔΟΣ Gen. ᲀ. g. Smith left. Then.", "Rep. K. Jones. No. 5 St. Louis."):
        for lang in ("en", "ru", "de"):
            ref = [(s.sent, s.start, s.end) for s in pysbd.Segmenter(language=lang, clean=False, char_span=True).segment(text)]
            assert [(s.sent, s.start, s.end) for s in T._segment(text, lang)] == ref


# ------------------------------------------------- generated hazard texts

# Pieces that exercise pysbd's rules: abbreviations, list markers, numbers,
# ellipses, quotes and brackets, double punctuation, placeholders pysbd uses
# internally, line breaks, and characters whose case mapping is irregular.
PIECES = [
    "Mr.", "Dr.", "Gen.", "Prof.", "St.", "No.", "Jan.", "Nov.", "pp.", "p.", "Fig.", "art.", "vs.", "etc.", "Co.", "KG",
    "U.S.", "U.K.", "U.S.A.", "e.g.", "i.e.", "a.m.", "p.m.", "A.M.", "Ph.D.", "ca.", "approx.", "Inc.", "Ltd.", "sr.",
    "1.", "2.", "3.", "10.", "a.", "b.", "c.", "a)", "b)", "(i)", "(ii)", "(iv)", "iv.", "v.", "1)", "2)",
    "3.5", "1.2.3", "12", "2020.", "$12.9", "5", "°.", "'s", "jpg", ".pdf", "x@y.com", "Yahoo!", "!Kung",
    ".", ".", ".", "!", "?", "...", "…", "?!", "!!", "??", "!?", "--", ",", ";", ":", "-",
    '"', "“", "”", "'", "‘", "’", "«", "»", "„", "(", ")", "[", "]", "{mr}",
    "∯", "♨", "☝", "&ᓴ&", "ȸ", "\n", "\r", "  ",
    "İ", "ı", "ſ", "K", "Σ",
    "The", "He", "She", "It", "They", "However", "In", "said", "that", "the", "president", "Putin", "Smith", "talks",
    "will", "be", "held", "in", "Geneva", "on", "Monday", "and", "we", "see", "more", "I", "A", "is", "man", "so",
]
hazard_text = st.lists(st.sampled_from(PIECES), min_size=0, max_size=40).map(
    lambda ws: "".join(w + ("" if i % 5 == 3 else " ") for i, w in enumerate(ws))
)
PROP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pysbd_ref(text: str, lang: str):
    try:
        return [(s.sent, s.start, s.end) for s in pysbd.Segmenter(language=lang, clean=False, char_span=True).segment(text)]
    except Exception as e:  # pragma: no cover - same failure expected
        return ("error", type(e).__name__)


def _fast(text: str, lang: str):
    try:
        return [(s.sent, s.start, s.end) for s in T._segment(text, lang)]
    except Exception as e:  # pragma: no cover
        return ("error", type(e).__name__)


@PROP
@given(hazard_text, st.sampled_from(sorted(T._FAST_LANGS)))
def test_segment_equals_pysbd_on_generated_texts(text: str, lang: str) -> None:
    assert _fast(text, lang) == _pysbd_ref(text, lang)


@PROP
@given(hazard_text)
def test_needles_are_necessary(text: str) -> None:
    """A pattern that matches a text finds its needles there (else the
    skipped substitution would have changed the text)."""
    for pattern, (rx, needles, hint) in T._PATTERNS.items():
        if rx.search(text) is not None:
            assert T._can_match(needles, text), pattern
            assert hint is None or hint.search(text), pattern


def test_every_hint_belongs_to_a_pysbd_pattern() -> None:
    assert set(T._HINTS) <= set(T._PATTERNS)
    assert all(T._PATTERNS[p][2] is T._HINTS[p] for p in T._HINTS)


def test_needles_of_known_patterns() -> None:
    assert T._needles(r"(?<=a∯m)∯(?=\s[A-Z])") == (("a∯m", False), ("∯", False))
    assert T._needles(r"(\.|∯)x") == ((".∯", True), ("x", False))
    assert T._needles(r"a|b") == (("ab", True),)  # one of two characters
    assert T._needles(r"ab|c") == ()  # an alternation of strings needs neither
    assert T._needles(r"(?i)abc") == ()  # case-insensitive: no literal filter
    assert T._needles(r"x?y*z{0,2}") == ()  # optional items need nothing
    assert T._needles(r"(?!q)w+") == (("w", False),)


@PROP
@given(hazard_text)
def test_list_shortcuts_equal_pysbd_scans(text: str) -> None:
    from pysbd.lists_item_replacer import ListItemReplacer as L

    assert T._letters_before_periods(text) == re.findall(L.ALPHABETICAL_LIST_WITH_PERIODS, text)
    assert T._ALPHA_PERIOD_LIST.findall(text) == re.findall(L.ALPHABETICAL_LIST_WITH_PERIODS, text)
    assert T._letters_before_parens(text) == re.findall(L.ALPHABETICAL_LIST_WITH_PARENS, text)
    assert len(re.findall(L.NUMBERED_LIST_REGEX_1, text)) <= len(T._NUMBER_DOT_HINT.findall(text))
    assert len(re.findall(L.NUMBERED_LIST_PARENS_REGEX, text)) <= len(T._NUMBER_PAREN_HINT.findall(text))
    assert T._FastLists(text).add_line_break() == L(text).add_line_break()


@PROP
@given(hazard_text)
def test_text_shortcuts_equal_plain_versions(text: str) -> None:
    # tokenize
    ref = [
        (m.group(), m.start(), m.end(), m.group().casefold().replace("’", "'"), m.group()[:1].isupper(), m.group()[:1].isalnum())
        for m in A._TOKEN.finditer(text)
    ]
    assert [tuple(t) for t in A.tokenize(text)] == ref
    # name runs: the plain scan over every token
    toks, runs, i = A.tokenize(text), [], 0
    while i < len(toks):
        if toks[i].word and toks[i].cap and not toks[i].text.isdigit():
            j = i + 1
            while j < len(toks):
                if toks[j].word and toks[j].cap and not toks[j].text.isdigit():
                    j += 1
                elif toks[j].low in A._NAME_CONNECTORS and j + 1 < len(toks) and toks[j + 1].cap and toks[j + 1].word:
                    j += 2
                else:
                    break
            runs.append((i, j))
            i = j
        else:
            i += 1
    assert A.name_runs(toks) == runs
    # glued boundaries with and without the hints
    assert T._glued_cuts(text) == {m.end() for rx in T._GLUED for m in rx.finditer(text)}
    # quote_state reading only the quotation marks
    state, opener = False, ""
    for ch in text:
        if ch in T.QUOTE_OPEN:
            state, opener = (False, "") if (ch == "“" and state and opener == "„") else (True, ch)
        elif ch in T.QUOTE_CLOSE:
            state, opener = False, ""
        elif ch in T.QUOTE_TOGGLE:
            state, opener = (False, "") if state else (True, '"')
    assert T.quote_state(text) == (state, opener)
    # the word before each period
    for i in range(len(text) + 1):
        w = T._LASTWORD.search(text, 0, i)
        assert T._last_word(text, i) == (w.group(0) if w else "")


def test_abbreviation_candidates_cover_every_dotted_abbreviation() -> None:
    """``_candidates`` returns, in order, every simple abbreviation whose
    "abbr." occurs in the line, and all the others."""
    from pysbd.languages import Language

    for code in sorted(T._FAST_LANGS):
        rep = T._PROCESSORS[code]("x", Language.get_language_code(code)).abbreviations_replacer()
        table = rep._abbr_table
        for line in TEXTS + ["mr. mrs. ms. dr. prof. gen. st. no. jan. u.s. e.g. a.m. inc. ltd. vs. etc. art. pp. p."]:
            lowered = line.lower()
            want = [i for i, (_a, stripped, dotted, simple) in enumerate(table) if not simple or dotted in lowered]
            assert rep._candidates(lowered) == want


def test_casefold_hazard_is_complete() -> None:
    """Outside ``_CASEFOLD_HAZARD``, case folding keeps each character's
    class for ``_WORD`` (so ``words`` may fold the whole text first)."""
    word = re.compile(r"[^\W_]")

    def cls(ch: str) -> str:
        return "w" if word.match(ch) else ("s" if ch in "'’-" else "o")

    for cp in range(0x110000):
        ch = chr(cp)
        if T._CASEFOLD_HAZARD.match(ch):
            continue
        assert all(cls(x) == cls(ch) for x in ch.casefold()), hex(cp)


@PROP
@given(st.one_of(hazard_text, st.text(max_size=80)))
def test_words_equal_per_word_folding(text: str) -> None:
    import unicodedata

    want = [w.casefold().replace("’", "'") for w in T._WORD.findall(unicodedata.normalize("NFKC", text))]
    assert T.words(text) == want


def test_boilerplate_gate() -> None:
    from annotated_archive import claims as C

    assert C._BOILERPLATE_ANY_GATE == (":",)
    assert T._caseless_gate([r"\bphoto\s*:", r"x|y"]) == ()
    assert C._is_boilerplate("PHOTO: Reuters", frozenset())
    assert not C._is_boilerplate("The photo shows a tank", frozenset())


def _simple_spans_plain(text: str):
    """``_simple_spans`` as first written (string copies per mark)."""
    if "..." in text or "…" in text or ".." in text:
        return None
    cuts = []
    for m in T._MARK.finditer(text):
        i, after = m.start(), m.end()
        if after >= len(text.rstrip()):
            continue
        rest = text[after:].lstrip()
        if len(text) - after - len(rest) == 0:
            return None
        if not (rest[:1].isupper() or rest[:1] in "\"“‘(["):
            return None
        if text[i] == ".":
            w = T._LASTWORD.search(text, 0, i)
            word = w.group(0) if w else ""
            if len(word) <= 1 or word.casefold() in T._ABBR or "." in word or word[:1].isdigit() or word.isupper():
                return None
        cuts.append(after)
    bounds = [0, *cuts, len(text)]
    return list(zip(bounds, bounds[1:]))


@PROP
@given(st.one_of(hazard_text, st.text(alphabet=" \t\n.!?\"“‘([AbcXyz'’", max_size=60)))
def test_simple_spans_equal_plain_version(text: str) -> None:
    assert T._simple_spans(text) == _simple_spans_plain(text)


@PROP
@given(st.one_of(hazard_text, st.text(alphabet="“”„‟«»‘’‚‛‹›–—…\"' aB.-", max_size=40), st.text(max_size=40)))
def test_normalise_equals_translation(text: str) -> None:
    import unicodedata

    t = unicodedata.normalize("NFKC", text).translate(T._QUOTE_TRANS).casefold()
    t = T._SPACE.sub(" ", t).strip()
    assert T.normalise(text) == t.strip(" \"'.,;:!?-()[]")
