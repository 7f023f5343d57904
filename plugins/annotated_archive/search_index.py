"""The search index: Pagefind, built in shards that are cached, then merged.

An edge module (runs a subprocess, reads and writes files).

Pagefind has no incremental mode, its time and memory grow with the whole
site, and it is redone after every change.  So the article pages are split
into :data:`SHARDS` by the first two hex digits of their id (a content hash:
the split is stable and does not depend on the archive's size).  Each shard is
indexed by Pagefind on its own, two at a time, into the cache folder, keyed
by a hash of what Pagefind reads of its pages (:func:`indexed_part`) and of
Pagefind's version; a rebuild re-indexes only the shards whose pages changed.

The shards are then merged into **one** ordinary Pagefind bundle in
``output/pagefind/``: pages are concatenated (page numbers offset), the word
postings of every shard are merged word by word and cut into index chunks
where one Pagefind run would cut them, and the filters are merged value by
value.  A
visitor's browser therefore fetches exactly what it would fetch from a
single Pagefind build (one index chunk per search word); loading the shards
as separate indexes (``mergeIndex``) would fetch one chunk per word *per
shard*.

The merge reads Pagefind's index format (gzip, a ``pagefind_dcd`` signature,
CBOR): :data:`FORMAT_VERSIONS` lists the Pagefind versions it was checked
against.  With any other version, or an index it does not understand, the
site is indexed by one plain Pagefind run instead (slower, same result).
"""

from __future__ import annotations

import gzip
import functools
import gc
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from zlib_ng import gzip_ng, zlib_ng

log = logging.getLogger("annotated_archive")

BUNDLE = "pagefind"  # the bundle folder in the output
ARTICLES = "articles"  # only article pages are indexed (they alone carry data-pagefind-body)
HEX = "0123456789abcdef"
# shard name -> the start of its pages' file names (a Pagefind glob): one
# shard per first hex digit of the article id and half of the second, 32 in
# all.  A new article re-indexes its shard, so smaller shards make a
# rebuild's Pagefind run shorter (~300 pages at 10,000 seeds: 1.7 s of CPU
# against 3.7 s with 16 shards), while every shard adds to the merge (with
# 64 the merge cost more than Pagefind saved; docs/search.md)
SHARD_HALVES = ("01234567", "89abcdef")
SHARDS = {f"{a}{k}": f"{a}[{half}]" for a in HEX for k, half in enumerate(SHARD_HALVES)}
FORMAT_VERSIONS = ("1.5.2",)  # Pagefind versions whose index format the merge was checked against
SIGNATURE = b"pagefind_dcd"
# Pagefind cuts its word index into chunks of 20,000 "postings" (per page: its
# word positions + its meta positions + 1), about 30 kB gzipped; the merge cuts
# at the same words, so a search loads the same chunks as from one Pagefind run.
CHUNK_POSTINGS = 20_000
# the merged files are compressed with zlib-ng (standard gzip, what
# browsers and Pagefind read): at level 6 ~3.5x less CPU than zlib and
# slightly smaller (10k archive: 52 MB of index chunks, 1.1 against 4.0 s,
# 23.5 against 23.7 MB); a rebuild re-compresses almost every chunk
GZIP_LEVEL = 6
HASH_CHARS = 12  # hex digits of sha256 in the merged files' names: a name stands for its content
TIMEOUT = 1800  # seconds, per Pagefind run
CACHE_KIND = "search-shards"  # folder in the cache
CACHE_FORMAT = 1  # bump when a shard's Pagefind output must be made again
WORDS_FORMAT = 2  # bump when the parsed word lists kept beside a shard change (they are parsed again)
STAMP = "shards.json"  # in the merged folder: the shards it was merged from (and how)
# bump when the merged files' bytes change for the same content (their names
# hash the content, so files an older merge left would be kept)
MERGED_FORMAT = 2
DIGESTS = "pages.json"  # in the cache folder: each article page's digests (whole, indexed part)


class FormatError(ValueError):
    """The index is not in the format the merge knows."""


@dataclass(frozen=True)
class Result:
    ok: bool
    shards: int  # shards with at least one page
    rebuilt: int  # shards indexed by Pagefind in this build
    pages: int
    merged: bool  # False: one plain Pagefind run (fallback)


# ------------------------------------------------------------------ CBOR
# Just what Pagefind's index uses: ints, strings, arrays (and maps in decode).

def _build_head(major: int, n: int) -> bytes:
    m = major << 5
    if n < 24:
        return bytes((m | n,))
    if n < 0x100:
        return bytes((m | 24, n))
    if n < 0x10000:
        return bytes((m | 25,)) + n.to_bytes(2, "big")
    if n < 0x100000000:
        return bytes((m | 26,)) + n.to_bytes(4, "big")
    return bytes((m | 27,)) + n.to_bytes(8, "big")


_SMALL = 4096  # heads of small numbers, looked up rather than built (millions per merge)
_HEADS = tuple(tuple(_build_head(major, n) for n in range(_SMALL)) for major in range(5))
_PAGE_START = tuple(b"\x83" + h for h in _HEADS[0])  # [page number difference, ...


def _head(major: int, n: int) -> bytes:
    """A CBOR head: major type (0 uint, 1 negative, 3 text, 4 array) and number."""
    return _HEADS[major][n] if n < _SMALL else _build_head(major, n)


def _encode_int(x: int) -> bytes:
    return _head(0, x) if x >= 0 else _head(1, -1 - x)


# int -> encoding, for lists of ints decoded from an index (page numbers, positions)
_INT_TABLE = {n: _encode_int(n) for n in range(-_SMALL, _SMALL)}


def _encode_ints(x) -> bytes:
    """``encode`` of a list of ints from a decoded index, faster."""
    if type(x) is list:
        try:
            return _head(4, len(x)) + b"".join(map(_INT_TABLE.__getitem__, x))
        except (KeyError, TypeError):
            pass
    return encode(x)


def encode(x) -> bytes:
    t = type(x)
    if t is int:
        return _encode_int(x)
    if t is list or t is tuple:
        n = len(x)
        return _head(4, n) + b"".join(map(encode, x))
    if isinstance(x, bool) or x is None:
        raise FormatError(f"cannot encode {x!r}")
    if isinstance(x, int):
        return _encode_int(int(x))
    if isinstance(x, str):
        b = x.encode("utf-8")
        return _head(3, len(b)) + b
    if isinstance(x, (list, tuple)):
        return _head(4, len(x)) + b"".join(map(encode, x))
    raise FormatError(f"cannot encode {type(x).__name__}")


def _arg(b: bytes, i: int) -> tuple[int, int, int]:
    ib = b[i]
    major, ai = ib >> 5, ib & 31
    i += 1
    if ai < 24:
        return major, ai, i
    width = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
    if width is None:
        raise FormatError(f"unsupported CBOR item 0x{ib:02x}")
    return major, int.from_bytes(b[i : i + width], "big"), i + width


def decode(b: bytes, i: int = 0):
    """Decode one item at ``i``: ``(value, next index)``."""
    major, v, i = _arg(b, i)
    if major == 0:
        return v, i
    if major == 1:
        return -1 - v, i
    if major == 2:
        return b[i : i + v], i + v
    if major == 3:
        return b[i : i + v].decode("utf-8"), i + v
    if major == 4:
        out = []
        for _ in range(v):
            x, i = decode(b, i)
            out.append(x)
        return out, i
    if major == 5:
        d = {}
        for _ in range(v):
            k, i = decode(b, i)
            d[k], i = decode(b, i)
        return d, i
    raise FormatError(f"unsupported CBOR major type {major}")


# A page's postings in a word index: [page number, [positions], [meta positions]]
# (positions are ints; a negative one changes the weight of those after it).
_UINT = rb"(?:[\x00-\x17]|\x18.|\x19..|\x1a....|\x1b........)"
_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a]....|[\x1b\x3b]........)"
_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99..|\x9a....)"
# The repetitions are possessive (``*+``: no backtracking state kept, a
# sixth faster): giving back an int could never let the rest match, since an
# int's first byte can start neither an array nor an entry.
_PAGE = re.compile(rb"\x83(" + _UINT + rb")(" + _ARRAY + rb")" + _INT + rb"*+(" + _ARRAY + rb")" + _INT + rb"*+", re.S)
# a run of such entries (it ends where a byte cannot start one: the variants
# list or the next word)
_PAGE_RUN = re.compile(rb"(?:\x83" + _UINT + _ARRAY + _INT + rb"*+" + _ARRAY + _INT + rb"*+)*+", re.S)


class _Number(dict):
    """The number an encoded unsigned int / array header stands for, memoised
    (page number differences and list lengths repeat a lot)."""

    def __missing__(self, t: bytes) -> int:
        v = self[t] = t[0] & 31 if len(t) == 1 else int.from_bytes(t[1:], "big")
        return v


_NUMBER = _Number()


def _read_file(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise FormatError(f"{path.name}: no Pagefind signature")
    return data[len(SIGNATURE) :]


def _write_file(path: Path, payload: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(gzip_ng.compress(SIGNATURE + payload, GZIP_LEVEL, mtime=0))
    os.replace(tmp, path)  # never a half-written file under a content-hash name


def _short_hash(lang: str, payload: bytes, taken, n: int = HASH_CHARS) -> str:
    full = hashlib.sha256(payload).hexdigest()
    while f"{lang}_{full[:n]}" in taken and n < len(full):
        n += 1
    return f"{lang}_{full[:n]}"


# ----------------------------------------------------------------- merge

def parse_chunk(b: bytes, fields: dict[int, int] | None = None) -> list[tuple]:
    """One shard's index chunk as a list of word segments
    ``(word, pages, first page, rest, last page, postings, variants)``:
    ``rest`` is the encoded posting list after its first page number (page
    numbers are stored as differences to the previous one, so the rest does
    not change when the shard's pages move in the merged list).  ``fields``:
    the shard's meta field numbers -> the merged ones (None: unchanged; a
    meta position list starts with -1 - field number)."""
    major, n, i = _arg(b, 0)
    if major != 4 or n != 1:
        raise FormatError("word index: not a one-item array")
    major, nwords, i = _arg(b, i)
    if major != 4:
        raise FormatError("word index: no word list")
    out = []
    for _ in range(nwords):
        if b[i] != 0x83:
            raise FormatError("word index: a word is not [word, pages, variants]")
        word, i = decode(b, i + 1)
        major, npages, i = _arg(b, i)
        if major != 4 or not isinstance(word, str):
            raise FormatError("word index: bad word entry")
        if fields is None:  # the common case, at C speed: two regex passes
            end = _PAGE_RUN.match(b, i).end()
            entries = _PAGE.findall(b, i, end)
            if len(entries) != npages:
                raise FormatError(f"word index: bad page entries for {word!r}")
            if npages:
                ps, ls, ms = zip(*entries)
                num = _NUMBER.__getitem__
                first, total = num(ps[0]), sum(map(num, ps))
                postings = npages + sum(map(num, ls)) + sum(map(num, ms))
                rest = b[i + 1 + len(ps[0]) : end]
            else:
                first = total = postings = 0
                rest = b""
            i = end
        else:
            first, rest, total, postings, i = _renumbered_pages(b, i, npages, word, fields)
        if b[i] == 0x80:
            variants, i = [], i + 1
        else:
            variants, i = decode(b, i)
        if fields is not None:
            for _vword, vpages in variants:
                for p in vpages:
                    p[2] = [-1 - fields[-1 - v] if v < 0 else v for v in p[2]]
        out.append((word, npages, first, rest, total, postings, variants))
    if i != len(b):
        raise FormatError("word index: trailing bytes")
    return out


def _renumbered_pages(b: bytes, i: int, npages: int, word: str, fields: dict[int, int]):
    """A word's posting list with its meta field numbers changed (entry by entry)."""
    total = postings = first = 0
    start = i
    pieces = []
    for k in range(npages):
        m = _PAGE.match(b, i)
        if m is None:
            raise FormatError(f"word index: bad page entry for {word!r}")
        total += _NUMBER[m[1]]
        u = m[3]
        postings += 1 + _NUMBER[m[2]] + _NUMBER[u]
        if k == 0:
            first, start = total, m.end(1)
        if u != b"\x80":
            metas, _ = decode(b, m.start(3))
            pieces.append(b[start : m.start(3)])
            pieces.append(encode([-1 - fields[-1 - v] if v < 0 else v for v in metas]))
            start = m.end()
        i = m.end()
    pieces.append(b[start:i])
    return first, b"".join(pieces), total, postings, i


class _Words:
    """The merged word postings of one language."""

    def __init__(self) -> None:
        # word -> [page count, [encoded page entries...], last page number,
        #          None or {variant: [page count, last page number, [encoded page entries...]]},
        #          postings]
        self.words: dict[str, list] = {}

    def add(self, segments: list[tuple], offset: int) -> None:
        """Append one shard's word segments; ``offset``: the pages before it."""
        self.add_columns(_columns(segments), offset)

    def add_columns(self, columns: tuple, offset: int) -> None:
        words = self.words
        get = words.get
        starts = _PAGE_START
        *cols, sparse = columns
        for word, npages, first, rest, total, postings in zip(*cols):
            entry = get(word)
            if not npages:
                if entry is None:
                    words[word] = [0, [], 0, None, 0]
                continue
            # a page entry's start: [ + the page number difference d (below
            # 65,536 encoded inline: a call per segment costs more than the rest)
            d = offset + first if entry is None else offset + first - entry[2]
            head = starts[d] if d < _SMALL else b"\x83\x19" + d.to_bytes(2, "big") if d < 0x10000 else b"\x83" + _head(0, d)
            if entry is None:  # (about half the segments: made whole at once)
                words[word] = [npages, [head + rest], offset + total, None, postings]
            else:
                entry[1].append(head + rest)
                entry[0] += npages
                entry[2] = offset + total
                entry[4] += postings
        # variants (rare): pages in order within a shard and shards in page
        # order, so a variant's merged page list is its shards' lists one after
        # the other, only the first page number of each re-encoded (a difference)
        for k, segments in sparse.items():
            entry = words[cols[0][k]]
            variants = entry[3]
            if variants is None:
                variants = entry[3] = {}
            for vword, n, first, entry_head, tail, total in segments:
                v = variants.get(vword)
                if v is None:
                    v = variants[vword] = [0, 0, []]
                v[2].append(entry_head + _encode_int(offset + first - v[1]) + tail)
                v[0] += n
                v[1] = offset + total

    def chunks(self):
        """Encoded index chunks in word order, each with its first and last word."""
        pieces: list[bytes] = []  # the chunk's bytes, in pieces (joined once)
        count = 0  # words in the chunk
        first = last = None
        size = 0
        words = self.words
        for word in sorted(words):
            n, parts, _last, variants, postings = words[word]
            w = word.encode("utf-8")
            pieces.append(b"\x83" + _head(3, len(w)) + w + _head(4, n))
            pieces += parts
            pieces.append(_encode_merged_variants(variants) if variants else b"\x80")
            if first is None:
                first = word
            count += 1
            size += postings
            last = word
            if size >= CHUNK_POSTINGS:
                yield first, last, b"\x81" + _head(4, count) + b"".join(pieces)
                pieces, count, first, size = [], 0, None, 0
        if count:
            yield first, last, b"\x81" + _head(4, count) + b"".join(pieces)


def _encode_merged_variants(variants: dict) -> bytes:
    n = len(variants)
    out = [_head(4, n)]
    for vword in sorted(variants):
        count, _last, pieces = variants[vword]
        out.append(b"\x82" + encode(vword) + _head(4, count))
        out += pieces
    return b"".join(out)


def _variant_segments(variants: list) -> tuple:
    """A shard's variants of one word (decoded, page numbers as differences)
    as ``(variant, pages, first page, head of the first page entry, the
    encoded rest after its page number, last page)`` for the merge."""
    out = []
    for vword, vpages in variants:
        if not isinstance(vword, str) or not vpages:
            raise FormatError("word index: bad variant")
        total = 0
        for p in vpages:
            if not isinstance(p, list) or not p or not isinstance(p[0], int) or p[0] < 0:
                raise FormatError("word index: variant pages not in order")
            total += p[0]
        p0 = vpages[0]
        head = _head(4, len(p0))
        tail = b"".join(map(encode, p0[1:])) + b"".join(map(encode, vpages[1:]))
        out.append((vword, len(vpages), p0[0], head, tail, total))
    return tuple(out)


def _variants(variants: dict) -> list:
    """``{variant: [[absolute page, ...], ...]}`` as Pagefind lists them (the
    reference for :func:`_encode_merged_variants`, in the tests)."""
    out = []
    for vword in sorted(variants):
        pages, prev = [], 0
        for p in sorted(variants[vword], key=lambda p: p[0]):
            pages.append([p[0] - prev, *p[1:]])
            prev = p[0]
        out.append([vword, pages])
    return out


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes that still tell two neighbouring chunks apart
    (as Pagefind names its chunk ranges)."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return a[: n + 1], b[: n + 1]


def merge(shard_dirs: list[Path], out: Path, parsed: dict | None = None) -> dict[str, str]:
    """Merge Pagefind bundles (one per shard, same Pagefind version) into one
    bundle at ``out``, all but the page fragments, which stay in the shards:
    returns ``{fragment file in the bundle: its file in a shard}``.
    ``parsed``: ``{(shard folder, language): its word index as columns}``
    already parsed (:func:`_parse_shard`; taken out as they are used).

    Index, filter and metadata files are named by a hash of their content:
    those already in ``out`` (from the previous merge) are kept, not written
    again; the others are removed.

    Python's cyclic garbage collector is paused meanwhile: the merge creates
    millions of small objects and no cycles, and each of the collections
    they would trigger walks every live object (several seconds at 10,000
    articles, growing faster than the archive)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _merge(shard_dirs, out, parsed or {})
    finally:
        if enabled:
            gc.enable()


def _merge(shard_dirs: list[Path], out: Path, parsed: dict) -> dict[str, str]:
    entries = [json.loads((d / "pagefind-entry.json").read_text("utf-8")) for d in shard_dirs]
    versions = {e.get("version") for e in entries}
    if len(versions) != 1 or not versions <= set(FORMAT_VERSIONS):
        raise FormatError(f"Pagefind version {sorted(map(str, versions))} (merge knows {FORMAT_VERSIONS})")
    for sub in ("index", "filter"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    before = set(_tree(out))
    written: set[str] = set()
    fragments: dict[str, str] = {}
    # the library (pagefind.js, the WASM, the UI files) is the same in every shard
    for d in shard_dirs:
        for p in d.iterdir():
            if p.is_file() and p.name != "pagefind-entry.json" and p.suffix not in (".pf_meta", ".pickle", ".tmp"):
                if p.name not in written:
                    dst = out / p.name
                    if dst.exists() and not _same_file(p, dst):
                        dst.unlink()  # another Pagefind version
                    if not dst.exists():
                        _link_or_copy(p, dst)
                    written.add(p.name)
    languages: dict[str, dict] = {}
    total = 0
    langs = sorted({lang for e in entries for lang in e["languages"]})
    for lang in langs:
        parts = [(d, e["languages"][lang]) for d, e in zip(shard_dirs, entries) if lang in e["languages"]]
        page_count, meta_hash = _merge_language(lang, parts, out, written, fragments, parsed)
        wasm = parts[0][1].get("wasm")
        languages[lang] = {"hash": meta_hash, "wasm": wasm, "page_count": page_count}
        total += page_count
    entry = dict(entries[0])
    entry["languages"] = languages
    tmp = out / "pagefind-entry.json.tmp"
    tmp.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
    os.replace(tmp, out / "pagefind-entry.json")  # a new file: links to the old one keep it
    written.add("pagefind-entry.json")
    for rel in before - written:
        (out / rel).unlink()
    return fragments


def _merge_language(lang: str, parts, out: Path, written: set[str], fragment_files: dict[str, str],
                    parsed: dict) -> tuple[int, str]:
    pages: list[list] = []
    fragments: dict[str, str] = {}  # fragment name -> file
    words = _Words()
    filters: dict[str, dict[str, list[int]]] = {}
    metas = []
    for d, info in parts:
        meta, _ = decode(_read_file(d / f"pagefind.{info['hash']}.pf_meta"))
        if not isinstance(meta, list) or len(meta) != 6:
            raise FormatError("metadata: not [version, pages, chunks, filters, sorts, meta fields]")
        if meta[4]:
            raise FormatError("sort orders (data-pagefind-sort) cannot be merged")
        metas.append((d, meta))
    # meta positions name their field by its number in the sorted field list
    meta_fields = sorted({f for _, meta in metas for f in meta[5]})
    number = {f: n for n, f in enumerate(meta_fields)}
    version = metas[0][1][0]
    for d, (_version, shard_pages, chunks, shard_filters, _sorts, fields) in metas:
        renumber = {n: number[f] for n, f in enumerate(fields)}
        offset = len(pages)
        folder = os.path.join(d, "fragment")
        for name, word_count in shard_pages:
            src = f"{folder}/{name}.pf_fragment"
            new = name
            while new in fragments and not _same_file(fragments[new], src):
                new += "x"  # a different page with the same short hash in another shard
            fragments[new] = src
            pages.append([new, word_count])
        if all(k == v for k, v in renumber.items()):
            columns = parsed.pop((d, lang), None)
            words.add_columns(_segments(d, lang, chunks) if columns is None else columns, offset)
        else:
            for _from, _to, chunk_hash in chunks:
                words.add(parse_chunk(_read_file(d / "index" / f"{chunk_hash}.pf_index"), renumber), offset)
        for name, filter_hash in shard_filters:
            f, _ = decode(_read_file(d / "filter" / f"{filter_hash}.pf_filter"))
            values = filters.setdefault(f[0], {})
            for value, page_numbers in f[1]:
                values.setdefault(value, []).extend(p + offset for p in page_numbers)

    for name, src in fragments.items():
        fragment_files[f"fragment/{name}.pf_fragment"] = src

    # compressing is most of the writing time, and zlib releases the GIL
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    pending = []

    def put(rel: str, payload: bytes) -> None:
        if rel not in written and not (out / rel).exists():  # else: the same content (hash-named)
            pending.append(pool.submit(_write_file, out / rel, payload))
        written.add(rel)

    index_chunks = []
    taken: set[str] = set()
    for first, last, payload in words.chunks():
        h = _short_hash(lang, payload, taken)
        taken.add(h)
        put(f"index/{h}.pf_index", payload)
        index_chunks.append([first, last, h])
    for a, b in zip(index_chunks, index_chunks[1:]):
        a[1], b[0] = _prefixes(a[1], b[0])

    meta_filters = []
    taken = set()
    for name in sorted(filters):
        values = filters[name]
        n = len(values)
        payload = (b"\x82" + encode(name) + _head(4, n)
                   + b"".join(b"\x82" + encode(v) + _encode_ints(sorted(values[v])) for v in sorted(values)))
        h = _short_hash(lang, payload, taken)
        taken.add(h)
        put(f"filter/{h}.pf_filter", payload)
        meta_filters.append([name, h])

    with pool:
        for f in pending:
            f.result()  # the chunks and filters are on disk before the metadata naming them
    payload = encode([version, pages, index_chunks, meta_filters, [], meta_fields])
    meta_hash = f"{lang}_{hashlib.sha256(payload).hexdigest()[:HASH_CHARS]}"
    if not (out / f"pagefind.{meta_hash}.pf_meta").exists():
        _write_file(out / f"pagefind.{meta_hash}.pf_meta", payload)
    written.add(f"pagefind.{meta_hash}.pf_meta")
    return len(pages), meta_hash


def _columns(segments: list[tuple]) -> tuple:
    """Word segments as columns (faster to pickle); variants, rare, as {row: variants}."""
    if not segments:
        return ((),) * 6 + ({},)
    cols = list(zip(*segments))
    sparse = {k: _variant_segments(v) for k, v in enumerate(cols[6]) if v}
    return (*cols[:6], sparse)


def _segments(d: Path, lang: str, chunks) -> tuple:
    """A shard's parsed word index as columns, kept beside it (a shard never changes)."""
    saved = d / f"words{WORDS_FORMAT}.{lang}.pickle"
    for old in d.glob(f"words*.{lang}.pickle"):
        if old != saved:
            old.unlink(missing_ok=True)  # an earlier format
    if saved.is_file():
        try:
            columns = pickle.loads(saved.read_bytes())
            if isinstance(columns, tuple) and len(columns) == 7:
                return columns
        except Exception:  # noqa: BLE001 - a damaged file: parse again
            pass
    segments = []
    for _from, _to, chunk_hash in chunks:
        segments += parse_chunk(_read_file(d / "index" / f"{chunk_hash}.pf_index"))
    columns = _columns(segments)
    tmp = saved.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, saved)
    return columns


def _parse_shard(d: Path) -> dict[tuple[Path, str], tuple]:
    """The word index of a shard Pagefind just made, parsed (and kept beside
    it, :func:`_segments`) by the thread that ran Pagefind, while Pagefind
    indexes another shard: ``{(d, language): columns}``.  Empty if anything
    is amiss: the merge then parses again (and reports)."""
    out = {}
    try:
        entry = json.loads((d / "pagefind-entry.json").read_text("utf-8"))
        for lang, info in entry["languages"].items():
            meta, _ = decode(_read_file(d / f"pagefind.{info['hash']}.pf_meta"))
            out[(d, lang)] = _segments(d, lang, meta[2])
    except (FormatError, OSError, ValueError, KeyError, IndexError, TypeError):
        return {}
    return out


def _tree(root: Path) -> dict[str, os.DirEntry]:
    """The files under ``root`` (following links, as ``Path.is_file``) by
    relative path; their inode numbers come with the listing."""
    out: dict[str, os.DirEntry] = {}
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for e in entries:
            if e.is_dir():
                stack.append((prefix + e.name + "/", e.path))
            elif e.is_file():
                out[prefix + e.name] = e
    return out


def _sync(merged: Path, fragments: dict[str, str | Path], bundle: Path) -> None:
    """Make ``bundle`` hold the merged files and the fragments (hard links
    where possible), touching only the files that differ.  A file already
    linked is recognised by its inode number from the folder listings (no
    ``stat`` per file) when the bundle and the cache are on one device."""
    merged_files = _tree(merged)
    merged_files.pop(STAMP, None)
    want: dict[str, str] = {rel: e.path for rel, e in merged_files.items()}
    want.update((rel, str(src)) for rel, src in fragments.items())
    have = _tree(bundle)
    inode: dict[str, int] = {}  # source file -> inode number
    try:
        one_device = os.stat(bundle).st_dev == os.stat(merged).st_dev
    except OSError:
        one_device = False
    if one_device and have:
        inode = {e.path: e.inode() for e in merged_files.values()}
        listed: set[str] = set()
        for src in fragments.values():
            folder = os.path.dirname(str(src))
            if folder not in listed:
                listed.add(folder)
                try:
                    for e in os.scandir(folder):
                        inode[e.path] = e.inode()
                except OSError:
                    pass
    for rel in set(have) - set(want):
        os.unlink(have[rel].path)
    made: set[str] = set()
    root = str(bundle)
    for rel, src in want.items():
        dst = os.path.join(root, rel)
        old = have.get(rel)
        if old is not None:
            known = inode.get(src)
            if known is not None:
                if known == old.inode():
                    continue
            elif os.path.samefile(src, dst):
                continue
            os.unlink(dst)
        parent = os.path.dirname(dst)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        _link_or_copy(src, dst)


def _same_file(a: str | Path, b: str | Path) -> bool:
    return Path(a).read_bytes() == Path(b).read_bytes()


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# ----------------------------------------------------------------- build

def pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return f'{version("pagefind")}/{version("pagefind_bin")}'
    except Exception:  # noqa: BLE001 - any missing metadata: key on "unknown"
        return "unknown"


def _shard_of(name: str) -> str | None:
    if "/" in name:
        return None  # the shard globs only see files directly in articles/
    if len(name) < 2 or name[0] not in HEX:
        return None
    for k, half in enumerate(SHARD_HALVES):
        if name[1] in half:
            return f"{name[0]}{k}"
    return None


def _pagefind_command() -> list[str]:
    """The Pagefind binary the PyPI package ships (what ``python -m pagefind``
    runs), called directly: one Python start-up less per shard."""
    try:
        from pagefind.service import _must_get_executable

        return [str(_must_get_executable().resolve())]
    except Exception:  # noqa: BLE001 - any change in the package: go through its module
        return [sys.executable, "-m", "pagefind"]


def _run_pagefind(site: Path, glob: str, bundle: Path) -> str | None:
    """Run Pagefind; None on success, else the error."""
    cmd = [*_pagefind_command(), "--site", str(site), "--glob", glob, "--output-path", str(bundle), "--silent"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if r.returncode != 0:
        return f"pagefind exited {r.returncode}: {(r.stderr or r.stdout)[-2000:]}"
    return None


_BODY = re.compile(rb"<(\w+)[^>]*\sdata-pagefind-body[\s>=]")
_HTML_TAG = re.compile(rb"<html[^>]*>", re.I)
_TAGGED = re.compile(rb"<[^>]*\sdata-pagefind-[^>]*>[^<]*")
IGNORE = b"data-pagefind-ignore"
_IGNORE_VALUE = re.compile(rb"=[\"']?(\w+)")
_TAG_NAME = re.compile(rb"<(\w+)")
# what Pagefind still reads inside an ignored element: filters, metadata, sort keys
_CAPTURED = re.compile(rb"<(\w+)[^>]*\sdata-pagefind-(?:filter|meta|sort)[^>]*>")


@functools.lru_cache(maxsize=64)
def _opening(tag: bytes) -> re.Pattern:
    return re.compile(rb"<" + tag + rb"[\s>]")


def _element_end(page: bytes, tag: bytes, start: int) -> int | None:
    """Where the element whose opening tag ends at ``start`` closes (after
    its closing tag, nested elements of the same name counted); None if it
    never closes."""
    opening, closing = _opening(tag), b"</" + tag + b">"
    depth, i = 1, start
    while depth:
        c = page.find(closing, i)
        if c < 0:
            return None
        depth += len(opening.findall(page, i, c)) - 1
        i = c + len(closing)
    return i


def _without_ignored(body: bytes) -> bytes:
    """``body`` with every ``data-pagefind-ignore`` element replaced by what
    Pagefind still takes from it: the whole elements inside it (itself
    included) that carry a filter, metadata or sort key, between ``\\0``
    marks (so they cannot pass for indexed elements); nothing for
    ``data-pagefind-ignore="all"`` or an ignored element without them.  The
    words of an ignored element are not indexed, so they are not part of
    the key either (the "also reported by" lists of the footnotes change
    when other articles are added); nor is the place of one without
    filters: Pagefind joins the text on both sides as if it were not there
    (``a<span data-pagefind-ignore>x</span>b`` reads "ab")."""
    out: list[bytes] = []
    pos = i = 0
    while (k := body.find(IGNORE, i)) >= 0:
        i = k + len(IGNORE)
        start = body.rfind(b"<", 0, k)
        if body[k - 1 : k] not in (b" ", b"\t", b"\n", b"\r", b"\f") or start < pos:
            continue  # not an attribute, or inside an ignored element already replaced
        name = _TAG_NAME.match(body, start)
        close = body.find(b">", i)
        if name is None or close < 0:
            continue
        value = _IGNORE_VALUE.match(body, i, close)
        end = _element_end(body, name[1], close + 1) or close + 1
        out.append(body[pos:start])
        seg = body[start:end]
        if not (value and value[1] == b"all") and seg.count(b"data-pagefind-") > 1:
            captured = [seg[c.start() : _element_end(seg, c[1], c.end()) or c.end()] for c in _CAPTURED.finditer(seg)]
            if captured:
                out.append(b"\0" + b"\0".join(captured) + b"\0")
        pos = i = end
    out.append(body[pos:])
    return b"".join(out)


# An opening or closing tag (quoted attribute values may hold ">"), and the
# whitespace Pagefind treats as one space between words.
_TAG_SPLIT = re.compile(rb"""(<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>)""")
_SPACES = re.compile(rb"[ \t\n\r\f\v]+")


def _squeezed(body: bytes) -> bytes:
    """``body`` with every run of whitespace in its text (not inside a tag)
    made one space.  Pagefind reads text as whitespace-separated words and
    normalises the whitespace of the excerpt, anchor texts, filters and
    metadata it stores, so the key need not tell "a \\n  b" from "a b"
    (how much whitespace is left where an ignored element was taken out
    changes when other articles are added).  Whether there is whitespace
    still counts ("a<b>b</b>" is one word), and inside tags nothing is
    changed (an image's ``alt``, a metadata value, are kept as written)."""
    parts = _TAG_SPLIT.split(body)
    sub = _SPACES.sub
    parts[0::2] = [sub(b" ", t) for t in parts[0::2]]
    return b"".join(parts)


def indexed_part(page: bytes) -> bytes:
    """The bytes of a page that Pagefind reads: the ``<html>`` tag (the
    language), the ``data-pagefind-body`` element without its ignored parts
    (:func:`_without_ignored`) and any element with a ``data-pagefind-*``
    attribute outside it.  The rest (navigation, the previous/next links that
    change when an article is added) is left out of the shard key, so it does
    not re-index a shard.  A page without ``data-pagefind-body`` counts whole."""
    m = _BODY.search(page)
    if m is None:
        return page
    end = _element_end(page, m[1], m.end())
    if end is None:
        return page
    outside = page[: m.start()] + page[end:]
    html_tag = _HTML_TAG.search(page)
    body = _squeezed(_without_ignored(page[m.start() : end]))
    return b"\0".join([html_tag[0] if html_tag else b"", body, *_TAGGED.findall(outside)])


def _stat_mark(st: os.stat_result) -> str:
    """A file's identity and last change as the file system keeps them
    (device, inode, size, modification and status-change times in ns): a
    page rewritten, or replaced by another file, has another mark."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def _shard_key(site: Path, files: list[str], version: str,
               known: dict[str, list[str]] | None = None, seen: dict[str, list[str]] | None = None) -> str:
    """A hash of what Pagefind reads of the shard's pages.  ``known``: the
    page digests of the previous build (``{page: [hash of the whole page,
    hash of its indexed part, its file's stat mark]}``).  A page file the
    build left in place (the output keeps our pages between builds, and an
    unchanged page is not written again: see output.py) has the same
    :func:`_stat_mark` and is not read again; a page written again with the
    same bytes is read and hashed, but not parsed again; ``seen`` receives
    this build's digests."""
    h = hashlib.sha256(f"{version}\0{ARTICLES}\0{CACHE_FORMAT}\n".encode())
    known = known or {}
    for rel in files:
        path = f"{site}/{rel}"
        rec = known.get(rel)
        stored = None  # the recorded digest of the indexed part (a damaged record has none)
        if type(rec) is list and len(rec) == 3 and type(rec[1]) is str and len(rec[1]) == 64:
            try:
                stored = bytes.fromhex(rec[1])
            except ValueError:
                pass
        with open(path, "rb") as f:
            mark = _stat_mark(os.fstat(f.fileno()))
            if stored is not None and rec[2] == mark:
                digest = stored
            else:
                page = f.read()
                whole = hashlib.sha256(page).hexdigest()
                if stored is not None and rec[0] == whole:
                    digest = stored
                else:
                    digest = hashlib.sha256(indexed_part(page)).digest()
                rec = [whole, digest.hex(), mark]
        if seen is not None:
            seen[rel] = rec
        h.update(rel.encode("utf-8") + b"\0")
        h.update(digest)
    return h.hexdigest()[:20]


def _digests_version() -> str:
    """The page digests kept between builds are valid for this very code
    (:func:`indexed_part` is in this file)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _load_digests(root: Path) -> dict[str, list[str]]:
    try:
        state = json.loads((root / DIGESTS).read_text("utf-8"))
        if isinstance(state, dict) and state.get("code") == _digests_version() and isinstance(state.get("pages"), dict):
            return state["pages"]
    except (OSError, ValueError):
        pass
    return {}


def _save_digests(root: Path, pages: dict[str, list[str]]) -> None:
    tmp = root / (DIGESTS + ".tmp")
    tmp.write_text(json.dumps({"code": _digests_version(), "pages": pages}, separators=(",", ":")), "utf-8")
    os.replace(tmp, root / DIGESTS)


def build(output_path: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
          workers: int | None = None) -> Result:
    """Index ``output_path/articles`` into ``output_path/pagefind``."""
    site = Path(output_path)
    articles = site / ARTICLES
    files = sorted(p.relative_to(site).as_posix() for p in articles.rglob("*.html")) if articles.is_dir() else []
    groups: dict[str, list[str]] = {}
    for rel in files:
        shard = _shard_of(Path(rel).relative_to(ARTICLES).as_posix())
        if shard is None:
            break
        groups.setdefault(shard, []).append(rel)
    else:
        if not files:
            return _single(site)
        try:
            return _sharded(site, groups, Path(cache_dir) if cache_dir else None, workers or os.cpu_count() or 1)
        except (FormatError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("search index: merging the shards failed (%s); indexing the whole site at once", exc)
            return _single(site)
    log.warning("search index: an article file name does not start with two hex digits; indexing the whole site at once")
    return _single(site)


def _single(site: Path) -> Result:
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    err = _run_pagefind(site, f"{ARTICLES}/**/*.html", bundle)
    if err:
        log.error("search index not built: %s", err)
        return Result(False, 1, 1, 0, False)
    pages = sum(v.get("page_count", 0) for v in json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))["languages"].values())
    return Result(True, 1, 1, pages, False)


def _sharded(site: Path, groups: dict[str, list[str]], cache: Path | None, workers: int) -> Result:
    version = pagefind_version()
    tmp = None
    if cache is None:
        tmp = Path(tempfile.mkdtemp(prefix="aa-search-"))
        root = tmp
    else:
        root = cache / CACHE_KIND
    root.mkdir(parents=True, exist_ok=True)
    # no cyclic garbage is made here; see merge()
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        known = _load_digests(root) if tmp is None else {}
        seen: dict[str, list[str]] = {}
        want: dict[str, Path] = {}
        todo: list[str] = []
        parsed: dict[tuple[Path, str], tuple] = {}

        def index(shard: str, folder: Path) -> str | None:
            work = folder.with_name(folder.name + ".tmp")
            if work.exists():
                shutil.rmtree(work)
            err = _run_pagefind(site, f"{ARTICLES}/{SHARDS[shard]}*.html", work)
            if err is None:
                os.replace(work, folder)
                parsed.update(_parse_shard(folder))
            return err

        # a shard is indexed as soon as its key is known (while the next keys
        # are computed), its word index parsed while another is indexed
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            runs = []
            for s, fs in groups.items():
                want[s] = folder = root / f"{s}-{_shard_key(site, fs, version, known, seen)}"
                if not (folder / "pagefind-entry.json").is_file():
                    todo.append(s)
                    runs.append(pool.submit(index, s, folder))
            if tmp is None and seen != known:
                _save_digests(root, seen)
            errors = [e for e in (r.result() for r in runs) if e]
        if errors:
            log.error("search index not built: %s", errors[0])
            return Result(False, len(groups), len(todo), 0, True)
        # the merged bundle is kept too: a build with no changed shard only links it
        shards = [want[s] for s in sorted(want)]
        names = [d.name for d in shards]
        merged = root / "merged"
        stamp = merged / STAMP
        state = json.loads(stamp.read_text("utf-8")) if stamp.is_file() else None
        # (another compressor version may compress the same content differently: start afresh)
        how = [MERGED_FORMAT, GZIP_LEVEL, zlib_ng.ZLIBNG_RUNTIME_VERSION]
        if state is None or state.get("format") != how:
            shutil.rmtree(merged, ignore_errors=True)  # nothing in it can be reused
            state = None
        if state is None or state.get("shards") != names:
            stamp.unlink(missing_ok=True)
            fragments = merge(shards, merged, parsed)
            prefix = str(root) + os.sep
            state = {"shards": names, "format": how, "fragments": {
                k: v[len(prefix):] if v.startswith(prefix) else Path(v).relative_to(root).as_posix()
                for k, v in fragments.items()}}
            tmp_stamp = merged / (STAMP + ".tmp")
            tmp_stamp.write_text(json.dumps(state), "utf-8")
            os.replace(tmp_stamp, stamp)
        keep = set(names) | {merged.name, DIGESTS}
        for d in root.iterdir():
            if d.name not in keep:
                shutil.rmtree(d, ignore_errors=True)
        _sync(merged, {k: f"{root}/{v}" for k, v in state["fragments"].items()}, site / BUNDLE)
        entry = json.loads((site / BUNDLE / "pagefind-entry.json").read_text("utf-8"))
        pages = sum(v.get("page_count", 0) for v in entry["languages"].values())
        return Result(True, len(groups), len(todo), pages, True)
    finally:
        if gc_enabled:
            gc.enable()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
