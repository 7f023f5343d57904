"""The hostile site in a real browser (Debian's Chromium via Playwright):
reading every page type and searching for the payloads fires no dialog, runs
no injected script, and requests nothing outside the served site."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser_util import launch_chromium, search, serve_under_subpath
from test_hostile import hostile_site, our_pages  # noqa: F401 - the shared session fixture

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

TIMEOUT = 15_000  # ms


def test_payloads_never_run_in_a_browser(hostile_site, tmp_path):  # noqa: F811
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: run bash scripts/test.sh (it installs it)")
    # Playwright's sync API refuses to start where an event loop runs -- and the
    # browser tests' session-wide Playwright may be running in this worker: drive
    # our own browser from a thread of its own (exceptions re-raised here).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_drive, hostile_site, tmp_path).result()


def _drive(hostile_site: Path, tmp_path: Path) -> None:
    dialogs: list[str] = []
    outside: list[str] = []
    errors: list[str] = []
    with serve_under_subpath(hostile_site, tmp_path / "srv") as base, playwright_api.sync_playwright() as p:
        browser = launch_chromium(p)
        ctx = browser.new_context()

        def route(r):
            if r.request.url.startswith(base) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        pg = ctx.new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.on("pageerror", lambda e: errors.append(str(e)))

        def no_injection(where: str) -> None:
            assert pg.evaluate("typeof window.__xss") == "undefined", f"injected script ran on {where}"
            n = pg.evaluate(
                "document.querySelectorAll('img, svg, iframe, object, embed, style, base, textarea').length"
            )
            assert n == 0, f"injected element on {where}"

        # every page that shows hostile text: articles, raw pages, listings, notes
        for f in our_pages(hostile_site):
            rel = f.relative_to(hostile_site).as_posix()
            text = f.read_text(encoding="utf-8")
            if "xss" not in text and rel not in ("index.html", "search.html"):
                continue
            pg.goto(base + rel)
            pg.wait_for_load_state("load")
            no_injection(rel)
            if rel.startswith("raw/"):
                # the raw scrape is shown exactly: the <pre> holds the payloads as text
                pre = pg.inner_text("pre.raw")
                if "payload number" in pre:
                    assert '<img src=x onerror="window.__xss=2;alert(2)">' in pre
                elif "Farmers" in pre:
                    assert "</pre></textarea></script><script>window.__xss=10</script>" in pre
                else:  # the .html seed's source
                    assert '<body onload="window.__xss=31">' in pre
        # search for the payloads: results are text, never markup
        for query in ("payload", "onerror", "xss", "script"):
            search(pg, base, query)
            assert pg.locator("#results li").count() >= 1, query
            no_injection(f"search for {query!r}")
            if query == "payload":
                assert "<script>" in pg.inner_text("#results")  # the hostile title, shown as text
        ctx.close()
        browser.close()
    assert dialogs == [], dialogs
    assert outside == [], outside
    assert errors == [], errors
