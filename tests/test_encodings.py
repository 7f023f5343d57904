"""Encodings: real byte fixtures generated here, decoded by the read stage,
and the detection shown on the raw page of a real build."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import build_site

from annotated_archive.read import read_seed

RU = (
    "Москва призвала НАТО отступить\n\n"
    "Президент заявил журналистам, что переговоры продолжатся на следующей неделе в Женеве.\n"
    "Министр иностранных дел сказал, что ответ будет дан в письменном виде до конца месяца.\n"
)
FR = (
    "Le gouvernement annonce de nouvelles négociations\n\n"
    "Le président a déclaré que les négociations reprendraient à Genève la semaine prochaine.\n"
    "« Ça coûte très cher », a-t-il ajouté à l'issue de la réunion de l'été dernier.\n"
)
EN = (
    "Talks to resume in Geneva\n\n"
    "The minister said on Monday that talks would resume in Geneva next week, officials confirmed.\n"
)


# name -> (text, how to encode it, bytes in front, expected codec, words that must be in the note)
_SPECS = {
    "utf8.txt": (RU, "utf-8", b"", "utf-8", ["valid UTF-8"]),
    "utf8-bom.txt": (RU, "utf-8", b"\xef\xbb\xbf", "utf-8", ["byte-order mark"]),
    "utf16-le-bom.txt": (RU, "utf-16-le", b"\xff\xfe", "utf-16-le", ["byte-order mark"]),
    "utf16-be-bom.txt": (FR, "utf-16-be", b"\xfe\xff", "utf-16-be", ["byte-order mark"]),
    "utf16-le-nobom.txt": (RU, "utf-16-le", b"", "utf-16-le", ["no byte-order mark"]),
    "utf16-be-nobom.txt": (EN, "utf-16-be", b"", "utf-16-be", ["no byte-order mark"]),
    "cp1251.txt": (RU, "cp1251", b"", "cp1251", ["charset-normalizer", "sure"]),
    "latin1.txt": (FR, "latin-1", b"", "cp1252", ["charset-normalizer"]),
    "utf32-le-bom.txt": (EN, "utf-32-le", b"\xff\xfe\x00\x00", "utf-32-le", ["byte-order mark"]),
    "koi8-r.txt": (RU, "koi8-r", b"", "koi8-r", ["charset-normalizer"]),
}
# name -> (bytes, expected codec, expected decoded text, words that must be in the note).
# Every text is distinct: identical texts are published once (see test_broken_files).
FIXTURES = {
    name: (bom + (text + f"Reference number {n} of the archive.\n").encode(enc), codec,
           text + f"Reference number {n} of the archive.\n", words)
    for n, (name, (text, enc, bom, codec, words)) in enumerate(sorted(_SPECS.items()))
}
FIXTURES["crlf-mixed.txt"] = (
    b"Talks to resume\r\n\r\nThe minister said talks would resume.\rOfficials confirmed it.\nend\r\n",
    "utf-8",
    "Talks to resume\n\nThe minister said talks would resume.\nOfficials confirmed it.\nend\n",
    ["valid UTF-8"],
)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_detected_and_decoded(name):
    data, codec, text, words = FIXTURES[name]
    seed = read_seed(name, data)
    assert seed.encoding == codec, seed.encoding_note
    assert seed.text == text
    for w in words:
        assert w in seed.encoding_note
    assert "\r" not in seed.text and not seed.text.startswith("\ufeff")


def test_line_endings_normalised_exactly():
    seed = read_seed("e.txt", b"one\r\ntwo\rthree\nfour\r\n\r\nfive")
    assert seed.text == "one\ntwo\nthree\nfour\n\nfive"


def test_unsure_detection_says_so():
    # four bytes of 8-bit text: many encodings fit and read differently
    seed = read_seed("short.txt", "café\n".encode("latin-1"))
    assert "unsure" in seed.encoding_note
    assert "reads" in seed.encoding_note  # and shows the rival reading


def test_latin1_french_text_is_not_called_central_european():
    # charset-normalizer ranks cp1250 first for this text (it reads "ŕ Genčve"); equal fits go to the commonest
    seed = read_seed("fr.txt", FR.encode("latin-1"))
    assert "à Genève" in seed.text


def test_bom_that_lies_is_a_reason_not_a_crash():
    r = read_seed("liar.txt", b"\xff\xfe\x00\xd8a\x00")  # UTF-16 BOM, then a lone surrogate
    assert not hasattr(r, "text") and "byte-order mark" in r.reason


def test_cjk_utf16_without_bom_and_without_nul_bytes():
    text = "北京表示谈判将于下周在日内瓦继续进行。外交部发言人说，双方将讨论安全问题。\n"
    seed = read_seed("zh.txt", text.encode("utf-16-le"))
    assert seed.text == text and seed.encoding == "utf-16-le"


def test_crlf_pairs_are_not_utf16():
    r = read_seed("blank.txt", b"\r\n\r\n")
    assert "whitespace" in r.reason  # two blank lines, not two Gurmukhi code points


def test_utf16_mark_then_nul_is_not_utf32():
    # FF FE 00 00 is UTF-32's mark, and UTF-16's mark followed by a NUL character
    text = "\x00Talks resume in Geneva next week, officials said; the ministry confirmed it.\n"
    seed = read_seed("x.txt", text.encode("utf-16"))  # Python writes the little-endian mark
    assert seed.encoding == "utf-16-le" and seed.text == text


def test_nul_in_utf8_is_not_mistaken_for_utf16():
    r = read_seed("nul.txt", b"hello\x00 world, this is the text of the article\n" * 3)
    assert getattr(r, "encoding", "utf-8") == "utf-8"


def test_raw_page_shows_detection_and_text(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, (data, *_rest) in FIXTURES.items():
        (seeds / name).write_bytes(data)
    out = tmp_path / "out"
    assert build_site(out, seeds=seeds, search=False) == 0
    raws = {}
    for f in (out / "raw").glob("*.html"):
        page = f.read_text(encoding="utf-8")
        name = re.search(r"The file <code>(.*?)</code>", page).group(1)
        raws[html.unescape(name)] = page
    assert set(raws) == set(FIXTURES)
    for name, page in raws.items():
        data, codec, text, words = FIXTURES[name]
        note = html.unescape(re.search(r"<dt>Encoding</dt><dd>(.*?)</dd>", page, re.S).group(1))
        assert note.startswith(codec), (name, note)
        pre = re.search(r'<pre class="raw"[^>]*>(.*?)</pre>', page, re.S).group(1)
        assert html.unescape(pre) == text


def test_unsure_encoding_is_named_in_the_build_log(tmp_path, caplog):
    from annotated_archive.files import load_seed

    p = tmp_path / "short.txt"
    p.write_bytes("café\n".encode("latin-1"))
    sure = tmp_path / "sure.txt"
    sure.write_bytes(RU.encode("utf-8"))
    with caplog.at_level("WARNING", logger="annotated_archive"):
        seed = load_seed(p, "short.txt")
        load_seed(sure, "sure.txt")
    assert "unsure" in seed.encoding_note  # published, not skipped
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [f"encoding unsure for short.txt: {seed.encoding_note}"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("ab \t\n\u00a0\u2003\u3000\x1c\x85\u200bé")), max_size=60))
def test_longest_word_by_split_equals_the_regex(text):
    """read_seed measures the longest word with str.split: the same runs as \\S+."""
    assert max(map(len, text.split()), default=0) == max((len(m) for m in re.findall(r"\S+", text)), default=0)
