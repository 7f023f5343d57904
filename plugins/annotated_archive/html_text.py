"""HTML -> text the way a naive scraper takes it: every visible text block on
a line of its own (script, style and other invisible elements dropped).

Pure: a string in, a string out.  The clean stage then treats the result
exactly like a ``.txt`` scrape.  :func:`main_text_lines` gives trafilatura's
view of the main text, used by the cleaner as an extra signal for HTML.
"""

from __future__ import annotations

import re

# Elements whose text is never visible.
INVISIBLE = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
     "head", "title", "meta", "link", "button", "select", "option", "input", "textarea"}
)
# Elements that start a new text block (line).
BLOCK = frozenset(
    {"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
     "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
     "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "center", "noframes", "picture"}
)


def _title_of(root) -> str | None:
    t = root.find(".//title")
    if t is not None and t.text and t.text.strip():
        return " ".join(t.text.split())
    return None


def html_to_text(html: str) -> str:
    """Visible text blocks, one per line, in document order.  Never raises."""
    if not html or not html.strip():
        return ""
    try:
        import lxml.html
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency of trafilatura
        return re.sub(r"<[^>]+>", "\n", html)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        try:
            root = lxml.html.document_fromstring(html.encode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - garbage in, empty out
            return ""
    out: list[str] = []
    cur: list[str] = []
    title = _title_of(root)
    if title:
        out.append(title)

    def flush() -> None:
        if cur:
            s = " ".join("".join(cur).split())
            if s:
                out.append(s)
            cur.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower().split("}")[-1]
        if not tag:  # comments, processing instructions
            if el.tail:
                cur.append(el.tail)
            return
        if tag in INVISIBLE or el.get("hidden") is not None or "display:none" in (el.get("style") or "").replace(" ", ""):
            if el.tail:
                cur.append(el.tail)
            return
        block = tag in BLOCK
        if block:
            flush()
        if el.text:
            cur.append(el.text)
        for ch in el:
            walk(ch)
        if block:
            flush()
        if el.tail:
            cur.append(el.tail)

    try:
        walk(root)
    except RecursionError:  # absurdly deep markup: keep what we have
        pass
    flush()
    return "\n".join(out) + ("\n" if out else "")


def main_text_lines(html: str) -> tuple[str, ...]:
    """Trafilatura's main-text paragraphs (normalised), or () when it fails."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover
        return ()
    try:
        txt = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True, deduplicate=False)
    except Exception:  # noqa: BLE001 - an extra signal only
        return ()
    if not txt:
        return ()
    return tuple(k for k in (token_key(x) for x in txt.split("\n")) if k)


def token_key(line: str) -> str:
    """Lower-cased word tokens: how a line is compared with trafilatura's."""
    return " ".join(re.findall(r"\w+", line.lower()))
