"""Property tests of the clean stage over generated scrapes: article
paragraphs mixed with boilerplate lines and random unicode.

- no lost lines: every non-empty raw line is in meta, body, captions or removed
- idempotent: cleaning the cleaned body gives the same body
- never raises, deterministic (same input, same output)
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
try:
    import annotated_archive  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "plugins"))

from annotated_archive.clean import clean, line_stats  # noqa: E402
from annotated_archive.html_text import html_to_text  # noqa: E402
from annotated_archive.models import Seed  # noqa: E402

WORDS = (
    "the council voted on tuesday to approve a new budget which raises spending schools roads officials said "
    "projects would start in spring and residents consulted before work began mayor called vote historic "
    "Moscow Washington Putin Biden NATO Ukraine la le der die el il que und und"
).split()

BOILERPLATE = [
    "Share", "Tweet", "Comments / 1", "Leave a Reply", "Read More", "Related", "YOU MAY ALSO LIKE", "483K+",
    "Followers", "Community Policy", "Discuss", "World", "Russia", "POLITICS", "Person", "5 days ago",
    "https://img.example.com/image.php?url=abc", "#Tag#Other#Third", "© Photo Agency", "Subscribe", "Menu",
    "WP Twitter Auto Publish Powered By :", "By Jane Doe", "December 24, 2021 - 17:53", " date 2021-12-17 x",
    "Accept cookies", "Lire aussi", "Kommentare", "Читайте также", "…", "...", "•", "|", "-", "1", "",
]


@st.composite
def sentence(draw) -> str:
    n = draw(st.integers(3, 30))
    ws = [draw(st.sampled_from(WORDS)) for _ in range(n)]
    ws[0] = ws[0].capitalize()
    glue = draw(st.sampled_from([" ", " ", " ", ", "]))
    end = draw(st.sampled_from([".", ".", "?", "!", "", '."', "…"]))
    return glue.join(ws) + end


@st.composite
def paragraph(draw) -> str:
    return " ".join(draw(st.lists(sentence(), min_size=1, max_size=4)))


weird = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"),
    max_size=40,
)

line = st.one_of(paragraph(), st.sampled_from(BOILERPLATE), weird, sentence())


@st.composite
def scrape(draw) -> str:
    lines = draw(st.lists(line, min_size=0, max_size=15))
    seps = [draw(st.sampled_from(["\n", "\n\n", "\n  \n"])) for _ in lines]
    return "".join(l + s for l, s in zip(lines, seps))


def mk(text: str, name: str = "t.txt") -> Seed:
    return Seed(name, text, "id", "sha", "utf-8", "", len(text.encode("utf-8", "surrogatepass")))


def accounted(text: str, doc) -> list[int]:
    seen = set(doc.meta_lines) | set(doc.caption_lines) | {r.line_no for r in doc.removed}
    for b in doc.blocks:
        seen.update(b.line_nos)
    return [i for i, l in enumerate(text.split("\n"), 1) if l.strip() and i not in seen]


SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scrape())
def test_no_lost_lines(text: str) -> None:
    d = clean(mk(text))
    assert accounted(text, d) == []


@SETTINGS
@given(scrape(), scrape())
def test_no_lost_lines_with_stats(a: str, b: str) -> None:
    sa, sb = mk(a, "a.txt"), mk(b, "b.txt")
    stats = line_stats([sa, sb])
    for s in (sa, sb):
        assert accounted(s.text, clean(s, stats)) == []


@SETTINGS
@given(scrape())
# a symbol-only line ("…") between a short heading ("0:") and a truncated
# blurb hid the teaser card from the first pass only
@example(
    "The the the. The the the the the the the the the the the the the the the the the the the the.\n  \n"
    "The the the the the the the the the the the the the the the the!\n0:\nThe the the the.\n…\n\n"
    "The the the. The the the the. The the the the the the the the the. "
    "The the the the the the the the the the projects the on work…\n"
)
# collapsing a repeated trailing phrase made the first paragraph a copy of
# the second: the duplicate rule removed the second on the next pass
@example(
    "The the the the the the the the the the residents the the the the the the the the the the the the! "
    "The the the the the the the the the the the!\n"
    "The the the the the the the the the the residents the the the the the the the the the the the the!\n"
)
# after "Share" is removed, the body starts with a paragraph that a list of
# taken-back copies repeats: not a page title shown again above the article
@example(
    "Share\nThe, the, the, the, council, the, the, the, the, the, the, the, the, the, the, the, the, the, council, "
    "the, before, the, on, the, the.\nThe the the the the the the the the.\nThe the the.\nThe the the the.\n"
    "The the the the.\nThe, the, the, the, council, the, the, the, the, the, the, the, the, the, the, the, the, "
    "the, council, the, before, the, on, the, the.\n"
)
def test_idempotent(text: str) -> None:
    d = clean(mk(text))
    again = clean(mk(d.body_text))
    assert again.body_text == d.body_text


@SETTINGS
@given(scrape())
def test_deterministic(text: str) -> None:
    assert clean(mk(text)) == clean(mk(text))


@SETTINGS
@given(scrape())
def test_lacunae_in_range(text: str) -> None:
    for b in clean(mk(text)).blocks:
        assert b.text.strip()
        assert all(0 <= x <= len(b.text) for x in b.lacunae)


@SETTINGS
@given(st.text(max_size=300))
def test_never_raises_on_any_text(text: str) -> None:
    text = text.replace("\r", "\n")
    d = clean(mk(text))
    assert accounted(text, d) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<script>x=1</script>", "<b>", "</b>", "<br>", "text", "More words here.", "<!-- c -->", "&amp;", "<li>", "<"]), max_size=30))
def test_html_never_raises(parts: list[str]) -> None:
    html = "".join(parts)
    text = html_to_text(html)
    d = clean(mk(html, "t.html").__class__("t.html", html, "id", "sha", "utf-8", "", 1, "html"))
    assert accounted(text, d) == []
