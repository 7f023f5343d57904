"""The archive-wide counts of corroboration (token and shingle document
frequencies, probes, candidate pairs: ``claims_match._Counts``) are kept in
the ``MatchState`` and updated by the claims added, removed and changed.
After any history of states, the counts equal the ones counted from scratch,
and so do the matches."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cross_incremental import _pool

from annotated_archive import claims_match as cm
from annotated_archive import pipeline

HIST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.lru_cache(maxsize=1)
def _claims():
    """The pool's claims with their features, and for every claim a changed
    one (same id, other text: another claim key) with its features."""
    seeds, results = _pool()
    a = pipeline.assemble(seeds, results)
    claims = list(a.claims)
    changed = [dataclasses.replace(c, text=c.text + " Officials in Kyiv confirmed it on Friday.") for c in claims]
    return a.versions, claims, [cm.claim_features(c) for c in claims], changed, [cm.claim_features(c) for c in changed]


def _pick(idx, change):
    versions, claims, feats, changed, cfeats = _claims()
    n = len(claims)
    chosen = sorted({i % n for i in idx})
    cl = [changed[i] if i in change else claims[i] for i in chosen]
    fs = [cfeats[i] if i in change else feats[i] for i in chosen]
    return cl, versions, fs


def _cold(cl, versions, fs):
    return cm.corroborate_incremental(cl, versions, None, fs)


def test_pool_has_candidates_and_counts():
    cl, versions, fs = _pick(range(10**6), set())
    matches, state = _cold(cl, versions, fs)
    assert len(matches) > 100
    c = state.counts
    assert c is not None and len(c.codes) > 100 and len(c.pr_h) and (c.tdf > 1).any()
    # the counts are those of the numpy computation of the candidates
    docs = {}
    doc_num = np.array([docs.setdefault(x.doc_id, len(docs)) for x in cl], dtype=np.int64)
    assert (cm._cold_counts((), fs, doc_num, False).codes == cm._candidate_codes(fs, [x.doc_id for x in cl])).all()


def test_update_is_used_for_a_small_change(monkeypatch):
    # (a small pool: one document's claims touch more than the usual share)
    monkeypatch.setattr(cm, "_RECOUNT_SHARE", 1.0)
    versions, claims, feats, _, _ = _claims()
    n = len(claims)
    docs = sorted({c.doc_id for c in claims})
    first = [i for i in range(n) if claims[i].doc_id != docs[3]]
    _, state = _cold(*_pick(first, set()))
    cl, _, fs = _pick(range(n), set())
    # the update path (not a recount) gives the cold counts
    paired = sorted(zip(cl, fs), key=lambda x: (x[0].doc_id, x[0].block, x[0].start, x[0].id))
    ids = [f"{f.key}\x00{c.doc_id}" for c, f in paired]
    num = {}
    doc_num = np.array([num.setdefault(c.doc_id, len(num)) for c, _ in paired], dtype=np.int64)
    up = cm._update_counts(state.counts, ids, [f for _, f in paired], doc_num)
    assert up is not None
    assert up == cm._cold_counts(ids, [f for _, f in paired], doc_num)
    warm, _ = cm.corroborate_incremental(cl, versions, state, fs)
    assert warm == _cold(cl, versions, fs)[0]
    # a claim moved within its document (same key, another place): the
    # kept claims change order, the counts are counted again
    moved = [dataclasses.replace(c, block=10**6) if c.id == paired[0][0].id else c for c in cl]
    assert cm.corroborate_incremental(moved, versions, state, fs)[0] == _cold(moved, versions, fs)[0]


@HIST
@given(
    history=st.lists(
        st.tuples(st.sets(st.integers(min_value=0, max_value=400), max_size=120), st.sets(st.integers(min_value=0, max_value=400), max_size=8)),
        min_size=1,
        max_size=5,
    ),
    share=st.sampled_from([cm._RECOUNT_SHARE, 1.0]),
)
def test_counts_and_matches_independent_of_history(history, share):
    # every step: some claims (added, kept, removed), a few of them changed;
    # with the usual recount threshold and with updates always tried
    old = cm._RECOUNT_SHARE
    cm._RECOUNT_SHARE = share
    try:
        state = None
        for idx, change in history:
            # many claims per document: spread the picks over the pool
            n = len(_claims()[1])
            idx = {i * n // 401 + j for i in idx for j in range(3)}
            cl, versions, fs = _pick(idx, {i * n // 401 for i in change})
            got, state = cm.corroborate_incremental(cl[::-1], versions, state, fs[::-1])
            cold, cold_state = _cold(cl, versions, fs)
            assert got == cold
            assert (state.counts is None) == (cold_state.counts is None)
            assert state.counts == cold_state.counts
    finally:
        cm._RECOUNT_SHARE = old


def test_hash_collision_of_a_new_token_is_not_counted_as_one_token():
    # a new claim's token given the hash of another token of the archive:
    # the update refuses, and the matches are those of the cold computation
    versions, claims, feats, _, _ = _claims()
    n = len(claims)
    _, state = cm.corroborate_incremental(claims[: n // 2], versions, None, feats[: n // 2])
    known = dict(zip(dict.fromkeys(feats[0].toks), np.frombuffer(feats[0].tfh, dtype="<i8").tolist()))
    # a new claim whose made-up word (in no other claim: no string gets two
    # hashes) has the hash of a word of the archive
    c = dataclasses.replace(claims[-1], id="f" * 12, text=claims[-1].text + " Qwzxvbnk agreed.")
    f = cm.claim_features(c)
    hashes = np.frombuffer(f.tfh, dtype="<i8").copy()
    hashes[list(dict.fromkeys(f.toks)).index(cm.stem("qwzxvbnk"))] = next(iter(known.values()))
    bad = dataclasses.replace(f, tfh=hashes.tobytes())
    fs = feats[: n // 2] + [bad]
    cl = claims[: n // 2] + [c]
    got, st2 = cm.corroborate_incremental(cl, versions, state, fs)
    cold, cold_state = cm.corroborate_incremental(cl, versions, None, fs)
    assert got == cold
    assert st2.counts is None and cold_state.counts is None


@pytest.mark.parametrize("rule", ["probe", "max_df", "min_shared", "min_shared_rare_df", "min_tokens"])
def test_counts_of_other_rules_are_not_reused(rule):
    cl, versions, fs = _pick(range(0, 10**6, 2), set())
    _, state = _cold(cl, versions, fs)
    old = cm.MATCH_RULES[rule]
    cm.MATCH_RULES[rule] = old + 1
    try:
        full, vf, ff = _pick(range(10**6), set())
        assert cm.corroborate_incremental(full, vf, state, ff)[0] == _cold(full, vf, ff)[0]
    finally:
        cm.MATCH_RULES[rule] = old
