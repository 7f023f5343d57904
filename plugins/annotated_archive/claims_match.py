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
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz

from .claims_text import _WORD, ALL_STOPWORDS, content_tokens, normalise, quoted_spans, stem
from .models import AnchoredNote, Claim, ClaimMatch, Note, Versions

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


@dataclass(frozen=True, slots=True)
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
    from ``lo`` words up; 0 below ``lo``)."""
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


def _quote_score(a: _Prepared, b: _Prepared) -> float:
    """Best verbatim quotation of one claim found in the other (0.9 at most)."""
    best = 0.0
    cut = MATCH_RULES["quote_partial"]
    for qa, tb in [*((q, b.norm) for q in a.quotes), *((q, a.norm) for q in b.quotes)]:
        pr = fuzz.partial_ratio(qa, tb, score_cutoff=cut) if len(qa) <= len(tb) else fuzz.partial_ratio(tb, qa, score_cutoff=cut)
        if pr >= cut:
            best = max(best, pr / 100.0 * 0.9)
    return best


def pair_score(a: _Prepared, b: _Prepared, feats: list | Callable[[], list] | None = None) -> float:
    """Symmetric confirmation score in 0..1 (0 = not the same claim).

    Only the TF-IDF cosine depends on the rest of the archive; ``feats``
    (``[run, token_set, quote, near]``, None = unknown, or a function
    returning that list) carries the parts that depend on the two claims
    only, filled in when first needed."""
    common = a.tokset & b.tokset
    if not common:
        return 0.0
    cos = _cosine(a, b, common)
    if cos >= MATCH_RULES["cosine"]:
        return round(min(1.0, cos), 4)
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
        if feats[_QUOTE] is None:
            feats[_QUOTE] = _quote_score(a, b)
        best = max(best, feats[_QUOTE])
    return round(best, 4)


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
    n = len(preps)
    if n < 2:
        return set()
    # document frequency of every shingle, per occurrence (claims hold each once)
    lens = np.fromiter((len(p.f.shh) // 8 for p in preps), dtype=np.int64, count=n)
    H = np.frombuffer(b"".join(p.f.shh for p in preps), dtype="<i8")
    if not len(H):
        return set()
    CL = np.repeat(np.arange(n, dtype=np.int64), lens)
    POS = np.arange(len(H), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)  # the strings' order
    _, sid, counts = np.unique(H, return_inverse=True, return_counts=True)
    DF = counts[sid]
    # each claim's probes: its ``probe`` rarest shingles of df 2..max_df (ties: the strings' order)
    long_enough = np.fromiter((len(p.toks) >= MATCH_RULES["min_tokens"] for p in preps), dtype=bool, count=n)
    idx = np.flatnonzero(long_enough[CL] & (DF >= 2) & (DF <= MATCH_RULES["max_df"]))
    if not len(idx):
        return set()
    idx = idx[np.lexsort((POS[idx], DF[idx], CL[idx]))]
    cl = CL[idx]
    first = np.flatnonzero(np.r_[True, cl[1:] != cl[:-1]])
    rank = np.arange(len(idx)) - np.repeat(first, np.diff(np.r_[first, len(idx)]))
    probes = idx[rank < MATCH_RULES["probe"]]
    # every pair of claims probing one shingle (claims ascending within a
    # shingle: i < j), then counted per pair
    S = sid[probes].astype(np.int64)
    C = CL[probes]
    order = np.lexsort((C, S))
    S, C = S[order], C[order]
    starts = np.flatnonzero(np.r_[True, S[1:] != S[:-1]])
    ends = np.r_[starts[1:], len(S)]
    after = np.repeat(ends, ends - starts) - np.arange(len(S)) - 1  # later claims in the same shingle group
    total = int(after.sum())
    if not total:
        return set()
    a = np.repeat(np.arange(len(S)), after)
    b = a + 1 + np.arange(total) - np.repeat(np.cumsum(after) - after, after)
    docs: dict[str, int] = {}
    doc_num = np.array([docs.setdefault(d, len(docs)) for d in doc_of], dtype=np.int64)
    ci, cj = C[a], C[b]
    other = doc_num[ci] != doc_num[cj]
    ci, cj = ci[other], cj[other]
    very_rare = counts[S[a[other]]] <= MATCH_RULES["min_shared_rare_df"]
    code = ci * n + cj
    uniq, inv, shared = np.unique(code, return_inverse=True, return_counts=True)
    rare_hit = np.bincount(inv, weights=very_rare, minlength=len(uniq)) > 0
    keep = uniq[(shared >= MATCH_RULES["min_shared"]) | rare_hit]
    return set(zip((keep // n).tolist(), (keep % n).tolist()))


@dataclass(frozen=True, slots=True)
class MatchState:
    """What corroboration carries from one build to the next: the parts of
    the pair scores that depend on the two claims only (by the pair of
    :func:`claim_key`, in order; the claims' own features come with the
    claims, see :func:`claim_features`).  Everything that depends on the
    whole archive (document frequencies, candidates, cosines, the mutual
    best matches, reprints, relations) is recomputed, so the matches never
    depend on the history."""

    pairs: Mapping[tuple[str, str], tuple]


def corroborate(claims: Sequence[Claim], versions: Versions) -> tuple[ClaimMatch, ...]:
    """See :func:`corroborate_incremental` (which also returns the state to carry)."""
    return corroborate_incremental(claims, versions)[0]


def corroborate_incremental(
    claims: Sequence[Claim],
    versions: Versions,
    previous: MatchState | None = None,
    features: Sequence[ClaimFeatures] | None = None,
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
    earlier call): the result is the same with or without either."""
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
    preps = [_Prepared(c, features=f) for c, f in zip(claims, feats)]
    pair_feats: dict[tuple[str, str], list] = {}

    def feats_of(i: int, j: int) -> list:
        key = (keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i])
        f = pair_feats.get(key)
        if f is None:
            old = old_pairs.get(key)
            f = pair_feats[key] = list(old) if old is not None else [None, None, None, None]
        return f

    def near(i: int, j: int) -> bool:
        f = feats_of(i, j)
        if f[_NEAR] is None:
            f[_NEAR] = near_identical(preps[i], preps[j])
        return f[_NEAR]

    doc_of = [c.doc_id for c in claims]
    # TF-IDF vectors over content words
    # (document frequencies counted with numpy over the tokens' hashes;
    # idf = log((n + 1) / (df + 1)) + 1 for each distinct frequency)
    n = len(preps)
    th = np.frombuffer(b"".join(f.tfh for f in feats), dtype="<i8")
    _, tinv, tcounts = np.unique(th, return_inverse=True, return_counts=True)
    idf_of = {d: math.log((n + 1) / (d + 1)) + 1.0 for d in set(tcounts.tolist())}
    idf_e = np.array([idf_of[d] for d in tcounts[tinv].tolist()], dtype=np.float64)
    # weight = (1 + log tf) * idf, one IEEE multiplication as in Python
    weights = (np.frombuffer(b"".join(f.tfw for f in feats), dtype="<f8") * idf_e).tolist()
    sqrt = math.sqrt
    pos = 0
    for p in preps:
        vec = dict.fromkeys(p.toks)
        m = len(vec)
        for t, w in zip(vec, weights[pos : pos + m]):
            vec[t] = w
        pos += m
        p.vec = vec
        p.norm2 = sqrt(sum([v * v for v in vec.values()]))
    scored: list[tuple[int, int, float]] = []
    for i, j in sorted(candidate_pairs(preps, doc_of)):
        s = pair_score(preps[i], preps[j], lambda: feats_of(i, j))  # noqa: B023 - called at once
        if s > 0:
            scored.append((i, j, s))
    # keep the mutual best ``max_matches`` per claim (symmetric cap)
    k = MATCH_RULES["max_matches"]
    per: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
    for i, j, s in scored:
        per[i].append((-s, claims[j].id, j))
        per[j].append((-s, claims[i].id, i))
    top = {i: {j for _, _, j in (nsmallest(k, v) if len(v) > k else v)} for i, v in per.items()}
    kept = [(i, j, s) for i, j, s in scored if j in top[i] and i in top[j]]

    cluster = {}
    for c in versions.clusters:
        for m in c.members:
            cluster[m] = c.canonical
    reprints = reprint_pairs(kept, claims, preps, near)

    def related(d1: str, d2: str) -> str | None:
        if d1 == d2:
            return "version"
        if cluster.get(d1, d1) == cluster.get(d2, d2):
            return "version"
        if (min(d1, d2), max(d1, d2)) in reprints:
            return "reprint"
        return None

    memo: dict[tuple[str, str], str | None] = {}

    def related_memo(d1: str, d2: str) -> str | None:
        key = (d1, d2)
        if key not in memo:
            memo[key] = related(d1, d2)
        return memo[key]

    # per claim: (-score, other doc, other claim id, other index), sorted
    by_claim: dict[int, list[tuple[float, str, str, int]]] = defaultdict(list)
    for i, j, s in kept:
        by_claim[i].append((-s, doc_of[j], claims[j].id, j))
        by_claim[j].append((-s, doc_of[i], claims[i].id, i))
    out: list[ClaimMatch] = []
    # claims in id order, each one's matches by (-score, doc, claim): the
    # output order (claim id, -score, doc, claim) without a final sort
    for i in sorted(by_claim, key=lambda x: claims[x].id):
        me = claims[i]
        counted: list[str] = []  # one document per independent source already counted
        for neg, other_doc, other_id, _ in sorted(by_claim[i]):
            rel = related_memo(me.doc_id, other_doc) or "independent"
            new_source = rel == "independent" and not any(related_memo(d, other_doc) for d in counted)
            if new_source:
                counted.append(other_doc)
            out.append(ClaimMatch(me.id, other_doc, other_id, -neg, new_source, rel))
    state = MatchState(pairs={k: tuple(v) for k, v in pair_feats.items()})
    return tuple(out), state


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
        if note.quote and normalise(note.quote):
            queries[n] = (normalise(note.quote), set(content_tokens(note.quote)))
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
