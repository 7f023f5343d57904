"""The built seeds site in a real browser (Debian's Chromium via Playwright),
served on 127.0.0.1 under a sub-path like a GitHub Pages project site.

Every page is checked for console errors and for requests that leave the
sub-path; search, filters, footnotes, versions, the removed-lines section,
navigation, printing, keyboard use and accessibility (axe-core) are driven
as a reader would.  Screenshots of each page type at phone and desktop
widths go to tests/screenshots/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_util import AXE, launch_chromium, search, serve_under_subpath
from conftest import ROOT

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api")

SHOTS = ROOT / "tests" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT = 15_000  # ms, for every wait: generous for a loaded CI machine, never a fixed sleep


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def served(site, tmp_path_factory):
    """Base URL of the seeds site: http://127.0.0.1:PORT/repo/"""
    with serve_under_subpath(site, tmp_path_factory.mktemp("srv")) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run bash scripts/test.sh (it installs it) or apt-get install chromium")
    with playwright_api.sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


class Watch:
    """Records every request, console error, page error and HTTP error of a
    browser context; requests that leave the served sub-path are aborted."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.allow_404: set[str] = set()

    def attach(self, ctx) -> None:
        ctx.route("**/*", self._route)
        ctx.on("request", lambda r: self.requests.append(r.url))
        ctx.on("page", self.attach_page)
        for pg in ctx.pages:
            self.attach_page(pg)

    def attach_page(self, pg) -> None:
        pg.set_default_timeout(TIMEOUT)
        pg.on("console", self._console)
        pg.on("pageerror", lambda e: self.errors.append(f"page error: {e} ({pg.url})"))
        pg.on("response", self._response)

    def _console(self, m) -> None:
        if m.type == "error" and (m.location or {}).get("url") not in self.allow_404:
            self.errors.append(f"console: {m.text} ({m.location})")

    def _response(self, r) -> None:
        if r.status >= 400 and r.url not in self.allow_404:
            self.errors.append(f"HTTP {r.status}: {r.url}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def check(self) -> None:
        assert not self.outside, f"requests leaving {self.base}: {self.outside}"
        bad = [u for u in self.requests if not (u.startswith(self.base) or u.startswith("data:"))]
        assert not bad, f"requests leaving {self.base}: {bad}"
        assert not self.errors, "\n".join(self.errors)


@pytest.fixture()
def watch(served):
    return Watch(served)


def _new_page(browser, watch, viewport=DESKTOP, **kw):
    ctx = browser.new_context(viewport=viewport, **kw)
    watch.attach(ctx)
    pg = ctx.new_page()
    return ctx, pg


@pytest.fixture()
def page(browser, watch):
    ctx, pg = _new_page(browser, watch)
    yield pg
    ctx.close()
    watch.check()


@pytest.fixture()
def phone(browser, watch):
    ctx, pg = _new_page(browser, watch, viewport=PHONE, is_mobile=True, has_touch=True)
    yield pg
    ctx.close()
    watch.check()


# ----------------------------------------------------------------- helpers


def articles(site: Path) -> list[str]:
    return sorted(p.stem for p in (site / "articles").glob("*.html"))


def html(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def claims_of(pg) -> list[dict]:
    return pg.eval_on_selector_all(
        ".article .body span.claim",
        "els => els.map(e => ({id: e.id, text: e.textContent, block: e.closest('p,h2').id}))",
    )


def article_with_most_claims(site: Path) -> str:
    counts = {a: html(site, f"articles/{a}.html").count('class="claim"') for a in articles(site)}
    best = max(sorted(counts), key=lambda a: counts[a])
    if counts[best] == 0:
        pytest.fail("the claims stage marked no claim in the seeds (no footnote markers to test)")
    return best


WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)


def phrase(text: str, n: int = 5) -> str:
    """The first ``n`` words of ``text`` as an exact-phrase query."""
    ws = WORD.findall(text)
    return '"' + " ".join(ws[:n]) + '"'


def tab_until(page, js: str, tries: int, what: str) -> None:
    """Press Tab until ``js`` (evaluated on the page) is true; fail naming ``what``."""
    for _ in range(tries):
        page.keyboard.press("Tab")
        if page.evaluate(js):
            return
    pytest.fail(f"Tab never reached {what}")


def in_viewport(pg, selector: str) -> bool:
    return pg.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }"
    )


def result_for(pg, doc_id: str):
    links = pg.locator(f'#results a[href*="articles/{doc_id}.html"]')
    assert links.count() == 1, f"no single result for {doc_id}: {pg.inner_text('#results')}"
    return links.first


def shot(pg, name: str, max_height: int = 4000) -> None:
    """Screenshot of the page from the top, at most ``max_height`` px tall
    (whole long pages cost seconds each and show nothing new)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    vw = pg.viewport_size["width"]
    h = min(max_height, pg.evaluate("document.documentElement.scrollHeight"))
    pg.screenshot(path=str(SHOTS / name), full_page=True, clip={"x": 0, "y": 0, "width": vw, "height": h})


def page_types(site: Path) -> dict[str, str]:
    """One URL (relative to the site) per page type that exists."""
    a = article_with_most_claims(site) if any('class="claim"' in html(site, f"articles/{x}.html") for x in articles(site)) else articles(site)[0]
    types = {
        "index": "index.html",
        "article": f"articles/{a}.html",
        "raw": f"raw/{a}.html",
        "claims": "claims.html",
        "publishers": "publishers.html",
        "speakers": "speakers/index.html",
        "search": "search.html?q=Russia",
        "about": "about.html",
        "404": "404.html",
    }
    versions = sorted((site / "versions").glob("*.html"))
    if versions:
        types["versions"] = f"versions/{versions[0].name}"
    speakers = sorted(p for p in (site / "speakers").glob("*.html") if p.name != "index.html")
    if speakers:
        types["speaker"] = f"speakers/{speakers[0].name}"
    return types


# ------------------------------------------------------------------- tests


def test_every_page_loads_clean_inside_the_sub_path(site, served, page, watch):
    """No console error, no HTTP error and no request outside /repo/ on any page."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) >= 10
    # a few tabs load at once (each waits for its "load" event): same checks, less wall time
    tabs = [page] + [page.context.new_page() for _ in range(3)]
    for i in range(0, len(pages), len(tabs)):
        batch = list(zip(tabs, pages[i : i + len(tabs)]))
        resps = [(tab, rel, tab.goto(served + rel, wait_until="commit")) for tab, rel in batch]
        for tab, rel, resp in resps:
            assert resp and resp.ok, rel
            tab.wait_for_load_state("load")
            assert tab.title(), rel
    for tab in tabs[1:]:
        tab.close()
    # the search page also loads Pagefind (WASM, index) without breaking the CSP
    search(page, served, "NATO")
    assert page.locator("#results li").count() > 0
    assert any("/pagefind/" in u for u in watch.requests)
    assert any(u.endswith(".pagefind") or "wasm" in u for u in watch.requests)


def test_search_index_holds_only_article_text(site):
    import json

    entry = json.loads(html(site, "pagefind/pagefind-entry.json"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(articles(site))
    for f in site.rglob("*.html"):
        rel = f.relative_to(site).as_posix()
        if "pagefind" in f.parts:
            continue
        body = "data-pagefind-body" in f.read_text(encoding="utf-8")
        assert body == rel.startswith("articles/"), rel


def test_search_lands_on_the_claim(site, served, page):
    doc = article_with_most_claims(site)
    page.goto(served + f"articles/{doc}.html")
    cs = claims_of(page)
    # a claim in the middle of the article, with enough words for a phrase
    candidates = [c for c in cs[len(cs) // 3 :] if len(WORD.findall(c["text"])) >= 6]
    assert candidates, cs
    claim = candidates[0]
    search(page, served, phrase(claim["text"]))
    link = result_for(page, doc)
    assert link.get_attribute("href").endswith(f"articles/{doc}.html#{claim['id']}")
    assert link.get_attribute("data-target") == "claim"
    # the excerpt shows the hit, marked
    item = link.locator("xpath=ancestor::li[1]")
    assert item.locator(".excerpt mark").count() >= 1
    link.click()
    page.wait_for_url(f"**/articles/{doc}.html#{claim['id']}")
    assert page.evaluate("location.pathname").startswith("/repo/")
    assert page.eval_on_selector(f"#{claim['id']}", "e => e.matches(':target')")
    assert in_viewport(page, f"#{claim['id']}")


def test_search_lands_on_the_paragraph(site, served, page):
    """A hit outside any claim links to its paragraph (<p id="pN">)."""
    doc = None
    for a in articles(site):
        page.goto(served + f"articles/{a}.html")
        paras = page.eval_on_selector_all(
            ".article .body p[id]",
            "ps => ps.filter(p => !p.querySelector('.claim')).map(p => ({id: p.id, text: p.textContent}))",
        )
        body = page.inner_text(".article")
        for p in paras:
            q = phrase(p["text"], 6)
            if len(q.split()) >= 4 and body.count(q.strip('"')) == 1:
                doc, para, query = a, p, q
                break
        if doc:
            break
    if doc is None:
        pytest.skip("every paragraph of the seeds holds a claim: no claim-free paragraph to land on")
    search(page, served, query)
    link = result_for(page, doc)
    assert link.get_attribute("href").endswith(f"#{para['id']}")
    link.click()
    page.wait_for_url(f"**#{para['id']}")
    assert page.eval_on_selector(f"#{para['id']}", "e => e.matches(':target')")
    assert in_viewport(page, f"#{para['id']}")


def test_search_after_a_claim_lands_on_its_paragraph(site, served, page):
    """A hit in the words after a claim, in the claim's own paragraph, links
    to the paragraph: the claim ends where its text does (its footnote
    marker is not indexed, so search.js takes the claim's end from the
    claim's text)."""
    found = None
    for a in articles(site):
        page.goto(served + f"articles/{a}.html")
        tails = page.eval_on_selector_all(
            ".article .body p[id]",
            """ps => ps.filter(p => p.querySelector('.claim')).map(p => {
                 const sups = p.querySelectorAll('sup.fnref');
                 const r = document.createRange();
                 r.setStartAfter(sups[sups.length - 1]);
                 r.setEnd(p, p.childNodes.length);
                 return {id: p.id, tail: r.toString()};
               })""",
        )
        body = page.inner_text(".article .body")
        for t in tails:
            q = phrase(t["tail"], 5)
            if len(q.split()) >= 4 and body.count(q.strip('"')) == 1:
                found = (a, t["id"], q)
                break
        if found:
            break
    if found is None:
        pytest.skip("no paragraph of the seeds has four words after its last claim")
    doc, para, query = found
    search(page, served, query)
    link = result_for(page, doc)
    assert link.get_attribute("href").endswith(f"articles/{doc}.html#{para}")
    assert link.get_attribute("data-target") == "paragraph"
    # the excerpt shows the hit, marked
    item = link.locator("xpath=ancestor::li[1]")
    assert item.locator(".excerpt mark").count() >= 1


def test_footnote_markers_are_not_indexed(site):
    """The footnote numbers are no words of the text: no anchor, no word of
    the search fragments (they used to stick to a claim's last word)."""
    import gzip
    import json

    import html as html_lib

    frags = list((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert frags
    claims = paragraphs = 0
    for f in frags:
        raw = gzip.decompress(f.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        ids = [x["id"] for x in data["anchors"]]
        assert not [i for i in ids if i.startswith("fnref-")], f
        claims += sum(i.startswith("claim-") for i in ids)
        # nor in a paragraph's text (what Pagefind keeps of it is its text
        # without the markers; spaces aside)
        page = (site / data["url"].lstrip("/")).read_text("utf-8")
        for a in data["anchors"]:
            if a["element"] != "p":
                continue
            m = re.search(r'<p id="%s">(.*?)</p>' % re.escape(a["id"]), page, re.S)
            if m and 'class="fnref"' in m[1]:
                text = html_lib.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<sup class="fnref".*?</sup>', "", m[1])))
                assert re.sub(r"\s+", "", a["text"]) == re.sub(r"\s+", "", text), (f, a["id"])
                paragraphs += 1
    assert claims and paragraphs  # the claims themselves are still there to land on


def _chunk_families(bundle: Path) -> list[str]:
    """Indexed words whose extensions (longer indexed words that start with
    them) run on into the next index chunk, on pages the word's own chunk
    does not list: the queries Pagefind alone answers only in part."""
    import json

    from annotated_archive import search_index as si

    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    (lang,) = entry["languages"].values()
    meta, _ = si.decode(si._read_file(bundle / f"pagefind.{lang['hash']}.pf_meta"))
    chunk_of, pages = {}, {}
    for k, (_a, _b, h) in enumerate(meta[2]):
        words, _ = si.decode(si._read_file(bundle / "index" / f"{h}.pf_index"))
        for word, ps, _v in words[0]:
            n, got = 0, set()
            for p in ps:
                n += p[0]
                got.add(n)
            chunk_of[word], pages[word] = k, got
    out = []
    for w in sorted(chunk_of):
        if len(w) < 4 or not w.isalpha():
            continue
        family = [x for x in chunk_of if x.startswith(w)]
        chunks = {chunk_of[x] for x in family}
        if chunks != {chunk_of[w], chunk_of[w] + 1}:
            continue
        near = set().union(*(pages[x] for x in family if chunk_of[x] == chunk_of[w]))
        if set().union(*(pages[x] for x in family)) - near:
            out.append(w)
    return out


def test_prefix_matches_across_an_index_chunk_cut(site, tmp_path, browser, monkeypatch):
    """A search word also finds longer words that start with it; Pagefind
    looks for them only in the word's own index chunk, and search.js fetches
    the chunk where they end too.  With tiny chunks (many cuts), such a word
    finds as many articles as with one chunk holding every word; Pagefind
    asked directly (without search.js) finds fewer for at least one."""
    from annotated_archive import search_index as si

    def bundle(name: str, postings: int) -> Path:
        d = tmp_path / name
        shutil.copytree(site, d, ignore=shutil.ignore_patterns("pagefind"))
        monkeypatch.setattr(si, "CHUNK_POSTINGS", postings)
        r = si.build(d, tmp_path / f"cache-{name}", 2)
        assert r.ok and r.merged
        return d

    cut, whole = bundle("cut", 40), bundle("whole", 10**9)
    words = _chunk_families(cut / "pagefind")[:8]
    assert words, "no word family crosses a cut: the test sees nothing"

    def counts(site_dir: Path, direct: bool) -> dict[str, int]:
        out = {}
        with serve_under_subpath(site_dir, tmp_path / f"srv-{site_dir.name}-{direct}") as base:
            ctx = browser.new_context(viewport=DESKTOP)
            pg = ctx.new_page()
            pg.set_default_timeout(TIMEOUT)
            for w in words:
                if direct:  # Pagefind alone, a fresh page each time (no chunk already loaded)
                    pg.goto(base + "search.html")
                    out[w] = pg.evaluate(
                        "async w => { const pf = await import(new URL('pagefind/pagefind.js', location.href).href);"
                        " await pf.options({ baseUrl: new URL('.', location.href).pathname });"
                        " return (await pf.search(w)).results.length; }", w)
                else:
                    search(pg, base, w)
                    status = pg.inner_text("#search-status")
                    m = re.match(r"(\d[\d,]*) articles? match", status)
                    out[w] = int(m[1].replace(",", "")) if m else 0
            ctx.close()
        return out

    truth, ours, alone = counts(whole, False), counts(cut, False), counts(cut, True)
    assert all(truth.values()), truth
    assert ours == truth, (ours, truth)
    assert any(alone[w] < truth[w] for w in words), (alone, truth)


def test_filters(site, served, page):
    page.goto(served + "search.html")
    page.click("#filters summary")
    # publisher: the results are exactly the articles of that publisher
    sel = page.locator("#filter-publisher")
    sel.wait_for()
    opts = sel.locator("option").all()
    assert len(opts) >= 2, "no publisher to filter on"
    value = opts[1].get_attribute("value")
    count = int(re.search(r"\((\d+)\)$", opts[1].inner_text()).group(1))
    sel.select_option(value)
    page.wait_for_function("() => /match/.test(document.getElementById('search-status').textContent)")
    page.wait_for_function("n => document.querySelectorAll('#results li').length === n", arg=min(count, 10))
    expected = {a for a in articles(site) if f'data-pagefind-filter="publisher">{value}<' in html(site, f"articles/{a}.html")}
    got = {re.search(r"articles/(\w+)\.html", h).group(1) for h in page.eval_on_selector_all("#results li h2 a", "as => as.map(a => a.href)")}
    assert got == expected
    assert f"publisher={value.replace(' ', '+')}" in page.url
    assert value in page.inner_text("#active-filters")
    # add a query on top of the filter: fewer (or equal) results, all of that publisher
    page.fill("#q", "NATO")
    page.press("#q", "Enter")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('NATO')")
    for t in page.eval_on_selector_all("#results li .meta", "ps => ps.map(p => p.textContent)"):
        assert value in t
    # the other filters exist when the archive has values for them
    page.locator("#filter-controls .filter").first.wait_for()
    months = any('data-pagefind-filter="month"' in html(site, f"articles/{a}.html") for a in articles(site))
    speakers = any('data-pagefind-filter="speaker"' in html(site, f"articles/{a}.html") for a in articles(site))
    notes = any('data-pagefind-filter="has curator note"' in html(site, f"articles/{a}.html") for a in articles(site))
    assert page.locator("#filter-month").count() == int(months)
    assert page.locator("#filter-speaker").count() == int(speakers)
    assert page.locator("#filter-note").count() == int(notes)
    # the curator-note checkbox alone (no words, no publisher): exactly the noted articles
    if notes:
        page.fill("#q", "")
        page.select_option("#filter-publisher", "")
        page.check("#filter-note")
        noted = [a for a in articles(site) if 'data-pagefind-filter="has curator note"' in html(site, f"articles/{a}.html")]
        page.wait_for_function("() => /with a curator note/.test(document.getElementById('search-status').textContent)")
        page.wait_for_function("n => document.querySelectorAll('#results li').length === n", arg=min(len(noted), 10))
        assert "note=1" in page.url


def test_speaker_filter_and_shared_address(site, served, page):
    page.goto(served + "search.html")
    page.click("#filters summary")
    page.locator("#filter-controls .filter").first.wait_for()
    sel = page.locator("#filter-speaker")
    if sel.count() == 0:
        pytest.fail("the claims stage attributed no claim to a speaker in the seeds")
    opt = sel.locator("option").nth(1)
    name = opt.get_attribute("value")
    sel.select_option(name)
    page.wait_for_function("() => document.querySelector('#results li')")
    expected = {a for a in articles(site) if f'data-pagefind-filter="speaker">{name}<' in html(site, f"articles/{a}.html")}
    page.wait_for_function("n => document.querySelectorAll('#results li').length === n", arg=min(len(expected), 10))
    # the address keeps the search: reloading it shows the same results
    url = page.url
    page.goto(url)
    page.wait_for_function("n => document.querySelectorAll('#results li').length === n", arg=min(len(expected), 10))
    assert page.locator("#filter-speaker").input_value() == name


def test_footnote_popover_click(site, served, page):
    doc = article_with_most_claims(site)
    page.goto(served + f"articles/{doc}.html")
    marker = page.locator("sup.fnref a").first
    n = marker.inner_text()
    note_text = page.inner_text(f"#fn-{n} p >> nth=0")
    marker.click()
    pop = page.locator(".fn-popover")
    pop.wait_for(state="visible")
    assert note_text.split()[0] in pop.inner_text()
    assert page.eval_on_selector(".fn-popover", "e => e.contains(document.activeElement)")
    assert in_viewport(page, ".fn-popover")
    # the claim the note belongs to is highlighted while it is open
    assert page.eval_on_selector(".claim.fn-active", "c => c.nextElementSibling.querySelector('a').id") == f"fnref-{n}"
    # a second click on the marker closes it; a click elsewhere too
    marker.click()
    pop.wait_for(state="detached")
    assert page.locator(".claim.fn-active").count() == 0
    marker.click()
    pop.wait_for(state="visible")
    page.click("h1")
    pop.wait_for(state="detached")
    # without the popover, the marker is a plain link to the note list
    assert page.get_attribute(f"#fnref-{n}", "href") == f"#fn-{n}"


def test_footnote_popover_on_a_phone(site, served, phone):
    doc = article_with_most_claims(site)
    phone.goto(served + f"articles/{doc}.html")
    marker = phone.locator("sup.fnref a").first
    marker.tap()
    pop = phone.locator(".fn-popover")
    pop.wait_for(state="visible")
    box = pop.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["width"] >= PHONE["width"] * 0.8  # full width: readable
    shot(phone, "article-footnote-open-phone.png")
    phone.locator(".fn-popover button.close").tap()
    pop.wait_for(state="detached")


def test_keyboard_footnote(site, served, page):
    doc = article_with_most_claims(site)
    page.goto(served + f"articles/{doc}.html")
    tab_until(page, "!!document.activeElement.closest('sup.fnref')", 80, "a footnote marker")
    marker_id = page.evaluate("document.activeElement.id")
    page.keyboard.press("Enter")
    page.locator(".fn-popover").wait_for(state="visible")
    assert page.evaluate("document.activeElement.classList.contains('close')")
    assert page.evaluate("location.hash") == ""  # the popover opened instead of jumping
    # Tab goes through the note, not to the end of the page
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.fn-popover') || document.activeElement.closest('.article') !== null")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    page.locator(".fn-popover").wait_for(state="detached")
    assert page.evaluate("document.activeElement.id") == marker_id


def test_keyboard_search(site, served, page):
    page.goto(served + "search.html")
    tab_until(page, "document.activeElement.id === 'q'", 20, "the search box")
    page.keyboard.type("Kremlin")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results li a")
    tab_until(page, "!!document.activeElement.closest('#results')", 10, "a search result")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/articles/\w+\.html(#.*)?$"))
    assert page.url.endswith(href.split("/repo/", 1)[1])
    # back to the results: they are still there (the address keeps the query)
    page.go_back()
    page.wait_for_selector("#results li a")
    assert page.input_value("#q") == "Kremlin"


def test_versions_banner_and_page(site, served, page):
    from test_build import seed_ids

    ids = seed_ids()
    a000, a001 = ids["000_115011d09005524f.txt"], ids["001_b10c8c6ec348e369.txt"]
    banners = {a: "versions-banner" in html(site, f"articles/{a}.html") for a in (a000, a001)}
    assert all(banners.values()), f"seeds 000 and 001 are not linked as versions: {banners}"
    # the non-canonical one says "This is a version of" and links to the canonical
    page.goto(served + f"articles/{a001}.html")
    other = a001
    if page.locator(".versions-banner .canonical-link").count() == 0:
        page.goto(served + f"articles/{a000}.html")
        other = a000
    canonical = a000 if other == a001 else a001
    page.click(".versions-banner .canonical-link")
    page.wait_for_url(f"**/articles/{canonical}.html")
    assert "most complete" in page.inner_text(".versions-banner")
    page.click(".versions-banner a[href*='versions/']")
    page.wait_for_url("**/versions/*.html")
    assert page.inner_text("h1").startswith("Versions of")
    assert page.locator(f"a[href$='articles/{other}.html']").count() >= 1
    page.click("details.diff summary")
    assert page.locator("details.diff .diff-text").is_visible()


def test_removed_lines_and_raw_page_from_every_article(site, served, page):
    for a in articles(site):
        page.goto(served + f"articles/{a}.html")
        det = page.locator("details#removed")
        assert det.count() == 1
        assert not det.evaluate("d => d.open")
        det.locator("summary").click()
        assert det.evaluate("d => d.open")
        assert det.locator("table, p").first.is_visible()
        page.click(f"a[href$='raw/{a}.html']")
        page.wait_for_url(f"**/raw/{a}.html")
        assert page.inner_text("h1") == "Raw scrape"
        assert page.locator("pre.raw").is_visible()


def test_navigation_lists_and_prev_next(site, served, page):
    page.goto(served + "index.html")
    listed = page.eval_on_selector_all(".doc-list a", "as => as.map(a => a.getAttribute('href'))")
    assert listed
    for label, path in (("By publisher", "publishers.html"), ("Speakers", "speakers/index.html"), ("Claims", "claims.html"), ("Search", "search.html"), ("By date", "index.html")):
        page.click(f".site-header nav >> text={label}")
        page.wait_for_url(f"**/repo/{path}")
    # rel=next walks through every article once, rel=prev walks back
    page.goto(served + f"articles/{articles(site)[0]}.html")
    while page.locator(".prev-next a[rel=prev]").count():
        page.click(".prev-next a[rel=prev]")
        page.wait_for_load_state()
    seen = [page.url]
    while page.locator(".prev-next a[rel=next]").count():
        page.click(".prev-next a[rel=next]")
        page.wait_for_url(lambda u: u != seen[-1])
        seen.append(page.url)
    assert len(seen) == len(set(seen)) == len(articles(site))
    # the speaker pages link to the claims in their articles
    page.goto(served + "speakers/index.html")
    if page.locator(".doc-list li a").count():
        page.click(".doc-list li a >> nth=0")
        page.wait_for_url("**/speakers/*.html")
        page.click(".claim-list blockquote a >> nth=0")
        page.wait_for_url(re.compile(r".*/articles/\w+\.html#claim-\w+$"))
        assert page.evaluate("document.querySelector(':target') !== null")


def test_404_page(served, page, watch):
    url = served + "no-such-page.html"
    watch.allow_404.add(url)
    resp = page.goto(url)
    assert resp.status == 404
    assert page.inner_text("h1") == "Page not found"
    page.click("main >> text=the list of articles")
    page.wait_for_url("**/repo/index.html")


def test_print_keeps_footnotes_and_removed_lines(site, served, page):
    doc = article_with_most_claims(site)
    page.goto(served + f"articles/{doc}.html")
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".footnotes").is_visible()
    assert page.locator(".footnotes li").first.is_visible()
    assert not page.locator(".site-header nav").is_visible()
    assert page.locator("details#removed").evaluate("d => d.open")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert not page.locator("details#removed").evaluate("d => d.open")


# ------------------------------------------------- accessibility, screenshots


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run bash scripts/test.sh, which installs it with npm")
    return AXE.read_text(encoding="utf-8")


def _axe(pg, axe_source: str, rules: list[str] | None = None) -> list[str]:
    pg.evaluate(axe_source)  # evaluated by the driver: the page's CSP stays as it is
    opts = {"resultTypes": ["violations"], **({"runOnly": {"type": "rule", "values": rules}} if rules else {})}
    res = pg.evaluate("async (opts) => (await axe.run(document, opts)).violations", opts)
    out = []
    for v in res:
        if v["impact"] in ("serious", "critical"):
            nodes = "; ".join(str(n["target"]) for n in v["nodes"][:5])
            out.append(f"{v['id']} ({v['impact']}): {v['help']} — {nodes}")
    return out


PAGE_TYPES = ["index", "article", "raw", "versions", "claims", "speaker", "speakers", "publishers", "search", "about", "404"]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_accessibility_and_screenshots(kind, site, served, browser, watch, axe_source):
    types = page_types(site)
    if kind not in types:
        pytest.fail(f"the seeds site has no {kind} page")
    url = served + types[kind]
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, vp in (("phone", PHONE), ("desktop", DESKTOP)):
        phone = name == "phone"
        ctx = browser.new_context(viewport=vp, is_mobile=phone, has_touch=phone)
        watch.attach(ctx)
        pg = ctx.new_page()
        pg.goto(url)
        if kind == "search":
            pg.wait_for_selector("#results li")
        shot(pg, f"{kind}-{name}.png")
        if phone:  # nothing sticks out sideways on a phone
            sw = pg.evaluate("document.documentElement.scrollWidth")
            assert sw <= vp["width"], f"{kind}: page is {sw}px wide on a {vp['width']}px phone"
        else:  # every rule in light mode, contrast again in dark mode
            problems += [f"[light] {p}" for p in _axe(pg, axe_source)]
            # the interactive parts too: open filters, an open footnote
            if kind == "search":
                pg.click("#filters summary")
                pg.locator("#filter-controls .filter").first.wait_for()
                problems += [f"[filters open] {p}" for p in _axe(pg, axe_source)]
            if kind == "article" and pg.locator("sup.fnref a").count():
                pg.locator("sup.fnref a").first.click()
                pg.locator(".fn-popover").wait_for()
                problems += [f"[footnote open] {p}" for p in _axe(pg, axe_source)]
                pg.keyboard.press("Escape")
            pg.emulate_media(color_scheme="dark")
            problems += [f"[dark] {p}" for p in _axe(pg, axe_source, ["color-contrast"])]
        ctx.close()
    watch.check()
    assert not problems, "\n".join(problems)


NEW_SEED = """Council approves riverside library after decade of debate

The city council on Tuesday approved plans for a riverside library, a project residents have discussed for a decade. Councillor Amara Quellington said the building would open in two years. "We have waited long enough," she told reporters after the vote.

The library will hold a reading room, a children's wing and a small archive of local newspapers. Construction is expected to begin in the spring, the council said in a statement.
"""


def _shards_rebuilt(err: str) -> tuple[int, int]:
    m = re.search(r"search shards rebuilt\s+(\d+)/(\d+)", err)
    assert m, err[-2000:]
    return int(m[1]), int(m[2])


def test_rebuild_after_one_new_seed_reindexes_one_shard(tmp_path, seeds_copy, browser, capsys):
    """Adding one seed re-indexes one search shard (the others come from the
    cache), and the merged index finds the new article in the browser."""
    from conftest import build_site

    out = tmp_path / "out"
    assert build_site(out, seeds=seeds_copy) == 0
    done, total = _shards_rebuilt(capsys.readouterr().err)
    assert done == total >= 1
    (seeds_copy / "900_new_library.txt").write_text(NEW_SEED, encoding="utf-8")
    assert build_site(out, seeds=seeds_copy) == 0
    done, total = _shards_rebuilt(capsys.readouterr().err)
    assert done == 1, (done, total)
    new = sorted(set(articles(out)))
    assert len(new) == 6
    with serve_under_subpath(out, tmp_path / "srv") as base:
        ctx = browser.new_context(viewport=DESKTOP)
        pg = ctx.new_page()
        pg.set_default_timeout(TIMEOUT)
        search(pg, base, "Quellington")
        assert pg.locator("#results li").count() == 1
        href = pg.locator("#results a").first.get_attribute("href")
        doc = re.search(r"articles/(\w+)\.html", href)[1]
        assert "Quellington" in html(out, f"articles/{doc}.html")
        # the old articles are still found: a word of every article's title
        search(pg, base, '"Russia is Back"')
        assert pg.locator("#results li").count() >= 1
        ctx.close()
