"""The sharded search index: a rebuild from the cache (cached shards, their
cached word lists, the cached page digests) gives byte for byte the bundle a
cold build gives; the shard key sees every change Pagefind would see."""

from __future__ import annotations

import gc
import gzip
import os
import json
import random
import re
import shutil
from pathlib import Path

from annotated_archive import search_index as si

HEX = "0123456789abcdef"


def _files(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}


def _variant(page: bytes, i: int) -> bytes:
    """An article page with one more word (its own) in the indexed body."""
    return re.sub(rb"(<h1[^>]*>)", lambda m: m[1] + f"Token{i} ".encode(), page, count=1)


def _make_site(site: Path, dst: Path, n: int) -> Path:
    """``n`` article pages over every shard, made from the built site's articles."""
    pages = [p.read_bytes() for p in sorted((site / "articles").glob("*.html"))]
    (dst / "articles").mkdir(parents=True)
    for i in range(n):
        (dst / "articles" / f"{HEX[i % 16]}{i:011x}.html").write_bytes(_variant(pages[i % len(pages)], i))
    return dst


def test_warm_rebuild_is_byte_identical_to_a_cold_build(site, tmp_path):
    s = _make_site(site, tmp_path / "s", 40)
    cache = tmp_path / "cache"
    r = si.build(s, cache, 2)
    assert r.ok and r.merged and r.rebuilt == 16 and r.pages == 40
    assert gc.isenabled()  # paused during the merge only
    assert (cache / si.CACHE_KIND / si.DIGESTS).is_file()
    # a new article in shard 0 (every later page is renumbered), and a
    # change outside the indexed body of another page
    (s / "articles" / "0fffffffffff.html").write_bytes(_variant((s / "articles" / "100000000001.html").read_bytes(), 999))
    nav = s / "articles" / "200000000002.html"
    nav.write_bytes(nav.read_bytes().replace(b"</body>", b"<nav>next: elsewhere</nav></body>"))
    r = si.build(s, cache, 2)
    assert r.ok and r.merged and r.rebuilt == 1 and r.pages == 41
    warm = _files(s / "pagefind")

    cold_site = tmp_path / "cold"
    shutil.copytree(s / "articles", cold_site / "articles")
    r = si.build(cold_site, tmp_path / "cold-cache", 2)
    assert r.ok and r.rebuilt == 17  # (the new page is the first of shard "01")
    assert _files(cold_site / "pagefind") == warm

    # nothing changed: nothing re-indexed, the same bundle
    r = si.build(s, cache, 2)
    assert r.ok and r.rebuilt == 0 and _files(s / "pagefind") == warm


def test_shard_globs_select_the_pages_of_their_shard():
    # Pagefind indexes a shard's pages by its glob; the shard key and the
    # grouping use _shard_of: they must agree on every article name
    from fnmatch import fnmatchcase

    assert len(si.SHARDS) == 32
    for a in HEX:
        for b in HEX:
            name = f"{a}{b}0c3e5d7f9a.html"
            shard = si._shard_of(name)
            assert shard in si.SHARDS
            assert [k for k, g in si.SHARDS.items() if fnmatchcase(name, g + "*.html")] == [shard]
    assert si._shard_of("g0aaaa.html") is None and si._shard_of("a.html") is None and si._shard_of("0x1.html") is None
    assert si._shard_of("sub/00aaaa.html") is None


def test_both_halves_of_a_first_digit_are_indexed(site, tmp_path):
    # pages in the two shards of one first digit, and in shards of other
    # digits: each shard holds its own pages (Pagefind's globs), none is lost
    pages = [p.read_bytes() for p in sorted((site / "articles").glob("*.html"))]
    s = tmp_path / "s"
    (s / "articles").mkdir(parents=True)
    names = [f"{a}{b}{i:010x}.html" for i, (a, b) in enumerate(["00", "07", "08", "0f", "3a", "3b", "f9", "f9"])]
    for i, name in enumerate(names):
        (s / "articles" / name).write_bytes(_variant(pages[i % len(pages)], i))
    cache = tmp_path / "cache"
    r = si.build(s, cache, 2)
    groups = {si._shard_of(n) for n in names}
    assert groups == {"00", "01", "31", "f1"}
    assert r.ok and r.merged and r.rebuilt == len(groups) and r.pages == len(names)
    counts = {}
    for d in (cache / si.CACHE_KIND).iterdir():
        if d.is_dir() and d.name != "merged":
            entry = json.loads((d / "pagefind-entry.json").read_text("utf-8"))
            counts[d.name.split("-")[0]] = sum(v["page_count"] for v in entry["languages"].values())
    assert counts == {g: sum(1 for n in names if si._shard_of(n) == g) for g in groups}


def test_merge_from_cached_word_lists_equals_merge_from_the_chunks(site, tmp_path):
    s = _make_site(site, tmp_path / "s", 24)
    cache = tmp_path / "cache"
    assert si.build(s, cache, 2).ok
    root = cache / si.CACHE_KIND
    shards = sorted(d for d in root.iterdir() if d.is_dir() and d.name != "merged")
    assert len(shards) == 16
    si.merge(shards, tmp_path / "a")  # from the word lists the build kept

    def remove_word_lists() -> int:
        saved = [p for d in shards for p in d.glob("words*.pickle")]
        for p in saved:
            p.unlink()
        return len(saved)

    kept = remove_word_lists()
    assert kept >= 16
    # parsed from the chunks as the build's Pagefind threads do, handed over in memory
    parsed = {k: v for d in shards for k, v in si._parse_shard(d).items()}
    assert len(parsed) == kept
    si.merge(shards, tmp_path / "p", parsed)
    assert len(parsed) < kept  # taken as used (a shard whose meta fields are renumbered is parsed again)
    assert remove_word_lists() == kept  # (written again by _parse_shard)
    si.merge(shards, tmp_path / "b")  # parsed by the merge from the index chunks
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b == _files(tmp_path / "p")
    assert {k: v for k, v in _files(s / "pagefind").items() if not k.startswith("fragment/")} == a


def test_shard_key_page_digests(tmp_path):
    page = (b'<html lang="en"><body><nav>prev: A</nav><article data-pagefind-body><h1>T</h1><p>text</p>'
            b'<ul data-pagefind-ignore><li>seen in A</li></ul></article><nav>next: B</nav></body></html>')
    (tmp_path / "articles").mkdir()
    files = [f"articles/{c}0.html" for c in "0a"]
    for rel in files:
        (tmp_path / rel).write_bytes(page)
    seen: dict = {}
    key = si._shard_key(tmp_path, files, "v", {}, seen)
    assert key == si._shard_key(tmp_path, files, "v")  # the same key with or without digests
    assert key == si._shard_key(tmp_path, files, "v", seen, {})
    # outside the indexed part: a new whole-page digest, the same key
    (tmp_path / files[0]).write_bytes(page.replace(b"next: B", b"next: C").replace(b"seen in A", b"seen in A, B"))
    seen2: dict = {}
    assert si._shard_key(tmp_path, files, "v", seen, seen2) == key
    assert seen2[files[0]][0] != seen[files[0]][0] and seen2[files[0]][1] == seen[files[0]][1]
    # inside it: another key, even with the old digests at hand
    (tmp_path / files[1]).write_bytes(page.replace(b"<p>text", b"<p>texts"))
    assert si._shard_key(tmp_path, files, "v", seen2, {}) != key
    assert si._shard_key(tmp_path, files, "v", seen2, {}) == si._shard_key(tmp_path, files, "v")
    # a digest is trusted only for the very bytes it was made from ...
    lie = {rel: [d[0], "00" * 32, "another file"] for rel, d in seen2.items()}
    assert si._shard_key(tmp_path, files, "v", lie, {}) != si._shard_key(tmp_path, files, "v")
    lie = {rel: ["11" * 32, "00" * 32, "another file"] for rel in files}
    assert si._shard_key(tmp_path, files, "v", lie, {}) == si._shard_key(tmp_path, files, "v")
    # ... or for the very file: a page file left in place is not read again
    # (its stat mark says so); written again, it is
    marked = {rel: ["11" * 32, "00" * 32, d[2]] for rel, d in seen2.items()}
    assert si._shard_key(tmp_path, files, "v", marked, {}) != si._shard_key(tmp_path, files, "v")
    for rel in files:
        data = (tmp_path / rel).read_bytes()
        (tmp_path / rel).unlink()
        (tmp_path / rel).write_bytes(data)
        # (the same inode may come back at once, within one clock tick: a
        # build writes a page seconds after the last build marked it)
        os.utime(tmp_path / rel, ns=(1, 1))
    assert si._shard_key(tmp_path, files, "v", marked, {}) == si._shard_key(tmp_path, files, "v")
    # damaged records are ignored, not trusted and not fatal
    whole = seen2[files[0]][0]
    for bad in (None, 5, [], [whole], [whole, 5], [whole, "zz" * 32], [whole, "00"], {"a": 1},
                [whole, "00" * 32], [whole, "00" * 32, "x", 1], [whole, "zz" * 32, "x"]):
        assert si._shard_key(tmp_path, files, "v", {files[0]: bad}, {}) == si._shard_key(tmp_path, files, "v")


def test_damaged_or_stale_digest_file_is_ignored(site, tmp_path):
    s = _make_site(site, tmp_path / "s", 20)
    cache = tmp_path / "cache"
    assert si.build(s, cache, 2).ok
    want = _files(s / "pagefind")
    digests = cache / si.CACHE_KIND / si.DIGESTS
    for junk in ("not json", "[1, 2]", json.dumps({"code": "other", "pages": {}})):
        digests.write_text(junk, "utf-8")
        r = si.build(s, cache, 2)
        assert r.ok and r.rebuilt == 0 and _files(s / "pagefind") == want
        assert json.loads(digests.read_text("utf-8"))["code"] == si._digests_version()
    # digests made by another version of the code are not trusted
    state = json.loads(digests.read_text("utf-8"))
    state["code"] = "old"
    state["pages"] = {rel: [d[0], "00" * 32] for rel, d in state["pages"].items()}
    digests.write_text(json.dumps(state), "utf-8")
    r = si.build(s, cache, 2)
    assert r.ok and r.rebuilt == 0 and _files(s / "pagefind") == want


def test_fast_encoders_equal_the_generic_one():
    rng = random.Random(7)
    ints = [0, 1, 23, 24, 255, 256, 4095, 4096, 65536, 2**32, 2**40, -1, -24, -25, -4096, -4097, -2**40]
    for x in ints:
        assert si.decode(si.encode(x))[0] == x
        assert si._encode_ints([x, x]) == si.encode([x, x])
    assert si._encode_ints([]) == si.encode([]) == b"\x80"
    assert si._encode_ints(list(range(5000))) == si.encode(list(range(5000)))
    assert si.encode(["é" * 3000, "x" * 70000, (1, [2, [-3]])]) == bytes.fromhex("83") + si.encode("é" * 3000) \
        + si.encode("x" * 70000) + si.encode([1, [2, [-3]]])
    for _ in range(300):
        # one word's variants in up to four shards, merged as in _merge_language
        words, want, offset = si._Words(), {}, 0
        for _shard in range(rng.randint(1, 4)):
            variants = {}
            for _ in range(rng.randint(1, 3)):
                word = rng.choice(["a", "bé", "x" * 30, "zz"]) + str(rng.randint(0, 3))
                variants[word] = [
                    [rng.choice([0, 0, 1, 2, 30, 5000, 70000]), [rng.choice(ints) for _ in range(rng.randint(0, 4))],
                     [rng.randint(-3, 3) for _ in range(rng.randint(0, 2))]]
                    for _ in range(rng.randint(1, 6))
                ]
            pages = 1 + sum(p[0] for v in variants.values() for p in v)  # the shard's page count, at least
            words.add([("w", 0, 0, b"", 0, 0, [[k, [list(p) for p in v]] for k, v in variants.items()])], offset)
            for k, v in variants.items():
                page = offset
                for p in v:  # absolute page numbers
                    page += p[0]
                    want.setdefault(k, []).append([page, *p[1:]])
            offset += pages + rng.randint(0, 3)
        assert si._encode_merged_variants(words.words["w"][3]) == si.encode(si._variants(want))


def test_bundle_sync_repairs_the_output_and_leaves_linked_files_alone(site, tmp_path):
    s = _make_site(site, tmp_path / "s", 20)
    cache = tmp_path / "cache"
    assert si.build(s, cache, 2).ok
    bundle = s / "pagefind"
    want = _files(bundle)
    inodes = {rel: (bundle / rel).stat().st_ino for rel in want}
    chunk = next(rel for rel in want if rel.startswith("index/"))
    fragment = next(rel for rel in want if rel.startswith("fragment/"))
    (bundle / chunk).unlink()
    (bundle / chunk).write_bytes(b"damaged")  # another file under the same name
    (bundle / fragment).unlink()
    (bundle / "index" / "stale.pf_index").write_bytes(b"old")
    r = si.build(s, cache, 2)
    assert r.ok and r.rebuilt == 0
    assert _files(bundle) == want
    assert {rel: (bundle / rel).stat().st_ino for rel in want} == inodes  # linked to the cache again


def _page(body: str) -> bytes:
    return (f'<html lang="en"><head><title>x</title></head><body><nav>prev</nav>'
            f'<article data-pagefind-body><h1 id="title">T</h1>{body}<p id="z">end</p></article></body></html>').encode()


# Pairs of article bodies the shard key takes for one: Pagefind indexes them alike.
_SAME = [
    # how much whitespace, of which kind (left where ignored elements were taken out)
    ('<ol><li id="fn-1"><p>a  b</p>\n\n   <p data-pagefind-ignore>Not found.</p>  \n<p data-pagefind-ignore>back</p>\n</li></ol>',
     '<ol><li id="fn-1"><p>a b</p>\n  <p data-pagefind-ignore>Also:</p>\n  <ul data-pagefind-ignore><li>A</li></ul>\n'
     '<p data-pagefind-ignore>back</p> </li></ol>'),
    ('<p id="p1">w1 \t\n w2 <span id="s">  q\n\nr  </span></p>', '<p id="p1">w1 w2 <span id="s"> q r </span></p>'),
    # an ignored element is as if it were not there, words joined
    ('<p id="p1">a<span data-pagefind-ignore>x</span>b</p>', '<p id="p1">ab</p>'),
    ('<p>a</p><div data-pagefind-ignore><p>x</p></div><p>b</p>', '<p>a</p><p>b</p>'),
    # filters and metadata are stored with their whitespace normalised
    ('<span data-pagefind-meta="author"><b>a</b>   <b>c</b></span><span data-pagefind-filter="pub">  x \n y </span>'
     '<span data-pagefind-ignore data-pagefind-meta="date"> <time>1  May</time></span>',
     '<span data-pagefind-meta="author"><b>a</b> <b>c</b></span><span data-pagefind-filter="pub"> x y </span>'
     '<span data-pagefind-ignore data-pagefind-meta="date"> <time>1 May</time></span>'),
]
# ... and pairs it must tell apart (Pagefind does)
_DIFFERENT = [
    ('<p>a<b>b</b></p>', '<p>a <b>b</b></p>'),  # one word or two
    ('<img src="i.png" alt="x   y"><p>t</p>', '<img src="i.png" alt="x y"><p>t</p>'),  # an attribute is kept as written
    ('<img src="i.png" alt="a > b   c"><p>t</p>', '<img src="i.png" alt="a > b c"><p>t</p>'),
    # a filter inside an ignored element is not a searched word; outside, it is
    ('<div data-pagefind-ignore>x <b data-pagefind-filter="speaker">Ann</b></div>', '<b data-pagefind-filter="speaker">Ann</b>'),
]


def test_shard_key_ignores_only_what_pagefind_ignores(tmp_path):
    """Whitespace in text and the places of ignored elements are left out of
    the key (one new article changed them in three other articles' footnotes,
    re-indexing three more shards); proven here by Pagefind itself: the pairs
    the key takes for one give byte-identical bundles, the others do not."""
    sites = []
    for side in (0, 1):
        site = tmp_path / f"s{side}"
        (site / "articles").mkdir(parents=True)
        for i, pair in enumerate(_SAME + _DIFFERENT):
            (site / "articles" / f"{HEX[i % 16]}{i:011x}.html").write_bytes(_page(pair[side]))
        r = si.build(site, tmp_path / f"cache{side}", 2)
        assert r.ok and r.merged and r.pages == len(_SAME) + len(_DIFFERENT)
        sites.append(site)
    for a, b in _SAME:
        assert si.indexed_part(_page(a)) == si.indexed_part(_page(b)), (a, b)
    for a, b in _DIFFERENT:
        assert si.indexed_part(_page(a)) != si.indexed_part(_page(b)), (a, b)
    fragments = []
    for site in sites:
        bundle = site / "pagefind"
        fragments.append({json.loads(si._read_file(p))["url"]: si._read_file(p) for p in (bundle / "fragment").iterdir()})
    for i, _pair in enumerate(_SAME + _DIFFERENT):
        url = f"/articles/{HEX[i % 16]}{i:011x}.html"
        assert (fragments[0][url] == fragments[1][url]) == (i < len(_SAME)), url

    # with the different pages alike, the whole bundles are byte-identical
    for i, (a, _b) in enumerate(_DIFFERENT, len(_SAME)):
        (sites[1] / "articles" / f"{HEX[i % 16]}{i:011x}.html").write_bytes(_page(a))
    r = si.build(sites[1], tmp_path / "cache1", 2)
    assert r.ok and r.rebuilt == len(_DIFFERENT)  # one shard per page changed
    assert _files(sites[0] / "pagefind") == _files(sites[1] / "pagefind")


def test_merged_files_made_another_way_are_not_kept(site, tmp_path, monkeypatch):
    """The merged files are named by a hash of their content, not of their
    bytes: after a change of compression level a warm rebuild must not keep
    the old files (it would differ from a cold build)."""
    s = _make_site(site, tmp_path / "s", 20)
    monkeypatch.setattr(si, "GZIP_LEVEL", 9)
    assert si.build(s, tmp_path / "cache", 2).ok
    old = _files(s / "pagefind")
    monkeypatch.setattr(si, "GZIP_LEVEL", 1)
    r = si.build(s, tmp_path / "cache", 2)
    assert r.ok and r.rebuilt == 0
    warm = _files(s / "pagefind")
    cold_site = tmp_path / "cold"
    shutil.copytree(s / "articles", cold_site / "articles")
    assert si.build(cold_site, tmp_path / "cold-cache", 2).ok
    assert _files(cold_site / "pagefind") == warm != old
    assert {k: gzip.decompress(v) for k, v in warm.items() if k.startswith("index/")} \
        == {k: gzip.decompress(v) for k, v in old.items() if k.startswith("index/")}
