"""Clean stage: a scraped text -> :class:`CleanDoc`.

Pure functions (no Pelican/Jinja, no file I/O, no clock, no randomness, no
module-level mutable state).  The stage is a named, ordered chain of rules
(like markdown-it-py's rule chains): every line that leaves the body carries
the name of the rule that took it out.

The chain, in order (see ``RULES``):

1. ``header``       — scraper header lines (`` date 2021-12-17 …``)
2. line rules       — one line, structure first: bare URLs, counters,
                      hashtags, relative dates, credits, captions, whole-line
                      furniture phrases (data, multilingual)
3. document rules   — repetition inside the document and across seeds,
                      teaser blocks (headline + truncated blurb + CATEGORY),
                      entity lists, section label + inline teaser headline
4. ``main-content`` — the densest run of sentence-like lines (a maximum
                      sub-array over per-line scores); everything outside is
                      page furniture
5. metadata         — title, date, byline, publisher from the lines above
                      the article (``metadata.py`` rules)
6. body rules       — inside the article: short stray lines, headings
7. repairs          — glued sentences split (lacuna recorded), repeated
                      trailing phrase collapsed; every change is a Repair

Never loses data: every non-empty raw line ends up in ``meta_lines``, a
block's ``line_nos``, ``caption_lines`` or ``removed``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from . import clean_rules as cr
from . import metadata as md
from .models import Block, CleanDoc, Meta, Removed, Repair, Seed

# Structural thresholds are data.
LIMITS: Mapping[str, float] = MappingProxyType({
    "good_chars": 80,  # a line this long, sentence-like, is article text
    "good_words": 10,
    "near_chars": 35,
    "near_words": 6,
    "label_words": 3,  # a line of at most this many words is a label
    "heading_words": 20,  # a heading has at most this many words
    "teaser_heading_words": 8,  # a heading this long over a continuing paragraph is an inline teaser
    "repeat_short_words": 8,  # repeated across seeds and at most this long -> furniture
    "min_stop_density": 0.12,  # below this, a long line is a list of names/links
    "score_short": -35.0,  # region score of a short non-sentence line
    "score_removed": -40.0,  # ... of a line a rule removed
    "score_boundary": -250.0,  # ... of a "Related"/"Comments" header
    "score_hard_boundary": -1000.0,  # ... of a comments header
    "near_weight": 0.5,
    "list_run": 2,  # short lines in a row, inside the article, kept as a list
    "main_text_min": 40.0,  # HTML: score of a line trafilatura also keeps
    "not_main_weight": 0.3,  # HTML: weight of a long line trafilatura drops
    "anchor_window": 40,  # lines under the repeated title searched for the article's start
    "anchor_bonus": 400.0,
    "max_gap": 1,  # lines skipped when extending the article over shared text
    "second_run_min": 150.0,  # a further run of prose, past a widget, kept when it scores this much
    "second_gap_lines": 10,  # ... and at most this many lines lie between
    "layout_slack": 0.25,  # ... and its share of paragraph-like lines is at most this much lower
    "item_words": 4,  # a list item next to the article with this many words counts towards the list
    "items_min": 3,  # ... a list next to the article is taken in when it has this many such items
    "items_share": 0.5,  # ... and they make up at least this share of its lines
    "items_end_share": 0.3,  # ... above the article: this share of its lines ends like a sentence
    "max_title_gap": 12,  # lines above the article searched for its title
    "title_max_words": 30,
    "meta_window": 10,  # lines around the article start searched for metadata
})

BOUNDARY_RULES = frozenset({"related-block", "teaser", "entity-list", "dateline"})
HARD_BOUNDARY_RULES = frozenset({"comment-prompt"})
STEPS = (1,)


# ------------------------------------------------------------------ stats


@dataclass(frozen=True, slots=True)
class LineStats:
    """How many seeds each normalised line occurs in (cross-seed repetition).

    ``counts`` holds only lines seen in more than one seed, sorted, so the
    object is immutable, hashable and independent of the seeds' order."""

    counts: tuple[tuple[str, int], ...] = ()
    n_docs: int = 0
    _index: dict = field(default=None, compare=False, hash=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", dict(self.counts))

    def count(self, line: str) -> int:
        return self._index.get(norm_line(line), 0)


def _token_key(line: str) -> str:
    return " ".join(re.findall(r"\w+", line.lower()))


def norm_line(line: str) -> str:
    return " ".join(line.lower().split())


def line_stats(seeds: Iterable[Seed]) -> LineStats:
    c: Counter[str] = Counter()
    n = 0
    for s in seeds:
        n += 1
        text = _source_text(s)
        c.update({norm_line(x) for x in text.split("\n") if x.strip()})
    return LineStats(tuple(sorted((k, v) for k, v in c.items() if v > 1)), n)


def _source_text(seed: Seed) -> str:
    if seed.kind == "html":
        from .html_text import html_to_text

        return html_to_text(seed.text)
    return seed.text


# ------------------------------------------------------------ line model


@dataclass(frozen=True, slots=True)
class Line:
    no: int  # 1-based raw line number
    raw: str
    text: str  # stripped
    words: int
    chars: int
    stop: float
    end: bool  # ends like a sentence
    cls: str  # good | near | short
    caps: float = 0.0  # share of longer words that start with a capital (Title Case)

    @property
    def heading_like(self) -> bool:
        t = self.text
        return (
            1 <= self.words <= LIMITS["heading_words"]
            and not t.endswith((".", ",", ";", "…"))
            and not cr.is_bare_url(t)
        )


def _caps(ws: list[str]) -> float:
    long_ = [w for w in ws if len(w) >= 4 and w[0].isalpha()]
    if len(long_) < 3:
        return 0.0
    return sum(1 for w in long_ if w[0].isupper()) / len(long_)


def _eff_chars(text: str) -> int:
    """Length in Latin-alphabet characters: one CJK character carries about
    as much as 2.5 Latin ones."""
    return len(text) + (3 * len(cr.NO_SPACE_SCRIPT.findall(text))) // 2


def _classify(text: str, ws: list[str], stop: float, end: bool, low_stop_lang: bool) -> str:
    n, c = len(ws), _eff_chars(text)
    if n <= 25 and _caps(ws) >= 0.8 and not text.endswith("."):
        return "short"  # a Title Case headline, not running text
    stop_ok = low_stop_lang or stop >= LIMITS["min_stop_density"]
    if c >= LIMITS["good_chars"] and n >= LIMITS["good_words"] and stop_ok and (end or n >= 25):
        return "good"
    if c >= LIMITS["near_chars"] and n >= LIMITS["near_words"] and end and stop_ok:
        return "near"
    return "short"


def _low_stop_lang(lines: list[Line]) -> bool:
    long_lines = [ln for ln in lines if ln.words >= 10]
    tot = sum(ln.words for ln in long_lines)
    return tot == 0 or sum(ln.stop * ln.words for ln in long_lines) / tot < 0.08


def _same_class(ln: Line, new_text: str, low_stop: bool) -> bool:
    """A repair must not change how the line is judged (so that cleaning
    the cleaned text again gives the same body)."""
    t = new_text.strip()
    ws = cr.words(t)
    return bool(t) and _classify(t, ws, cr.stop_density(ws), cr.ends_sentence(t), low_stop) == ln.cls


def _lines(text: str) -> list[Line]:
    raw = text.split("\n")
    pre = []
    for i, r in enumerate(raw, 1):
        t = r.strip()
        if not t:
            continue
        ws = cr.words(t)
        pre.append((i, r, t, ws, cr.stop_density(ws), cr.ends_sentence(t)))
    # A language our stop-word data does not cover (e.g. Korean): don't use
    # stop-word density at all for this document.
    long_lines = [p for p in pre if len(p[3]) >= 10]
    tot = sum(len(p[3]) for p in long_lines)
    stops = sum(p[4] * len(p[3]) for p in long_lines)
    low_stop_lang = tot == 0 or stops / tot < 0.08
    return [
        Line(i, r, t, len(ws), _eff_chars(t), sd, e, _classify(t, ws, sd, e, low_stop_lang), _caps(ws))
        for i, r, t, ws, sd, e in pre
    ]


# ------------------------------------------------------------ the chain


class _State:
    """Mutable bookkeeping local to one ``clean`` call (never shared)."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.decided: dict[int, tuple[str, str]] = {}  # index -> (kind, rule)
        self.removed_parts: list[Removed] = []
        self.meta: dict[str, str] = {}
        self.meta_idx: list[int] = []
        self.region: tuple[int, int] = (0, -1)
        self.neutral = True
        self.main_text: frozenset[str] | None = None  # HTML only: trafilatura's lines
        self.items: set[int] = set()  # lines of a list or table that continues the article

    def open(self, i: int) -> bool:
        return i not in self.decided

    def remove(self, i: int, rule: str) -> None:
        if i not in self.decided:
            self.decided[i] = ("removed", rule)

    def set(self, i: int, kind: str, rule: str) -> None:
        self.decided[i] = (kind, rule)

    def rule_of(self, i: int) -> str | None:
        d = self.decided.get(i)
        return d[1] if d and d[0] == "removed" else None


# --- 1. header -------------------------------------------------------------


def rule_header(st: _State, stats: LineStats | None) -> None:
    for i, ln in enumerate(st.lines[:3]):
        h = md.parse_header_line(ln.raw)
        if not h:
            continue
        key, value, rest = h
        if key in st.meta:
            continue
        st.meta[key] = value
        if key == "date":
            st.meta["date_text"] = ln.text[: len(ln.text) - len(rest)].strip() if rest else ln.text
        st.set(i, "meta", "header")
        st.meta_idx.append(i)
        if rest:
            rule = "photo-credit" if cr.is_credit(rest) else "header-residue"
            st.removed_parts.append(Removed(ln.no, rest, rule))


# --- 2. line rules -----------------------------------------------------------


def _line_rule(ln: Line) -> str | None:
    t = ln.text
    if cr.is_image_url(t):
        return "image-url"
    if cr.is_bare_url(t):
        return "bare-url"
    if cr.is_hashtag_line(t):
        return "hashtags"
    if cr.is_relative_date(t):
        return "relative-date"
    if cr.is_counter(t):
        return "counter"
    if cr.is_share_text(t):
        return "share-widget"
    if cr.is_comment_header(t) or cr.is_comment_author(t):
        return "comment-prompt"
    if cr.is_count_suffixed(t) or cr.is_glued_teaser(t):
        return "teaser-card"
    if not cr.words(t):
        return "no-text"  # symbols, zero-width spaces, separators
    r = cr.phrase_rule(t)
    if r:
        return r
    r = cr.prefix_rule(t)
    if r:
        return r
    if cr.is_credit(t) and not cr.is_caption(t):
        return "photo-credit"
    return None


def rule_lines(st: _State, stats: LineStats | None) -> None:
    for i, ln in enumerate(st.lines):
        if not st.open(i):
            continue
        r = _line_rule(ln)
        if r:
            st.remove(i, r)
        elif cr.is_caption(ln.text) and ln.cls != "good":
            st.set(i, "caption", "caption")


def rule_after_image(st: _State, stats: LineStats | None) -> None:
    """A line right under an image URL (no blank line between) is its caption."""
    for i, ln in enumerate(st.lines[:-1]):
        nxt = st.lines[i + 1]
        if st.rule_of(i) == "image-url" and nxt.no == ln.no + 1 and st.open(i + 1) and not md.parse_byline(nxt.text):
            st.set(i + 1, "caption", "caption-after-image")


# --- 3. document rules -------------------------------------------------------


def rule_datelines(st: _State, stats: LineStats | None) -> None:
    """Lines that are only a date: the article's dateline (taken back as
    metadata later) or, further down, comment timestamps."""
    for i, ln in enumerate(st.lines):
        if st.open(i) and ln.words <= 14 and (md.parse_dateline(ln.text) or _dateline_in(ln.text)):
            st.remove(i, "dateline")


def rule_repeated_in_doc(st: _State, stats: LineStats | None) -> None:
    """Short lines seen twice or more are labels; longer duplicates are copies."""
    seen: dict[str, list[int]] = {}
    for i, ln in enumerate(st.lines):
        seen.setdefault(norm_line(ln.text), []).append(i)
    for key, idx in seen.items():
        if len(idx) < 2:
            continue
        ln = st.lines[idx[0]]
        if ln.words <= LIMITS["label_words"] and ln.cls == "short":
            for i in idx:
                st.remove(i, "repeated-label")
        else:
            for i in idx[1:]:
                st.remove(i, "duplicate-line")


def rule_repeated_across(st: _State, stats: LineStats | None) -> None:
    """Lines found in other seeds too: menus, footers, widgets of the same site.
    Later copies inside the document get the same rule as the first, so that
    the decision does not depend on how often the line repeats (cleaning
    the cleaned text again, with one copy left, must agree)."""
    if not stats or stats.n_docs < 2:
        return
    for i, ln in enumerate(st.lines):
        if not (st.open(i) or st.rule_of(i) == "duplicate-line") or stats.count(ln.text) < 2:
            continue
        if ln.words <= LIMITS["repeat_short_words"] or ln.cls == "short":
            st.set(i, "removed", "repeated-across-seeds")


def _prev(st: _State, i: int, k: int = 1, body_only: bool = False) -> list[int]:
    """The ``k`` lines above line ``i``, nearest first; with ``body_only``,
    not counting lines an earlier rule took out of the body (removed lines,
    captions, metadata): cleaning the cleaned body again sees the lines
    above them as the neighbours."""
    out: list[int] = []
    for j in range(i - 1, -1, -1):
        if len(out) == k:
            break
        if not body_only or st.open(j):
            out.append(j)
    return out


def _teaser_head(st: _State, window: list[int]) -> int | None:
    """The headline of a teaser card among the lines above its blurb."""
    for j in window:
        if st.lines[j].cls == "good":
            return None  # a paragraph lies between: this is running text, not a card
        if st.lines[j].heading_like:
            # a headline; one that reads like a sentence ("How can I
            # promise you're about to feel better?") is running text
            return j if st.lines[j].cls == "short" else None
    return None


def rule_teasers(st: _State, stats: LineStats | None) -> None:
    """Teaser lists: [source] / headline / truncated blurb / CATEGORY.

    The headline is looked for in the two lines above the blurb and, so that
    cleaning the cleaned body finds no card the first pass missed, in the
    two body lines above it (past lines already removed, e.g. a duplicate)."""
    n = len(st.lines)
    for i, ln in enumerate(st.lines):
        if not cr.is_truncated(ln.text) or ln.words > 120:
            continue
        if not st.open(i):
            continue
        head = _teaser_head(st, _prev(st, i, 2))
        if head is None:
            head = _teaser_head(st, _prev(st, i, 2, body_only=True))
        label_after = i + 1 < n and st.lines[i + 1].no == ln.no + 1 and cr.is_upper_label(st.lines[i + 1].text)
        if head is None and not label_after:
            continue  # an ellipsis inside running text, not a teaser card
        st.remove(i, "teaser")
        if head is not None:
            st.remove(head, "teaser")
            # a source label above the headline
            if head > 0 and st.lines[head - 1].words <= 4 and st.lines[head - 1].heading_like:
                st.remove(head - 1, "teaser")
        if label_after:
            st.remove(i + 1, "teaser")


def rule_entity_list(st: _State, stats: LineStats | None) -> None:
    """"Person / Joe Biden / Country / Poland": type label followed by a name."""
    for i, ln in enumerate(st.lines[:-1]):
        if ln.words <= 2 and cr.is_entity_type(ln.text):
            nxt = st.lines[i + 1]
            if nxt.words <= 6 and nxt.heading_like:
                st.remove(i, "entity-list")
                st.remove(i + 1, "entity-list")


def rule_upper_category(st: _State, stats: LineStats | None) -> None:
    """``POLITICS`` after a blurb and before another teaser."""
    for i, ln in enumerate(st.lines):
        if ln.words > 4 or not st.open(i) or not cr.is_upper_label(ln.text):
            continue
        prev_long = i > 0 and st.lines[i - 1].words >= 15 and st.lines[i - 1].no == ln.no - 1
        nxt_short = i + 1 >= len(st.lines) or st.lines[i + 1].cls == "short"
        if prev_long and nxt_short:
            st.remove(i, "teaser")


def _label_like(ln: Line) -> bool:
    t = ln.text
    return 1 <= ln.words <= 2 and len(t) <= 30 and not cr.ends_sentence(t) and t[:1].isupper()


def rule_label_teaser(st: _State, stats: LineStats | None) -> None:
    """A section label directly above a headline (no blank line between) is
    an inline teaser of another story (``World`` / ``Putin Warns…``)."""
    for i, ln in enumerate(st.lines[:-1]):
        nxt = st.lines[i + 1]
        if nxt.no != ln.no + 1 or not _label_like(ln):
            continue
        if nxt.heading_like and 3 <= nxt.words <= 25 and (nxt.cls != "good" or nxt.caps >= 0.6) and not nxt.text.endswith(":"):
            if md.parse_byline(nxt.text) or md.parse_dateline(nxt.text):
                continue
            st.remove(i, "section-label")
            st.remove(i + 1, "inline-teaser")


# --- 4. main content -----------------------------------------------------------


def _score(st: _State, i: int, stats: LineStats | None) -> float:
    ln = st.lines[i]
    d = st.decided.get(i)
    if d is not None:
        if d[0] == "removed" and not ln.words:
            return 0.0  # an invisible or symbol-only line says nothing
        if d[0] == "removed":
            if d[1] in HARD_BOUNDARY_RULES:
                return LIMITS["score_hard_boundary"]
            return LIMITS["score_boundary"] if d[1] in BOUNDARY_RULES else LIMITS["score_removed"]
        return 0.0
    if st.main_text is not None:
        # HTML: trafilatura's reading of the page is an extra vote
        if _token_key(ln.text) in st.main_text:
            return max(float(ln.chars), LIMITS["main_text_min"])
        if ln.cls == "good":
            return ln.chars * LIMITS["not_main_weight"]
    if stats is not None and st.neutral and stats.count(ln.text) >= 2:
        return 0.0  # shared with other seeds: a footer, or another version's text
    if ln.cls == "good":
        return float(ln.chars)
    if ln.cls == "near":
        return ln.chars * LIMITS["near_weight"]
    return LIMITS["score_short"]


def _best_run(scores: list[float]) -> tuple[float, int, int]:
    best, cur, start, bs, be = 0.0, 0.0, 0, 0, -1
    for i, s in enumerate(scores):
        if cur <= 0:
            cur, start = s, i
        else:
            cur += s
        if cur > best:
            best, bs, be = cur, start, i
    return best, bs, be


def _extend(st: _State, full: list[float], edge: int, step: int) -> int:
    """Move ``edge`` over good lines with at most LIMITS['max_gap'] other lines between."""
    gap, k, best = 0, edge + step, edge
    while 0 <= k < len(st.lines):
        if st.lines[k].cls == "good" and full[k] > 0:
            best, gap = k, 0
        else:
            gap += 1
            if gap > LIMITS["max_gap"]:
                break
        k += step
    return best


def _title_anchor(st: _State) -> int | None:
    """A page scrape starts with the page's <title> ("Headline - Site"); the
    headline shown again further down marks where the article begins."""
    if len(st.lines) < 3 or not st.lines[0].heading_like:
        return None
    first = norm_line(st.lines[0].text)
    for i in range(1, len(st.lines)):
        ln = st.lines[i]
        if ln.words < 3 or ln.cls == "good" and ln.words > 30:
            continue
        t = norm_line(ln.text)
        if t == first or (len(t) >= 15 and first.startswith(t) and re.match(r"^\s*[-|–—:·•»]", first[len(t):])):
            return i
    return None


def rule_main_content(st: _State, stats: LineStats | None) -> None:
    """The article is the run of lines with the highest total score: long
    sentence-like lines score their length, furniture scores negative.  The
    first sentence-like line under the repeated page title gets a bonus."""
    st.neutral = True
    anchor = _title_anchor(st)

    def run() -> tuple[float, int, int]:
        sc = [_score(st, i, stats) for i in range(len(st.lines))]
        best = _best_run(sc)
        if anchor is None:
            return best
        # the best run that starts just under the repeated title, with a bonus
        cand = (0.0, 0, -1)
        for j in range(anchor + 1, min(len(sc), anchor + 1 + LIMITS["anchor_window"])):
            if sc[j] <= 0:
                continue
            acc, top, end = 0.0, 0.0, j
            for k in range(j, len(sc)):
                acc += sc[k]
                if acc > top:
                    top, end = acc, k
            if top > cand[0]:
                cand = (top, j, end)
        if cand[2] >= cand[1] and cand[0] + LIMITS["anchor_bonus"] > best[0]:
            return cand
        return best

    best, bs, be = run()
    if be >= bs:
        best, bs, be = _above_comments(st, [_score(st, i, stats) for i in range(len(st.lines))], (best, bs, be))
    if be < bs:  # every line is shared with another seed (a duplicate)
        st.neutral = False
        best, bs, be = run()
    if be >= bs and st.neutral:
        # take in text next to the run that scored 0 only because another
        # seed shares it (another version of the same story): extend while
        # the added stretch, scored without that discount, is positive
        st.neutral = False
        full = [_score(st, i, stats) for i in range(len(st.lines))]
        st.neutral = True
        bs = _extend(st, full, bs, -1)
        be = _extend(st, full, be, +1)
    if be >= bs:
        sc = [_score(st, i, stats) for i in range(len(st.lines))]
        if anchor is not None and anchor < bs:
            # a list or table right under the page's headline (a calendar,
            # a results table) is the article, or its beginning
            kept = _list_at(st, sc, anchor + 1, 3, True)
            if kept and kept[0] - anchor <= LIMITS["meta_window"]:
                st.items.update(kept)
                if bs - kept[-1] - 1 > LIMITS["second_gap_lines"]:
                    be = kept[-1]
                bs = kept[0]
        bs, be = _more_runs(st, sc, bs, be)
        nb = _list_after(st, sc, be)
        if nb > be:
            bs, be = _more_runs(st, sc, bs, nb)
        if sum(x for x in sc[bs: be + 1] if x > 0) >= LIMITS["second_run_min"]:
            # lists next to an article of some size (about two paragraphs)
            be = _items_next_to(st, be, +1, anchor)
            bs = _items_next_to(st, bs, -1, anchor)
    st.region = (bs, be)


# Rules whose lines a list next to the article may contain: they are removed
# as labels or copies, not as page furniture.  Inside a list below the
# article, labels of two words or more and copies are items and are taken
# back (a meal plan repeats its headings for every plan); above the article
# a copy is the headline shown twice, so there they only don't end the list.
SOFT_RULES = frozenset({"repeated-label", "duplicate-line", "no-text", "image-url"})
TAKE_BACK_RULES = frozenset({"repeated-label", "duplicate-line"})


def _not_an_item(ln: Line) -> bool:
    """A line that ends a list next to the article: metadata, an uppercase
    kicker, a code-like token, a truncated teaser, a bare link with a label,
    or a Title Case headline ("Next Up In Tech")."""
    t = ln.text
    if ln.words < 2 or md.parse_byline(t) or md.parse_dateline(t) or _dateline_in(t) or _DATE_PREFIX.match(t):
        return True
    if sum(c.isupper() for c in t) >= 2 and not any(c.islower() for c in t):
        return True  # "I SPY WITH MY BIONIC EYE", "NEXT PREV"
    if (" " not in t and not cr.NO_SPACE_SCRIPT.search(t)) or not any(c.isalpha() for c in t):
        return True  # "medium-wide-browser", "0 : 0"
    if "..." in t or "…" in t:
        return True
    if len(cr.words(_URLISH.sub(" ", t))) < 2:
        return True  # "Listen: http://…"
    ws = [w for w in t.split() if w[:1].isalpha()]
    return len(ws) >= 3 and all(w[0].isupper() for w in ws) and any(len(w) > 1 and w.lower() in cr.STOPWORDS for w in ws[1:])


def _items_next_to(st: _State, edge: int, step: int, anchor: int | None) -> int:
    """Non-prose article content (a meal plan, product bullet lists, a table
    of results, quoted posts) right below (``step`` +1) or above (-1) the
    region: the lines up to the first that is not an item
    (``_not_an_item``) or that a furniture rule removed, taken in when
    enough of them are items of some length.  Above the article, a share of
    them must also end like sentences (headline lists above an article
    don't; deks are single lines)."""
    k, far, strong, opened, ends = edge + step, edge, 0, 0, 0
    while 0 <= k < len(st.lines) and k != anchor:
        ln, rule = st.lines[k], st.rule_of(k)
        if st.open(k) or (step > 0 and rule in TAKE_BACK_RULES and ln.words >= 2):
            if _not_an_item(ln) and not cr.is_embed_attribution(ln.text):
                break
            opened += 1
            strong += ln.words >= LIMITS["item_words"]
            ends += ln.end
            far = k
        elif rule not in SOFT_RULES or (ln.words < 2 and rule != "no-text"):
            break
        k += step
    if far == edge:
        return edge
    enough = strong >= LIMITS["items_min"] and strong >= LIMITS["items_share"] * opened
    if step < 0:
        enough = enough and ends >= LIMITS["items_end_share"] * opened
    else:  # a quoted post under the last paragraph ends with its signature
        enough = enough or cr.is_embed_attribution(st.lines[far].text)
    if not enough:
        return edge
    for j in range(edge + step, far + step, step):
        if step > 0 and st.rule_of(j) in TAKE_BACK_RULES and st.lines[j].words >= 2:
            del st.decided[j]
        if st.open(j):
            st.items.add(j)
    return far


_ENUM = re.compile(r"^\W{0,2}(?:\d|[^\W\d_]{1,12}\.?\s+\d)|^[*•\-–—·▪►]\s")


def _enumerated(ln: Line) -> bool:
    """``1) …``, ``10a etapa: …``, ``June 9 -- …``, ``* …``: an item of a
    numbered list, a schedule or a table row."""
    return bool(_ENUM.match(ln.text)) and ln.words >= 2


def _list_at(st: _State, sc: list[float], k: int, max_intro: int, skip: bool) -> list[int] | None:
    """A list or table starting at line ``k`` (after at most ``max_intro``
    short intro lines, and removed non-boundary lines if ``skip``): more than
    LIMITS['list_run'] enumerated lines, with only removed, non-boundary
    lines (link URLs) between them.  Returns the last intro line and the
    items, or None."""
    n, intro, items = len(st.lines), [], []
    while k < n and not (st.open(k) and _enumerated(st.lines[k])):
        if st.open(k):
            if len(intro) >= max_intro or not st.lines[k].heading_like:
                return None
            intro.append(k)
        elif not skip or sc[k] <= LIMITS["score_boundary"]:
            return None
        k += 1
    while k < n:
        ln = st.lines[k]
        if st.open(k):
            if not _enumerated(ln):
                break
            items.append(k)
        elif sc[k] <= LIMITS["score_boundary"] or ln.no > st.lines[k - 1].no + 2:
            break
        k += 1
    if len(items) <= LIMITS["list_run"]:
        return None
    return intro[-1:] + items


def _list_after(st: _State, sc: list[float], be: int) -> int:
    """A list or table right after the article's last paragraph."""
    kept = _list_at(st, sc, be + 1, 1, False)
    if not kept:
        return be
    st.items.update(kept)
    return kept[-1]


def _loose(st: _State, i: int) -> bool:
    """A line with a blank line above and below it: laid out as a paragraph
    (teaser cards and menus are printed as tight blocks)."""
    ln, n = st.lines[i], len(st.lines)
    return (i == 0 or st.lines[i - 1].no < ln.no - 1) and (i + 1 >= n or st.lines[i + 1].no > ln.no + 1)


def _loose_share(st: _State, sc: list[float], a: int, b: int) -> float:
    pos = [i for i in range(min(a, b), max(a, b) + 1) if sc[i] > 0]
    return sum(_loose(st, i) for i in pos) / len(pos) if pos else 0.0


def _above_comments(st: _State, sc: list[float], best: tuple[float, int, int]) -> tuple[float, int, int]:
    """When the best run is a reader's comment (a comments header and a
    ``Jane Doe on <date> said:`` line above it), the article is the best
    run above the comments header, if there is one of some size."""
    hard = next((i for i, x in enumerate(sc) if x <= LIMITS["score_hard_boundary"]), None)
    if hard is None or hard >= best[1]:
        return best
    if not any(cr.is_comment_author(st.lines[i].text) for i in range(hard, best[1])):
        return best
    above = _best_run(sc[:hard])
    return above if above[0] >= LIMITS["second_run_min"] else best


def _more_runs(st: _State, sc: list[float], bs: int, be: int) -> tuple[int, int]:
    """An article cut in two by a widget ("Related articles", a gallery):
    take in a further run of prose on either side when its own score is
    high enough, it is laid out like the article (paragraphs, not a tight
    block of cards), few lines lie between and no hard
    boundary (a comments header) lies between."""
    hard = LIMITS["score_hard_boundary"]
    lim, gap_lines = LIMITS["second_run_min"], LIMITS["second_gap_lines"]
    layout = _loose_share(st, sc, bs, be) - LIMITS["layout_slack"]
    for step in STEPS:
        edge = be if step > 0 else bs
        while True:
            k, cur, top, found = edge + step, 0.0, 0.0, None
            start = k
            while 0 <= k < len(sc) and sc[k] > hard:
                if cur <= 0:
                    if found is not None:
                        break
                    cur, start = 0.0, k
                cur += sc[k]
                if cur >= lim and abs(start - edge) - 1 <= gap_lines and cur > top and _loose_share(st, sc, start, k) >= layout:
                    top, found = cur, k
                k += step
            if found is None:
                break
            # the widget between: short lines after its header are its items
            gap = range(edge + step, start, step)
            head = next((j for j in gap if sc[j] <= LIMITS["score_boundary"]), None)
            if head is not None:
                for j in range(head, start, step):
                    if st.open(j) and st.lines[j].cls == "short":
                        st.remove(j, "widget-item")
            edge = found
        if step > 0:
            be = edge
        else:
            bs = edge
    return bs, be


# --- 5. metadata -----------------------------------------------------------------


def rule_metadata(st: _State, stats: LineStats | None) -> None:
    a, b = st.region
    lo = 0
    # the article's first two paragraphs and the lines between them: counted
    # in paragraphs, which cleaning keeps, so that the window is the same when
    # the cleaned text is cleaned again (idempotence)
    hi, seen = a, 0
    while b >= a and hi < len(st.lines):
        if st.open(hi) and st.lines[hi].cls in ("good", "near"):
            if seen == 2:
                break
            seen += 1
        hi += 1
    if b < a:
        hi = min(len(st.lines), 3)
    # date, byline, publisher: lines above the article and just inside it
    author_at = None
    for i in range(lo, hi):
        ln = st.lines[i]
        d = st.decided.get(i)
        if d and d[0] in ("meta", "caption"):
            continue
        if ln.cls == "good":
            continue
        both = _byline_and_date(ln.text)
        if both and "author" not in st.meta:
            st.meta["author"] = both[0]
            if "date" not in st.meta:
                st.meta["date"], st.meta["date_text"] = both[1], ln.text
            st.set(i, "meta", "byline")
            st.meta_idx.append(i)
            author_at = i
            continue
        if "date" not in st.meta:
            iso = md.parse_dateline(ln.text) or _dateline_in(ln.text)
            if iso:
                st.meta["date"], st.meta["date_text"] = iso, ln.text
                st.set(i, "meta", "dateline")
                st.meta_idx.append(i)
                continue
        if "author" not in st.meta:
            b_ = md.parse_byline(ln.text)
            if b_:
                st.meta["author"] = b_
                st.set(i, "meta", "byline")
                st.meta_idx.append(i)
                author_at = i
                continue
    # publisher: a name-like line right under the byline (often repeated)
    if author_at is not None and "publisher" not in st.meta:
        j = author_at + 1
        if j < len(st.lines):
            ln = st.lines[j]
            if 1 <= ln.words <= 5 and ln.heading_like and ln.cls == "short" and ln.text[:1].isupper() and not md.parse_dateline(ln.text):
                st.meta["publisher"] = ln.text
                st.set(j, "meta", "publisher")
                st.meta_idx.append(j)
                key = norm_line(ln.text)
                for k, other in enumerate(st.lines):
                    if k != j and norm_line(other.text) == key and st.decided.get(k, ("",))[0] != "meta":
                        st.set(k, "removed", "repeated-publisher")
    # title: the nearest heading-like line above the article
    if "title" not in st.meta:
        t = _find_title(st)
        if t is not None:
            st.meta["title"] = st.lines[t].text
            st.set(t, "meta", "title")
            st.meta_idx.append(t)
            key = norm_line(st.lines[t].text)
            for k, other in enumerate(st.lines):
                if k != t and st.open(k) and _same_title(other.text, st.lines[t].text):
                    st.remove(k, "repeated-title")
    # more bylines / datelines near the top are furniture
    for i in range(0, min(len(st.lines), max(hi, 1))):
        if st.open(i) and st.lines[i].cls == "short":
            if md.parse_byline(st.lines[i].text):
                st.remove(i, "byline")
            elif md.parse_dateline(st.lines[i].text) or _dateline_in(st.lines[i].text):
                st.remove(i, "dateline")


_DATE_PREFIX = re.compile(
    r"^(?:published|updated|posted|last updated|modified|publié le|mis à jour|veröffentlicht|aktualisiert|"
    r"publicado|actualizado|pubblicato|aggiornato|atualizado|опубликовано|обновлено)\s*(?:on|le|am|el|il|em|:)?\s*[:,]?\s*",
    re.I,
)


def _dateline_in(text: str) -> str | None:
    """``Updated 1:39 am EST, Wednesday, November 20, 2019`` -> the date."""
    if cr.is_embed_attribution(text):
        return None  # the date of a quoted post, not of the article
    t = _DATE_PREFIX.sub("", text.strip())
    if len(t) > 80:
        return None
    iso = md.parse_dateline(t)
    if iso:
        return iso
    # try the date-looking tail/head pieces split by commas / pipes
    parts = [p.strip() for p in re.split(r"\s*[|•·]\s*", t) if p.strip()]
    for p in parts:
        iso = md.parse_dateline(p)
        if iso:
            return iso
        # "Wednesday, November 20, 2019" / "1:39 am EST, Wednesday, November 20, 2019"
        m = re.search(r"([^\W\d_]{3,12}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})|(\d{1,2}\.? [^\W\d_]{3,12}\.? \d{4})|(\d{4}-\d{2}-\d{2})", p)
        if m:
            iso = md.parse_dateline(m.group(0))
            if iso:
                return iso
    return None


_BY_DATE = re.compile(
    r"^(?:posted|written|published|updated|publié|veröffentlicht|publicado|pubblicato)?\s*"
    r"((?:by|par|von|por|di|door)\s+.+?)\s*(?:\bon\b|\ble\b|\bam\b|\bel\b|\bil\b|\bem\b|[|,•·–—-])\s*(.+)$",
    re.I,
)


def _byline_and_date(text: str) -> tuple[str, str] | None:
    """``Posted by Jane Doe on November 19, 2019, 6:21 AM EST`` -> (name, date)."""
    m = _BY_DATE.match(text.strip())
    if not m or len(text) > 140:
        return None
    name = md.parse_byline(m.group(1))
    iso = _dateline_in(m.group(2))
    return (name, iso) if name and iso else None


def _same_title(a: str, b: str) -> bool:
    na, nb = norm_line(a), norm_line(b)
    if na == nb:
        return True
    # "<title> - Site Name" / "<title> | Site"
    return len(nb) >= 15 and (na.startswith(nb + " ") and len(na) - len(nb) <= 60 and re.match(r"^\s*[-|–—:]", na[len(nb):]) is not None)


def _find_title(st: _State) -> int | None:
    a, b = st.region
    if b < a:
        a = len(st.lines)
    anchor = _title_anchor(st)
    if anchor is not None and anchor < a and st.decided.get(anchor, ("",))[0] != "meta":
        return anchor  # the page's headline, shown again above the article
    cands = []
    for i in range(a - 1, max(-1, a - 1 - LIMITS["max_title_gap"]), -1):
        ln = st.lines[i]
        d = st.decided.get(i)
        if d and d[0] in ("meta", "caption"):
            continue
        if d and d[1] not in ("repeated-label", "duplicate-line", "repeated-across-seeds", "section-label", "inline-teaser"):
            continue
        if ln.heading_like and 3 <= ln.words <= LIMITS["title_max_words"] and not ln.text.endswith(":") and not cr.is_credit(ln.text):
            cands.append(i)
            break
    if cands:
        return cands[0]
    for i, ln in enumerate(st.lines[: max(a, 0)]):
        if st.open(i) and ln.heading_like and 3 <= ln.words <= LIMITS["title_max_words"]:
            return i
    return None


# --- 6. body -----------------------------------------------------------------------


def rule_outside(st: _State, stats: LineStats | None) -> None:
    a, b = st.region
    for i, ln in enumerate(st.lines):
        if not st.open(i):
            continue
        if b < a:
            st.remove(i, "no-article-text")
        elif i < a:
            st.remove(i, "navigation" if ln.cls == "short" else "before-article")
        elif i > b:
            st.remove(i, "navigation" if ln.cls == "short" else "after-article")


def rule_body_short(st: _State, stats: LineStats | None) -> None:
    """Inside the article: headline-like lines followed by a paragraph are
    sub-headings; other short lines are kept (list items, table rows, short
    sentences, quoted posts); only one- and two-word labels that head
    nothing are dropped."""
    a, b = st.region
    if b < a:
        return
    widget = False
    for i in range(a, b + 1):
        if st.rule_of(i) == "bare-url":
            del st.decided[i]  # a link inside the article (a source, a product list)
        if st.rule_of(i) in BOUNDARY_RULES:
            widget = True  # a "Related" / "Most read" box inside the article: its short lines are its items
        elif st.open(i) and i not in st.items:
            if st.lines[i].cls != "short":
                widget = False
            elif widget:
                st.remove(i, "widget-item")
    idx = [i for i in range(a, b + 1) if st.open(i)]
    for k, i in enumerate(idx):
        ln = st.lines[i]
        if ln.cls in ("good", "near") or i in st.items:
            continue
        nxt = st.lines[idx[k + 1]] if k + 1 < len(idx) else None
        nxt_body = nxt is not None and nxt.cls in ("good", "near")
        label = _label_like(ln)
        prv = st.lines[idx[k - 1]] if k > 0 else None
        in_block = prv is not None and prv.no == ln.no - 1 and prv.cls == "short"
        if ln.heading_like and nxt_body and k > 0 and _inline_teaser(ln, nxt):
            st.remove(i, "inline-teaser")
        elif cr.is_embed_attribution(ln.text) or in_block and not label:
            continue  # the signature of a quoted post; the last item of a list
        elif ln.heading_like and k > 0 and (nxt_body or label and nxt is not None and nxt.words >= 2) and (
            not label or ln.text.isupper() or _loose(st, i)
        ):
            # a label is a sub-heading (also over a list) when it is set
            # apart by blank lines or in capitals; glued to the text it is a
            # credit ("Sputnik")
            st.set(i, "heading", "heading")
        elif label:
            st.remove(i, "stray-label")


def _inline_teaser(ln: Line, nxt: Line) -> bool:
    """A headline between two paragraphs that belongs to another story:
    it ends in a genre label (``…: Analysis``), or it is a long headline and
    the paragraph under it continues the one above (``But other analysts
    …``)."""
    if cr.has_genre_suffix(ln.text):
        return True
    first = cr.words(nxt.text)[:1]
    return ln.words >= LIMITS["teaser_heading_words"] and bool(first) and first[0].lower() in cr.CONTINUATION_OPENERS


# --- the chain ------------------------------------------------------------------------

Rule = Callable[[_State, "LineStats | None"], None]

RULES: tuple[tuple[str, Rule], ...] = (
    ("header", rule_header),
    ("lines", rule_lines),
    ("after-image", rule_after_image),
    ("datelines", rule_datelines),
    ("repeated-in-doc", rule_repeated_in_doc),
    ("repeated-across-seeds", rule_repeated_across),
    ("teasers", rule_teasers),
    ("entity-list", rule_entity_list),
    ("upper-category", rule_upper_category),
    ("label-teaser", rule_label_teaser),
    ("main-content", rule_main_content),
    ("metadata", rule_metadata),
    ("outside", rule_outside),
    ("body-short", rule_body_short),
)


# ------------------------------------------------------------------ repairs

_GLUE_CASE = re.compile(r"(?<![\w#@/.])([A-Za-z]?[a-z]+)([A-Z][a-z]+)")
_GLUE_PUNCT = re.compile(r"([a-z\)\]\"”’»%\d])([.!?][\"”’»]?)([A-Z][a-z]|[\"“«][A-Z])")
_DOUBLE_PUNCT = re.compile(r"([,;:])\s*([,.;])(?!\.)\s*|\s+([,.;:])(?=\s)")
# Capitalised words that open a sentence: "SoAlthough" is glued, "YouTube" is not.
OPENERS = frozenset(
    "although according however during earlier later meanwhile while when where after before but and "
    "the this that these those there it he she they we in on at for with as if since so yet still also "
    "le la les il elle ils der die das er sie es el los las ella ellos lo gli он она они".split()
)
# anchored at a word start: unanchored, a long run of non-spaces backtracks quadratically
_URLISH = re.compile(r"(?<!\S)\S*?(?:https?://|www\.|\.com|\.org|\.net|@)\S*", re.I)


def _glue_points(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) edits that unglue sentences; sorted."""
    spans_skip = [m.span() for m in _URLISH.finditer(text)]

    def skip(p: int) -> bool:
        return any(a <= p < b for a, b in spans_skip)

    edits: list[tuple[int, int, str]] = []
    for m in _GLUE_CASE.finditer(text):
        left = m.group(1)
        if len(left) < 2 or skip(m.start()):
            continue
        if left[0].isupper() and (len(m.group(2)) < 3 or m.group(2).lower() not in OPENERS | cr.STOPWORDS):
            continue  # "YouTube", "LinkedIn": a name, unless "SoAlthough"
        p = m.start(2)
        edits.append((p, p, " "))
    for m in _GLUE_PUNCT.finditer(text):
        p = m.end(2)
        if m.group(2).endswith('"') and text.count('"', 0, m.end(2) - 1) % 2 == 0:
            p = m.end(2) - 1  # the straight quote opens the next sentence
        if skip(m.start()):
            continue
        # abbreviations like "U.S.A" or "e.g.The": require two letters before
        before = text[max(0, m.start(1) - 2): m.start(1) + 1]
        if re.fullmatch(r".?\.?[A-Za-z]", before) and "." in before:
            continue
        edits.append((p, p, " "))
    for m in _DOUBLE_PUNCT.finditer(text):
        if skip(m.start()):
            continue
        if m.group(3):  # "systems , the": a gap before the punctuation
            continue
        edits.append((m.start(), m.end(), m.group(1) + (" " if m.end() < len(text) else "")))
    edits.sort()
    out: list[tuple[int, int, str]] = []
    last = -1
    for e in edits:
        if e[0] >= last:
            out.append(e)
            last = e[1] if e[1] > e[0] else e[0] + 1
    return out


def _lacunae_marks(text: str) -> list[int]:
    """Gaps visible without editing: `` , `` (text lost before a comma)."""
    return [m.start() + 1 for m in re.finditer(r"\w\s+[,;](?=\s)", text)]


def repair_glued(text: str) -> tuple[str, tuple[int, ...]]:
    edits = _glue_points(text)
    out, pos, lac = [], 0, []
    shift = 0
    for a, b, rep in edits:
        out.append(text[pos:a])
        lac.append(a + shift + (len(rep) - 1 if rep.endswith(" ") else 0))
        out.append(rep)
        shift += len(rep) - (b - a)
        pos = b
    out.append(text[pos:])
    new = "".join(out)
    return new, tuple(sorted(set(lac + _lacunae_marks(new))))


def collapse_repeated_tail(text: str) -> tuple[str, str] | None:
    """``… around the world threats and … around the world.`` -> once.

    Returns (new_text, removed_part) or None."""
    toks = list(re.finditer(r"\S+", text))
    n = len(toks)

    def key(t: str) -> str:
        return re.sub(r"\W+", "", t.lower())

    ks = [key(t.group(0)) for t in toks]
    for k in range(min(n // 2, 40), 2, -1):
        if ks[n - 2 * k: n - k] == ks[n - k:] and all(ks[n - k:]):
            cut_from = toks[n - k - 1].end()  # end of the first copy
            first_end = toks[n - k - 1].group(0)
            tail = text[cut_from:]
            # keep the final punctuation of the second copy
            m = re.search(r"[.!?…\"”’»]+\s*$", tail)
            punct = m.group(0).strip() if m else ""
            new = text[:cut_from]
            if punct and not first_end.endswith(punct):
                new = new + punct
            removed = text[cut_from:].strip()
            return new, removed
    return None


# ------------------------------------------------------------------ clean


def clean(seed: Seed, stats: LineStats | None = None) -> CleanDoc:
    """Clean one seed.  Pure: same (seed, stats) -> same CleanDoc."""
    text = _source_text(seed)
    lines = _lines(text)
    # A line without a word (``…``, ``•``, ``|``) is a separator, like a
    # blank line: it never reaches the body, so the structural rules must not
    # see it as a neighbour either -- cleaning the cleaned body, where it is
    # gone, would see other neighbours and decide otherwise.
    textless = [ln for ln in lines if not ln.words]
    lines = [ln for ln in lines if ln.words]
    low_stop = _low_stop_lang(lines)
    st = _State(lines)
    if seed.kind == "html":
        from .html_text import main_text_lines

        main = main_text_lines(seed.text)
        st.main_text = frozenset(main) if main else None
    for _name, rule in RULES:
        rule(st, stats)

    meta = st.meta
    blocks: list[Block] = []
    removed: list[Removed] = list(st.removed_parts)
    removed += [Removed(ln.no, ln.text, _line_rule(ln) or "no-text") for ln in textless]
    repairs: list[Repair] = []
    captions: list[str] = []
    caption_lines: list[int] = []
    meta_lines = sorted(lines[i].no for i in st.meta_idx)
    kept_texts: set[str] = set()
    repaired_texts: set[str] = set()
    for i, ln in enumerate(lines):
        d = st.decided.get(i)
        if d is None or d[0] == "heading":
            if d is None:
                body, lac = ln.text, ()
                new, lac = repair_glued(body)
                if new != body and _same_class(ln, new, low_stop):
                    repairs.append(Repair(ln.no, "unglue-sentences", body, new))
                    body = new
                else:
                    lac = ()
                for _ in range(8):  # to a fixed point, so that cleaning again changes nothing
                    tail = collapse_repeated_tail(body)
                    if not tail or not _same_class(ln, tail[0], low_stop):
                        break
                    repairs.append(Repair(ln.no, "repeated-trailing-phrase", body, tail[0]))
                    removed.append(Removed(ln.no, tail[1], "repeated-trailing-phrase"))
                    body = tail[0]
                    lac = tuple(x for x in lac if x <= len(body))
                key = norm_line(body)
                if key in kept_texts and (body != ln.text or key in repaired_texts):
                    # the repair made it a copy of an earlier paragraph, or
                    # an earlier paragraph's repair made that a copy of this
                    # one: the duplicate rule would remove it on the next pass
                    removed.append(Removed(ln.no, body, "duplicate-line"))
                    repairs = [r for r in repairs if r.line_no != ln.no]
                    continue
                kept_texts.add(key)
                if body != ln.text:
                    repaired_texts.add(key)
                blocks.append(Block("p", body, (ln.no,), lac))
            else:
                blocks.append(Block("h", ln.text, (ln.no,)))
        elif d[0] == "removed":
            removed.append(Removed(ln.no, ln.text, d[1]))
        elif d[0] == "caption":
            captions.append(ln.text)
            caption_lines.append(ln.no)
    # a body never starts or ends with a heading
    while blocks and blocks[0].kind == "h":
        b = blocks.pop(0)
        removed.append(Removed(b.line_nos[0], b.text, "leading-heading"))
    while blocks and blocks[-1].kind == "h":
        b = blocks.pop()
        removed.append(Removed(b.line_nos[0], b.text, "trailing-heading"))
    removed.sort(key=lambda r: (r.line_no, r.rule))
    return CleanDoc(
        doc_id=seed.doc_id,
        name=seed.name,
        meta=Meta(
            title=meta.get("title"),
            date=meta.get("date"),
            date_text=meta.get("date_text"),
            url=meta.get("url"),
            publisher=meta.get("publisher"),
            author=meta.get("author"),
        ),
        blocks=tuple(blocks),
        captions=tuple(captions),
        removed=tuple(removed),
        repairs=tuple(repairs),
        meta_lines=tuple(meta_lines),
        caption_lines=tuple(caption_lines),
    )
