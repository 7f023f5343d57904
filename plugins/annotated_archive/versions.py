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

``cluster_fingerprints(fps)``
    candidates from MinHash LSH *Ensemble* (datasketch), an index built for
    *containment* rather than Jaccard (a truncated re-scrape is mostly
    contained in the complete copy although their Jaccard is low); every
    candidate pair is confirmed with the exact containment of the shingle
    sets.  Clusters are stars around a canonical: every member is contained
    (>= ``contain``) in its canonical, and members of one cluster must overlap
    the same region of the canonical (``coherence``), so that two short
    extracts of different stories that both occur in one long page of
    navigation are not chained through it.

``cluster_versions(docs)`` / ``cluster_texts(items)`` run both and add the
word-level alignment of every non-canonical version against its canonical
(diff-match-patch in word mode).

Nothing depends on the order of the input or on file names: documents are
ranked by content (completeness, damage, a hash of the text) and only then
by id.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSHEnsemble
from diff_match_patch import diff_match_patch

from .models import Alignment, CleanDoc, Cluster, DiffOp, Versions

# ------------------------------------------------------------------ settings


@dataclass(frozen=True, slots=True)
class VersionSettings:
    """Every threshold of the stage (data, not scattered literals)."""

    shingle: int = 5  # tokens per shingle (a CJK character is one token)
    num_perm: int = 128  # MinHash permutations
    seed: int = 1  # fixed MinHash seed: fingerprints are reproducible
    lsh_threshold: float = 0.5  # containment threshold of the LSH Ensemble candidate search
    lsh_partitions: int = 16  # LSH Ensemble size partitions
    contain: float = 0.6  # a member's shingles contained in its canonical, at least
    min_overlap: int = 3  # shared shingles, at least (tiny texts stay alone)
    coherence: float = 0.5  # share of a member's overlap with the canonical that lies in the cluster's core
    core_candidates: int = 4  # members tried as the cluster's core (the largest overlaps)
    glue_weight: float = 5.0  # completeness lost per glued join (about one shingle per token of the join)
    min_passage_tokens: int = 3  # shorter lacunae / additions are left in the diff only


SETTINGS = VersionSettings()

# CJK scripts are written without spaces: one character is one token.
_CJK = "\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
# diff tokens: words (split at a glued lower->Upper join such as "thatThe"), numbers, punctuation
_DIFF_TOKEN = re.compile(f"[{_CJK}]|[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\\d+|[^\\W_{_CJK}]+|[^\\w\\s]")
_WORDISH = re.compile(f"[{_CJK}]|[^\\W_]")
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


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the clustering needs to know about one document (cacheable)."""

    doc_id: str
    content: str  # hash of the whitespace-normalised text: ties are broken by content, not by name
    size: int  # distinct shingles
    tokens: int
    damage: int  # glued joins seen in the text
    minhash: tuple[int, ...]  # MinHash hash values (affine32, seed ``VersionSettings.seed``)
    shingles: bytes  # sorted distinct shingle hashes, uint32 little-endian (compact: 4 bytes each)

    @property
    def shingle_array(self) -> np.ndarray:
        return np.frombuffer(self.shingles, dtype="<u4")


def _identity(x):
    return int(x)


def tokens(text: str) -> list[str]:
    """Comparison tokens: NFKC, case-folded words; one token per CJK character."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _shingle_hashes(toks: Sequence[str], k: int) -> np.ndarray:
    if not toks:
        return np.zeros(0, dtype="<u4")
    th = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in toks), dtype=np.uint64, count=len(toks))
    k = max(1, min(k, len(toks)))
    n = len(toks) - k + 1
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(k):
            h = h + th[j : j + n] * np.uint64(_MIX[j % len(_MIX)]) + np.uint64(j + 1)
        # murmur3 64-bit finaliser, keep the high 32 bits
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        h *= np.uint64(0xC4CEB9FE1A85EC53)
        h ^= h >> np.uint64(33)
    return np.unique((h >> np.uint64(32)).astype("<u4"))


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
    m = MinHash(num_perm=settings.num_perm, seed=settings.seed, hashfunc=_identity)
    if len(sh):
        m.update_batch(sh.tolist())
    return Fingerprint(
        doc_id=doc_id or content,
        content=content,
        size=int(len(sh)),
        tokens=len(toks),
        damage=len(_GLUE.findall(text)),
        minhash=tuple(int(x) for x in m.hashvalues),
        shingles=sh.tobytes(),
    )


# ---------------------------------------------------------------- clustering


def _rank_key(fp: Fingerprint, settings: VersionSettings = SETTINGS) -> tuple:
    """Most complete, least damaged first; then content; the id only for
    identical texts."""
    return (-(fp.size - settings.glue_weight * fp.damage), fp.damage, fp.content, fp.doc_id)


_MINHASH_HAS_SCHEME = "scheme" in inspect.signature(MinHash.__init__).parameters


def _minhash(fp: Fingerprint, perms, settings: VersionSettings) -> MinHash:
    hv = np.array(fp.minhash, dtype=np.uint32 if _MINHASH_HAS_SCHEME else np.uint64)
    if _MINHASH_HAS_SCHEME:
        return MinHash(seed=settings.seed, hashvalues=hv, permutations=perms, scheme="affine32")
    return MinHash(seed=settings.seed, hashvalues=hv, permutations=perms)  # pragma: no cover - datasketch < 2


def _intersect(a: np.ndarray, b: np.ndarray) -> int:
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return int(np.count_nonzero(b[idx] == a))


def _containment_edges(fps: Sequence[Fingerprint], settings: VersionSettings) -> list[dict[int, int]]:
    """For every document i: {j: |S_i & S_j|} for the documents j that contain
    at least ``contain`` of i's shingles (candidates from LSH Ensemble)."""
    n = len(fps)
    edges: list[dict[int, int]] = [{} for _ in range(n)]
    live = [i for i, fp in enumerate(fps) if fp.size > 0]
    if len(live) < 2:
        return edges
    perms = MinHash(num_perm=settings.num_perm, seed=settings.seed).permutations
    mh = {i: _minhash(fps[i], perms, settings) for i in live}
    lsh = MinHashLSHEnsemble(
        threshold=settings.lsh_threshold,
        num_perm=settings.num_perm,
        num_part=min(settings.lsh_partitions, len(live)),
        storage_config={"type": "dict", "basename": b"versions"},  # a fixed name: no randomness
    )
    lsh.index([(i, mh[i], fps[i].size) for i in live])
    arrays = [fp.shingle_array for fp in fps]
    inter_cache: dict[tuple[int, int], int] = {}
    for i in live:
        for j in sorted(set(lsh.query(mh[i], fps[i].size))):
            if j == i:
                continue
            key = (i, j) if i < j else (j, i)
            inter = inter_cache.get(key)
            if inter is None:
                inter = inter_cache[key] = _intersect(arrays[i], arrays[j])
            if inter >= settings.min_overlap and inter >= settings.contain * fps[i].size:
                edges[i][j] = inter
    return edges


def cluster_fingerprints(fps: Sequence[Fingerprint], settings: VersionSettings = SETTINGS) -> tuple[Cluster, ...]:
    """Group fingerprints into clusters (stars around a canonical).

    Every fingerprint (by doc_id) is in exactly one cluster; singletons are
    clusters of one.  Members are the canonical first, then sorted by id.
    """
    by_id: dict[str, Fingerprint] = {}
    for fp in fps:
        old = by_id.get(fp.doc_id)
        if old is None or _rank_key(fp, settings) < _rank_key(old, settings):
            by_id[fp.doc_id] = fp
    items = sorted(by_id.values(), key=lambda f: _rank_key(f, settings))  # rank order: index = rank
    n = len(items)
    edges = _containment_edges(items, settings)
    sizes = [f.size for f in items]
    arrays = [f.shingle_array for f in items]

    def jaccard(i: int, j: int) -> float:
        inter = edges[i][j]
        return inter / (sizes[i] + sizes[j] - inter)

    forced: set[int] = set()  # members found incoherent: canonicals of their own
    while True:
        # 1. in rank order, a document not contained in an earlier canonical is a canonical
        roots: set[int] = set()
        for i in range(n):
            if i in forced or not any(j < i and j in roots for j in edges[i]):
                roots.add(i)
        # 2. every other document joins the canonical it is most similar to
        parent: dict[int, int] = {}
        for i in range(n):
            if i not in roots:
                parent[i] = max((j for j in edges[i] if j in roots), key=lambda j: (jaccard(i, j), -j))
        # 3. members that do not overlap their cluster's core are set apart and
        #    everything is redone (the forced set only grows: this terminates)
        members: dict[int, list[int]] = {}
        for i, r in parent.items():
            members.setdefault(r, []).append(i)
        ejected: list[int] = []
        for r, ms in members.items():
            if len(ms) > 1:
                ejected.extend(_incoherent(arrays[r], ms, [arrays[i] for i in ms], [edges[i][r] for i in ms], settings))
        if not ejected:
            break
        forced.update(ejected)

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


def _diff_tokens(text: str) -> list[re.Match]:
    return list(_DIFF_TOKEN.finditer(text))


def _span(text: str, toks: Sequence[re.Match], a: int, b: int) -> str:
    return text[toks[a].start() : toks[b - 1].end()] if b > a else ""


def _words(toks: Sequence[re.Match], a: int, b: int) -> int:
    return sum(1 for t in toks[a:b] if _WORDISH.match(t.group()))


def word_diff(canonical: str, version: str, settings: VersionSettings = SETTINGS) -> tuple[DiffOp, ...]:
    """Word-level diff of ``version`` against ``canonical`` (diff-match-patch
    on one character per distinct word: its ``linesToChars`` trick applied to
    words).  ``delete`` = only in the canonical, ``insert`` = only here."""
    ct, vt = _diff_tokens(canonical), _diff_tokens(version)
    codes: dict[str, str] = {}

    def encode(toks: Sequence[re.Match]) -> str:
        out = []
        for t in toks:
            w = t.group()
            c = codes.get(w)
            if c is None:
                n = len(codes) + 1
                c = codes[w] = chr(n if n < 0xD800 else n + 0x800)  # skip the surrogate block
            out.append(c)
        return "".join(out)

    a, b = encode(ct), encode(vt)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact and deterministic: no clock
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    ops: list[DiffOp] = []
    ci = vi = 0
    for op, chars in diffs:
        n = len(chars)
        if op == dmp.DIFF_EQUAL:
            ops.append(DiffOp("equal", _span(canonical, ct, ci, ci + n)))
            ci += n
            vi += n
        elif op == dmp.DIFF_DELETE:
            ops.append(DiffOp("delete", _span(canonical, ct, ci, ci + n)))
            ci += n
        else:
            ops.append(DiffOp("insert", _span(version, vt, vi, vi + n)))
            vi += n
    return tuple(o for o in ops if o.text)


def align(
    canonical_id: str,
    canonical: str,
    doc_id: str,
    version: str,
    score: float,
    settings: VersionSettings = SETTINGS,
) -> Alignment:
    """What ``version`` lacks of ``canonical`` and what it adds."""
    diff = word_diff(canonical, version, settings)

    def passages(kind: str) -> tuple[str, ...]:
        return tuple(
            o.text
            for o in diff
            if o.op == kind and len(_WORDISH.findall(o.text)) >= settings.min_passage_tokens and _long_enough(o.text, settings)
        )

    return Alignment(
        doc_id=doc_id,
        canonical=canonical_id,
        score=score,
        lacks=passages("delete"),
        adds=passages("insert"),
        diff=diff,
    )


def _long_enough(text: str, settings: VersionSettings) -> bool:
    return len(_TOKEN.findall(text)) >= settings.min_passage_tokens


def _containment(fp: Fingerprint, canon: Fingerprint) -> float:
    if fp.size == 0:
        return 0.0
    return round(_intersect(fp.shingle_array, canon.shingle_array) / fp.size, 4)


def _versions(
    fps: Sequence[Fingerprint], texts: dict[str, str], align_versions: bool, settings: VersionSettings
) -> Versions:
    clusters = cluster_fingerprints(fps, settings)
    alignments: list[Alignment] = []
    if align_versions:
        by_id = {}
        for fp in fps:
            by_id.setdefault(fp.doc_id, fp)
        for c in clusters:
            canon = by_id[c.canonical]
            for m in c.members[1:]:
                fp = by_id[m]
                alignments.append(align(c.canonical, texts[c.canonical], m, texts[m], _containment(fp, canon), settings))
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
    for i, t in items:
        texts.setdefault(i, t)
    fps = [fingerprint(t, doc_id=i, settings=settings) for i, t in texts.items()]
    return _versions(fps, texts, align_versions, settings)
