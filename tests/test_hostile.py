"""Hostile content in seeds and in curator notes: always inert text, on every
page type, in JSON-LD and in what Pagefind indexes.  One real build (with the
search index) of the project's seeds plus hostile seeds and notes; the site
checks (HTML validation, link check) and the browser test reuse it."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SEEDS, build_site

# Every payload sets window.__xss or calls alert(): the browser test checks neither happened.
PAYLOADS = [
    '<script>window.__xss=1;alert("xss-script")</script>',
    '<img src=x onerror="window.__xss=2;alert(2)">',
    '<a href="javascript:window.__xss=3">click me</a>',
    "<!-- an html comment --> --!> <!--",
    "</textarea><script>window.__xss=4</script>",
    "</script><script>window.__xss=5</script>",
    "</pre><script>window.__xss=6</script>",
    "</title><script>window.__xss=7</script>",
    '"><svg onload="window.__xss=8">',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/frame"></iframe>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    "&lt;b&gt;already escaped&lt;/b&gt; &amp; &#x3C;script&#x3E;",
    "{{ 7 * 7 }} {% raw %} ${7*7}",
]
BIDI = "the file gnp.\u202eexe\u202c was \u200bsplit\u200d by zero\u2060width \u2066isolates\u2069"
TITLE = '<script>window.__xss="title"</script> Hostile </title> headline'
SOURCE = 'https://news.example/story?a=1&b="onmouseover="window.__xss=9'


def hostile_seed() -> str:
    lines = [TITLE, "", f"Source: {SOURCE}", ""]
    for i, p in enumerate(PAYLOADS):
        lines.append(
            f"The spokesman of the city council said on Monday that payload number {i} reads {p} "
            f"and that the investigation into the incident would continue for several more weeks."
        )
        lines.append("")
    lines.append(f"Officials said that {BIDI} according to the technical report published last week.")
    return "\n".join(lines) + "\n"


def hostile_seed_two() -> str:
    # a different story, so that it is not a version of the first
    body = [
        "Farmers </pre></textarea></script><script>window.__xss=10</script> report a poor harvest",
        "",
        "Farmers in the northern valley reported the worst harvest in thirty years after a summer without rain, "
        "the agriculture minister <b onclick=\"window.__xss=11\">Jane Doe</b> said on Friday.",
        "",
        "Prices of grain doubled within a month <img src=\"https://tracker.example/p.gif\">, traders said "
        "at the market in the regional capital on Saturday morning.",
    ]
    return "\n".join(body) + "\n"


HOSTILE_HTML = """<!DOCTYPE html><html><head><title>Port strike </title><script>window.__xss=30</script></title>
<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/">
<script src="https://evil.example/x.js"></script><style>body{display:none}</style></head>
<body onload="window.__xss=31"><h1>Port workers strike &lt;script&gt;window.__xss=32&lt;/script&gt;</h1>
<p>Dock workers at the southern port walked out on Wednesday <img src=x onerror="window.__xss=33"> after talks
with the port authority over wages and night shifts collapsed late on Tuesday evening.</p>
<p>The union leader said <a href="javascript:window.__xss=34">the strike</a> would last until a new offer was made,
and that <svg onload="window.__xss=35"></svg> ships would be diverted to other ports in the meantime.</p>
<!-- a comment with <script>window.__xss=36</script> -->
</body></html>
"""
NOTE_QUOTE = "the investigation into the incident would continue for several more weeks"
NOTES = {
    "anchored.md": (
        "---\n"
        f'quote: "{NOTE_QUOTE}"\n'
        "---\n"
        "Curator: <script>window.__xss=20</script> and <img src=x onerror=\"window.__xss=21\">.\n\n"
        "[a javascript link](javascript:window.__xss=22) [another](JaVaScRiPt:alert(1)) "
        "[entity](&#106;avascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
        "<javascript:alert(1)> ![pixel](https://tracker.example/pixel.gif)\n\n"
        f"<!-- hidden comment --> </textarea></pre></script> {BIDI}\n"
    ),
    "orphan <script>.md": (
        "---\n"
        'claim: "<script>window.__xss=23</script>"\n'
        'quote: "</textarea><img src=x onerror=window.__xss=24> nothing quotes this"\n'
        "---\n"
        "An orphaned note: <iframe src=\"https://evil.example/\"></iframe> "
        "<a href=\"javascript:window.__xss=25\">x</a> [ok](https://example.org/reading)\n"
    ),
}
# the only external links a note may make: plain <a> links, never loaded
NOTE_LINKS = {"https://example.org/reading", "https://tracker.example/pixel.gif"}


def make_hostile_input(root: Path) -> tuple[Path, Path]:
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "<script>alert(1)<\u202eevil>.txt").write_text(hostile_seed(), encoding="utf-8")
    (seeds / "hostile two.txt").write_text(hostile_seed_two(), encoding="utf-8")
    (seeds / "port strike.html").write_text(HOSTILE_HTML, encoding="utf-8")
    # a shorter version of the first: a versions page with the payloads in its diff
    lines = hostile_seed().split("\n")
    (seeds / "hostile version.txt").write_text("\n".join(lines[:-8] + lines[-2:]), encoding="utf-8")
    notes = root / "notes"
    notes.mkdir()
    for name, text in NOTES.items():
        (notes / name).write_text(text, encoding="utf-8")
    return seeds, notes


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    seeds, notes = make_hostile_input(root)
    out = root / "out"
    assert build_site(out, seeds=seeds, notes=notes, search=True) == 0
    return out


def our_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


# ------------------------------------------------------------ HTML structure


class Tags(HTMLParser):
    """Every start tag with its attributes, the text, and script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            a, body = self.scripts[-1]
            self.scripts[-1] = (a, body + data)
        else:
            self.text.append(data)


def parse(path: Path) -> Tags:
    t = Tags()
    t.feed(path.read_text(encoding="utf-8"))
    t.close()
    return t


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "ul", "ol", "li", "main",
    "footer", "h1", "h2", "h3", "p", "span", "div", "section", "article", "aside", "details", "summary", "table",
    "thead", "tbody", "tr", "th", "td", "code", "pre", "em", "strong", "sup", "time", "dl", "dt", "dd", "del",
    "ins", "mark", "button", "input", "label", "form", "blockquote", "hr", "br", "small", "template", "noscript",
    "fieldset", "legend", "select", "option", "abbr", "b", "i", "caption", "colgroup", "col", "search", "output",
}


def assert_page_inert(page: Path, rel: str) -> None:
    """No element, attribute, script or URL on a built page that our templates did not put there."""
    t = parse(page)
    for tag, attrs in t.tags:
        assert tag in ALLOWED_TAGS, f"{rel}: unexpected <{tag}>"
        for k, v in attrs.items():
            assert not k.startswith("on"), f"{rel}: inline event handler {k}= on <{tag}>"
            if k in ("href", "src", "action", "formaction", "data"):
                val = re.sub(r"[\x00-\x20]", "", v or "").lower()
                if tag == "link" and attrs.get("rel") == "icon" and val == "data:,":
                    continue  # base.html: "no favicon" without a request
                assert not val.startswith(("javascript:", "vbscript:", "data:")), f"{rel}: {k}={v!r}"
        if tag == "meta":
            assert (attrs.get("http-equiv") or "").lower() != "refresh", rel
        if tag in ("link", "script", "img", "iframe", "source", "video", "audio", "embed", "object"):
            for k in ("href", "src"):
                assert not re.match(r"\s*(https?:)?//", attrs.get(k) or ""), f"{rel}: third-party {tag} {k}"
        if tag == "a" and re.match(r"\s*(https?:)?//", attrs.get("href") or ""):
            # the article's own source link (rel=nofollow) or a curator's link in a note
            assert "nofollow" in (attrs.get("rel") or "") or attrs["href"] in NOTE_LINKS, (
                f"{rel}: external link {attrs['href']}"
            )
    for attrs, body in t.scripts:
        if attrs.get("src"):
            assert not body.strip(), rel
        else:
            assert attrs.get("type") == "application/ld+json", f"{rel}: inline script"
    assert any(tag == "meta" and a.get("http-equiv") == "Content-Security-Policy" for tag, a in t.tags), rel


def test_no_live_markup_on_any_page(hostile_site):
    pages = our_pages(hostile_site)
    assert len(pages) > 15
    for page in pages:
        assert_page_inert(page, page.relative_to(hostile_site).as_posix())


def test_no_bidi_or_invisible_characters_reach_a_page(hostile_site):
    bad = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
    for page in our_pages(hostile_site):
        text = page.read_text(encoding="utf-8")
        assert not bad.search(text), page.relative_to(hostile_site)


def article_of(site: Path, needle: str) -> Path:
    for p in (site / "articles").glob("*.html"):
        if needle in html.unescape(p.read_text(encoding="utf-8")):
            return p
    raise AssertionError(f"no article contains {needle!r}")


def test_payloads_are_shown_as_text(hostile_site):
    art = article_of(hostile_site, "payload number 15")
    text = "".join(parse(art).text)
    assert "<script>window.__xss=\"title\"</script> Hostile </title> headline" in text
    shown = sum(1 for p in PAYLOADS if p in text or html.unescape(p) in text)
    assert shown >= len(PAYLOADS) - 2, "the cleaner removed most payload lines: the test lost its teeth"
    assert "<U+202E>exe<U+202C>" in text  # the override made visible, not obeyed
    raw = hostile_site / "raw" / art.name
    t = parse(raw)
    raw_text = "".join(t.text)
    for p in PAYLOADS:
        assert p in raw_text
    assert any(a.get("data-cp") == "202E" for tag, a in t.tags if tag == "span")
    # the file name, with its markup and its override, is shown as text
    assert "<script>alert(1)<\\u202eevil>.txt" in raw_text


def test_source_link_is_escaped_and_nofollow(hostile_site):
    art = article_of(hostile_site, "payload number 15")
    t = parse(art)
    links = [a for tag, a in t.tags if tag == "a" and (a.get("href") or "").startswith("https://news.example/")]
    assert links and all("nofollow" in a["rel"] for a in links)
    # one attribute, a valid URL: the quotes did not break out, they are percent-encoded
    assert links[0]["href"] == SOURCE.replace('"', "%22")


def test_html_seed_is_text_only(hostile_site):
    art = article_of(hostile_site, "Dock workers at the southern port")
    assert_page_inert(art, art.name)
    raw = parse(hostile_site / "raw" / art.name)
    # the raw page shows the HTML source as text
    assert '<body onload="window.__xss=31">' in "".join(raw.text)


def test_versions_page_with_payloads(hostile_site):
    pages = [p for p in (hostile_site / "versions").glob("*.html") if "payload number" in html.unescape(p.read_text(encoding="utf-8"))]
    assert pages, "the hostile version was not clustered with the hostile article"
    assert_page_inert(pages[0], "versions")


def test_json_ld_is_data_only(hostile_site):
    seen_title = False
    for page in our_pages(hostile_site):
        for attrs, body in parse(page).scripts:
            if attrs.get("type") != "application/ld+json":
                continue
            assert "<" not in body and ">" not in body, page
            data = json.loads(body)
            if data.get("headline") == TITLE:
                seen_title = True
                claims = " ".join(c.get("text", "") for c in data.get("hasPart", []))
                assert "<script>window.__xss=1" in claims or "onerror" in claims
    assert seen_title


def test_curator_notes_are_inert(hostile_site):
    # the note quoting a hostile sentence is attached to its claim (or, should the
    # claims stage not find that claim, listed as orphaned): inert either way
    where = [p for p in [*(hostile_site / "articles").glob("*.html"), hostile_site / "notes" / "orphaned.html"]
             if "Curator: " in p.read_text(encoding="utf-8")]
    assert where, "the hostile note is on no page"
    page = where[0].read_text(encoding="utf-8")
    text = html.unescape(page)
    assert "<script>window.__xss=20</script>" in text  # as text
    assert "[a javascript link](javascript:window.__xss=22)" in text  # refused as a link: shown as typed
    t = parse(where[0])
    assert not any(tag == "img" for tag, _ in t.tags)  # the tracking pixel is not an image
    orphans = parse(hostile_site / "notes" / "orphaned.html")
    otext = "".join(orphans.text)
    assert '<iframe src="https://evil.example/"></iframe>' in otext
    assert "</textarea><img src=x onerror=window.__xss=24> nothing quotes this" in otext


def pagefind_fragments(site: Path) -> list[dict]:
    out = []
    for f in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(f.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        out.append(json.loads(data[len(b"pagefind_dcd"):]))
    return out


def test_search_index_holds_text_not_markup(hostile_site):
    frags = pagefind_fragments(hostile_site)
    hostile = [f for f in frags if "payload number 0" in f["content"]]
    assert hostile, "the hostile article is not in the search index"
    f = hostile[0]
    # Pagefind indexes the text of our escaped HTML: the payload is there as
    # the characters a reader sees, never as elements Pagefind parsed
    assert '<img src=x onerror="window.__xss=2;alert(2)">' in f["content"]
    assert f["meta"]["title"].startswith("<script>")
    # what Pagefind read: the article region of the page has the payload escaped
    art = hostile_site / f["url"].lstrip("/")
    body = art.read_text(encoding="utf-8").split("data-pagefind-body", 1)[1]
    assert "&lt;img src=x onerror=" in body and "<img" not in body


def test_search_ui_never_parses_index_text_as_html():
    js = (Path(__file__).resolve().parent.parent / "theme" / "static" / "js" / "search.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=(?!=)|insertAdjacentHTML|document\.write", js)
