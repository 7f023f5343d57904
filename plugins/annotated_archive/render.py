"""Render stage: :class:`Archive` -> a list of page specifications (output
path, template name, template variables).

Pure: no Pelican, no Jinja, no files.  All scraped text reaches the
templates either as plain strings (escaped by Jinja's autoescape) or as
:class:`markupsafe.Markup` built here with every piece of text escaped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import pickle
import types
import urllib.parse
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from . import models
from .models import Archive, Claim, ClaimMatch, CleanDoc, Seed

# URL layout (flat files: works on GitHub Pages, under a sub-path, and from file://)
URLS = {
    "index": "index.html",
    "article": "articles/{id}.html",
    "raw": "raw/{id}.html",
    "versions": "versions/{id}.html",
    "claims": "claims.html",
    "speakers": "speakers/index.html",
    "speaker": "speakers/{slug}.html",
    "publishers": "publishers.html",
    "orphans": "notes/orphaned.html",
    "search": "search.html",
    "report": "report.html",
    "404": "404.html",
}

# Folders of the output that hold only our pages (the output edge keeps them
# from one build to the next and removes what a build did not write there).
OWNED_FOLDERS = tuple(sorted({u.split("/")[0] for u in URLS.values() if "/" in u}))

MONTH_NAMES = (
    "January February March April May June July August September October November December".split()
)

# Characters that can disguise text (bidi overrides, zero-width joiners...):
# shown as visible escapes so hostile text cannot reorder what a reader sees.
# Control characters and noncharacters cannot appear in valid HTML at all
# (NUL is even dropped by parsers): shown the same way.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff"
    "\ud800-\udfff]"
)


# Listings that grow with the archive are split into pages of about this many
# entries (at least half as many): see _page_ends.
PER_PAGE = {"index": 200, "publishers": 200, "claims": 200, "speaker": 200}


def _hash64(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _page_ends(keys: Sequence[str], per_page: int) -> list[int]:
    """Where a listing's pages end, decided by the entries themselves
    (content-defined, as in rsync's or borg's chunking): a page ends after
    an entry whose key hashes to 0 modulo ``per_page / 2``, once it holds
    at least ``per_page / 2`` entries (or, rarely, when it reaches
    ``4 * per_page``: a run of ~7 × per_page / 2 entries without a break).
    An entry added or removed changes its own page (and at most the next
    one), never the pages after it — with fixed-size pages, one new article
    shifted every later page of the claims listing (~700 pages at 10,000
    seeds) and each had to be rendered again."""
    lo, hi = max(1, per_page // 2), max(1, 4 * per_page)
    mod = max(1, per_page - lo)
    ends, size = [], 0
    for i, k in enumerate(keys):
        size += 1
        if size >= hi or (size >= lo and _hash64(k) % mod == 0):
            ends.append(i + 1)
            size = 0
    if size or not ends:
        ends.append(len(keys))
    return ends


def _page_name(base: str, first_key: str, taken: set[str]) -> str:
    """A listing page's file, after its first entry (so that it keeps its
    name while entries come and go elsewhere in the listing)."""
    stem, _, ext = base.rpartition(".")
    for size in (5, 16):
        name = f"{stem}-{hashlib.blake2b(first_key.encode('utf-8', 'surrogatepass'), digest_size=size).hexdigest()}.{ext}"
        if name not in taken and name != base:
            return name
    raise ValueError(f"two pages of {base} start with the same entry {first_key!r}")  # keys are unique


def _paged(
    base: str, template: str, items: list, per_page: int, variables: Callable[[list], dict[str, Any]],
    key: Callable[[Any], str], label: Callable[[list], str] | None = None, first: dict[str, Any] | None = None,
) -> list["PageSpec"]:
    """A listing's pages: ``variables(chunk)`` for each chunk of ``items``
    (chunks from :func:`_page_ends` over ``key(item)``); the first page is
    ``base`` and gets ``first`` too (totals: every page would change with
    them); the others are titled ``page_title (label(chunk))``.  Pages link
    to the previous, next and first page; no page numbers or running counts,
    which would change every later page."""
    ends = _page_ends([key(x) for x in items], per_page)
    chunks = [items[a:b] for a, b in zip([0, *ends], ends)]
    names: list[str] = []
    taken: set[str] = set()
    for k, chunk in enumerate(chunks):
        names.append(base if k == 0 else _page_name(base, key(chunk[0]), taken))
        taken.add(names[-1])
    out = []
    for k, chunk in enumerate(chunks):
        v = variables(chunk)
        if k == 0:
            v.update(first or {})
        elif v.get("page_title") and label is not None:
            v["page_title"] = f"{v['page_title']} ({label(chunk)})"
        v["pagination"] = {
            "prev": names[k - 1] if k > 0 else None,
            "next": names[k + 1] if k + 1 < len(chunks) else None,
            "first": base if k > 0 else None,
        }
        out.append(PageSpec(names[k], template, v))
    return out


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} – {last}"


class PageSpec:
    """One page: output path, template name and the template's variables.

    The variables of the pages there are one or more of per seed (article,
    raw, versions) are computed on first use (``make``): the output edge
    builds them in its worker processes, in parallel, and the list of pages
    (output paths, templates) is known before any of them is built.

    ``inputs`` (optional, those pages only, when :func:`build_pages` is given
    the per-seed results' identities) returns a small value that determines
    the variables: what the page model reads from the archive, with the
    cleaned document and its claims stood for by the identity of the
    per-seed result they come from.  The output edge keys its page cache by
    it (:func:`input_key`), so an unchanged page is found without building
    its model."""

    __slots__ = ("save_as", "template", "_variables", "_make", "_inputs")

    def __init__(
        self,
        save_as: str,
        template: str,
        variables: dict[str, Any] | None = None,
        make: Callable[[], dict[str, Any]] | None = None,
        inputs: Callable[[], Any] | None = None,
    ) -> None:
        self.save_as = save_as
        self.template = template
        self._variables = variables if variables is not None or make is not None else {}
        self._make = make
        self._inputs = inputs

    def key_inputs(self) -> Any:
        """What determines the variables (see the class docstring), or None."""
        return None if self._inputs is None else self._inputs()

    @property
    def variables(self) -> dict[str, Any]:
        if self._variables is None:
            assert self._make is not None
            self._variables = self._make()
            self._make = None
        return self._variables

    def compute(self) -> dict[str, Any]:
        """The variables, without keeping them (when not built yet)."""
        if self._variables is not None:
            return self._variables
        assert self._make is not None
        return self._make()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PageSpec):
            return NotImplemented
        return (self.save_as, self.template, self.variables) == (other.save_as, other.template, other.variables)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PageSpec({self.save_as!r}, {self.template!r})"


def _by_fields(cls: type):
    get = cls.__getstate__  # models.record: the tuple of field values, one C-level getter
    return lambda obj: (cls, get(obj))


# Page models hold these frozen dataclasses (models.record): pickled for page
# keys as (class, field values).
_KEY_REDUCERS = types.MappingProxyType(
    {cls: _by_fields(cls) for cls in vars(models).values() if isinstance(cls, type) and dataclasses.is_dataclass(cls)}
)


def page_key(spec: PageSpec, salt: str) -> str:
    """Content key of a page: a hash of everything its template receives from
    us (output path, template name, every variable, by value) and of ``salt``
    (what the template sees besides: its source, the settings it reads,
    library and code versions — computed by the output edge).  Equal keys,
    equal pages.

    The variables are hashed through pickle with the memo off, so the key
    depends on values only, not on which objects happen to be shared; every
    value of a page model is a string, number, tuple, list, dict or frozen
    dataclass of those (no sets: their order would vary between processes)."""
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    p.fast = True  # no memo: shared and equal-but-distinct objects pickle alike
    p.dispatch_table = _KEY_REDUCERS
    p.dump((spec.save_as, spec.template, spec.variables))
    h = hashlib.blake2b(salt.encode(), digest_size=20)
    h.update(buf.getbuffer())
    return h.hexdigest()


def input_key(spec: PageSpec, salt: str) -> str | None:
    """Content key of a page from its :meth:`PageSpec.key_inputs` instead of
    its variables (None when it has none).  A separate key space: an input
    key never equals a :func:`page_key`.  Equal keys, equal pages, because
    the inputs determine the variables —
    tests/test_render.py::test_input_keys_determine_pages checks it over
    archives that differ in every way a page can see."""
    inputs = spec.key_inputs()
    if inputs is None:
        return None
    return page_key(PageSpec(spec.save_as, spec.template, {"inputs": inputs}), "inputs|" + salt)


def url(kind: str, **kw: str) -> str:
    return URLS[kind].format(**kw)


def neutralise(text: str) -> str:
    """Make invisible formatting characters visible (``<U+202E>``)."""
    if text.isprintable():  # the common case: every character _INVISIBLE matches is non-printable
        return str(text)
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text)


def raw_html(text: str) -> Markup:
    """The verbatim text for a ``<pre>``: escaped, every character kept.  A
    character that :func:`neutralise` would replace is shown as a marked code
    point carrying its value (``<span class="cp" data-cp="202E">U+202E</span>``),
    so the text stays exactly reconstructable; a leading newline is doubled
    because HTML parsers drop the first newline after ``<pre>``."""
    out: list[str] = []
    pos = 0
    for m in _INVISIBLE.finditer(text):
        out.append(escape(text[pos:m.start()]))
        cp = f"{ord(m.group(0)):04X}"
        out.append(Markup('<span class="cp" data-cp="{0}" title="invisible or control character U+{0}">U+{0}</span>').format(cp))
        pos = m.end()
    out.append(escape(text[pos:]))
    lead = Markup("\n") if text.startswith("\n") else Markup("")
    return lead + Markup("").join(out)


def safe_href(u: str | None) -> str | None:
    """A scraped source URL fit for ``href``: http(s) only, and characters a
    URL may not contain (quotes, spaces, angle brackets, non-ASCII...)
    percent-encoded, so it is a valid URL and one attribute, whatever the
    scrape said."""
    if not u or not re.match(r"https?://", u, re.I):
        return None
    return urllib.parse.quote(u, safe=";/?:@&=+$,-_.!~*'()#%[]")


def esc(text: str) -> Markup:
    return escape(neutralise(text))


def slugify(text: str, maxlen: int = 48) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:maxlen].strip("-")
    h = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{s}-{h}" if s else h


def date_display(iso: str | None) -> str:
    if not iso:
        return "date unknown"
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}:\d{2}))?", iso)
    if not m:
        return iso
    y, mo, d, t = m.groups()
    if not mo:
        return y
    month = MONTH_NAMES[int(mo) - 1]
    if not d:
        return f"{month} {y}"
    out = f"{int(d)} {month} {y}"
    return f"{out}, {t}" if t else out


def month_of(iso: str | None) -> str | None:
    if iso and re.match(r"\d{4}-\d{2}", iso):
        y, mo = iso[:4], iso[5:7]
        return f"{MONTH_NAMES[int(mo) - 1]} {y}"
    return None


def _json_escape(m: re.Match) -> str:
    b = m.group(0).encode("utf-16-be", "surrogatepass")
    return "".join("\\u%04x" % int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))


def json_ld(obj: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: compact (the standard
    library's C encoder; an indented dump needs its pure-Python encoder,
    which was a fifth of the time of building the article pages), keys
    sorted, and '<', '>', '&', U+2028/9 and invisible characters escaped as
    \\u sequences so scraped text can never close the script element."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    s = s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if not s.isprintable():  # control characters, noncharacters, bidi: \\u escapes
        s = _INVISIBLE.sub(_json_escape, s)
    return Markup(s)


def markdown_html(source: str) -> Markup:
    """Curator notes: CommonMark with raw HTML disabled, images disabled
    (``![alt](url)`` stays a plain link) and unsafe link schemes
    (javascript:, vbscript:, data:) refused by markdown-it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.disable("image")  # no <img>: a note must not load anything from a third party
    return Markup(md.render(neutralise(source)))


# ------------------------------------------------------------------ bodies


def _block_html(text: str, spans: Sequence[tuple[int, int, Markup, Markup]], lacunae: Sequence[int]) -> Markup:
    """Escape ``text``, wrapping claim spans and marking lacunae.

    ``spans``: (start, end, open_markup, close_markup), non-overlapping."""
    events: list[tuple[int, int, Markup]] = []
    for start, end, open_, close in spans:
        events.append((start, 1, open_))
        events.append((end, 0, close))
    lac = Markup('<span class="lacuna" title="text lost in the scrape">[…]</span>')
    for off in lacunae:
        events.append((off, 2, lac))
    events.sort(key=lambda e: (e[0], e[1]))
    out: list[str] = []
    pos = 0
    for off, _, mk in events:
        off = max(pos, min(off, len(text)))
        out.append(esc(text[pos:off]))
        out.append(mk)
        pos = off
    out.append(esc(text[pos:]))
    return Markup("").join(out)


@dataclass
class _Ctx:
    arc: Archive
    docs: dict[str, CleanDoc]
    seeds: dict[str, Seed]
    claims_by_doc: dict[str, list[Claim]]
    claim_by_id: dict[str, Claim]
    matches_by_claim: dict[str, list[ClaimMatch]]
    notes_by_claim: dict[str, list]
    cluster_of: dict[str, Any]
    speakers: dict[str, list[Claim]]
    alignments: dict[str, dict[str, Any]]  # canonical -> version doc_id -> Alignment
    copies: dict[str, tuple] = field(default_factory=dict)  # doc_id -> IdenticalCopy records
    extra: dict[str, Any] = field(default_factory=dict)
    tokens: Mapping[str, str] = field(default_factory=dict)  # doc_id -> identity of its per-seed result
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> _doc_summary, built on first use
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # claim id -> _claim_row, built on first use


def _context(arc: Archive, tokens: Mapping[str, str] | None = None) -> _Ctx:
    claims_by_doc: dict[str, list[Claim]] = defaultdict(list)
    for c in arc.claims:
        claims_by_doc[c.doc_id].append(c)
    for v in claims_by_doc.values():
        v.sort(key=lambda c: (c.block, c.start))
    matches: dict[str, list[ClaimMatch]] = defaultdict(list)
    for m in arc.matches:
        matches[m.claim_id].append(m)
    notes: dict[str, list] = defaultdict(list)
    for n in arc.notes:
        if n.claim_id:
            notes[n.claim_id].append(n)
    cluster_of = {}
    for cl in arc.versions.clusters:
        for m in cl.members:
            cluster_of[m] = cl
    speakers: dict[str, list[Claim]] = defaultdict(list)
    for c in arc.claims:
        if c.speaker:
            speakers[c.speaker].append(c)
    alignments: dict[str, dict[str, Any]] = defaultdict(dict)
    for a in arc.versions.alignments:
        alignments[a.canonical][a.doc_id] = a
    copies: dict[str, list] = defaultdict(list)
    for cp in sorted(arc.copies, key=lambda c: c.name):
        copies[cp.doc_id].append(cp)
    return _Ctx(
        arc=arc,
        docs={d.doc_id: d for d in arc.docs},
        seeds={s.doc_id: s for s in arc.seeds},
        claims_by_doc=claims_by_doc,
        claim_by_id={c.id: c for c in arc.claims},
        matches_by_claim=matches,
        notes_by_claim=notes,
        cluster_of=cluster_of,
        speakers=speakers,
        alignments=alignments,
        copies={k: tuple(v) for k, v in copies.items()},
        tokens=tokens or {},
    )


def _doc_summary(ctx: _Ctx, d: CleanDoc) -> dict[str, Any]:
    """The article's summary for listings and links: built once per document
    and shared by every row and page that shows it (never mutated)."""
    s = ctx.summaries.get(d.doc_id)
    if s is None:
        s = ctx.summaries[d.doc_id] = _new_summary(ctx, d)
    return s


def _new_summary(ctx: _Ctx, d: CleanDoc) -> dict[str, Any]:
    cl = ctx.cluster_of.get(d.doc_id)
    return {
        "id": d.doc_id,
        "title": d.title,
        "url": url("article", id=d.doc_id),
        "date": d.meta.date,
        "date_display": date_display(d.meta.date),
        "publisher": d.meta.publisher,
        "author": d.meta.author,
        "name": d.name,
        "versions": len(cl.members) if cl else 1,
        "is_canonical": (cl is None or cl.canonical == d.doc_id),
        "claims": len(ctx.claims_by_doc.get(d.doc_id, ())),
    }


def _sort_key(s: dict[str, Any]) -> tuple:
    # newest first; unknown dates last; then title and id for determinism
    return (s["date"] is None, _neg(s["date"] or ""), s["title"].lower(), s["id"])


def _neg(iso: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in iso)


def _speaker_slug(name: str) -> str:
    return slugify(name)


def _shown_matches(ctx: _Ctx, c: Claim) -> list[tuple[ClaimMatch, CleanDoc, Claim | None]]:
    """The claim's matches as its footnote lists them, in that order: each
    with the other article and the other claim."""
    out = []
    for m in sorted(ctx.matches_by_claim.get(c.id, ()), key=lambda m: (not m.independent, -m.score, m.other_doc)):
        other = ctx.docs.get(m.other_doc)
        if other is not None:
            out.append((m, other, ctx.claim_by_id.get(m.other_claim)))
    return out


def _footnotes(ctx: _Ctx, d: CleanDoc) -> list[dict[str, Any]]:
    notes = []
    for n, c in enumerate(ctx.claims_by_doc.get(d.doc_id, ()), 1):
        also = []
        for m, other, oc in _shown_matches(ctx, c):
            also.append(
                {
                    "title": other.title,
                    "publisher": other.meta.publisher,
                    "url": url("article", id=other.doc_id) + f"#claim-{m.other_claim}",
                    "text": oc.text if oc else "",
                    "independent": m.independent,
                    "relation": m.relation,
                }
            )
        notes.append(
            {
                "n": n,
                "claim": c,
                "speaker_url": url("speaker", slug=_speaker_slug(c.speaker)) if c.speaker else None,
                "also": also,
                "independent": len({a["url"].split("#")[0] for a in also if a["independent"]}),
                "notes": [markdown_html(a.note.body) for a in ctx.notes_by_claim.get(c.id, ())],
            }
        )
    return notes


def _article_body(ctx: _Ctx, d: CleanDoc, footnotes: list[dict[str, Any]]) -> Markup:
    by_block: dict[int, list[tuple[int, int, Markup, Markup]]] = defaultdict(list)
    for fn in footnotes:
        c: Claim = fn["claim"]
        # (plain str formatting of escaped or integer parts: Markup.format is slow)
        # The marker is not indexed for search: its number is no word of the
        # text (it stuck to the claim's last word in excerpts), and every
        # anchor Pagefind lists is fetched with each result (search.js finds
        # where a claim ends from the claim's own text instead).  "all":
        # plain data-pagefind-ignore on an inline element still puts the text
        # of the link inside it into the paragraph's anchor text (Pagefind
        # 1.5.2), which the search shard key leaves out
        open_ = Markup('<span class="claim" id="claim-%s">' % escape(c.id))
        close = Markup(
            '</span><sup class="fnref" data-pagefind-ignore="all"><a href="#fn-{n}" id="fnref-{n}" role="doc-noteref" aria-describedby="fn-{n}" '
            'data-fn="{n}">{n}</a></sup>'.format(n=int(fn["n"]))
        )
        by_block[c.block].append((c.start, c.end, open_, close))
    parts = []
    for i, b in enumerate(d.blocks):
        inner = _block_html(b.text, sorted(by_block.get(i, ()), key=lambda s: s[0]), b.lacunae)
        if b.kind == "h":
            parts.append(Markup('<h2 id="p%d">%s</h2>' % (i, inner)))
        else:
            parts.append(Markup('<p id="p%d">%s</p>' % (i, inner)))
    return Markup("\n").join(parts)


def _article_jsonld(ctx: _Ctx, d: CleanDoc, footnotes: list[dict[str, Any]], site_url: str) -> Markup:
    claims = []
    for fn in footnotes:
        c: Claim = fn["claim"]
        item: dict[str, Any] = {
            "@type": "Claim",
            "@id": f"#claim-{c.id}",
            "text": c.text,
            "identifier": c.id,
        }
        if c.speaker:
            item["author"] = {"@type": "Person", "name": c.speaker}
        apps = [{"@type": "CreativeWork", "url": a["url"], "name": a["title"]} for a in fn["also"]]
        if apps:
            item["appearance"] = apps
        claims.append(item)
    obj: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": d.title,
        "identifier": d.doc_id,
    }
    if d.meta.date:
        obj["datePublished"] = d.meta.date
    if d.meta.author:
        obj["author"] = {"@type": "Person", "name": d.meta.author}
    if d.meta.publisher:
        obj["publisher"] = {"@type": "Organization", "name": d.meta.publisher}
    if d.meta.url:
        obj["isBasedOn"] = d.meta.url
    if claims:
        obj["hasPart"] = claims
    return json_ld(obj)


def _article_page(ctx: _Ctx, d: CleanDoc, prev_next: tuple[Any, Any], site_url: str) -> PageSpec:
    token = ctx.tokens.get(d.doc_id)
    return PageSpec(
        url("article", id=d.doc_id), "article", make=partial(_article_variables, ctx, d, prev_next, site_url),
        inputs=partial(_article_inputs, ctx, d, prev_next, site_url, token) if token else None,
    )


def _cluster_inputs(ctx: _Ctx, doc_id: str) -> tuple:
    cl = ctx.cluster_of.get(doc_id)
    if cl is None:
        return ()
    return (cl.canonical, tuple(_doc_summary(ctx, ctx.docs[m]) for m in cl.members))


def _article_inputs(ctx: _Ctx, d: CleanDoc, prev_next: tuple[Any, Any], site_url: str, token: str) -> tuple:
    """What :func:`_article_variables` reads, the document and its claims
    (and the seed's name) stood for by ``token``: per claim its matches with
    the other articles' titles, publishers and claim texts, and its notes;
    the version cluster with its members' summaries; the neighbours."""
    claims = []
    tokens = ctx.tokens
    for c in ctx.claims_by_doc.get(d.doc_id, ()):
        # as the footnote shows them, in its order; not the scores themselves
        # (the footnote does not show them, and they move a little with
        # every seed added to the archive: keyed on them, ~300 articles would
        # be rendered again for each new seed at 10,000).  The other article
        # and its claim stood for by that article's token when it has one (it
        # determines its title, publisher and claims: a third less to hash
        # for the ~150,000 matches of a 10,000-seed archive at every build)
        also = [(m.other_doc, m.other_claim, m.independent, m.relation,
                 tokens.get(m.other_doc) or (other.title, other.meta.publisher, oc.text if oc else None))
                for m, other, oc in _shown_matches(ctx, c)]
        claims.append((c.id, also, ctx.notes_by_claim.get(c.id, ())))
    return (token, claims, _cluster_inputs(ctx, d.doc_id), prev_next, site_url)


def _article_variables(ctx: _Ctx, d: CleanDoc, prev_next: tuple[Any, Any], site_url: str) -> dict[str, Any]:
    seed = ctx.seeds[d.doc_id]
    fns = _footnotes(ctx, d)
    cl = ctx.cluster_of.get(d.doc_id)
    versions = None
    if cl and len(cl.members) > 1:
        versions = {
            "url": url("versions", id=cl.canonical),
            "is_canonical": cl.canonical == d.doc_id,
            "canonical": _doc_summary(ctx, ctx.docs[cl.canonical]),
            "siblings": [_doc_summary(ctx, ctx.docs[m]) for m in cl.members if m != d.doc_id],
        }
    summary = _doc_summary(ctx, d)
    return {
        "doc": summary,
        "meta": dataclasses.replace(d.meta, url=safe_href(d.meta.url)),
        "page_title": d.title,
        "seed_name": seed.name,
        "raw_url": url("raw", id=d.doc_id),
        "body_html": _article_body(ctx, d, fns),
        "footnotes": fns,
        "captions": d.captions,
        "removed": d.removed,
        "repairs": d.repairs,
        "versions": versions,
        "jsonld": _article_jsonld(ctx, d, fns, site_url),
        "prev": prev_next[0],
        "next": prev_next[1],
        "month": month_of(d.meta.date),
        "speakers": sorted({f["claim"].speaker for f in fns if f["claim"].speaker}),
        "has_note": any(f["notes"] for f in fns),
    }


def _raw_page(ctx: _Ctx, seed: Seed) -> PageSpec:
    return PageSpec(
        url("raw", id=seed.doc_id), "raw", make=partial(_raw_variables, ctx, seed),
        inputs=partial(_raw_inputs, ctx, seed) if ctx.tokens else None,
    )


def _raw_inputs(ctx: _Ctx, seed: Seed) -> tuple:
    """What :func:`_raw_variables` reads: the seed, stood for by its file's
    hash and name (it is read from those bytes under that name), the
    article's summary, and the identical copies (the same way)."""
    copies = tuple((c.name, c.sha256, c.same_as, c.same_bytes) for c in ctx.copies.get(seed.doc_id, ()))
    return (seed.sha256, seed.name, _doc_summary(ctx, ctx.docs[seed.doc_id]), copies)


def _raw_variables(ctx: _Ctx, seed: Seed) -> dict[str, Any]:
    d = ctx.docs[seed.doc_id]
    return {
        "doc": _doc_summary(ctx, d),
        "page_title": f"Raw scrape: {d.title}",
        "seed": seed,
        "raw_text": raw_html(seed.text),  # escaped here, whitespace kept by <pre>
        "copies": tuple(
            {"n": n, "name": c.name, "sha256": c.sha256, "same_bytes": c.same_bytes, "encoding_note": c.encoding_note,
             "lines": c.text.count("\n") + 1, "raw_text": raw_html(c.text) if not c.same_bytes else None}
            for n, c in enumerate(ctx.copies.get(seed.doc_id, ()), 1)
        ),
        "lines": seed.text.count("\n") + 1,
    }


def _versions_page(ctx: _Ctx, cl) -> PageSpec:
    return PageSpec(
        url("versions", id=cl.canonical), "versions", make=partial(_versions_variables, ctx, cl),
        inputs=partial(_versions_inputs, ctx, cl) if ctx.tokens else None,
    )


def _versions_inputs(ctx: _Ctx, cl) -> tuple:
    """What :func:`_versions_variables` reads: the members' summaries and
    their alignments with the canonical (small next to the diff markup)."""
    aligns = ctx.alignments.get(cl.canonical, {})
    return (_cluster_inputs(ctx, cl.canonical), tuple(aligns.get(m) for m in cl.members))


def _versions_variables(ctx: _Ctx, cl) -> dict[str, Any]:
    canonical = ctx.docs[cl.canonical]
    aligns = ctx.alignments.get(cl.canonical, {})
    others = []
    for m in cl.members:
        if m == cl.canonical:
            continue
        a = aligns.get(m)
        others.append(
            {
                "doc": _doc_summary(ctx, ctx.docs[m]),
                "alignment": a,
                "diff_html": _diff_html(a.diff) if a else Markup(""),
            }
        )
    return {
        "page_title": f"Versions: {canonical.title}",
        "canonical": _doc_summary(ctx, canonical),
        "others": others,
    }


def _diff_html(diff) -> Markup:
    parts = []
    for op in diff:
        if op.op == "equal":
            parts.append(esc(op.text))
        elif op.op == "delete":
            parts.append(Markup('<del title="only in the canonical version">%s</del>' % esc(op.text)))
        else:
            parts.append(Markup('<ins title="only in this version">%s</ins>' % esc(op.text)))
    return Markup("").join(parts)


def _claims_rows(ctx: _Ctx, claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Listing rows, most independent sources first.  A claim's row is built
    once and shared by the claims listing and its speaker's (never mutated)."""
    rows = [_claim_row(ctx, c) for c in claims]
    rows.sort(key=lambda r: (-(r["independent"] + 1), -r["appearances"], r["claim"].id))
    return rows


def _claim_row(ctx: _Ctx, c: Claim) -> dict[str, Any]:
    row = ctx.rows.get(c.id)
    if row is None:
        row = ctx.rows[c.id] = _new_claim_row(ctx, c)
    return row


def _new_claim_row(ctx: _Ctx, c: Claim) -> dict[str, Any]:
    ms = ctx.matches_by_claim.get(c.id, ())
    return {
        "claim": c,
        "independent": len({m.other_doc for m in ms if m.independent}),
        "appearances": len({m.other_doc for m in ms}),
        "url": url("article", id=c.doc_id) + f"#claim-{c.id}",
        "doc": _doc_summary(ctx, ctx.docs[c.doc_id]),
        "speaker_url": url("speaker", slug=_speaker_slug(c.speaker)) if c.speaker else None,
        "noted": bool(ctx.notes_by_claim.get(c.id)),
    }


def build_pages(arc: Archive, site_url: str = "", tokens: Mapping[str, str] | None = None) -> list[PageSpec]:
    """Every page of the site, in a deterministic order.

    ``tokens`` (optional): for each document, a string that identifies the
    per-seed result (cleaned document and claims) it comes from — two
    results with the same token are equal, e.g. the per-seed cache key.  With
    them, article, raw and versions pages get :meth:`PageSpec.key_inputs`."""
    ctx = _context(arc, tokens)
    summaries = sorted((_doc_summary(ctx, d) for d in arc.docs), key=_sort_key)
    listed = [s for s in summaries if s["is_canonical"]]
    pages: list[PageSpec] = []

    order = [s["id"] for s in summaries]
    pos = {i: n for n, i in enumerate(order)}
    for d in sorted(arc.docs, key=lambda d: pos[d.doc_id]):
        n = pos[d.doc_id]
        prev = summaries[n - 1] if n > 0 else None
        nxt = summaries[n + 1] if n + 1 < len(summaries) else None
        pages.append(_article_page(ctx, d, (prev, nxt), site_url))
    for s in sorted(arc.seeds, key=lambda s: pos[s.doc_id]):
        pages.append(_raw_page(ctx, s))
    for cl in arc.versions.clusters:
        if len(cl.members) > 1:
            pages.append(_versions_page(ctx, cl))

    # index by date (one entry per cluster: the canonical, with a version count)
    def by_month(items: list) -> list:
        groups: dict[str, list] = defaultdict(list)
        for s in items:
            groups[month_of(s["date"]) or (s["date"][:4] if s["date"] else "Date unknown")].append(s)
        return list(groups.items())

    def doc_key(s: dict[str, Any]) -> str:
        return s["id"]

    def groups_span(groups: list) -> str:
        return _span(groups[0][0], groups[-1][0])

    pages += _paged(
        url("index"), "index", listed, PER_PAGE["index"],
        lambda items: {"page_title": "Articles by date", "groups": by_month(items)},
        key=doc_key, label=lambda items: groups_span(by_month(items)),
        first={"page_title": None, "total": len(arc.docs), "listed": len(listed)},
    )

    def by_publisher(items: list) -> list:
        groups: dict[str, list] = defaultdict(list)
        for s in items:
            groups[s["publisher"] or "Publisher unknown"].append(s)
        return list(groups.items())

    by_pub = sorted(listed, key=lambda s: (s["publisher"] is None, (s["publisher"] or "").lower(), s["publisher"] or "", _sort_key(s)))
    pages += _paged(
        url("publishers"), "publishers", by_pub, PER_PAGE["publishers"],
        lambda items: {"page_title": "By publisher", "groups": by_publisher(items)},
        key=doc_key, label=lambda items: groups_span(by_publisher(items)),
    )

    def row_key(r: dict[str, Any]) -> str:
        return r["claim"].id

    def sources(items: list) -> str:
        a, b = items[0]["independent"] + 1, items[-1]["independent"] + 1
        return f"{_span(str(a), str(b))} independent source{'' if a == b == 1 else 's'}"

    rows = _claims_rows(ctx, arc.claims)
    pages += _paged(
        url("claims"), "claims", rows, PER_PAGE["claims"],
        lambda items: {"page_title": "Claims", "rows": items}, key=row_key, label=sources, first={"total": len(rows)},
    )
    spk = []
    for name in sorted(ctx.speakers, key=lambda n: (n.lower(), n)):
        claims = ctx.speakers[name]
        slug = _speaker_slug(name)
        roles = sorted({c.role for c in claims if c.role})
        srows = _claims_rows(ctx, claims)
        pages += _paged(
            url("speaker", slug=slug), "speaker", srows, PER_PAGE["speaker"],
            lambda items, name=name, roles=roles: {"page_title": name, "speaker": name, "roles": roles, "rows": items},
            key=row_key, label=sources, first={"total": len(srows)},
        )
        spk.append({"name": name, "url": url("speaker", slug=slug), "claims": len(claims), "roles": roles})
    pages.append(PageSpec(url("speakers"), "speakers", {"page_title": "Speakers", "speakers": spk}))

    orphans = [n for n in arc.notes if n.claim_id is None]
    pages.append(
        PageSpec(
            url("orphans"),
            "orphans",
            {
                "page_title": "Orphaned notes",
                "orphans": [{"note": n.note, "html": markdown_html(n.note.body)} for n in orphans],
            },
        )
    )
    pages.append(PageSpec(url("search"), "search", {"page_title": "Search"}))
    pages.append(PageSpec(url("404"), "404", {"page_title": "Page not found"}))
    return pages
