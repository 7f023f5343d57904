"""A full Pelican build of the seeds into a temp folder, with assertions on the pages."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from conftest import SEEDS, build_site

from annotated_archive.read import doc_identity, read_seed


def seed_ids() -> dict[str, str]:
    return {p.name: read_seed(p.name, p.read_bytes()).doc_id for p in sorted(SEEDS.glob("*.txt"))}


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_five_articles_and_five_raw_pages(site):
    ids = seed_ids()
    assert len(ids) == 5
    assert sorted(p.stem for p in (site / "articles").glob("*.html")) == sorted(ids.values())
    assert sorted(p.stem for p in (site / "raw").glob("*.html")) == sorted(ids.values())
    for rel in ("index.html", "publishers.html", "claims.html", "speakers/index.html", "search.html", "404.html", "about.html"):
        assert (site / rel).is_file(), rel


def test_index_lists_every_story_with_date_and_publisher(site):
    idx = page(site, "index.html")
    for doc_id in seed_ids().values():
        art = page(site, f"articles/{doc_id}.html")
        title = re.search(r'<h1 id="title">(.*?)</h1>', art, re.S).group(1)
        # a version is listed under its canonical, so every title is in the index or in a banner
        assert title in idx or "This is a version of" in art
    assert "Russia calls on NATO to back off" in idx
    assert "24 December 2021" in idx  # the dateline of 004


def test_metadata_where_present(site):
    ids = seed_ids()
    a003 = page(site, f"articles/{ids['003_9ede0d2f98eddf13.txt']}.html")
    assert 'datetime="2021-12-17"' in a003
    assert "Patrick Reevell" in a003
    a004 = page(site, f"articles/{ids['004_0c3d99bb53a87a92.txt']}.html")
    assert 'datetime="2021-12-24T17:53"' in a004
    assert "<h1 id=\"title\">Russia calls on NATO to back off</h1>" in a004
    a001 = page(site, f"articles/{ids['001_b10c8c6ec348e369.txt']}.html")
    assert 'datetime="2021-12"' in a001


def test_missing_date_is_never_invented(site):
    ids = seed_ids()
    a000 = page(site, f"articles/{ids['000_115011d09005524f.txt']}.html")
    assert "date unknown" in a000
    assert "datetime=" not in a000.split("<article", 1)[1].split("</header>", 1)[0]


def test_raw_page_is_verbatim(site):
    for p in sorted(SEEDS.glob("*.txt")):
        seed = read_seed(p.name, p.read_bytes())
        raw = page(site, f"raw/{seed.doc_id}.html")
        pre = re.search(r'<pre class="raw"[^>]*>(.*?)</pre>', raw, re.S).group(1)
        assert html.unescape(pre) == seed.text
        assert "<script" not in pre
        art = page(site, f"articles/{seed.doc_id}.html")
        assert f'href="../raw/{seed.doc_id}.html"' in art


def test_links_are_relative_for_sub_path_hosting(site):
    for f in site.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert not re.search(r'(?:href|src)="/(?!/)', text), f"root-absolute link in {f}"
        assert 'Content-Security-Policy' in text, f


def test_urls_depend_on_content_not_order_or_names(tmp_path, seeds_copy):
    ids = seed_ids()
    # rename every seed and drop two: the remaining pages keep their URLs
    for i, p in enumerate(sorted(seeds_copy.glob("*.txt"))):
        if i < 2:
            p.unlink()
        else:
            p.rename(p.with_name(f"zz renamed {9 - i}.txt"))
    out = tmp_path / "out"
    assert build_site(out, seeds=seeds_copy, search=False) == 0
    names = sorted(ids)
    for n in names[2:]:
        assert (out / "articles" / f"{ids[n]}.html").is_file()
    assert len(list((out / "articles").glob("*.html"))) == 3


def test_identity_ignores_whitespace_layout():
    assert doc_identity("a  b\nc") == doc_identity("a b c")
    assert doc_identity("a b c") != doc_identity("a b d")


def test_search_index_built(site):
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "pagefind" / "pagefind-ui.js").is_file()


def test_theme_scripts_and_styles_are_minified(site):
    """The theme's JS and CSS are minified in the output (the sources keep
    their comments), each file exactly what rjsmin / rcssmin make of its
    source, and minifying again changes nothing."""
    import rcssmin
    import rjsmin

    from annotated_archive.glue import minify_theme

    src = Path(__file__).resolve().parents[1] / "theme" / "static"
    out = site / "theme"
    files = sorted(p for p in out.rglob("*") if p.suffix in (".js", ".css"))
    assert {p.name for p in files} >= {"search.js", "footnotes.js", "style.css"}
    for p in files:
        source = (src / p.relative_to(out)).read_text("utf-8")
        minify = rjsmin.jsmin if p.suffix == ".js" else rcssmin.cssmin
        text = p.read_text("utf-8")
        assert text == minify(source).strip() + "\n", p
        assert len(text) < 0.85 * len(source), p
        assert "/*" not in text and not re.search(r"(?m)^\s*//", text), p
    before = {p: p.read_bytes() for p in files}
    assert minify_theme(str(site), "theme") == 0
    assert {p: p.read_bytes() for p in files} == before


def test_cli_build_same_as_readme(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    out = tmp_path / "o"
    r = subprocess.run(
        [sys.executable, "-m", "annotated_archive", "build", "--output", str(out), "--no-search", "--cache", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(list((out / "articles").glob("*.html"))) == 5


def _pagefind_contents(bundle):
    """A Pagefind bundle decoded: per language, the word postings (by page
    URL, with positions), the index chunk ranges, the filters, the meta fields."""
    import json

    from annotated_archive import search_index as si

    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    out = {}
    for lang, info in entry["languages"].items():
        meta, _ = si.decode(si._read_file(bundle / f"pagefind.{info['hash']}.pf_meta"))
        version, pages, chunks, filters, sorts, fields = meta
        urls = [json.loads(si._read_file(bundle / "fragment" / f"{h}.pf_fragment"))["url"] for h, _ in pages]

        def postings(ps):
            n, res = 0, []
            for p in ps:  # page numbers are stored as differences
                n += p[0]
                res.append((urls[n], tuple(p[1]), tuple(p[2])))
            return sorted(res)

        words = {}
        for _from, _to, h in chunks:
            chunk, _ = si.decode(si._read_file(bundle / "index" / f"{h}.pf_index"))
            for word, ps, variants in chunk[0]:
                words[word] = (postings(ps), sorted((v, postings(vp)) for v, vp in variants))
        flt = {}
        for _name, h in filters:
            f, _ = si.decode(si._read_file(bundle / "filter" / f"{h}.pf_filter"))
            flt[f[0]] = {v: sorted(urls[p] for p in ps) for v, ps in f[1]}
        out[lang] = {
            "version": version, "pages": sorted(urls), "chunks": [(a, b) for a, b, _ in chunks],
            "words": words, "filters": flt, "sorts": sorts, "fields": sorted(fields),
        }
    return entry["version"], out


def test_merged_search_shards_equal_one_pagefind_run(site, tmp_path):
    """The shards, merged, are the index one Pagefind run over all articles
    makes: same pages, words and positions, same chunk ranges (so a search
    fetches the same chunks), same filters."""
    from annotated_archive import search_index as si

    one, sharded = tmp_path / "one", tmp_path / "sharded"
    for d in (one, sharded):
        shutil.copytree(site / "articles", d / "articles")
    assert si._single(one).ok
    r = si.build(sharded, tmp_path / "cache", 2)
    assert r.ok and r.merged and r.shards > 1 and r.rebuilt == r.shards
    assert r.pages == len(list((site / "articles").glob("*.html")))
    a, b = _pagefind_contents(one / "pagefind"), _pagefind_contents(sharded / "pagefind")
    assert a[0] == b[0]
    for lang in a[1]:
        x, y = a[1][lang], b[1][lang]
        assert x["words"] and x["filters"]
        for key in x:
            assert x[key] == y[key], key
    # the library files come along
    assert (sharded / "pagefind" / "pagefind.js").read_bytes() == (one / "pagefind" / "pagefind.js").read_bytes()
    # a second build with nothing changed re-indexes nothing and gives the same bundle
    r2 = si.build(sharded, tmp_path / "cache", 2)
    assert r2.ok and r2.rebuilt == 0
    assert _pagefind_contents(sharded / "pagefind") == b


def test_search_shard_merge_rejects_an_unknown_format(tmp_path):
    from annotated_archive import search_index as si

    d = tmp_path / "shard"
    d.mkdir()
    (d / "pagefind-entry.json").write_text('{"version": "0.0.1", "languages": {}}', "utf-8")
    with pytest.raises(si.FormatError):
        si.merge([d], tmp_path / "out")
    with pytest.raises(si.FormatError):
        si.decode(bytes([0xF9, 0, 0]))  # a float: not in Pagefind's index


def test_search_shard_key_is_what_pagefind_reads():
    from annotated_archive.search_index import indexed_part

    page = (b'<html lang="en"><head><title>T</title></head><body><nav>prev: A</nav>'
            b'<article data-pagefind-body><h1>T</h1><article>inner</article><p>text</p></article>'
            b'<nav>next: B</nav></body></html>')
    key = indexed_part(page)
    assert indexed_part(page.replace(b"next: B", b"next: C")) == key  # navigation: not indexed
    assert indexed_part(page.replace(b"<p>text", b"<p>texts")) != key  # body (after a nested element)
    assert indexed_part(page.replace(b'lang="en"', b'lang="de"')) != key  # language
    tagged = page.replace(b"<nav>next", b'<nav><span data-pagefind-filter="x">y</span>next')
    assert indexed_part(tagged) != key  # a filter outside the body
    assert indexed_part(b"<html><p>no body</p></html>") == b"<html><p>no body</p></html>"
    # ignored parts of the body: their words are not indexed, so not keyed ...
    ignored = page.replace(b"<p>text</p>", b'<p>text</p><ul data-pagefind-ignore><li><ul><li>seen in A</li></ul></li></ul><p>tail</p>')
    ikey = indexed_part(ignored)
    assert indexed_part(ignored.replace(b"seen in A", b"seen in A and B")) == ikey
    assert indexed_part(ignored.replace(b"<p>tail", b"<p>tails")) != ikey  # text after it still is
    # ... but the filters and metadata inside them are (with their nested markup)
    meta = page.replace(b"<p>text</p>", b'<p>text</p><span data-pagefind-ignore data-pagefind-meta="date"><time>1 May</time></span>'
                        b'<div data-pagefind-ignore>x <b data-pagefind-filter="speaker">Ann</b></div>')
    mkey = indexed_part(meta)
    assert indexed_part(meta.replace(b"1 May", b"2 May")) != mkey
    assert indexed_part(meta.replace(b">Ann<", b">Bob<")) != mkey
    assert indexed_part(meta.replace(b"x <b", b"y <b")) == mkey
    assert indexed_part(meta.replace(b"<div data-pagefind-ignore>", b'<div data-pagefind-ignore="all">').replace(b">Ann<", b">Bob<")) \
        == indexed_part(meta.replace(b"<div data-pagefind-ignore>", b'<div data-pagefind-ignore="all">'))


def test_search_index_falls_back_to_one_pagefind_run(site, tmp_path, monkeypatch, caplog):
    """An index the merge does not know (here: another Pagefind version) is
    built by one plain Pagefind run, with a warning, never left out."""
    from annotated_archive import search_index as si

    shutil.copytree(site / "articles", tmp_path / "s" / "articles")
    monkeypatch.setattr(si, "FORMAT_VERSIONS", ("0.0.0",))
    r = si.build(tmp_path / "s", tmp_path / "cache", 2)
    assert r.ok and not r.merged and r.pages == len(list((site / "articles").glob("*.html")))
    assert (tmp_path / "s" / "pagefind" / "pagefind-entry.json").is_file()
    assert "indexing the whole site at once" in caplog.text
