"""Fuzzing read -> clean -> claims -> render with generated scrapes (article
paragraphs, boilerplate, random Unicode, hostile markup, odd encodings and
line endings).  Invariants:

* nothing raises;
* no data lost: every non-empty raw line is in the cleaned output (body,
  title/metadata, captions) or in the removed list, end to end from the
  file's bytes to the article page's variables;
* the raw page reproduces the decoded text exactly (line endings normalised);
* cleaning is idempotent;
* no markup from the input is ever live: every Markup fragment handed to the
  templates holds only our own elements and attributes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import fields, is_dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from annotated_archive.clean import clean
from annotated_archive.models import Note, Seed
from annotated_archive.pipeline import build_archive
from annotated_archive.read import read_seed
from annotated_archive.render import build_pages, raw_html

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "the council voted on tuesday to approve a new budget which raises spending for schools and roads officials "
    "said projects would start in spring after residents were consulted mayor called the vote historic minister "
    "Moscow Washington NATO Ukraine Geneva talks спикер заявил что переговоры président déclaré"
).split()
BOILERPLATE = [
    "Share", "Tweet", "Comments / 1", "Read More", "Related", "YOU MAY ALSO LIKE", "Subscribe", "Menu",
    "By Jane Doe", "December 24, 2021 - 17:53", "Accept cookies", "https://img.example.com/image.php?url=abc",
    "© Photo Agency", "Читайте также", "|", "…",
]
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<!-- c -->", "</textarea>", "</script>", "</pre>", "</title>", "<svg onload=alert(1)>", '"><b onclick=x>',
    "<style>*{}</style>", "&lt;b&gt;", "&amp;", "\u202e", "\u200b", "\u200d", "\u2066", "\x00", "\x07", "\x1b[31m",
    "\x85", "\ufdd0", "\U0001ffff", "<U+202E>",
]
HOSTILE_TAGS = re.compile(r"<\s*/?\s*(script|img|svg|style|iframe|textarea|b|title|pre)\b", re.I)


@st.composite
def sentence(draw) -> str:
    ws = [draw(st.sampled_from(WORDS)) for _ in range(draw(st.integers(3, 25)))]
    if draw(st.booleans()):
        ws.insert(draw(st.integers(0, len(ws))), draw(st.sampled_from(HOSTILE)))
    ws[0] = ws[0].capitalize()
    return " ".join(ws) + draw(st.sampled_from([".", ".", "?", "!", "", '."']))


noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
line = st.one_of(
    st.lists(sentence(), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(BOILERPLATE),
    st.sampled_from(HOSTILE),
    noise,
)


@st.composite
def scrape(draw) -> str:
    lines = draw(st.lists(line, min_size=1, max_size=14))
    seps = [draw(st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\r\n\r\n", "\n  \n"])) for _ in lines]
    return "".join(a + b for a, b in zip(lines, seps))


# encodings that identify themselves (valid UTF-8, or a byte-order mark): the
# round trip must be exact.  BOM-less UTF-16 and 8-bit encodings are guessed,
# and a guess needs realistic text: see test_encodings.py.
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"])
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def accounted(text: str, doc) -> list[int]:
    seen = set(doc.meta_lines) | set(doc.caption_lines) | {r.line_no for r in doc.removed}
    for b in doc.blocks:
        seen.update(b.line_nos)
    return [i for i, ln in enumerate(text.split("\n"), 1) if ln.strip() and i not in seen]


# --------------------------------------------------- markup in page variables

OUR_TAGS = {"p", "h2", "span", "sup", "a", "del", "ins", "em", "strong", "code", "pre", "ul", "ol", "li",
            "blockquote", "h1", "h3", "h4", "h5", "h6", "hr", "br"}
OUR_ATTRS = {"id", "class", "href", "role", "aria-describedby", "data-fn", "title", "data-cp", "data-pagefind-ignore"}


class _Check(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in OUR_TAGS:
            self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k not in OUR_ATTRS:
                self.problems.append(f"{tag} {k}=")
            if k == "href" and not re.match(r"(#|\.\./|[a-z0-9]+/|https?://)", v or ""):
                self.problems.append(f"href={v!r}")

    def handle_comment(self, data):
        self.problems.append("<!--")

    def handle_decl(self, decl):
        self.problems.append("<!")

    def unknown_decl(self, data):
        self.problems.append("<![")


def markup_values(obj, depth: int = 0):
    if depth > 6:
        return
    if isinstance(obj, Markup):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from markup_values(v, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from markup_values(v, depth + 1)
    elif is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            yield from markup_values(getattr(obj, f.name), depth + 1)


def assert_inert(pages) -> None:
    for spec in pages:
        for m in markup_values(spec.variables):
            s = str(m)
            if s.lstrip().startswith("{"):  # JSON-LD (a raw text can start with "{" too)
                try:
                    json.loads(s)
                except ValueError:
                    pass
                else:
                    assert "<" not in s and ">" not in s, spec.save_as
                    continue
            c = _Check()
            c.feed(s)
            c.close()
            assert c.problems == [], (spec.save_as, c.problems, s[:500])
            assert not HOSTILE_TAGS.search(s), (spec.save_as, s[:500])


# ------------------------------------------------------------------- tests


@SETTINGS
@given(scrape(), ENCODINGS)
def test_end_to_end_no_line_lost_and_nothing_live(text, encoding):
    data = text.encode(encoding)
    seed = read_seed("fuzz.txt", data)
    assume(isinstance(seed, Seed))  # a scrape of only whitespace or mostly control characters is skipped
    assert seed.text == normalised(text)
    doc = clean(seed)
    assert accounted(seed.text, doc) == []
    archive = build_archive([seed])
    pages = build_pages(archive)
    assert_inert(pages)
    article = next(p for p in pages if p.template == "article")
    # every cleaned block and every removed line reaches the article page
    assert tuple(article.variables["removed"]) == archive.docs[0].removed
    body = str(article.variables["body_html"])
    assert body.count('<p id="p') + body.count('<h2 id="p') == len(archive.docs[0].blocks)
    for b in archive.docs[0].blocks:
        shown = html.unescape(re.sub(r"<[^>]+>", "", body))
        for word in b.text.split()[:3]:
            if not re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufdd0-\ufdef]|[\ufffe\uffff]$", word) and ord(max(word)) < 0xFFFE:
                assert word in shown


@SETTINGS
@given(scrape())
def test_clean_is_idempotent_on_hostile_scrapes(text):
    seed = read_seed("f.txt", text.encode("utf-8"))
    assume(isinstance(seed, Seed))
    once = clean(seed)
    again = clean(Seed("f.txt", once.body_text, "id", "sha", "utf-8", "", len(once.body_text)))
    assert again.body_text == once.body_text


@settings(SETTINGS, max_examples=8)
@given(st.lists(scrape(), min_size=2, max_size=3), st.lists(st.sampled_from(HOSTILE), max_size=3))
def test_archive_of_several_scrapes_and_notes_stays_inert(texts, note_bits):
    seeds = []
    for i, t in enumerate(texts):
        s = read_seed(f"s{i}.txt", t.encode("utf-8"))
        if isinstance(s, Seed) and s.doc_id not in {x.doc_id for x in seeds}:
            seeds.append(s)
    assume(seeds)
    notes = [Note(name="n.md", claim_id=None, quote=" ".join(note_bits) or None, body=" ".join(note_bits) + " [x](javascript:alert(1))")]
    pages = build_pages(build_archive(seeds, (), notes))
    assert_inert(pages)


# ------------------------------------------------------- the raw page, exactly

_CP = re.compile(r'<span class="cp" data-cp="([0-9A-F]+)"[^>]*>U\+[0-9A-F]+</span>')


def raw_template():
    """The theme's raw.html with the environment the build uses (autoescape,
    invisible characters neutralised in plain strings)."""
    from jinja2 import Environment, FileSystemLoader

    from annotated_archive.glue import _neutralise_text

    env = Environment(loader=FileSystemLoader(str(ROOT / "theme" / "templates")), trim_blocks=True, lstrip_blocks=True,
                      autoescape=True, finalize=_neutralise_text)
    return env.get_template("raw.html")


RAW = raw_template()


def pre_text(page: str) -> str:
    """What an HTML parser puts in the <pre>: references decoded, marked code
    points restored, and the one newline parsers drop after <pre> dropped."""
    inner = re.search(r'<pre class="raw"[^>]*>(.*?)</pre>', page, re.S).group(1)
    parts = _CP.split(inner)  # text, code point, text, code point, ..., text
    for i in range(0, len(parts), 2):
        assert "<" not in parts[i]  # nothing but text and the marks
        parts[i] = html.unescape(parts[i])
    for i in range(1, len(parts), 2):
        parts[i] = chr(int(parts[i], 16))
    out = "".join(parts)
    return out[1:] if out.startswith("\n") else out


def render_raw(text: str) -> str:
    seed = Seed("r.txt", text, "id", "sha", "utf-8", "utf-8 (valid UTF-8)", len(text))
    doc = {"url": "articles/id.html", "title": "t <b>"}
    return RAW.render(SITEURL=".", SITENAME="Archive", DEFAULT_LANG="en", seed=seed, doc=doc,
                      raw_text=raw_html(seed.text), lines=1, page_title="Raw")


any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
text_no_controls = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=20, max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(any_text, st.sampled_from(["\r\n", "\r", "\n", "\n\n", "\x00", "\u202e", "&amp;", "</pre>"])), max_size=12))
def test_raw_page_reproduces_any_text(parts):
    text = normalised("".join(parts))
    assert pre_text(render_raw(text)) == text


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.lists(st.one_of(text_no_controls, text_no_controls, st.sampled_from(["\r\n", "\r", "\n", "\x00", "\x07", "\x85", "\u202e", "\u200b"])),
                min_size=1, max_size=12), ENCODINGS)
def test_read_then_raw_page_is_the_decoded_text(parts, encoding):
    text = "".join(parts)
    assume(not text.startswith("\ufeff"))  # would be read as a byte-order mark
    seed = read_seed("r.txt", text.encode(encoding))
    assume(isinstance(seed, Seed))
    assert seed.text == normalised(text)
    assert pre_text(render_raw(seed.text)) == seed.text


# ------------------------------------------------------ a few real builds


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(scrape(), min_size=1, max_size=3))
def test_real_builds_of_generated_scrapes(tmp_path_factory, texts):
    from conftest import build_site
    from test_hostile import assert_page_inert

    root = tmp_path_factory.mktemp("fuzzbuild")
    seeds = root / "seeds"
    seeds.mkdir()
    for i, t in enumerate(texts):
        (seeds / f"s{i} <b>.txt").write_bytes(t.encode("utf-8"))
    assert build_site(root / "out", seeds=seeds, search=False) == 0
    for page in (root / "out").rglob("*.html"):
        assert_page_inert(page, page.name)
