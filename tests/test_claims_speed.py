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
