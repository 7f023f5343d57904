"""The cheaper corroboration and note anchoring of a rebuild ("Speed, third
round" in docs/claims.md) give exactly what the straightforward computation
gives.  The references below are the code before that round, verbatim: every
claim's TF-IDF vector as a dict and every candidate pair scored by
``pair_score``; an index of every claim's content words for the notes."""

from __future__ import annotations

import dataclasses
import math
import random
from collections import defaultdict
from heapq import nsmallest
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq
from test_claims_props import SENT, make_doc
from test_cross_incremental import _pool

from annotated_archive import claims_match as cm
from annotated_archive import pipeline
from annotated_archive.claims import extract_claims
from annotated_archive.claims_text import content_tokens, normalise
from annotated_archive.models import ClaimMatch, Cluster, Note, Versions

SET = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------ references


def reference_corroborate(claims, versions, previous=None, features=None):
    if features is None or len(features) != len(claims):
        tokens = cm._content_tokens_memo({})
        features = [cm.claim_features(c, tokens) for c in claims]
    paired = sorted(zip(claims, features), key=lambda x: (x[0].doc_id, x[0].block, x[0].start, x[0].id))
    uniq = {}
    for c, f in paired:
        uniq.setdefault(c.id, (c, f))
    claims = [c for c, _ in uniq.values()]
    feats = [f for _, f in uniq.values()]
    old_pairs = previous.pairs if previous is not None else {}
    keys = [f.key for f in feats]
    preps = [cm._Prepared(c, features=f) for c, f in zip(claims, feats)]
    pair_feats = {}

    def feats_of(i, j):
        key = (keys[i], keys[j]) if keys[i] < keys[j] else (keys[j], keys[i])
        f = pair_feats.get(key)
        if f is None:
            old = old_pairs.get(key)
            f = pair_feats[key] = list(old) if old is not None else [None, None, None, None]
        return f

    def near(i, j):
        f = feats_of(i, j)
        if f[cm._NEAR] is None:
            f[cm._NEAR] = cm.near_identical(preps[i], preps[j])
        return f[cm._NEAR]

    doc_of = [c.doc_id for c in claims]
    n = len(preps)
    th = np.frombuffer(b"".join(f.tfh for f in feats), dtype="<i8")
    _, tinv, tcounts = np.unique(th, return_inverse=True, return_counts=True)
    idf_of = {d: math.log((n + 1) / (d + 1)) + 1.0 for d in set(tcounts.tolist())}
    idf_e = np.array([idf_of[d] for d in tcounts[tinv.reshape(-1)].tolist()], dtype=np.float64)
    weights = (np.frombuffer(b"".join(f.tfw for f in feats), dtype="<f8") * idf_e).tolist()
    pos = 0
    for p in preps:
        vec = dict.fromkeys(p.toks)
        m = len(vec)
        for t, w in zip(vec, weights[pos : pos + m]):
            vec[t] = w
        pos += m
        p.vec = vec
        p.norm2 = math.sqrt(sum([v * v for v in vec.values()]))
    scored = []
    for i, j in sorted(cm.candidate_pairs(preps, doc_of)):
        s = cm.pair_score(preps[i], preps[j], lambda: feats_of(i, j))  # noqa: B023
        if s > 0:
            scored.append((i, j, s))
    k = cm.MATCH_RULES["max_matches"]
    per = defaultdict(list)
    for i, j, s in scored:
        per[i].append((-s, claims[j].id, j))
        per[j].append((-s, claims[i].id, i))
    top = {i: {j for _, _, j in (nsmallest(k, v) if len(v) > k else v)} for i, v in per.items()}
    kept = [(i, j, s) for i, j, s in scored if j in top[i] and i in top[j]]
    cluster = {}
    for c in versions.clusters:
        for m in c.members:
            cluster[m] = c.canonical
    reprints = cm.reprint_pairs(kept, claims, preps, near)

    def related(d1, d2):
        if d1 == d2 or cluster.get(d1, d1) == cluster.get(d2, d2):
            return "version"
        if (min(d1, d2), max(d1, d2)) in reprints:
            return "reprint"
        return None

    by_claim = defaultdict(list)
    for i, j, s in kept:
        by_claim[i].append((-s, doc_of[j], claims[j].id, j))
        by_claim[j].append((-s, doc_of[i], claims[i].id, i))
    out = []
    for i in sorted(by_claim, key=lambda x: claims[x].id):
        me = claims[i]
        counted = []
        for neg, other_doc, other_id, _ in sorted(by_claim[i]):
            rel = related(me.doc_id, other_doc) or "independent"
            new_source = rel == "independent" and not any(related(d, other_doc) for d in counted)
            if new_source:
                counted.append(other_doc)
            out.append(ClaimMatch(me.id, other_doc, other_id, -neg, new_source, rel))
    return tuple(out), cm.MatchState(pairs={k: tuple(v) for k, v in pair_feats.items()})


def reference_anchor_notes(notes, claims):
    by_id = {c.id: c for c in claims}
    ordered = sorted(by_id.values(), key=lambda c: c.id)
    index = defaultdict(list)
    norms = [normalise(c.text) for c in ordered]
    for i, c in enumerate(ordered):
        for t in set(content_tokens(c.text)):
            index[t].append(i)
    out = []
    for note in notes:
        if note.claim_id and note.claim_id.strip() in by_id:
            out.append(cm.AnchoredNote(note, note.claim_id.strip(), "id", 1.0))
            continue
        best = None
        if note.quote and normalise(note.quote):
            q = normalise(note.quote)
            qt = set(content_tokens(note.quote))
            hits = defaultdict(float)
            for t in qt:
                post = index.get(t, ())
                w = 1.0 / (1 + len(post))
                for i in post:
                    hits[i] += w
            cands = sorted(hits, key=lambda i: (-hits[i], ordered[i].id))[: cm.NOTE_RULES["candidates"]]
            for i in cands:
                t = norms[i]
                sc = fuzz.partial_ratio(q, t) if len(q) <= len(t) else fuzz.partial_ratio(t, q) * min(1.0, len(t) / len(q))
                if sc >= cm.NOTE_RULES["partial"] and (best is None or sc > best[0] or (sc == best[0] and ordered[i].id < best[1])):
                    best = (sc, ordered[i].id)
        if best is not None:
            out.append(cm.AnchoredNote(note, best[1], "quote", round(best[0] / 100.0, 4)))
        else:
            out.append(cm.AnchoredNote(note, None, "orphan", 0.0))
    return tuple(out)


# ------------------------------------------------------------- fixtures


def _pool_claims():
    seeds, results = _pool()
    a = pipeline.assemble(seeds, results)
    order = sorted(range(len(results)), key=lambda i: (seeds[i].doc_id, seeds[i].name))
    features = [f for i in order for f in results[i].features]
    assert len(features) == len(a.claims)
    return a, features


def _notes_for(claims, rnd: random.Random, k: int = 12) -> list[Note]:
    """Notes by id, by stale id + quote (cut, misspelt, whole), quotes that
    match nothing, and without quote."""
    notes = []
    for m in range(k):
        c = rnd.choice(claims)
        q = c.text
        if m % 4 == 0:
            q = q[: max(1, len(q) // 2)]
        elif m % 4 == 1:
            q = q.replace("e", "a", 2)
        elif m % 4 == 2:
            q = " ".join(reversed(q.split()))
        notes.append(Note(f"q{m}.md", f"gone{m}", q, "b"))
    notes.append(Note("id.md", claims[0].id, None, "b"))
    notes.append(Note("id2.md", f"  {claims[-1].id} ", "whatever", "b"))
    notes.append(Note("none.md", "nothing", "zzz qqq xxyy", "b"))
    notes.append(Note("noquote.md", "nothing", None, "b"))
    notes.append(Note("punct.md", None, " .,;  ", "b"))
    return notes


# ---------------------------------------------------------------- tests


def test_corroborate_equals_reference_cold_and_incremental():
    a, features = _pool_claims()
    claims, versions = a.claims, a.versions
    ref, ref_state = reference_corroborate(claims, versions, None, features)
    got, state = cm.corroborate_incremental(claims, versions, None, features)
    assert got == ref == a.matches
    assert state == ref_state
    # a rebuild after adding claims: the state of a part carries over
    part = [c for c in claims if int(c.doc_id[:2], 16) % 3]
    _, part_state = cm.corroborate_incremental(part, versions)
    warm, warm_state = cm.corroborate_incremental(claims, versions, part_state, features)
    ref_warm, ref_warm_state = reference_corroborate(claims, versions, part_state, features)
    assert warm == ref
    assert warm_state == ref_warm_state
    # without features, in another order
    assert cm.corroborate_incremental(list(reversed(claims)), versions)[0] == ref


def test_corroborate_cap_equals_reference():
    # a low cap makes many claims lose matches (the path for claims with
    # more than ``max_matches`` matches)
    a, features = _pool_claims()
    old = cm.MATCH_RULES["max_matches"]
    try:
        for k in (1, 2, 3):
            cm.MATCH_RULES["max_matches"] = k
            assert cm.corroborate_incremental(a.claims, a.versions, None, features)[0] == reference_corroborate(a.claims, a.versions, None, features)[0]
    finally:
        cm.MATCH_RULES["max_matches"] = old


@SET
@given(st.lists(SENT, min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_corroborate_generated_equals_reference(docs_paras, rnd):
    docs = [make_doc(p, doc_id=f"{i:012x}") for i, p in enumerate(docs_paras)]
    claims = [c for d in docs for c in extract_claims(d)]
    versions = Versions(clusters=tuple(Cluster(d.doc_id, (d.doc_id,)) for d in docs[::2]))
    ref, ref_state = reference_corroborate(claims, versions)
    got, state = cm.corroborate_incremental(claims, versions)
    assert got == ref
    assert state == ref_state
    sub = [c for c in claims if rnd.random() < 0.5]
    _, st_sub = cm.corroborate_incremental(sub, versions)
    assert cm.corroborate_incremental(claims, versions, st_sub)[0] == ref


def test_vectorised_cosines_agree_with_python_cosine():
    a, features = _pool_claims()
    claims = list(a.claims)
    n = len(claims)
    rnd = random.Random(3)
    I = np.array([rnd.randrange(n) for _ in range(3000)], dtype=np.int64)
    J = np.array([rnd.randrange(n) for _ in range(3000)], dtype=np.int64)
    lens = np.array([len(f.tfh) // 8 for f in features], dtype=np.int64)
    start = np.r_[0, np.cumsum(lens)].astype(np.int64)
    th = np.frombuffer(b"".join(f.tfh for f in features), dtype="<i8")
    _, tinv, tcounts = np.unique(th, return_inverse=True, return_counts=True)
    W = np.frombuffer(b"".join(f.tfw for f in features), dtype="<f8") * (1.0 + np.log((n + 1) / (tcounts[tinv.reshape(-1)] + 1)))
    cos, shared = cm._cosines(I, J, lens, start, tinv.reshape(-1), W, len(tcounts))
    preps = []
    for k, (c, f) in enumerate(zip(claims, features)):
        p = cm._Prepared(c, features=f)
        p.vec = dict(zip(dict.fromkeys(p.toks), W[start[k] : start[k + 1]].tolist()))
        p.norm2 = math.sqrt(sum(v * v for v in p.vec.values()))
        preps.append(p)
    positive = 0
    for x, k, i, j in zip(cos.tolist(), shared.tolist(), I.tolist(), J.tolist()):
        common = preps[i].tokset & preps[j].tokset
        exact = cm._cosine(preps[i], preps[j], common) if common else 0.0
        assert abs(x - exact) <= 1e-12
        assert k == len(common)
        positive += exact > 0
    assert positive > 100


@pytest.mark.parametrize("delta", [0.0, 1e-15, -1e-15, 5e-10, -5e-10, 2e-9, -2e-9, 1e-6])
def test_cosine_decisions_hold_within_the_margin(delta):
    # at and near the threshold, 1, and rounding midpoints: every pair
    # decided from the numpy cosine gets pair_score's score for any cosine
    # within 1e-12 of it; the others are left to pair_score
    base = [0.42, 0.4200000001, 0.41999, 1.0, 0.99999, 1.0000001, 0.5, 0.45005, 0.61235, 0.77775, 0.8, 0.3]
    base += [k / 1e4 + 0.5e-4 for k in range(4200, 10000, 37)] + [k / 1e4 for k in range(4200, 10001, 53)]
    cos = np.array(base) + delta
    fast, scores = cm._cosines_decide(cos)
    assert fast.any() and not fast.all()
    for c, s in zip(cos[fast].tolist(), scores):
        for e in (-1e-12, 0.0, 1e-12):
            x = c + e
            assert x >= cm.MATCH_RULES["cosine"]
            assert round(min(1.0, x), 4) == s


@SET
@given(st.text(max_size=200))
def test_feature_tokens_are_content_tokens(text):
    c = cm.Claim(id="x", doc_id="d", block=0, start=0, end=len(text), text=text)
    f = cm.claim_features(c, cm._content_tokens_memo({}))
    assert list(f.toks) == content_tokens(text)
    assert f.tokset == frozenset(content_tokens(text))


def test_anchor_notes_equals_reference_on_the_pool():
    a, features = _pool_claims()
    claims = list(a.claims)
    rnd = random.Random(11)
    notes = _notes_for(claims, rnd, 40)
    ref = reference_anchor_notes(notes, claims)
    assert cm.anchor_notes(notes, claims, features) == ref
    assert cm.anchor_notes(notes, claims) == ref
    assert {x.how for x in ref} == {"id", "quote", "orphan"}
    # features of the wrong length are ignored
    assert cm.anchor_notes(notes, claims, features[:-1]) == ref


@SET
@given(st.lists(SENT, min_size=1, max_size=5), st.randoms(use_true_random=False), st.booleans())
def test_anchor_notes_generated_equals_reference(docs_paras, rnd, dup):
    docs = [make_doc(p, doc_id=f"{i:012x}") for i, p in enumerate(docs_paras)]
    claims = [c for d in docs for c in extract_claims(d)]
    if not claims:
        return
    if dup:  # a repeated id: the last one counts (as in a dict of the claims)
        claims.append(dataclasses.replace(claims[0], text=claims[-1].text))
    notes = _notes_for(claims, rnd, 6)
    features = [cm.claim_features(c) for c in claims]
    ref = reference_anchor_notes(notes, claims)
    assert cm.anchor_notes(notes, claims, features) == ref
    assert cm.anchor_notes(notes, claims) == ref


def test_pipeline_passes_features_to_anchor_notes():
    seeds, results = _pool()
    a = pipeline.assemble(seeds, results, notes=_notes_for(list(_pool_claims()[0].claims), random.Random(2), 8))
    assert a.notes == reference_anchor_notes([x.note for x in a.notes], a.claims)


def _score_given(cos, shared, small, speakers, feats):
    """pair_score after its cosine, with the pair's features known (the
    reference's lines)."""
    R = cm.MATCH_RULES
    if cos >= R["cosine"]:
        return round(min(1.0, cos), 4)
    best = 0.0
    same_speaker = speakers and cos >= R["speaker_cosine"]
    run = feats[cm._RUN]
    if run >= R["run"]:
        best = max(best, min(0.95, 0.45 + 0.05 * run))
    if same_speaker and run >= R["speaker_run"]:
        best = max(best, cos + 0.2)
    if cos >= R["cosine_fuzzy"] and shared / max(1, small) >= 0.5:
        ts = feats[cm._TOKEN_SET]
        if ts >= R["token_set"]:
            best = max(best, (cos + ts / 100.0) / 2)
    if best < 0.9:
        best = max(best, feats[cm._QUOTE])
    return round(best, 4)


def test_decisions_below_the_threshold_hold_within_the_margin():
    rnd = random.Random(7)
    cos, shared, small, spk, pf = [], [], [], [], []
    points = [0.2, 0.3, 0.42, 0.25, 0.35, 0.3333, 0.2000000005, 0.29999999, 0.1, 0.41]
    points += [k / 1e4 + 0.5e-4 for k in range(2000, 4200, 7)]  # rounding midpoints of cos + 0.2 and (cos + ts) / 2
    for _ in range(6000):
        c = rnd.choice(points) + rnd.choice([0.0, 1e-15, -1e-15, 3e-10, -3e-10, 1e-6, -1e-6, rnd.uniform(-0.01, 0.01)])
        f = [rnd.choice([None, 0, 3, 4, 5, 6, 9]), rnd.choice([None, 0, 72, 80, 95, 100]), rnd.choice([None, 0.0, 0.8, 0.891, 0.9]), None]
        cos.append(c)
        small.append(rnd.randint(1, 12))
        shared.append(rnd.randint(1, small[-1]))
        spk.append(rnd.random() < 0.5)
        pf.append(f)
    ok, scores = cm._decide_below(np.array(cos), np.array(shared), np.array(small), np.array(spk), pf)
    assert ok.sum() == len(scores) and 1000 < ok.sum() < len(cos)
    for k, s in zip(np.flatnonzero(ok).tolist(), scores):
        for e in (-1e-12, 0.0, 1e-12):
            assert _score_given(cos[k] + e, shared[k], small[k], spk[k], pf[k]) == s


def reference_records(claims, doc_of, kept, cluster, reprints):
    """The matches as records: the loop of corroborate before the records
    were built with numpy (verbatim)."""

    def related(d1, d2):
        if d1 == d2:
            return "version"
        if cluster.get(d1, d1) == cluster.get(d2, d2):
            return "version"
        if (min(d1, d2), max(d1, d2)) in reprints:
            return "reprint"
        return None

    memo = {}
    by_claim = defaultdict(list)
    for i, j, s in kept:
        by_claim[i].append((-s, doc_of[j], claims[j].id, j))
        by_claim[j].append((-s, doc_of[i], claims[i].id, i))
    out = []
    reprint_of = defaultdict(set)
    for d1, d2 in reprints:
        reprint_of[d1].add(d2)
        reprint_of[d2].add(d1)
    no_reprints = set()
    for i in sorted(by_claim, key=lambda x: claims[x].id):
        me = claims[i]
        counted = set()
        counted_clusters = set()
        me_doc = me.doc_id
        for neg, other_doc, other_id, _ in sorted(by_claim[i]):
            rel = memo.get((me_doc, other_doc), "")
            if rel == "":
                rel = memo[(me_doc, other_doc)] = related(me_doc, other_doc)
            rel = rel or "independent"
            new_source = False
            if rel == "independent":
                cl = cluster.get(other_doc, other_doc)
                if cl not in counted_clusters and reprint_of.get(other_doc, no_reprints).isdisjoint(counted):
                    new_source = True
                    counted.add(other_doc)
                    counted_clusters.add(cl)
            out.append(ClaimMatch(me.id, other_doc, other_id, -neg, new_source, rel))
    return tuple(out)


@settings(max_examples=200, deadline=None)
@given(
    docs=st.lists(st.integers(min_value=1, max_value=4), min_size=2, max_size=9),
    data=st.data(),
)
def test_match_records_equal_the_loop(docs, data):
    # documents of 1-4 claims; matches between claims of different
    # documents with few distinct scores (ties); clusters and reprints at random
    from annotated_archive.models import Claim

    names = [f"d{k}" for k in range(len(docs))]
    claims, doc_of = [], []
    for d, m in zip(names, docs):
        for b in range(m):
            cid = data.draw(st.text("abcdef", min_size=4, max_size=4).filter(lambda x: x not in {c.id for c in claims}))
            claims.append(Claim(id=cid, doc_id=d, block=b, start=0, end=1, text="x"))
            doc_of.append(d)
    n = len(claims)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if doc_of[i] != doc_of[j]]
    chosen = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=30)) if pairs else []
    kept = sorted((i, j, data.draw(st.sampled_from([0.5, 0.61, 0.9, 1.0]))) for i, j in chosen)
    canon = data.draw(st.lists(st.sampled_from(names), min_size=len(names), max_size=len(names)))
    cluster = {d: c for d, c in zip(names, canon) if data.draw(st.booleans())}
    doc_pairs = [(a, b) for a in names for b in names if a < b]
    reprints = set(data.draw(st.lists(st.sampled_from(doc_pairs), max_size=6)))
    num = {d: k for k, d in enumerate(names)}
    doc_num = np.array([num[d] for d in doc_of], dtype=np.int64)
    SI = np.array([i for i, _, _ in kept], dtype=np.int64)
    SJ = np.array([j for _, j, _ in kept], dtype=np.int64)
    SS = np.array([s for _, _, s in kept], dtype=np.float64)
    got = cm._match_records(claims, doc_of, doc_num, SI, SJ, SS, cluster, reprints)
    assert got == reference_records(claims, doc_of, kept, cluster, reprints)


def test_batched_quotations_equal_one_by_one():
    # the quotations of a cold corroboration are scored in one batch on
    # several threads (rapidfuzz cpdist): the same values as one call each,
    # whatever the number of threads, and so the same matches and state
    a, features = _pool_claims()
    preps = [cm._Prepared(c, features=f) for c, f in zip(a.claims, features)]
    quoted = [p for p in preps if p.quotes]
    assert len(quoted) >= 5
    pairs = [(p, q) for p in quoted for q in preps[:60] if p is not q]
    one_by_one = [cm._quote_score(p, q) for p, q in pairs]
    assert any(s > 0 for s in one_by_one) and any(s == 0 for s in one_by_one)
    for workers in (1, 2, -1):
        assert cm._quote_scores(pairs, workers) == one_by_one
    assert cm._quote_scores([], 2) == []
    # partial scores between the cut and 100 (float64 values, not rounded)
    rnd = random.Random(7)
    base = "the minister said the budget would be cut by a third next year in every region"
    near = []
    for k in range(200):
        words = base.split()
        for _ in range(rnd.randrange(1, 4)):
            i = rnd.randrange(len(words))
            words[i] = words[i][::-1] if rnd.random() < 0.5 else words[i][:-1]
        near.append(SimpleNamespace(quotes=(" ".join(words),), norm=f"reports {k} say " + base))
    scored = [cm._quote_score(p, p) for p in near]
    assert len({s for s in scored if 0 < s < 0.9}) > 10
    for workers in (1, 2):
        assert cm._quote_scores([(p, p) for p in near], workers) == scored
    runs = [cm.corroborate_incremental(a.claims, a.versions, None, features, w) for w in (1, 2)]
    assert runs[0] == runs[1]
    assert runs[0][0] == a.matches


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text("abc ", max_size=150), st.text("abc ", max_size=300)), max_size=12),
       st.sampled_from([50, 75, 88, 88.5, 95]))
def test_partial_ratio_bound_skips_only_misses(pairs, cut):
    # the LCS bound skips a partial_ratio call only when it is below the cut:
    # the values are partial_ratio's own (small alphabet: near the cut often)
    xs = [min(x, y, key=len) for x, y in pairs]
    ys = [max(x, y, key=len) if len(x) != len(y) else y for x, y in pairs]
    direct = [fuzz.partial_ratio(x, y, score_cutoff=cut) for x, y in zip(xs, ys)]
    for workers in (1, 2):
        assert cm._partial_ratios(xs, ys, cut, workers) == direct


def test_partial_ratio_bound_on_long_quotations():
    # quotations of 8-45 words (mostly over 64 characters: partial_ratio's
    # other algorithm) with up to half their words replaced, inside other
    # words: on either side of the cut, and the bound deciding many of them
    rnd = random.Random(11)
    vocab = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randrange(2, 9))) for _ in range(300)]
    xs, ys = [], []
    for _ in range(400):
        x = " ".join(rnd.choice(vocab) for _ in range(rnd.randrange(8, 45)))
        words = x.split()
        for _ in range(rnd.randrange(0, max(1, len(words) // 2))):
            words[rnd.randrange(len(words))] = rnd.choice(vocab)
        pad = " ".join(rnd.choice(vocab) for _ in range(rnd.randrange(0, 20)))
        y = pad[: len(pad) // 2] + " ".join(words) + pad[len(pad) // 2 :]
        if len(x) > len(y):
            x, y = y, x
        xs.append(x)
        ys.append(y)
    # the bound reached: y starts with x less some characters (and goes on
    # with characters x has none of), so the best window is that prefix
    for _ in range(200):
        x = " ".join(rnd.choice(vocab) for _ in range(rnd.randrange(8, 45)))
        kept = sorted(rnd.sample(range(len(x)), len(x) - int(len(x) * rnd.uniform(0.12, 0.3))))
        xs.append(x)
        ys.append("".join(x[i] for i in kept) + "0123456789" * (len(x) // 10 + 1))
    lcs = [LCSseq.similarity(x, y) for x, y in zip(xs, ys)]
    bounds = [200 * m / (len(x) + m) for x, m in zip(xs, lcs)]
    assert sum(b < 88 for b in bounds) > 50  # skipped by the bound
    tight = [fuzz.partial_ratio(x, y) for x, y in zip(xs, ys)]
    assert sum(88 <= t < 90 and abs(t - b) < 1e-6 for t, b in zip(tight, bounds)) > 10  # the bound is exact there
    direct = [fuzz.partial_ratio(x, y, score_cutoff=88) for x, y in zip(xs, ys)]
    assert sum(d >= 88 for d in direct) > 50 and sum(d == 0 for d in direct) > 50
    assert cm._partial_ratios(xs, ys, 88, 2) == direct
    assert cm._partial_ratios([], [], 88, 2) == []
    assert cm._partial_ratios([""], [""], 88, 1) == [fuzz.partial_ratio("", "", score_cutoff=88)]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from("abcd\x00"), max_size=30), st.lists(st.sampled_from("abcd\x00"), max_size=30),
       st.integers(1, 6))
def test_longest_run_prefilter_changes_nothing(a, b, lo):
    # the one-pass test only skips searches that would find no run
    assert cm._longest_run(a, b, lo) == cm._run_search(a, b, lo)
