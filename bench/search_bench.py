"""Search benchmark: bytes fetched and time to first result, in headless
Chromium, on an N-seed archive served under a sub-path.

    python bench/search_bench.py [--n 10000] [--seeds-dir DIR] [--work DIR] [--no-build] [--json]

Without ``--seeds-dir`` the corpus is generated with ``bench/make_corpus.py``
(deterministic).  The archive is built with the README's build command
(Pagefind included) unless ``--no-build`` reuses ``WORK/site``.

For each query, two fresh browser contexts (empty cache, like a first visit):

* **typed**: open ``search.html``, wait until Pagefind is loaded, then submit
  the query; time from submit to the first result on screen, and the bytes
  fetched for the query itself (index chunks + result fragments);
* **link**: open ``search.html?q=QUERY`` (a shared search address); time from
  navigation start to the first result, and every byte the visit fetched
  (page, CSS, JS, Pagefind's JS + WASM + metadata, index, fragments).

Bytes are response bodies as transferred: by default the server gzips HTML,
CSS, JS and JSON like GitHub Pages (``--no-gzip``: no compression);
Pagefind's WASM and index files are gzip files already.
Prints a Markdown table (copy it into docs/search.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from browser_util import GzipHandler, launch_chromium, serve_under_subpath  # noqa: E402

QUERIES = ["government", "prime minister", "\"told reporters\""]

FIRST_RESULT_JS = """async (q) => {
  const status = document.getElementById('search-status');
  const done = new Promise(res => {
    const check = () => document.querySelector('#results li') || /No articles/.test(status.textContent);
    const ob = new MutationObserver(() => { if (check()) { ob.disconnect(); res(performance.now()); } });
    ob.observe(document.body, {childList: true, subtree: true, characterData: true});
  });
  const t0 = performance.now();
  document.getElementById('q').value = q;
  document.getElementById('search').requestSubmit();
  const t1 = await done;
  return {ms: t1 - t0, results: status.textContent};
}"""


class Bytes:
    def __init__(self) -> None:
        self.items: list[tuple[str, int]] = []

    def attach(self, ctx) -> None:
        ctx.on("requestfinished", self._done)

    def _done(self, req) -> None:
        try:
            n = req.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - a request without a body
            n = 0
        self.items.append((req.url, n))

    def mark(self) -> int:
        return len(self.items)

    def since(self, mark: int) -> tuple[int, int]:
        part = self.items[mark:]
        return sum(n for _, n in part), len(part)


def wait_pagefind_idle(pg) -> None:
    # search.js imports pagefind.js on load; Pagefind is ready when its
    # WASM and metadata have arrived: wait for the network to be quiet.
    pg.wait_for_load_state("networkidle")


def measure(base: str, queries: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for q in queries:
            row: dict = {"query": q}
            # typed: Pagefind already loaded, then the query
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            b = Bytes()
            b.attach(ctx)
            pg = ctx.new_page()
            pg.goto(base + "search.html")
            wait_pagefind_idle(pg)
            row["page_bytes"], _ = b.since(0)
            m = b.mark()
            r = pg.evaluate(FIRST_RESULT_JS, q)
            wait_pagefind_idle(pg)  # the remaining fragments of the first page of results
            row["typed_ms"] = round(r["ms"])
            row["typed_bytes"], row["typed_requests"] = b.since(m)
            row["status"] = r["results"]
            # opening the filters fetches their values (with counts)
            m = b.mark()
            t = time.perf_counter()
            pg.click("#filters summary")
            pg.wait_for_selector("#filter-controls .filter, #filter-controls p:has-text('No filters')", timeout=120_000)
            row["filters_ms"] = round((time.perf_counter() - t) * 1000)
            wait_pagefind_idle(pg)
            row["filters_bytes"], _ = b.since(m)
            ctx.close()
            # link: a shared search address, from an empty cache
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            b = Bytes()
            b.attach(ctx)
            pg = ctx.new_page()
            from urllib.parse import quote_plus

            pg.goto(base + "search.html?q=" + quote_plus(q), wait_until="commit")
            pg.wait_for_selector("#results li, #search-status:has-text('No articles')", timeout=120_000)
            row["link_ms"] = round(pg.evaluate("performance.now()"))
            wait_pagefind_idle(pg)
            row["link_bytes"], row["link_requests"] = b.since(0)
            biggest = sorted(b.items, key=lambda x: -x[1])[:3]
            row["largest"] = [(u.rsplit("/", 1)[-1][:40], n) for u, n in biggest]
            ctx.close()
            rows.append(row)
        browser.close()
    return rows


def index_stats(site: Path) -> dict:
    pf = site / "pagefind"
    entry = json.loads((pf / "pagefind-entry.json").read_text())
    size = lambda g: sum(f.stat().st_size for f in pf.glob(g))  # noqa: E731
    return {
        "pages": sum(v["page_count"] for v in entry["languages"].values()),
        "index_total_bytes": sum(f.stat().st_size for f in pf.rglob("*") if f.is_file()),
        "meta_bytes": size("*.pf_meta"),
        "wasm_bytes": size("wasm.*.pagefind"),
        "js_bytes": (pf / "pagefind.js").stat().st_size,
        "index_chunks": len(list((pf / "index").glob("*"))),
        "fragments": len(list((pf / "fragment").glob("*"))),
        "filter_bytes": sum(f.stat().st_size for f in (pf / "filter").glob("*")),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="seeds to generate (default 10000)")
    ap.add_argument("--seeds-dir", type=Path, help="use this corpus instead of generating one")
    ap.add_argument("--work", type=Path, help="working folder (default bench/results/search-N)")
    ap.add_argument("--no-build", action="store_true", help="reuse WORK/site as built")
    ap.add_argument("--query", action="append", help="a query (repeatable; default: three fixed queries)")
    ap.add_argument("--no-gzip", action="store_true", help="serve without HTTP compression (default: gzip, like GitHub Pages)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)

    work = a.work or ROOT / "bench" / "results" / f"search-{a.n}"
    work.mkdir(parents=True, exist_ok=True)
    site = work / "site"
    seeds = a.seeds_dir
    build_s = None
    if not a.no_build:
        if seeds is None:
            seeds = work / "corpus"
            if not seeds.is_dir() or len(list(seeds.glob("*.txt"))) != a.n:
                from make_corpus import main as make

                make([str(seeds), "--n", str(a.n)])
        t = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "annotated_archive", "build", "--seeds", str(seeds), "--output", str(site), "--cache", str(work / "cache")],
            cwd=ROOT, capture_output=True, text=True,
        )
        build_s = time.perf_counter() - t
        if r.returncode not in (0, 1) or not (site / "pagefind" / "pagefind.js").is_file():
            print(r.stderr[-3000:], file=sys.stderr)
            return 1
    stats = index_stats(site)
    handler = {} if a.no_gzip else {"handler_class": GzipHandler}
    with serve_under_subpath(site, work / "serve", **handler) as base:
        rows = measure(base, a.query or QUERIES)
    out = {"pages": stats["pages"], "build_seconds": build_s, "index": stats, "queries": rows, "gzip": not a.no_gzip,
           "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"}
    if a.json:
        print(json.dumps(out, indent=1))
        return 0
    kb = lambda n: f"{n / 1000:.0f} kB"  # noqa: E731
    print(f"{stats['pages']} indexed articles; index on disk {kb(stats['index_total_bytes'])} "
          f"({stats['index_chunks']} index chunks, {stats['fragments']} fragments; metadata {kb(stats['meta_bytes'])}, "
          f"WASM {kb(stats['wasm_bytes'])}, filters {kb(stats['filter_bytes'])})"
          + (f"; build {build_s:.0f} s" if build_s else ""))
    print(f"served {'without HTTP compression' if a.no_gzip else 'with gzip for HTML/CSS/JS/JSON, like GitHub Pages'}")
    print()
    print("| query | results | typed: first result | typed: bytes for the query | shared link: first result | shared link: all bytes of the visit |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| `{r['query']}` | {r['status']} | {r['typed_ms']} ms | {kb(r['typed_bytes'])} ({r['typed_requests']} requests) "
              f"| {r['link_ms']} ms | {kb(r['link_bytes'])} ({r['link_requests']} requests) |")
    print()
    print(f"search page before any query (HTML, CSS, JS, Pagefind's JS): {kb(rows[0]['page_bytes'])}; "
          f"opening the filters afterwards: {kb(rows[0]['filters_bytes'])} in {rows[0]['filters_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
