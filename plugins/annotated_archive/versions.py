"""Versions stage: which documents are versions of one story, which version is
the most complete (the *canonical*), and what every other version lacks or
adds.

Pure functions over frozen data: no Pelican/Jinja, no file I/O, no clock, no
randomness (the MinHash permutations come from a fixed seed) and no
module-level mutable state.

The stage is split in two so that a later incremental build can cache the
per-document work:

``fingerprint(doc_or_text)``
    everything the clustering needs about one document: its MinHash, its
    sorted set of shingle hashes, its size and a damage count.  Depends on the
    document's text only.

``update_overlaps(fps, previous)``
    the exact join of the shingle sets: every pair of documents sharing
    enough shingles for one to be contained (>= ``contain``) in the other,
    with the count.  Whether a pair is in it depends on the two fingerprints
    only, so the value is carried between builds (:class:`Overlaps`) and a
    rebuild joins only the new fingerprints with the others.

``cluster_fingerprints(fps, overlaps=...)``
    clusters from those pairs.  Clusters are stars around a canonical: every
    member is contained (>= ``contain``) in its canonical, and members of one
    cluster must overlap the same region of the canonical (``coherence``),
    so that two short extracts of different stories that both occur in one
    long page of navigation are not chained through it.

``cluster_versions(docs)`` / ``cluster_texts(items)`` run both and add the
word-level alignment of every non-canonical version against its canonical
(diff-match-patch in word mode).

Nothing depends on the order of the input or on file names: documents are
ranked by content (completeness, damage, a hash of the text) and only then
by id.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
from typing import Iterable, Sequence

import numpy as np
from diff_match_patch import diff_match_patch

from .arrays import in_sorted
from .models import Alignment, CleanDoc, Cluster, DiffOp, Versions, record

# ------------------------------------------------------------------ settings


@record
class VersionSettings:
    """Every threshold of the stage (data, not scattered literals)."""

    shingle: int = 5  # tokens per shingle (a CJK character is one token)
    num_perm: int = 128  # MinHash permutations
    seed: int = 1  # fixed MinHash seed: fingerprints are reproducible
    contain: float = 0.6  # a member's shingles contained in its canonical, at least
    min_overlap: int = 3  # shared shingles, at least (tiny texts stay alone)
    coherence: float = 0.5  # share of a member's overlap with the canonical that lies in the cluster's core
    core_candidates: int = 4  # members tried as the cluster's core (the largest overlaps)
    glue_weight: float = 5.0  # completeness lost per glued join (about one shingle per token of the join)
    rediff_limit: int = 250_000  # a changed block is rediffed word by word when len(old) * len(new) is at most this
    min_passage_tokens: int = 3  # shorter lacunae / additions are left in the diff only


SETTINGS = VersionSettings()

# CJK scripts are written without spaces: one character is one token.
_CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
# diff tokens: words (split at a glued lower->Upper join such as "thatThe"), numbers, punctuation
_DIFF_TOKEN = re.compile(f"[{_CJK}]|[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\\d+|[^\\W_{_CJK}]+|[^\\w\\s]")
_SENTENCE_END = frozenset(".!?。！？")
# where a scrape glued two sentences or paragraphs together (a dropped link or
# line break): "thatThe", "Putin.Earlier", "However,, according"
_GLUE = re.compile(r"(?<=[a-z]{2})[.!?:;]?(?=[A-Z][a-z])|[,;:]{2}")

# odd 64-bit multipliers that combine token hashes into a shingle hash
_MIX = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x94D049BB133111EB,
    0xBF58476D1CE4E5B9,
)


# --------------------------------------------------------------- fingerprint


@record
class Fingerprint:
    """What the clustering needs to know about one document (cacheable)."""

    doc_id: str
    content: str  # hash of the whitespace-normalised text: ties are broken by content, not by name
    size: int  # distinct shingles
    tokens: int
    damage: int  # glued joins seen in the text
    shingles: bytes  # sorted distinct shingle hashes, uint32 little-endian (compact: 4 bytes each)

    @property
    def shingle_array(self) -> np.ndarray:
        return np.frombuffer(self.shingles, dtype="<u4")


def tokens(text: str) -> list[str]:
    """Comparison tokens: NFKC, case-folded words; one token per CJK character."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection), element-wise, wrapping."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _token_hashes(toks: Sequence[str]) -> np.ndarray:
    """A 64-bit hash per token, vectorised: every code point is mixed with its
    position in the token and the mixes are summed per token."""
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    cps = np.frombuffer("".join(toks).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(len(cps), dtype=np.uint64) - np.repeat(starts, lengths).astype(np.uint64)
    v = _fmix64(cps * np.uint64(0x9E3779B97F4A7C15) + pos * np.uint64(0xC2B2AE3D27D4EB4F) + np.uint64(1))
    return _fmix64(np.add.reduceat(v, starts) + lengths.astype(np.uint64))


def _shingle_hashes(toks: Sequence[str], k: int) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the k-token shingles (a text shorter
    than k tokens is one shingle)."""
    if not toks:
        return np.zeros(0, dtype="<u4")
    with np.errstate(over="ignore"):
        th = _token_hashes(toks)
        k = max(1, min(k, len(toks)))
        n = len(toks) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h + th[j : j + n] * np.uint64(_MIX[j % len(_MIX)])
        h = _fmix64(h)
    return np.unique((h >> np.uint64(32)).astype("<u4"))


def _permutations(settings: VersionSettings) -> tuple[np.ndarray, np.ndarray]:
    """The MinHash permutations h -> a*h + b mod 2^32 (a odd), from the fixed
    seed exactly as datasketch's ``affine32`` scheme draws them."""
    gen = np.random.RandomState(settings.seed)
    a = gen.randint(0, 1 << 31, settings.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, settings.num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _minhash_values(sh: np.ndarray, settings: VersionSettings) -> np.ndarray:
    """MinHash of a shingle-hash set (datasketch ``affine32``: the input is
    pre-mixed, then permuted; the minimum per permutation)."""
    if not len(sh):
        return np.full(settings.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _permutations(settings)
    with np.errstate(over="ignore"):
        hv = _fmix32(sh.astype(np.uint32))
        out = np.full(settings.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        for lo in range(0, len(hv), 4096):  # bounded memory for very long texts
            chunk = hv[lo : lo + 4096, None]
            out = np.minimum(out, (chunk * a + b).min(axis=0))
    return out


def minhash(fp: Fingerprint, settings: VersionSettings = SETTINGS) -> tuple[int, ...]:
    """The MinHash of a fingerprint's shingles (datasketch ``affine32``, seed
    ``settings.seed``), for LSH candidate search.  Derived on demand, not
    stored: the clustering's candidates come from the exact shingle join,
    and computing it for every seed was half of a fingerprint's time."""
    return tuple(_minhash_values(fp.shingle_array, settings).tolist())


def _content_hash(text: str) -> str:
    norm = unicodedata.normalize("NFC", " ".join(text.split()))
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=8).hexdigest()


def fingerprint(doc: CleanDoc | str, doc_id: str | None = None, settings: VersionSettings = SETTINGS) -> Fingerprint:
    """Fingerprint a cleaned document (its body) or a plain text.

    For a text, ``doc_id`` defaults to a hash of its content."""
    if isinstance(doc, CleanDoc):
        text = doc.body_text
        doc_id = doc_id or doc.doc_id
    else:
        text = doc
    content = _content_hash(text)
    toks = tokens(text)
    sh = _shingle_hashes(toks, settings.shingle)
    damage = len(_GLUE.findall(text))
    if isinstance(doc, CleanDoc):  # lacunae the clean stage found (and perhaps repaired)
        damage += sum(len(b.lacunae) for b in doc.blocks)
    return Fingerprint(
        doc_id=doc_id or content,
        content=content,
        size=int(len(sh)),
        tokens=len(toks),
        damage=damage,
        shingles=sh.tobytes(),
    )


# ---------------------------------------------------------------- clustering


def _rank_key(fp: Fingerprint, settings: VersionSettings = SETTINGS) -> tuple:
    """Most complete, least damaged first; then content; the id only for
    identical texts."""
    return (-(fp.size - settings.glue_weight * fp.damage), fp.damage, fp.content, fp.doc_id)


def _intersect(a: np.ndarray, b: np.ndarray) -> int:
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return int(np.count_nonzero(b[idx] == a))


def fingerprint_key(fp: Fingerprint) -> str:
    """Identity of a fingerprint across builds: its document and its text
    (a re-cleaned document with another body is another fingerprint)."""
    return f"{fp.doc_id}\x00{fp.content}\x00{fp.size}"


@record
class Overlaps:
    """The candidate pairs of the clustering, exact and carried between builds.

    ``pairs`` holds every pair of fingerprints (by :func:`fingerprint_key`,
    ``a < b``) whose shared shingles make an edge in at least one direction
    (>= ``min_overlap`` and >= ``contain`` of the smaller set), with the
    number of shared shingles.  Whether a pair is listed depends on the two
    fingerprints only, so the value for a set of fingerprints is the same
    whatever the history of additions and removals that led to it."""

    settings: VersionSettings
    keys: frozenset[str] = frozenset()
    pairs: tuple[tuple[str, str, int], ...] = ()


# pairs counted per block of query documents: bounds the counting array (rows x documents)
_JOIN_CELLS = 1 << 22


def _shared_shingles(
    arrays: Sequence[np.ndarray], rows: Sequence[int], settings: VersionSettings
) -> list[tuple[int, int, int]]:
    """Exact ``(i, j, shared)`` for every pair with i in ``rows``, j any other
    document, and enough shared shingles for an edge in one direction.

    An inverted index of the shingles (one sort of every document's shingle
    hashes, restricted to the shingles of ``rows`` when they are few) joined
    with the query documents' shingles; shared shingles are counted with
    ``bincount`` over (query row, document) cells.  Cost: the number of
    (query shingle, document holding it) hits, plus rows x documents."""
    n = len(arrays)
    rows = sorted(set(rows))
    if not rows or n < 2:
        return []
    lens = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=n)
    if not lens.sum():
        return []
    all_sh = np.concatenate(arrays)
    all_doc = np.repeat(np.arange(n, dtype=np.int64), lens)
    if len(rows) < n:  # only the shingles of the query documents matter
        qsh = np.unique(np.concatenate([arrays[q] for q in rows]))
        keep = in_sorted(all_sh, qsh)
        all_sh, all_doc = all_sh[keep], all_doc[keep]
    order = np.argsort(all_sh, kind="stable")
    sorted_sh, sorted_doc = all_sh[order], all_doc[order]
    out: list[tuple[int, int, int]] = []
    block = max(1, _JOIN_CELLS // n)
    for b0 in range(0, len(rows), block):
        chunk = rows[b0 : b0 + block]
        qs = [arrays[q] for q in chunk]
        qlens = np.fromiter((len(a) for a in qs), dtype=np.int64, count=len(qs))
        if not qlens.sum():
            continue
        qsh = np.concatenate(qs)
        qrow = np.repeat(np.arange(len(chunk), dtype=np.int64), qlens)
        lo = np.searchsorted(sorted_sh, qsh, "left")
        df = np.searchsorted(sorted_sh, qsh, "right") - lo
        total = int(df.sum())
        # every (query shingle, document holding it) hit, vectorised
        first = np.cumsum(df) - df
        idx = np.repeat(lo - first, df) + np.arange(total, dtype=np.int64)
        cells = np.repeat(qrow, df) * n + sorted_doc[idx]
        counts = np.bincount(cells, minlength=len(chunk) * n).reshape(len(chunk), n)
        r, j = np.nonzero(counts >= settings.min_overlap)
        for rr, jj in zip(r.tolist(), j.tolist()):
            i = chunk[rr]
            if i == jj:
                continue
            inter = int(counts[rr, jj])
            if inter >= settings.contain * len(arrays[i]) or inter >= settings.contain * len(arrays[jj]):
                out.append((i, jj, inter))
    return out


def update_overlaps(
    fps: Sequence[Fingerprint], previous: Overlaps | None = None, settings: VersionSettings = SETTINGS
) -> Overlaps:
    """The :class:`Overlaps` of ``fps``, reusing ``previous`` (computed for
    another set of fingerprints with the same settings): pairs of
    fingerprints that are both still here are kept, pairs with a removed
    fingerprint are dropped, and only the new fingerprints are joined with
    all the others.  Equal to ``update_overlaps(fps)`` computed from nothing."""
    by_key: dict[str, Fingerprint] = {}
    for fp in fps:
        by_key.setdefault(fingerprint_key(fp), fp)
    keys = sorted(by_key)
    if previous is None or previous.settings != settings:
        previous = Overlaps(settings)
    known = previous.keys
    current = frozenset(keys)
    kept = [p for p in previous.pairs if p[0] in current and p[1] in current]
    rows = [i for i, k in enumerate(keys) if k not in known]
    arrays = [by_key[k].shingle_array for k in keys]
    found = {}
    for i, j, inter in _shared_shingles(arrays, rows, settings):
        a, b = (keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i])
        found[(a, b)] = inter
    pairs = sorted({*kept, *((a, b, x) for (a, b), x in found.items())})
    return Overlaps(settings, current, tuple(pairs))


def _containment_edges(
    fps: Sequence[Fingerprint], settings: VersionSettings, overlaps: Overlaps | None = None
) -> list[dict[int, int]]:
    """For every document i: {j: |S_i & S_j|} for the documents j that contain
    at least ``contain`` of i's shingles (exact, from :class:`Overlaps`)."""
    n = len(fps)
    edges: list[dict[int, int]] = [{} for _ in range(n)]
    if overlaps is None or overlaps.settings != settings or not overlaps.keys.issuperset(map(fingerprint_key, fps)):
        overlaps = update_overlaps(fps, overlaps, settings)
    index = {fingerprint_key(fp): i for i, fp in enumerate(fps)}
    found: list[tuple[int, int, int]] = []
    for a, b, inter in overlaps.pairs:
        i, j = index.get(a), index.get(b)
        if i is None or j is None:
            continue
        found.append((i, j, inter))
        found.append((j, i, inter))
    for i, j, inter in sorted(found):
        if inter >= settings.min_overlap and inter >= settings.contain * fps[i].size:
            edges[i][j] = inter
    return edges


def _container_order(edges: list[dict[int, int]]) -> tuple[list[int], list[dict[int, int]]]:
    """The order in which documents are tried as canonicals: rank order,
    except that a document comes after every document that contains it
    without being contained in it (a strictly larger container).

    The damage penalty of the rank can put a short clean copy before a
    longer glued one that contains it; tried first, the short copy would be
    a canonical the longer one does not fit in (containment is one-way), and
    the two versions of one story would end up apart.  One-way edges go
    from a smaller to a larger shingle set, so they form no cycle; the order
    is a topological sort of them that takes the best-ranked free document
    first (Kahn's algorithm with a heap), and it equals the rank order when
    no rank contradicts a one-way containment.  ``edges`` are indexed by
    rank; returns the order (rank indices) and the edges re-indexed by it."""
    n = len(edges)
    after: list[list[int]] = [[] for _ in range(n)]  # j -> the documents that must follow it
    waiting = [0] * n
    for i, out in enumerate(edges):
        for j in out:
            if i not in edges[j]:  # i is in j, j is not in i
                after[j].append(i)
                waiting[i] += 1
    free = [i for i in range(n) if not waiting[i]]
    heapq.heapify(free)
    order: list[int] = []
    while free:
        j = heapq.heappop(free)
        order.append(j)
        for i in after[j]:
            waiting[i] -= 1
            if not waiting[i]:
                heapq.heappush(free, i)
    place = {k: p for p, k in enumerate(order)}
    moved = [{place[j]: edges[k][j] for j in sorted(edges[k], key=place.__getitem__)} for k in order]
    return order, moved


def cluster_fingerprints(
    fps: Sequence[Fingerprint], settings: VersionSettings = SETTINGS, overlaps: Overlaps | None = None
) -> tuple[Cluster, ...]:
    """Group fingerprints into clusters (stars around a canonical).

    Every fingerprint (by doc_id) is in exactly one cluster; singletons are
    clusters of one.  Members are the canonical first, then sorted by id.
    ``overlaps`` (from :func:`update_overlaps`) saves the join of the
    shingle sets; the result is the same with or without it.
    """
    by_id: dict[str, Fingerprint] = {}
    for fp in fps:
        old = by_id.get(fp.doc_id)
        if old is None or _rank_key(fp, settings) < _rank_key(old, settings):
            by_id[fp.doc_id] = fp
    ranked = sorted(by_id.values(), key=lambda f: _rank_key(f, settings))
    order, edges = _container_order(_containment_edges(ranked, settings, overlaps))
    items = [ranked[k] for k in order]  # processing order: index = place in it
    n = len(items)
    sizes = [f.size for f in items]
    arrays = [f.shingle_array for f in items]

    def jaccard(i: int, j: int) -> float:
        inter = edges[i][j]
        return inter / (sizes[i] + sizes[j] - inter)

    banned: set[tuple[int, int]] = set()  # (member, canonical): incoherent there
    mixed: set[int] = set()  # canonicals that held extracts of different texts
    seen: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    while True:
        # 1. in that order, a document not (allowed to be) in an earlier canonical is a canonical
        roots: set[int] = set()
        for i in range(n):
            if not any(j < i and j in roots and (i, j) not in banned for j in edges[i]):
                roots.add(i)
        # 2. every other document joins the canonical it is most similar to,
        #    preferring one that is not a page of mixed content
        parent: dict[int, int] = {}
        for i in range(n):
            if i not in roots:
                cands = (j for j in edges[i] if j in roots and (i, j) not in banned)
                parent[i] = max(cands, key=lambda j: (j not in mixed, jaccard(i, j), -j))
        # 3. members that do not overlap their cluster's core are banned from
        #    it and everything is redone (bans only grow: this terminates)
        members: dict[int, list[int]] = {}
        for i, r in parent.items():
            members.setdefault(r, []).append(i)
        ejected = 0
        for r, ms in members.items():
            if len(ms) > 1:
                key = (r, tuple(ms))
                if key not in seen:
                    seen[key] = _incoherent(arrays[r], ms, [arrays[i] for i in ms], [edges[i][r] for i in ms], settings)
                for i in seen[key]:
                    banned.add((i, r))
                    mixed.add(r)
                    ejected += 1
        if not ejected:
            break

    groups: dict[int, list[int]] = {r: [r] for r in roots}
    for i, r in parent.items():
        groups[r].append(i)
    clusters = []
    for r in sorted(groups):
        rest = sorted(items[i].doc_id for i in groups[r] if i != r)
        clusters.append(Cluster(items[r].doc_id, (items[r].doc_id, *rest)))
    return tuple(clusters)


def _intersect_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.intersect1d(a, b, assume_unique=True)


def _incoherent(
    root: np.ndarray, ms: list[int], arrs: list[np.ndarray], overlaps: list[int], settings: VersionSettings
) -> list[int]:
    """Members of one canonical that do not overlap the cluster's core.

    The core is the part of the canonical shared with one of its members; the
    candidate cores (the members with the largest overlaps) are tried and the
    one that keeps most of the members' shingles wins.  A member is coherent
    when at least ``coherence`` of its overlap with the canonical lies in the
    core: two extracts of different stories found in one long page overlap
    different parts of it, and only one of them stays."""
    order = sorted(range(len(ms)), key=lambda k: (-overlaps[k], ms[k]))
    best: tuple[int, int, list[int]] | None = None
    for c in order[: settings.core_candidates]:
        core = _intersect_arrays(root, arrs[c])
        kept, out = 0, []
        for k in order:
            if k == c or _intersect(arrs[k], core) >= settings.coherence * overlaps[k]:
                kept += overlaps[k]
            else:
                out.append(ms[k])
        if best is None or kept > best[0]:
            best = (kept, c, out)
    return best[2] if best else []


# ----------------------------------------------------------------- alignment


@record
class _Coded:
    """A text as diff-match-patch sees it: one character per word."""

    text: str
    spans: tuple[tuple[int, int], ...]  # of the diff tokens in ``text``
    chars: str  # one code per token, "\n" after every sentence / paragraph


def _code(codes: dict[str, str], text: str) -> _Coded:
    """Encode ``text`` with the shared word -> character table ``codes``."""
    spans = [m.span() for m in _DIFF_TOKEN.finditer(text)]
    if not spans:
        return _Coded(text, (), "")
    words = [text[x:y] for x, y in spans]
    for w in words:
        if w not in codes:
            n = len(codes) + 0x100  # no control characters: "\n" is the sentence mark
            codes[w] = chr(n if n < 0xD800 else n + 0x800)  # skip the surrogate block
    # a mark after a sentence end and where a line ends between two tokens
    ends = np.fromiter((y for _, y in spans), dtype=np.int64, count=len(spans))
    nexts = np.append(np.fromiter((x for x, _ in spans[1:]), dtype=np.int64, count=len(spans) - 1), len(text))
    nl = np.array([m.start() for m in re.finditer("\n", text)], dtype=np.int64)
    broken = np.searchsorted(nl, nexts) > np.searchsorted(nl, ends)
    chars = "".join(
        codes[w] + "\n" if (brk or w in _SENTENCE_END) else codes[w] for w, brk in zip(words, broken.tolist())
    )
    return _Coded(text, tuple(spans), chars)


def _diff_coded(c: _Coded, v: _Coded, settings: VersionSettings) -> tuple[DiffOp, ...]:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact and deterministic: no clock
    # sentence level first (diff-match-patch's line mode, done in two steps so
    # that a huge replacement block, e.g. a page of navigation against one
    # sentence, is not rediffed word by word: that is quadratic)
    l1, l2, lines = dmp.diff_linesToChars(c.chars, v.chars)
    coarse = dmp.diff_main(l1, l2, False)
    dmp.diff_charsToLines(coarse, lines)
    dmp.diff_cleanupSemantic(coarse)
    diffs: list[tuple[int, str]] = []
    dels: list[str] = []
    ins: list[str] = []
    for op, chars in [*coarse, (dmp.DIFF_EQUAL, "")]:
        if op == dmp.DIFF_DELETE:
            dels.append(chars)
        elif op == dmp.DIFF_INSERT:
            ins.append(chars)
        else:
            d, i = "".join(dels), "".join(ins)
            if d and i and len(d) * len(i) <= settings.rediff_limit:
                diffs.extend(dmp.diff_main(d, i, False))
            else:
                diffs.extend(x for x in ((dmp.DIFF_DELETE, d), (dmp.DIFF_INSERT, i)) if x[1])
            dels, ins = [], []
            if chars:
                diffs.append((op, chars))
    dmp.diff_cleanupSemantic(diffs)

    def span(side: _Coded, a: int, b: int) -> str:
        return side.text[side.spans[a][0] : side.spans[b - 1][1]] if b > a else ""

    ops: list[DiffOp] = []
    ci = vi = 0
    for op, chars in diffs:
        n = len(chars) - chars.count("\n")
        if op == dmp.DIFF_EQUAL:
            kind, text = "equal", span(c, ci, ci + n)
            ci, vi = ci + n, vi + n
        elif op == dmp.DIFF_DELETE:
            kind, text = "delete", span(c, ci, ci + n)
            ci += n
        else:
            kind, text = "insert", span(v, vi, vi + n)
            vi += n
        if not text:
            continue
        if ops and ops[-1].op == kind:
            ops[-1] = DiffOp(kind, ops[-1].text + " " + text)
        else:
            ops.append(DiffOp(kind, text))
    return tuple(ops)


def word_diff(canonical: str, version: str, settings: VersionSettings = SETTINGS) -> tuple[DiffOp, ...]:
    """Word-level diff of ``version`` against ``canonical``: ``delete`` = only
    in the canonical, ``insert`` = only here.

    diff-match-patch does the diff, on one character per distinct word (its
    ``linesToChars`` trick applied to words).  A newline is put after every
    sentence so that a first pass aligns whole sentences and only the changed
    ones are rediffed word by word (fast on long pages).  No time limit: the
    result never depends on the clock."""
    codes: dict[str, str] = {}
    return _diff_coded(_code(codes, canonical), _code(codes, version), settings)


def _passages(diff: Sequence[DiffOp], kind: str, settings: VersionSettings) -> tuple[str, ...]:
    return tuple(o.text for o in diff if o.op == kind and len(_TOKEN.findall(o.text)) >= settings.min_passage_tokens)


def _alignment(canonical_id: str, doc_id: str, diff: tuple[DiffOp, ...], score: float, settings: VersionSettings) -> Alignment:
    return Alignment(
        doc_id=doc_id,
        canonical=canonical_id,
        score=score,
        lacks=_passages(diff, "delete", settings),
        adds=_passages(diff, "insert", settings),
        diff=diff,
    )


def align(
    canonical_id: str,
    canonical: str,
    doc_id: str,
    version: str,
    score: float,
    settings: VersionSettings = SETTINGS,
) -> Alignment:
    """What ``version`` lacks of ``canonical`` (lacunae) and what it adds."""
    return _alignment(canonical_id, doc_id, word_diff(canonical, version, settings), score, settings)


def align_cluster(
    cluster: Cluster, texts: dict[str, str], fps: dict[str, Fingerprint], settings: VersionSettings = SETTINGS
) -> tuple[Alignment, ...]:
    """The alignments of a cluster's versions (the canonical is encoded once)."""
    codes: dict[str, str] = {}
    canon = _code(codes, texts[cluster.canonical])
    out = []
    for m in cluster.members[1:]:
        diff = _diff_coded(canon, _code(codes, texts[m]), settings)
        out.append(_alignment(cluster.canonical, m, diff, containment(fps[m], fps[cluster.canonical]), settings))
    return tuple(out)


def containment(fp: Fingerprint, canon: Fingerprint) -> float:
    """Share of ``fp``'s shingles found in ``canon`` (0..1, 4 decimals)."""
    if fp.size == 0:
        return 0.0
    return round(_intersect(fp.shingle_array, canon.shingle_array) / fp.size, 4)


_containment = containment  # older name, used by callers


def _versions(
    fps: Sequence[Fingerprint], texts: dict[str, str], align_versions: bool, settings: VersionSettings
) -> Versions:
    clusters = cluster_fingerprints(fps, settings)
    alignments: list[Alignment] = []
    if align_versions:
        by_id: dict[str, Fingerprint] = {}
        for fp in fps:
            by_id.setdefault(fp.doc_id, fp)
        for c in clusters:
            alignments.extend(align_cluster(c, texts, by_id, settings))
    return Versions(clusters=clusters, alignments=tuple(alignments))


def cluster_versions(docs: Sequence[CleanDoc], settings: VersionSettings = SETTINGS) -> Versions:
    """Clusters of the cleaned documents' bodies, with the alignment of every
    non-canonical version against its canonical."""
    docs = sorted(docs, key=lambda d: (d.doc_id, d.name))
    texts: dict[str, str] = {}
    for d in docs:
        texts.setdefault(d.doc_id, d.body_text)
    fps = [fingerprint(d, settings=settings) for d in docs]
    return _versions(fps, texts, True, settings)


def cluster_texts(
    items: Iterable[tuple[str, str]], align_versions: bool = True, settings: VersionSettings = SETTINGS
) -> Versions:
    """The same over ``(id, text)`` pairs (the benchmark, other callers)."""
    texts: dict[str, str] = {}
    for i, t in items:  # a repeated id keeps one text, whatever the order
        if i not in texts or (_content_hash(t), t) < (_content_hash(texts[i]), texts[i]):
            texts[i] = t
    fps = [fingerprint(t, doc_id=i, settings=settings) for i, t in texts.items()]
    return _versions(fps, texts, align_versions, settings)
