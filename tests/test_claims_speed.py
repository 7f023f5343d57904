"""The claims stage's speed paths must not change results: the precompiled
pysbd segmentation equals ``pysbd.Segmenter``."""

from __future__ import annotations

import sys
from pathlib import Path

import pysbd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

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
