"""Cross-archive matching of claims (corroboration) and anchoring of curator
notes.  Pure functions; thresholds are data (MATCH_RULES, NOTE_RULES).

Candidates come from an inverted index of *rare* content-word shingles (never
all pairs of sentences); each candidate pair is confirmed with a symmetric
score: TF-IDF cosine of content words, rapidfuzz token_set_ratio, and a
verbatim-quotation check (rapidfuzz partial_ratio of a quoted passage).
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from bisect import bisect_left
from heapq import nsmallest
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from .arrays import in_sorted
from .claims_text import _WORD, ALL_STOPWORDS, content_tokens, normalise, quoted_spans, stem
from .models import AnchoredNote, Claim, ClaimMatch, Note, Versions, record

# ------------------------------------------------------------------- data

MATCH_RULES = {
    "min_tokens": 5,  # claims with fewer content words are never matched (too generic)
    "probe": 8,  # each claim probes the index with its rarest shingles (2 <= df)
    "max_df": 64,  # a shingle in more claims than this is not rare: never probed
    "min_shared": 2,  # candidate: at least this many shared rare shingles ...
    "min_shared_rare_df": 3,  # ... or one shared shingle this rare (df <= 3)
    "cosine": 0.42,  # TF-IDF cosine of content words that confirms a match
    "cosine_fuzzy": 0.30,  # ... or this cosine together with
    "token_set": 72,  # ... this rapidfuzz token_set_ratio of content words
    "run": 5,  # a run of this many consecutive shared content words (a verbatim passage) confirms it
    "speaker_cosine": 0.2,  # same speaker: this cosine and a shared run of
    "speaker_run": 3,  # ... this many content words confirm it
    "quote_words": 6,  # a quoted passage at least this long ...
    "quote_partial": 88,  # ... found (partial_ratio) in the other claim confirms it
    "near_identical": 90,  # fuzz.ratio of normalised texts: same sentence (for reprints)
    "reprint_run": 3,  # reprint: >= this many near-identical claims in the same order ...
    "reprint_share": 0.3,  # ... covering this share of the shorter document's claims
    "max_matches": 40,  # matches kept per claim (mutual best: symmetric)
}

NOTE_RULES = {
    "partial": 85,  # rapidfuzz partial_ratio of the note's quote that re-anchors it
    "candidates": 50,  # claims scored per note (from the shared-word index)
}


# ----------------------------------------------------------------- helpers


def _shingles(toks: list[str]) -> set[str]:
    """Content-word bigrams, plus the single words of very short claims."""
    out = {f"{a} {b}" for a, b in zip(toks, toks[1:])}
    return out


def _quotes(text: str) -> list[str]:
    out = []
    for a, b in quoted_spans(text):
        q = normalise(text[a:b])
        if len(q.split()) >= MATCH_RULES["quote_words"]:
            out.append(q)
    return out


def _content_tokens_memo(memo: dict[str, str | None]):
    """``content_tokens`` with a memo of the raw word -> token step (case
    folding, stop words, stemming; ``None``: no token).  The memo is local
    to one corroborate call."""

    def tokens(text: str) -> list[str]:
        out = []
        for raw in _WORD.findall(unicodedata.normalize("NFKC", text)):
            if raw in memo:
                t = memo[raw]
            else:
                w = raw.casefold().replace("’", "'")
                t = memo[raw] = stem(w) if w not in ALL_STOPWORDS and (len(w) > 1 or w.isdigit()) else None
            if t is not None:
                out.append(t)
        return out

    return tokens


@record
class ClaimFeatures:
    """What matching needs of one claim, from the claim alone (cacheable)."""

    speaker: str | None  # the speaker's last name, case-folded
    toks: tuple[str, ...]  # content tokens
    rtoks: tuple[str, ...]  # the same, the attribution's own words masked ("\x00"); () when nothing is masked
    quotes: tuple[str, ...]  # normalised quoted passages long enough to confirm a match
    tokset: frozenset[str] = frozenset()
    tfw: bytes = b""  # 1 + log(term frequency) of the distinct tokens in order of first occurrence (float64 LE)
    key: str = ""  # claim_key() of the claim
    shh: bytes = b""  # 64-bit hashes of the content-word shingles, in the strings' sorted order (int64 LE)
    tfh: bytes = b""  # 64-bit hashes of the distinct tokens, in that order (int64 LE)


def _hashes(strings: Iterable[str]) -> bytes:
    """64-bit hashes (int64 little-endian) of strings, for counting document
    frequencies with numpy (a collision would merge two words: ~1e-8 at a
    million distinct words)."""
    b2 = hashlib.blake2b
    return np.array(
        [int.from_bytes(b2(x.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little", signed=True) for x in strings],
        dtype="<i8",
    ).tobytes()


def claim_features(c: Claim, tokens=content_tokens) -> ClaimFeatures:
    """Per claim, so per seed: computed with the seed's claims and cached
    with them (``pipeline.SeedResult.features``)."""
    toks = tokens(c.text)
    # for verbatim runs: the attribution's own words (name, role) do not count
    own = set(tokens(f"{c.speaker or ''} {c.role or ''}"))
    sh = _shingles(toks)
    tf: dict[str, int] = defaultdict(int)
    for t in toks:
        tf[t] += 1
    return ClaimFeatures(
        speaker=c.speaker.split()[-1].casefold() if c.speaker else None,
        toks=tuple(toks),
        rtoks=tuple(t if t not in own else "\x00" for t in toks) if own.intersection(toks) else (),
        quotes=tuple(_quotes(c.text)),
        tokset=frozenset(toks),
        tfw=np.array([1 + math.log(k) for k in tf.values()], dtype="<f8").tobytes(),
        key=claim_key(c),
        shh=_hashes(sorted(sh)),
        tfh=_hashes(tf),
    )


def claim_key(c: Claim) -> str:
    """Identity of a claim's matching features across builds (its id, text
    and attribution)."""
    h = hashlib.blake2b(digest_size=12)
    for part in (c.id, c.text, c.speaker or "", c.role or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


class _Prepared:
    __slots__ = ("toks", "tokset", "_norm", "text", "ctext", "quotes", "vec", "norm2", "speaker", "rtoks", "f")

    def __init__(self, c: Claim, tokens=content_tokens, features: ClaimFeatures | None = None):
        f = self.f = features if features is not None else claim_features(c, tokens)
        self.speaker = f.speaker
        self.toks = f.toks
        self.rtoks = f.rtoks or f.toks
        self.tokset = f.tokset
        self.text = c.text
        self._norm: str | None = None  # normalise(text), computed when first needed
        self.ctext = " ".join(f.toks)
        self.quotes = f.quotes
        self.vec: dict[str, float] = {}
        self.norm2 = 0.0

    @property
    def norm(self) -> str:
        if self._norm is None:
            self._norm = normalise(self.text)
        return self._norm


def _longest_run(a: list[str], b: list[str], lo: int) -> int:
    """Longest run of consecutive content words shared by a and b (checked
    from ``lo`` words up; 0 below ``lo``): :func:`_run_search`, after one
    pass telling most pairs have none (a run of ``lo`` shared words needs
    ``lo`` consecutive words of ``a`` found in ``b``)."""
    inb = set(b)
    stretch = longest = 0
    for t in a:
        if t in inb and t != "\x00":
            stretch += 1
            if stretch > longest:
                longest = stretch
        else:
            stretch = 0
    if longest < lo:
        return 0
    return _run_search(a, b, lo)


def _run_search(a: list[str], b: list[str], lo: int) -> int:
    """The longest run by n-gram sets, from ``lo`` words up ("\x00": a
    masked word, never shared)."""
    n = lo
    best = 0
    while True:
        ga = {g for i in range(len(a) - n + 1) if "\x00" not in (g := tuple(a[i:i + n]))}
        if not ga or not any(tuple(b[i:i + n]) in ga for i in range(len(b) - n + 1)):
            return best
        best = n
        n += 1


# cached per pair (see MatchState): the parts of the score that depend on the
# two claims only, computed when first needed (None: not yet)
_RUN, _TOKEN_SET, _QUOTE, _NEAR = range(4)


def _cosine(a: _Prepared, b: _Prepared, common: set[str]) -> float:
    av, bv = a.vec, b.vec
    dot = sum([av[t] * bv[t] for t in common])
    return dot / (a.norm2 * b.norm2) if a.norm2 and b.norm2 else 0.0


def _quote_args(a: _Prepared, b: _Prepared) -> Iterable[tuple[str, str]]:
    """The partial_ratio calls of :func:`_quote_score`: each quotation of one
    claim against the other claim, the shorter text first."""
    for qa, tb in [*((q, b.norm) for q in a.quotes), *((q, a.norm) for q in b.quotes)]:
        yield (qa, tb) if len(qa) <= len(tb) else (tb, qa)


def _best_quote(ratios: Iterable[float]) -> float:
    """:func:`_quote_score` from its partial_ratio values."""
    best = 0.0
    cut = MATCH_RULES["quote_partial"]
    for pr in ratios:
        if pr >= cut:
            best = max(best, pr / 100.0 * 0.9)
    return best


def _quote_score(a: _Prepared, b: _Prepared) -> float:
    """Best verbatim quotation of one claim found in the other (0.9 at most)."""
    cut = MATCH_RULES["quote_partial"]
    return _best_quote(fuzz.partial_ratio(x, y, score_cutoff=cut) for x, y in _quote_args(a, b))


def _quote_scores(pairs: Sequence[tuple[_Prepared, _Prepared]], workers: int) -> list[float]:
    """[_quote_score(a, b) for a, b in pairs], the partial_ratio calls in one
    batch on ``workers`` threads (rapidfuzz ``cpdist``: the same scorer on
    the same arguments, so the same values; ``workers`` only changes how
    fast).  Most of a cold corroboration's time.  Each distinct call is made
    once (versions of a story repeat the same sentences: ~18 % of the calls
    at 10,000 seeds)."""
    index: dict[tuple[str, str], int] = {}
    calls: list[int] = []
    ends: list[int] = []
    for a, b in pairs:
        for xy in _quote_args(a, b):
            calls.append(index.setdefault(xy, len(index)))
        ends.append(len(calls))
    if not index:
        return [0.0] * len(pairs)
    distinct = _partial_ratios([x for x, _ in index], [y for _, y in index], MATCH_RULES["quote_partial"], workers)
    ratios = [distinct[k] for k in calls]
    return [_best_quote(ratios[lo:hi]) for lo, hi in zip([0, *ends], ends)]


def _partial_ratios(xs: Sequence[str], ys: Sequence[str], cut: float, workers: int) -> list[float]:
    """``fuzz.partial_ratio(x, y, score_cutoff=cut)`` for each pair (``x``
    the shorter), the calls that cannot reach ``cut`` skipped (their value
    is 0, as the cut-off makes it).

    partial_ratio is the best ``ratio`` of ``x`` with a substring ``w`` of
    ``y``: ``200 * LCS(x, w) / (|x| + |w|)``.  ``LCS(x, w)`` is at most
    ``|w|`` and at most ``L = LCS(x, y)`` (``w`` is part of ``y``), so the
    best is at most ``200 * L / (|x| + L)``.  The LCS of a pair is one
    bit-parallel pass, where partial_ratio of a long ``x`` aligns it with
    every window of ``y``: at 10,000 seeds, 94 % of the calls are skipped
    and the quotations' time drops from ~16 s of CPU to ~0.4 s, with the
    same values (tests/test_claims_rebuild_speed.py checks them against
    partial_ratio itself)."""
    if not xs:
        return []
    lcs = process.cpdist(xs, ys, scorer=LCSseq.similarity, dtype=np.int64, workers=workers)
    nx = np.fromiter(map(len, xs), dtype=np.int64, count=len(xs))
    # (the bound's test, a hair inclusive against rounding; an empty x is left to partial_ratio itself)
    keep = np.flatnonzero((200 * lcs >= cut * (nx + lcs) - 1e-6 * (nx + lcs + 1)) | (nx == 0))
    out = np.zeros(len(xs), dtype=np.float64)
    if len(keep):
        kept = keep.tolist()
        out[keep] = process.cpdist(
            [xs[k] for k in kept], [ys[k] for k in kept], scorer=fuzz.partial_ratio,
            score_cutoff=cut, dtype=np.float64, workers=workers,
        )
    return out.tolist()


def pair_score(a: _Prepared, b: _Prepared, feats: list | Callable[[], list] | None = None) -> float:
    """Symmetric confirmation score in 0..1 (0 = not the same claim).

    Only the TF-IDF cosine depends on the rest of the archive; ``feats``
    (``[run, token_set, quote, near]``, None = unknown, or a function
    returning that list) carries the parts that depend on the two claims
    only, filled in when first needed."""
    best, feats = _score_before_quote(a, b, feats)
    if feats is None:
        return best
    if feats[_QUOTE] is None:
        feats[_QUOTE] = _quote_score(a, b)
    return round(max(best, feats[_QUOTE]), 4)


def _score_before_quote(
    a: _Prepared, b: _Prepared, feats: list | Callable[[], list] | None
) -> tuple[float, list | None]:
    """:func:`pair_score` up to the quotation: (the score, None) when the
    quotation cannot change it, else (the best score without it, the pair's
    features), the quotation's score then deciding (``round(max(best,
    quote), 4)``).  Split so that the quotations of many pairs are scored
    in one batch (:func:`_quote_scores`)."""
    common = a.tokset & b.tokset
    if not common:
        return 0.0, None
    cos = _cosine(a, b, common)
    if cos >= MATCH_RULES["cosine"]:
        return round(min(1.0, cos), 4), None
    if feats is None:
        feats = [None, None, None, None]
    elif callable(feats):
        feats = feats()
    best = 0.0
    # runs shorter than ``run`` only matter for the same-speaker rule; the
    # longest run is looked for from the shortest length that could matter
    # for this pair of speakers (so it does not depend on the cosine)
    speakers = bool(a.speaker and a.speaker == b.speaker)
    same_speaker = speakers and cos >= MATCH_RULES["speaker_cosine"]
    if feats[_RUN] is None:
        lo = min(MATCH_RULES["run"], MATCH_RULES["speaker_run"]) if speakers else MATCH_RULES["run"]
        feats[_RUN] = _longest_run(a.rtoks, b.rtoks, lo)
    run = feats[_RUN]
    if run >= MATCH_RULES["run"]:
        best = max(best, min(0.95, 0.45 + 0.05 * run))
    if same_speaker and run >= MATCH_RULES["speaker_run"]:
        best = max(best, cos + 0.2)
    if cos >= MATCH_RULES["cosine_fuzzy"]:
        # token_set_ratio is 100 for any subset: only trust it when the
        # smaller claim is mostly made of the shared words
        cover = len(common) / max(1, min(len(a.tokset), len(b.tokset)))
        if cover >= 0.5:
            # score_cutoff: rapidfuzz returns the same score when it is
            # >= the cutoff and 0 otherwise (and prunes its search)
            if feats[_TOKEN_SET] is None:
                feats[_TOKEN_SET] = fuzz.token_set_ratio(a.ctext, b.ctext, score_cutoff=MATCH_RULES["token_set"])
            ts = feats[_TOKEN_SET]
            if ts >= MATCH_RULES["token_set"]:
                best = max(best, (cos + ts / 100.0) / 2)
    # a quotation scores at most 0.9: only look when that could raise ``best``
    if best < 0.9:
        return best, feats
    return round(best, 4), None


def near_identical(a: _Prepared, b: _Prepared) -> bool:
    return fuzz.ratio(a.norm, b.norm) >= MATCH_RULES["near_identical"]


def _lis(seq: list[int]) -> int:
    tails: list[int] = []
    for x in seq:
        i = bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def reprint_pairs(
    pairs: Iterable[tuple[int, int, float]],
    claims: Sequence[Claim],
    preps: Sequence[_Prepared],
    near: Callable[[int, int], bool] | None = None,
) -> set[tuple[str, str]]:
    """Document pairs (a < b) where b reprints a (or the other way round):
    at least ``reprint_run`` near-identical claims (fuzz.ratio >=
    ``near_identical``) in the same order in both, covering at least
    ``reprint_share`` of the shorter document's claims.  ``near(i, j)``:
    are claims i and j near-identical (a cache of :func:`near_identical`)."""
    if near is None:
        near = lambda i, j: near_identical(preps[i], preps[j])  # noqa: E731
    n_claims: dict[str, int] = defaultdict(int)
    pos: dict[str, int] = {}
    for c in claims:
        pos[c.id] = n_claims[c.doc_id]
        n_claims[c.doc_id] += 1
    by_docs: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for i, j, _ in pairs:
        a, b = claims[i], claims[j]
        if not near(i, j):
            continue
        if a.doc_id < b.doc_id:
            by_docs[(a.doc_id, b.doc_id)].append((pos[a.id], pos[b.id]))
        else:
            by_docs[(b.doc_id, a.doc_id)].append((pos[b.id], pos[a.id]))
    out = set()
    for (da, db), ps in by_docs.items():
        if len(ps) < MATCH_RULES["reprint_run"]:
            continue
        ps.sort()
        run = _lis([q for _, q in ps])
        if run >= MATCH_RULES["reprint_run"] and run >= MATCH_RULES["reprint_share"] * min(n_claims[da], n_claims[db]):
            out.add((da, db))
    return out


# ------------------------------------------------------------- corroborate


def candidate_pairs(preps: Sequence[_Prepared], doc_of: Sequence[str]) -> set[tuple[int, int]]:
    """Pairs (i < j) of claims in different documents that share rare
    shingles.  Each claim probes its ``probe`` rarest shingles of document
    frequency 2..max_df; a pair is a candidate when both probe at least
    ``min_shared`` shingles in common, or one of document frequency <=
    ``min_shared_rare_df`` (symmetric by construction)."""
    codes = _candidate_codes([p.f for p in preps], doc_of)
    n = len(preps)
    return set(zip((codes // n).tolist(), (codes % n).tolist()))


def _candidate_codes(feats: Sequence[ClaimFeatures], doc_of: Sequence[str]) -> np.ndarray:
    """:func:`candidate_pairs` as sorted codes ``i * n + j`` (int64)."""
    docs: dict[str, int] = {}
    doc_num = np.array([docs.setdefault(d, len(docs)) for d in doc_of], dtype=np.int64)
    return _cold_counts((), feats, doc_num, False).codes


def _count_rules() -> tuple:
    """The rules the counts kept in a :class:`MatchState` depend on."""
    return tuple(MATCH_RULES[k] for k in ("min_tokens", "probe", "max_df", "min_shared", "min_shared_rare_df"))


class _Counts:
    """The archive-wide counts of one corroboration, kept in its
    :class:`MatchState` so that the next one updates them by the claims
    added and removed instead of counting again.  Claim k (in the order of
    the call) is ``ids[k]`` (claim key and document).

    * tokens: ``thash`` the distinct token hashes (sorted), ``tdf`` their
      document frequencies, ``tstr`` their strings (to tell a hash collision
      of a new token); ``tlen[k]`` claim k's number of distinct tokens,
      ``tid`` their indexes in ``thash``, claim after claim (as ``tfh``);
    * shingles: every (hash, claim) occurrence, sorted (``sh_h``, ``sh_o``):
      document frequencies and the claims holding a shingle;
    * probes: every claim's probed shingles as (hash, claim), sorted
      (``pr_h``, ``pr_o``);
    * ``codes``: the candidate pairs ``i * n + j`` (i < j), sorted.

    A function of the claims only (the same whatever the history of the
    state it was updated from: tests/test_claims_props.py)."""

    __slots__ = ("rules", "ids", "tlen", "tid", "thash", "tdf", "tstr", "sh_h", "sh_o", "pr_h", "pr_o", "codes")

    def __init__(self, rules, ids, tlen, tid, thash, tdf, tstr, sh_h, sh_o, pr_h, pr_o, codes):
        self.rules, self.ids, self.tlen, self.tid = rules, tuple(ids), tlen, tid
        self.thash, self.tdf, self.tstr = thash, tdf, tuple(tstr)
        self.sh_h, self.sh_o, self.pr_h, self.pr_o, self.codes = sh_h, sh_o, pr_h, pr_o, codes

    def __getstate__(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state):
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)

    def __eq__(self, other):
        if not isinstance(other, _Counts):
            return NotImplemented
        same = lambda x, y: np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y  # noqa: E731
        return all(same(getattr(self, k), getattr(other, k)) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]


def _probe_select(CL: np.ndarray, DF: np.ndarray, long_enough: np.ndarray) -> np.ndarray:
    """Indexes of the probes among shingle occurrences (claims ``CL``
    ascending, each claim's shingles in the strings' order, ``DF`` their
    document frequencies, ``long_enough`` per occurrence): each claim's
    ``probe`` rarest shingles of df 2..max_df (ties: the strings' order)."""
    idx = np.flatnonzero(long_enough & (DF >= 2) & (DF <= MATCH_RULES["max_df"]))
    if not len(idx):
        return idx
    # idx ascends, i.e. is in (claim, position) order: a stable sort by
    # (claim, df) orders it by (claim, df, position)
    idx = idx[np.argsort(CL[idx] * (MATCH_RULES["max_df"] + 1) + DF[idx], kind="stable")]
    cl = CL[idx]
    first = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1]])
    rank = np.arange(len(idx)) - np.repeat(first, np.diff(np.r_[first, len(idx)]))
    return idx[rank < MATCH_RULES["probe"]]


def _keep_pairs(code: np.ndarray, very_rare: np.ndarray) -> np.ndarray:
    """Candidate codes from one entry per (pair, shared probed shingle):
    at least ``min_shared`` shared, or one of them very rare.  Sorted."""
    uniq, inv, shared = np.unique(code, return_inverse=True, return_counts=True)
    rare_hit = np.bincount(inv.reshape(-1), weights=very_rare, minlength=len(uniq)) > 0
    return uniq[(shared >= MATCH_RULES["min_shared"]) | rare_hit]


def _lengths(blobs: Iterable[bytes], count: int) -> np.ndarray:
    return np.fromiter((len(b) // 8 for b in blobs), dtype=np.int64, count=count)


def _cold_counts(ids: Sequence[str], feats: Sequence[ClaimFeatures], doc_num: np.ndarray, strings: bool = True) -> _Counts:
    """The counts of the claims, from scratch (``tstr`` only with
    ``strings``)."""
    n = len(feats)
    i64 = np.int64
    # tokens: document frequencies counted with numpy over the hashes
    tlen = _lengths((f.tfh for f in feats), n)
    th = np.frombuffer(b"".join(f.tfh for f in feats), dtype="<i8")
    thash, first, tid, tdf = np.unique(th, return_index=True, return_inverse=True, return_counts=True)
    tstr: list[str] = []
    if strings and len(thash):
        owner = np.repeat(np.arange(n, dtype=i64), tlen)[first]
        local = first - np.r_[0, np.cumsum(tlen)][owner]
        distinct: dict[int, list[str]] = {}
        for k, j in zip(owner.tolist(), local.tolist()):
            toks = distinct.get(k)
            if toks is None:
                toks = distinct[k] = list(dict.fromkeys(feats[k].toks))
            tstr.append(toks[j])
    # shingles: every occurrence, sorted by (hash, claim)
    slen = _lengths((f.shh for f in feats), n)
    H = np.frombuffer(b"".join(f.shh for f in feats), dtype="<i8")
    CL = np.repeat(np.arange(n, dtype=i64), slen)
    order = np.argsort(H, kind="stable")  # claims ascending within a hash
    sh_h, sh_o = H[order], CL[order]
    head = np.r_[True, sh_h[1:] != sh_h[:-1]] if len(H) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(head)
    counts = np.diff(np.r_[starts, len(H)])
    sid = np.empty(len(H), dtype=i64)
    sid[order] = np.cumsum(head) - 1
    DF = counts[sid]
    long_enough = np.fromiter((len(f.toks) >= MATCH_RULES["min_tokens"] for f in feats), dtype=bool, count=n)
    probes = _probe_select(CL, DF, long_enough[CL])
    # every pair of claims probing one shingle (claims ascending within a
    # shingle: i < j), then counted per pair
    S, C = sid[probes], CL[probes]
    order = np.lexsort((C, S))
    S, C = S[order], C[order]
    pr_h, pr_o = sh_h[starts[S]], C
    starts = np.flatnonzero(np.r_[True, S[1:] != S[:-1]]) if len(S) else np.zeros(0, dtype=i64)
    ends = np.r_[starts[1:], len(S)].astype(i64) if len(S) else starts
    after = np.repeat(ends, ends - starts) - np.arange(len(S)) - 1  # later claims in the same shingle group
    total = int(after.sum())
    a = np.repeat(np.arange(len(S)), after)
    b = a + 1 + np.arange(total) - np.repeat(np.cumsum(after) - after, after)
    ci, cj = C[a], C[b]
    other = doc_num[ci] != doc_num[cj]
    codes = _keep_pairs(ci[other] * n + cj[other], counts[S[a[other]]] <= MATCH_RULES["min_shared_rare_df"])
    i32 = np.int32
    return _Counts(_count_rules(), ids, tlen.astype(i32), tid.reshape(-1).astype(i32), thash, tdf, tstr,
                   sh_h, sh_o.astype(i32), pr_h, pr_o.astype(i32), codes.astype(i64))


def _insert_sorted(keys: np.ndarray, owners: np.ndarray, h: np.ndarray, o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(keys, owners) sorted by (key, owner), with the entries (h, o) added."""
    order = np.lexsort((o, h))
    h, o = h[order], o[order]
    lo = np.searchsorted(keys, h, "left")
    hi = np.searchsorted(keys, h, "right")
    pos = lo.copy()
    for k in np.flatnonzero(hi > lo).tolist():  # owners ascend within a key
        pos[k] += int(np.searchsorted(owners[lo[k] : hi[k]], o[k]))
    return np.insert(keys, pos, h), np.insert(owners, pos, o.astype(owners.dtype))


def _occurrences(keys: np.ndarray, h: np.ndarray) -> np.ndarray:
    return np.searchsorted(keys, h, "right") - np.searchsorted(keys, h, "left")


# above this share of the claims whose probes must be chosen again, counting from scratch is cheaper
_RECOUNT_SHARE = 0.25


def _update_counts(prev: _Counts, ids: Sequence[str], feats: Sequence[ClaimFeatures], doc_num: np.ndarray) -> _Counts | None:
    """The counts of the claims, updated from ``prev`` (the counts of other
    claims) by the claims added and removed; None when that is not
    possible (other rules, claims in another relative order, a token hash
    shared by two strings) or not cheaper (see ``_RECOUNT_SHARE``).

    Equal to :func:`_cold_counts`: frequencies are integers, updated by
    the added and removed occurrences; a claim's probes depend only on the
    frequencies of its own shingles, so only claims holding a shingle whose
    frequency changed, below ``max_df`` on either side, choose them again
    (the others, and the candidate pairs of two such claims, are the same);
    the pairs of the claims that chose again are found from the probes."""
    R = MATCH_RULES
    if prev.rules != _count_rules():
        return None
    n, old_n = len(feats), len(prev.ids)
    i64 = np.int64
    where = {x: k for k, x in enumerate(prev.ids)}
    o = np.fromiter((where.get(x, -1) for x in ids), dtype=i64, count=n)
    kept = o >= 0
    ok = o[kept]
    if len(ok) and (np.diff(ok) <= 0).any():  # kept claims keep their order (then so do all the sorted arrays)
        return None
    new_of_old = np.full(old_n, -1, dtype=i64)
    new_of_old[ok] = np.flatnonzero(kept)
    removed = new_of_old < 0
    added = np.flatnonzero(~kept)
    add_feats = [feats[k] for k in added.tolist()]

    # tokens
    V = len(prev.thash)
    rem_e = np.repeat(removed, prev.tlen)
    tdf = prev.tdf - np.bincount(prev.tid[rem_e], minlength=V)
    strings: dict[int, str] = {}
    for f in add_feats:
        for t, h in zip(dict.fromkeys(f.toks), np.frombuffer(f.tfh, dtype="<i8").tolist()):
            if strings.setdefault(h, t) != t:
                return None
    if strings:
        hs = np.array(list(strings), dtype=i64)
        pos = np.minimum(np.searchsorted(prev.thash, hs), max(V - 1, 0))
        if V:
            known = (prev.thash[pos] == hs) & (tdf[pos] > 0)
            ts = prev.tstr
            if any(ts[p] != strings[h] for p, h in zip(pos[known].tolist(), hs[known].tolist())):
                return None
    else:
        hs = np.zeros(0, dtype=i64)
    live = tdf > 0
    thash = np.union1d(prev.thash[live], hs)
    remap = np.full(V, -1, dtype=i64)
    remap[live] = np.searchsorted(thash, prev.thash[live])
    tdf_new = np.zeros(len(thash), dtype=i64)
    tdf_new[remap[live]] = tdf[live]
    h_add = np.frombuffer(b"".join(f.tfh for f in add_feats), dtype="<i8")
    aid = np.searchsorted(thash, h_add)
    tdf_new += np.bincount(aid, minlength=len(thash))
    tstr = np.empty(len(thash), dtype=object)
    tstr[remap[live]] = np.array(prev.tstr, dtype=object)[live] if V else []
    if len(hs):
        tstr[np.searchsorted(thash, hs)] = np.array(list(strings.values()), dtype=object)
    tlen = np.zeros(n, dtype=np.int32)
    tlen[kept] = prev.tlen[ok]
    tlen[added] = _lengths((f.tfh for f in add_feats), len(added))
    tid = np.empty(int(tlen.sum()), dtype=np.int32)
    new_e = np.repeat(~kept, tlen)
    tid[~new_e] = remap[prev.tid[~rem_e]]
    tid[new_e] = aid

    # shingle occurrences: the removed claims' out, the added claims' in
    gone = removed[prev.sh_o]
    rem_h = prev.sh_h[gone]
    sh_h, sh_o = prev.sh_h[~gone], new_of_old[prev.sh_o[~gone]].astype(np.int32)
    slen = _lengths((f.shh for f in add_feats), len(added))
    ah = np.frombuffer(b"".join(f.shh for f in add_feats), dtype="<i8")
    sh_h, sh_o = _insert_sorted(sh_h, sh_o, ah, np.repeat(added, slen))
    # claims that choose their probes again: the added ones, and those
    # holding a shingle whose frequency changed (at or below max_df on either side)
    touched = np.unique(np.r_[rem_h, ah])
    before, after = _occurrences(prev.sh_h, touched), _occurrences(sh_h, touched)
    changed = touched[(before != after) & (np.minimum(before, after) <= R["max_df"])]
    lo = np.searchsorted(sh_h, changed, "left")
    cnt = np.searchsorted(sh_h, changed, "right") - lo
    holders = sh_o[np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))]
    again = np.unique(np.r_[holders.astype(i64), added])
    if len(again) > _RECOUNT_SHARE * n:
        return None
    redo = np.zeros(n, dtype=bool)
    redo[again] = True

    # their probes
    af = [feats[k] for k in again.tolist()]
    alen = _lengths((f.shh for f in af), len(af))
    H = np.frombuffer(b"".join(f.shh for f in af), dtype="<i8")
    CL = np.repeat(again, alen)
    DF = _occurrences(sh_h, H)
    long_enough = np.fromiter((len(f.toks) >= R["min_tokens"] for f in af), dtype=bool, count=len(af))
    probes = _probe_select(CL, DF, np.repeat(long_enough, alen))
    ph, pc, pdf = H[probes], CL[probes], DF[probes]
    drop = removed[prev.pr_o]
    pr_h, pr_o = prev.pr_h[~drop], new_of_old[prev.pr_o[~drop]]
    stay = ~redo[pr_o]
    pr_h, pr_o = _insert_sorted(pr_h[stay], pr_o[stay].astype(np.int32), ph, pc)

    # candidate pairs: those of two claims that kept their probes stay; the
    # others come from the new probes
    ci, cj = np.divmod(prev.codes, max(old_n, 1))
    ni, nj = new_of_old[ci], new_of_old[cj]
    still = (ni >= 0) & (nj >= 0)
    still[still] = ~redo[ni[still]] & ~redo[nj[still]]
    old_codes = ni[still] * n + nj[still]  # sorted: the order of the kept claims is kept
    lo = np.searchsorted(pr_h, ph, "left")
    cnt = np.searchsorted(pr_h, ph, "right") - lo
    a = np.repeat(pc, cnt)
    b = pr_o[np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))].astype(i64)
    rare = np.repeat(pdf <= R["min_shared_rare_df"], cnt)
    # each pair once: from the side that chose again (the smaller one when both did)
    take = (doc_num[a] != doc_num[b]) & (~redo[b] | (a < b))
    a, b, rare = a[take], b[take], rare[take]
    new_codes = _keep_pairs(np.minimum(a, b) * n + np.maximum(a, b), rare)
    codes = np.sort(np.r_[old_codes, new_codes].astype(i64), kind="stable")
    return _Counts(prev.rules, ids, tlen, tid, thash, tdf_new, tstr.tolist(), sh_h, sh_o, pr_h, pr_o, codes)


# a margin far above the difference between two summation orders of a
# cosine (relative error < 1e-13 for claims of up to ~1,000 distinct words)
_COS_MARGIN = 1e-9


def _token_hashes_distinct(feats: Sequence[ClaimFeatures], n_hashes: int) -> bool:
    """Do distinct content tokens have distinct 64-bit hashes (then two
    claims share a token exactly when they share its hash)?"""
    return len(frozenset().union(*(f.tokset for f in feats))) == n_hashes


def _cosines(
    I: np.ndarray, J: np.ndarray, lens: np.ndarray, start: np.ndarray, tok: np.ndarray, W: np.ndarray, V: int
) -> tuple[np.ndarray, np.ndarray]:
    """TF-IDF cosines of the claim pairs (I[k], J[k]) from flat arrays
    (claim k's distinct tokens are ``tok[start[k]:start[k+1]]`` with weights
    ``W[...]``; ``V`` tokens in all), and the numbers of tokens they share.
    Summed in another order than :func:`_cosine`: equal to it within a
    relative 1e-13, not bit for bit."""
    m = len(lens)
    owner = np.repeat(np.arange(m, dtype=np.int64), lens)
    keyv = owner * V + tok
    order = np.argsort(keyv, kind="stable")  # keys are distinct (a claim holds each token once); runs of claims
    K = keyv[order]
    norms = np.sqrt(np.bincount(owner, weights=W * W, minlength=m))
    out = np.zeros(len(I), dtype=np.float64)
    shared = np.zeros(len(I), dtype=np.int64)
    # look up the shorter claim's tokens in the longer one, the pairs in
    # the order of the longer one (the lookups then ascend, mostly: cheaper)
    swap = lens[I] > lens[J]
    A, B = np.where(swap, J, I), np.where(swap, I, J)
    by_b = np.argsort(B, kind="stable")
    step = 1 << 17
    for c0 in range(0, len(I), step):
        sel = by_b[c0 : c0 + step]
        a, b = A[sel], B[sel]
        cnt = lens[a]
        P = np.repeat(np.arange(len(a), dtype=np.int64), cnt)
        e = np.repeat(start[a] - (np.cumsum(cnt) - cnt), cnt) + np.arange(len(P), dtype=np.int64)
        q = b[P] * V + tok[e]
        pos = np.minimum(np.searchsorted(K, q), len(K) - 1)
        hit = K[pos] == q
        dot = np.bincount(P[hit], weights=W[e[hit]] * W[order[pos[hit]]], minlength=len(a))
        den = norms[a] * norms[b]
        part = np.zeros(len(a), dtype=np.float64)
        np.divide(dot, den, out=part, where=den > 0)
        out[sel] = part
        shared[sel] = np.bincount(P[hit], minlength=len(a))
    return out, shared


def _cosines_decide(cos: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Which pairs :func:`pair_score` scores from the cosine alone
    (``cos >= MATCH_RULES["cosine"]``: ``round(min(1, cos), 4)``) whatever
    the order of the cosine's summation: the cosine is more than
    ``_COS_MARGIN`` above the threshold and that far from every
    rounding boundary of ``round(., 4)`` (at and above 0.99995 + 2 margins
    the score is 1.0: identical claims have a cosine of 1 give or take a
    rounding error); and those pairs' scores."""
    c = cos
    t = c * 1e4
    frac = t - np.floor(t)
    away = np.abs(frac - 0.5) > _COS_MARGIN * 1e5  # 1e-9 of a cosine is 1e-5 of a 4th decimal: 10x that
    fast = (c >= MATCH_RULES["cosine"] + _COS_MARGIN) & ((c >= 0.99995 + 2 * _COS_MARGIN) | away)
    return fast, [round(min(1.0, x), 4) for x in c[fast].tolist()]


def _decide_below(
    cos: np.ndarray, shared: np.ndarray, small: np.ndarray, same_speaker: np.ndarray, pair_feats: Sequence[list]
) -> tuple[np.ndarray, list[float]]:
    """:func:`pair_score` of pairs whose cosine is below ``cosine`` (by more
    than the margin), from their cached pair features, vectorised: the same
    operations on the same values.  ``shared``: tokens in common; ``small``:
    the smaller claim's number of distinct tokens; ``same_speaker``: both
    claims have the same speaker.

    A pair is decided here only when everything :func:`pair_score` would
    read of its features is known, no threshold of the cosine lies within
    ``_COS_MARGIN`` of it, and the score is the same at both ends of that
    margin (the score does not decrease with the cosine, so it is then the
    score of any cosine in between, the exact one included).  Returns
    (decided, their scores)."""
    R = MATCH_RULES
    run = np.array([-1 if f[_RUN] is None else f[_RUN] for f in pair_feats], dtype=np.int64)
    ts = np.array([-1 if f[_TOKEN_SET] is None else f[_TOKEN_SET] for f in pair_feats], dtype=np.float64)
    qu = np.array([-1.0 if f[_QUOTE] is None else f[_QUOTE] for f in pair_feats], dtype=np.float64)
    d = _COS_MARGIN
    ok = (run >= 0) & (np.abs(cos - R["speaker_cosine"]) > d) & (np.abs(cos - R["cosine_fuzzy"]) > d)
    ok &= cos < R["cosine"] - d
    base = np.where(run >= R["run"], np.minimum(0.95, 0.45 + 0.05 * run), 0.0)
    by_speaker = same_speaker & (cos >= R["speaker_cosine"]) & (run >= R["speaker_run"])
    fuzzy = (cos >= R["cosine_fuzzy"]) & (shared / np.maximum(1, small) >= 0.5)
    ok &= ~fuzzy | (ts >= 0)  # token_set_ratio known where it is read
    by_ts = fuzzy & (ts >= R["token_set"])

    def best(x: np.ndarray) -> np.ndarray:
        b = np.where(by_speaker, np.maximum(base, x + 0.2), base)
        return np.where(by_ts, np.maximum(b, (x + ts / 100.0) / 2), b)

    lo, hi = best(cos - d), best(cos + d)
    # the quotation is read when the best so far is below 0.9 (it scores 0.9
    # at most, so max(best, quote) is the score whenever it is known)
    ok &= (lo >= 0.9) | (qu >= 0)
    lo = np.where(qu >= 0, np.maximum(lo, qu), lo)
    hi = np.where(qu >= 0, np.maximum(hi, qu), hi)
    idx = np.flatnonzero(ok)
    los = [round(x, 4) for x in lo[idx].tolist()]
    his = [round(x, 4) for x in hi[idx].tolist()]
    same = np.array([a == b for a, b in zip(los, his)], dtype=bool)
    ok[idx[~same]] = False
    return ok, [x for x, y in zip(los, same.tolist()) if y]


def _match_records(
    claims: Sequence[Claim],
    doc_of: Sequence[str],
    doc_num: np.ndarray,
    SI: np.ndarray,
    SJ: np.ndarray,
    SS: np.ndarray,
    cluster: Mapping[str, str],
    reprints: set[tuple[str, str]],
) -> tuple[ClaimMatch, ...]:
    """The matches (i, j, score) kept, as records both ways: for each
    claim in id order, its matches by (-score, other doc, other claim);
    ``relation`` and ``independent`` as :func:`corroborate_incremental`
    says.  ``doc_num``: the claims' documents numbered in the documents'
    order."""
    n = len(claims)
    ids = [c.id for c in claims]
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[sorted(range(n), key=ids.__getitem__)] = np.arange(n, dtype=np.int64)
    X, Y, S = np.r_[SI, SJ], np.r_[SJ, SI], np.r_[SS, SS]
    o = np.lexsort((id_rank[Y], doc_num[Y], -S, id_rank[X]))
    X, Y, S = X[o], Y[o], S[o]
    dX, dY = doc_num[X], doc_num[Y]
    # the documents' clusters (by canonical) and reprints, as numbers
    names: list[str] = []
    for d in doc_of:
        if not names or names[-1] != d:
            names.append(d)
    canon: dict[str, int] = {}
    cnum = np.array([canon.setdefault(cluster.get(d, d), len(canon)) for d in names], dtype=np.int64)
    D = len(names)
    num = {d: k for k, d in enumerate(names)}
    rep = np.array(sorted(num[a] * D + num[b] for a, b in reprints), dtype=np.int64)
    version = (dX == dY) | (cnum[dX] == cnum[dY])
    reprint = ~version & in_sorted(np.minimum(dX, dY) * D + np.maximum(dX, dY), rep)
    independent = ~version & ~reprint
    # independent: the first match of each independent source; a source
    # is a cluster, and a document that reprints one already counted is not
    # one: claims with independent matches in two documents that reprint
    # one another are counted one by one below
    new = np.zeros(len(X), dtype=bool)
    mixed = np.zeros(n, dtype=bool)
    if reprints:
        ra = np.array([num[a] for a, b in reprints] + [num[b] for a, b in reprints], dtype=np.int64)
        rb = np.r_[ra[len(reprints) :], ra[: len(reprints)]]
        po = np.argsort(ra, kind="stable")
        ra, rb = ra[po], rb[po]
        ind = np.flatnonzero(independent)
        seen = X[ind] * D + dY[ind]
        lo = np.searchsorted(ra, dY[ind], "left")
        cnt = np.searchsorted(ra, dY[ind], "right") - lo
        xe = np.repeat(X[ind], cnt)
        partner = rb[np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(int(cnt.sum()))]
        mixed[xe[in_sorted(xe * D + partner, np.sort(seen))]] = True
    simple = np.flatnonzero(independent & ~mixed[X])
    _, first = np.unique(X[simple] * len(canon) + cnum[dY[simple]], return_index=True)
    new[simple[first]] = True
    if mixed.any():
        reprint_of: dict[int, set[int]] = defaultdict(set)
        for a, b in reprints:
            reprint_of[num[a]].add(num[b])
            reprint_of[num[b]].add(num[a])
        counted: set[int] = set()
        counted_clusters: set[int] = set()
        last = -1
        for e in np.flatnonzero(independent & mixed[X]).tolist():
            x, d = int(X[e]), int(dY[e])
            if x != last:
                counted, counted_clusters, last = set(), set(), x
            cl = int(cnum[d])
            if cl not in counted_clusters and reprint_of[d].isdisjoint(counted):
                new[e] = True
                counted.add(d)
                counted_clusters.add(cl)
    rel = np.where(version, 0, np.where(reprint, 1, 2))
    id_arr = np.array(ids, dtype=object)
    doc_arr = np.array(names, dtype=object)
    relations = np.array(["version", "reprint", "independent"], dtype=object)
    return tuple(
        map(
            ClaimMatch,
            id_arr[X].tolist(),
            doc_arr[dY].tolist(),
            id_arr[Y].tolist(),
            S.tolist(),
            new.tolist(),
            relations[rel].tolist(),
        )
    )


@dataclass(frozen=True, slots=True)
class MatchState:
    """What corroboration carries from one build to the next: the parts of
    the pair scores that depend on the two claims only (by the pair of
    :func:`claim_key`, in order; the claims' own features come with the
    claims, see :func:`claim_features`); and the archive-wide counts
    (:class:`_Counts`: document frequencies, probes, candidate pairs), which
    the next call updates by the claims added and removed, to the values a
    count from scratch gives.  What depends on the archive's size (the
    cosines) and on all the scores (the mutual best matches, reprints,
    relations) is recomputed, so the matches never depend on the history."""

    pairs: Mapping[tuple[str, str], tuple]
    # the archive-wide counts, updated by the next call instead of counted
    # again (the same values: see _Counts); not compared
    counts: _Counts | None = field(default=None, compare=False, repr=False)


def corroborate(claims: Sequence[Claim], versions: Versions) -> tuple[ClaimMatch, ...]:
    """See :func:`corroborate_incremental` (which also returns the state to carry)."""
    return corroborate_incremental(claims, versions)[0]


def corroborate_incremental(
    claims: Sequence[Claim],
    versions: Versions,
    previous: MatchState | None = None,
    features: Sequence[ClaimFeatures] | None = None,
    workers: int = -1,
) -> tuple[tuple[ClaimMatch, ...], MatchState]:
    """For each claim, the claims of *other* articles that carry the same or
    a closely matching claim.  Symmetric (x matches y <=> y matches x, same
    score) and deterministic (independent of the input order).

    ``relation`` is how the two *articles* relate (symmetric): ``version``
    (same Versions cluster), ``reprint`` (near-identical sentence sequence,
    see :func:`reprint_pairs`) or ``independent``.  ``independent`` says
    whether the match adds an independent source from this claim's side:
    only for ``relation == "independent"``, and only the best match of each
    source (further matches in the same article, or in a version / reprint
    of an article already counted, are shown but not counted).

    ``features[k]`` (optional) is ``claim_features(claims[k])``, cached by
    the caller; ``previous`` is the state returned by an earlier call (any
    earlier call): the result is the same with or without either, and
    whatever the number of ``workers`` (threads scoring quotations; -1: one
    per core)."""
    if features is None or len(features) != len(claims):
        tokens = _content_tokens_memo({})
        features = [claim_features(c, tokens) for c in claims]
    paired = sorted(zip(claims, features), key=lambda x: (x[0].doc_id, x[0].block, x[0].start, x[0].id))
    # one claim per id (the pipeline never repeats ids; be safe)
    uniq: dict[str, tuple[Claim, ClaimFeatures]] = {}
    for c, f in paired:
        uniq.setdefault(c.id, (c, f))
    claims = [c for c, _ in uniq.values()]
    feats = [f for _, f in uniq.values()]
    old_pairs = previous.pairs if previous is not None else {}
    keys = [f.key for f in feats]
    n = len(claims)
    doc_of = [c.doc_id for c in claims]
    # the archive-wide counts (see _Counts), updated from the previous
    # state's when it has them
    docs: dict[str, int] = {}
    doc_num = np.array([docs.setdefault(d, len(docs)) for d in doc_of], dtype=np.int64)
    ids = [f"{k}\x00{d}" for k, d in zip(keys, doc_of)]
    counts = None
    kept_counts = getattr(previous, "counts", None)  # (a state pickled before there were counts has none)
    if kept_counts is not None:
        counts = _update_counts(kept_counts, ids, feats, doc_num)
    distinct = counts is not None  # an update tells hash collisions of the new tokens
    if counts is None:
        counts = _cold_counts(ids, feats, doc_num)
        distinct = _token_hashes_distinct(feats, len(counts.tdf))
    # TF-IDF vectors over content words, as flat arrays: claim k's distinct
    # tokens (in order of first occurrence) are entries start[k]:start[k+1]
    # (idf = log((n + 1) / (df + 1)) + 1 for each distinct frequency)
    lens = counts.tlen.astype(np.int64)
    start = np.r_[0, np.cumsum(lens)].astype(np.int64)
    tinv = counts.tid.astype(np.int64)
    tcounts = counts.tdf
    dfs = np.unique(tcounts)
    idf_of_df = np.array([math.log((n + 1) / (d + 1)) + 1.0 for d in dfs.tolist()], dtype=np.float64)
    idf_e = idf_of_df[np.searchsorted(dfs, tcounts)][tinv]
    # weight = (1 + log tf) * idf, one IEEE multiplication as in Python
    W = np.frombuffer(b"".join(f.tfw for f in feats), dtype="<f8") * idf_e
    preps: dict[int, _Prepared] = {}
    sqrt = math.sqrt

    def prep(k: int) -> _Prepared:
        """The claim's vector as the plain computation builds it (for the
        pairs scored one by one)."""
        p = preps.get(k)
        if p is None:
            p = preps[k] = _Prepared(claims[k], features=feats[k])
            vec = dict.fromkeys(p.toks)
            for t, w in zip(vec, W[start[k] : start[k + 1]].tolist()):
                vec[t] = w
            p.vec = vec
            p.norm2 = sqrt(sum([v * v for v in vec.values()]))
        return p

    pair_feats: dict[tuple[str, str], list] = {}

    def feats_of(i: int, j: int) -> list:
        key = (keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i])
        f = pair_feats.get(key)
        if f is None:
            old = old_pairs.get(key)
            f = pair_feats[key] = list(old) if old is not None else [None, None, None, None]
        return f

    def feats_many(I: list[int], J: list[int]) -> list[list]:
        """[feats_of(i, j) for i, j in zip(I, J)], inlined."""
        out = []
        for a, b in zip(map(keys.__getitem__, I), map(keys.__getitem__, J)):
            key = (a, b) if a < b else (b, a)
            f = pair_feats.get(key)
            if f is None:
                old = old_pairs.get(key)
                f = pair_feats[key] = list(old) if old is not None else [None, None, None, None]
            out.append(f)
        return out

    codes = counts.codes
    CI, CJ = codes // max(n, 1), codes % max(n, 1)
    # every candidate's score: the pairs whose cosine alone decides it, with
    # a margin no rounding difference can cross, from numpy; the others by
    # pair_score, one by one (see _cosines_decide)
    score = np.zeros(len(codes), dtype=np.float64)
    fast = np.zeros(len(codes), dtype=bool)
    if len(codes) and distinct:
        cos, shared = _cosines(CI, CJ, lens, start, tinv, W, len(tcounts))
        fast, fast_score = _cosines_decide(cos)
        score[fast] = fast_score
        fast |= shared == 0  # no token in common: 0 (distinct tokens have distinct hashes)
        # below the threshold: from the pairs' cached features (the pairs
        # pair_score reads features of, so the state is the same)
        below = np.flatnonzero(~fast & (cos < MATCH_RULES["cosine"] - _COS_MARGIN))
        if len(below):
            bi, bj = CI[below], CJ[below]
            spk: dict[str, int] = {}
            sid = np.array([spk.setdefault(f.speaker, len(spk)) if f.speaker else -1 for f in feats], dtype=np.int64)
            ntok = np.array([len(f.tokset) for f in feats], dtype=np.int64)
            pf = feats_many(bi.tolist(), bj.tolist())
            ok, sc = _decide_below(
                cos[below], shared[below], np.minimum(ntok[bi], ntok[bj]), (sid[bi] >= 0) & (sid[bi] == sid[bj]), pf
            )
            score[below[ok]] = sc
            fast[below[ok]] = True
    slow = np.flatnonzero(~fast)
    si, sj = CI[slow].tolist(), CJ[slow].tolist()
    # pair_score one by one, but the quotations it still needs scored in one
    # batch, on every core: the same scores, the same features kept
    quoted: list[tuple[int, int, int, float, list]] = []
    for k, i, j in zip(slow.tolist(), si, sj):
        best, f = _score_before_quote(prep(i), prep(j), lambda: feats_of(i, j))  # noqa: B023 - called at once
        if f is None:
            score[k] = best
        elif f[_QUOTE] is not None:
            score[k] = round(max(best, f[_QUOTE]), 4)
        else:
            quoted.append((k, i, j, best, f))
    for (k, i, j, best, f), q in zip(quoted, _quote_scores([(prep(i), prep(j)) for _, i, j, _, _ in quoted], workers)):
        f[_QUOTE] = q
        score[k] = round(max(best, q), 4)
    nz = np.flatnonzero(score > 0)
    SI, SJ, SS = CI[nz], CJ[nz], score[nz]
    # keep the mutual best ``max_matches`` per claim (symmetric cap): only
    # claims with more matches than that lose any
    k = MATCH_RULES["max_matches"]
    degree = np.bincount(SI, minlength=n) + np.bincount(SJ, minlength=n)
    if n and degree.max(initial=0) > k:
        scored = list(zip(SI.tolist(), SJ.tolist(), SS.tolist()))
        over = degree > k
        per: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
        for i, j, s in scored:
            if over[i]:
                per[i].append((-s, claims[j].id, j))
            if over[j]:
                per[j].append((-s, claims[i].id, i))
        top = {i: {j for _, _, j in nsmallest(k, v)} for i, v in per.items()}
        keep = np.array(
            [(not over[i] or j in top[i]) and (not over[j] or i in top[j]) for i, j, _ in scored], dtype=bool
        )
        SI, SJ, SS = SI[keep], SJ[keep], SS[keep]
    kept = list(zip(SI.tolist(), SJ.tolist(), SS.tolist()))

    cluster = {}
    for c in versions.clusters:
        for m in c.members:
            cluster[m] = c.canonical
    # the reprint test asks whether each kept pair is near-identical: the
    # answers not in the state yet in one batch on ``workers`` threads (the
    # same fuzz.ratio values as near_identical's, for the same pairs), then
    # the test over the near-identical pairs alone (it skips the others)
    kf = feats_many(SI.tolist(), SJ.tolist())
    unknown = [(f, i, j) for f, (i, j, _) in zip(kf, kept) if f[_NEAR] is None]
    if unknown:
        ratios = process.cpdist(
            [prep(i).norm for _, i, _ in unknown], [prep(j).norm for _, _, j in unknown],
            scorer=fuzz.ratio, dtype=np.float64, workers=workers,
        ).tolist()
        for (f, _, _), r in zip(unknown, ratios):
            if f[_NEAR] is None:
                f[_NEAR] = r >= MATCH_RULES["near_identical"]
    near_pairs = [p for p, f in zip(kept, kf) if f[_NEAR]]
    reprints = reprint_pairs(near_pairs, claims, (), lambda i, j: True)
    out = _match_records(claims, doc_of, doc_num, SI, SJ, SS, cluster, reprints)
    state = MatchState(pairs={k: tuple(v) for k, v in pair_feats.items()}, counts=counts if distinct else None)
    return out, state


# ------------------------------------------------------------ anchor_notes


def anchor_notes(
    notes: Sequence[Note],
    claims: Sequence[Claim],
    features: Sequence[ClaimFeatures] | None = None,
) -> tuple[AnchoredNote, ...]:
    """Attach each curator note to a claim: by id when it still exists
    (``how="id"``), else by fuzzy match of the note's quote over the claims
    (``how="quote"``, with the score), else orphaned (``claim_id=None``,
    ``how="orphan"``).  Notes are never dropped; output order = input order.

    ``features[k]`` (optional) is ``claim_features(claims[k])``: its content
    tokens are then not computed again.  Only the words of the notes'
    quotes are indexed, and only the candidates are normalised, so a build
    with a few notes does not tokenise every claim."""
    by_id: dict[str, int] = {}  # claim id -> index of its last occurrence (as a dict of claims keeps the last)
    for k, c in enumerate(claims):
        by_id[c.id] = k
    queries: dict[int, tuple[str, set[str]]] = {}
    for n, note in enumerate(notes):
        if note.claim_id and note.claim_id.strip() in by_id:
            continue
        if note.quote and (q := normalise(note.quote)):
            queries[n] = (q, set(content_tokens(note.quote)))
    # the quotes' words -> the claims holding them (one entry per claim id)
    index: dict[str, list[int]] = defaultdict(list)
    wanted = frozenset().union(*(qt for _, qt in queries.values()))
    if wanted:
        if features is None or len(features) != len(claims):
            tokens = _content_tokens_memo({})
            toksets: Callable[[int], Iterable[str]] = lambda k: tokens(claims[k].text)  # noqa: E731
        else:
            toksets = lambda k: features[k].tokset  # noqa: E731
        for k in by_id.values():
            for t in wanted.intersection(toksets(k)):
                index[t].append(k)
    out: list[AnchoredNote] = []
    for n, note in enumerate(notes):
        if n not in queries:
            if note.claim_id and note.claim_id.strip() in by_id:
                out.append(AnchoredNote(note, note.claim_id.strip(), "id", 1.0))
            else:
                out.append(AnchoredNote(note, None, "orphan", 0.0))
            continue
        best: tuple[float, str] | None = None
        q, qt = queries[n]
        hits: dict[int, float] = defaultdict(float)
        for t in qt:  # the same order of additions per claim as an index over every claim
            post = index.get(t, ())
            w = 1.0 / (1 + len(post))  # rare words weigh more
            for k in post:
                hits[k] += w
        cands = sorted(hits, key=lambda k: (-hits[k], claims[k].id))[: NOTE_RULES["candidates"]]
        for k in cands:
            t = normalise(claims[k].text)
            sc = fuzz.partial_ratio(q, t) if len(q) <= len(t) else fuzz.partial_ratio(t, q) * min(1.0, len(t) / len(q))
            key = (sc, claims[k].id)
            if sc >= NOTE_RULES["partial"] and (best is None or sc > best[0] or (sc == best[0] and claims[k].id < best[1])):
                best = key
        if best is not None:
            out.append(AnchoredNote(note, best[1], "quote", round(best[0] / 100.0, 4)))
        else:
            out.append(AnchoredNote(note, None, "orphan", 0.0))
    return tuple(out)
