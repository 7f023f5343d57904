"""The cross-archive stages (versions, corroboration) carry their work from
one build to the next (``pipeline.CrossState``).  Whatever state they are
given — from any earlier build, of any seeds, after any history of additions
and removals — the archive equals the cold computation."""

from __future__ import annotations

import functools

from conftest import ROOT, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_versions_props import build, corpus_st, story

from annotated_archive import clean as clean_stage
from annotated_archive import pipeline
from annotated_archive import versions as V
from annotated_archive.claims_match import claim_features, corroborate, corroborate_incremental
from annotated_archive.read import read_seed

FIXTURES = ROOT / "tests" / "fixtures"


def _variants(name: str, text: str) -> list[tuple[str, str]]:
    """Versions of a seed as another scraper would save them: truncated, a
    paragraph dropped, a different first line (reprint); and another story
    that quotes two of its paragraphs (independent matches)."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    out = []
    if len(paras) >= 4:
        out.append((f"trunc-{name}", "\n\n".join(paras[: len(paras) * 2 // 3])))
        out.append((f"drop-{name}", "\n\n".join(paras[:2] + paras[3:])))
    out.append((f"reprint-{name}", "Reprinted from a partner site\n\n" + "\n\n".join(paras[1:])))
    filler = story(len(name) * 7919 + len(text), 40)
    quoted = "\n\n".join(paras[1:3] if len(paras) > 3 else paras[:1])
    out.append((f"quotes-{name}", " ".join(filler[:20]) + "\n\n" + quoted + "\n\n" + " ".join(filler[20:])))
    return out


@functools.lru_cache(maxsize=1)
def _pool():
    """Seeds of the repository and the clean fixtures, plus generated
    versions of them, with their per-seed results (stats of the whole pool)."""
    items = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    items += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.rglob("*.txt"))]
    items += [v for name, text in list(items) for v in _variants(name, text)]
    seeds = [read_seed(n, t.encode("utf-8")) for n, t in items]
    seeds = [s for s in seeds if hasattr(s, "doc_id")]
    stats = clean_stage.line_stats(seeds)
    results = [pipeline.process_seed(s, pipeline.seed_stats(s, stats)) for s in seeds]
    return seeds, results


def _pick(idx):
    seeds, results = _pool()
    idx = sorted(set(idx))
    return [seeds[i] for i in idx], [results[i] for i in idx]


def test_pool_has_versions_and_matches():
    seeds, results = _pool()
    a = pipeline.assemble(seeds, results)
    assert sum(1 for c in a.versions.clusters if len(c.members) > 1) >= 5
    assert len(a.matches) >= 20
    assert {m.relation for m in a.matches} >= {"version", "independent"}


def test_adding_seeds_equals_cold_build():
    seeds, _ = _pool()
    n = len(seeds)
    first = [i for i in range(n) if i % 3]
    _, state = pipeline.assemble_incremental(*_pick(first))
    both = list(range(n))
    warm, state2 = pipeline.assemble_incremental(*_pick(both), previous=state)
    cold, cold_state = pipeline.assemble_incremental(*_pick(both))
    assert warm == cold
    # the carried state is the same value too (nothing of the history is kept)
    assert warm.versions.clusters and state2.overlaps == cold_state.overlaps
    assert set(cold_state.matching.pairs) <= set(state2.matching.pairs)


def test_removing_seeds_prunes_the_state():
    seeds, _ = _pool()
    n = len(seeds)
    _, state = pipeline.assemble_incremental(*_pick(range(n)))
    half = list(range(0, n, 2))
    warm, state2 = pipeline.assemble_incremental(*_pick(half), previous=state)
    cold, cold_state = pipeline.assemble_incremental(*_pick(half))
    assert warm == cold
    assert state2.overlaps == cold_state.overlaps
    claim_keys = {f.key for r in _pick(half)[1] for f in r.features}
    assert state2.matching.pairs and all(a in claim_keys and b in claim_keys for a, b in state2.matching.pairs)


def test_recleaned_seeds_are_new_fingerprints():
    # a seed cleaned with other statistics (lines repeated across seeds
    # changed) keeps its doc_id but may get another body: never reuse its pairs
    seeds, _ = _pool()
    few = seeds[: len(seeds) // 2]
    stats = clean_stage.line_stats(few)
    results = [pipeline.process_seed(s, pipeline.seed_stats(s, stats)) for s in few]
    _, state = pipeline.assemble_incremental(few, results)
    warm, _ = pipeline.assemble_incremental(*_pick(range(len(seeds))), previous=state)
    assert warm == pipeline.assemble(*_pick(range(len(seeds))))


def test_state_from_other_settings_is_ignored():
    import dataclasses

    _, results = _pool()
    fps = [r.fingerprint for r in results]
    other = dataclasses.replace(V.SETTINGS, contain=0.9)
    stale = V.update_overlaps(fps, settings=other)
    assert V.update_overlaps(fps, stale) == V.update_overlaps(fps)
    assert V.cluster_fingerprints(fps, overlaps=stale) == V.cluster_fingerprints(fps)


def test_overlaps_are_exact():
    # every pair with an edge in one direction, and its count, from the shingle sets
    _, results = _pool()
    fps = [r.fingerprint for r in results]
    ov = V.update_overlaps(fps)
    by_key = {V.fingerprint_key(f): f for f in fps}
    expect = set()
    keys = sorted(by_key)
    for x, a in enumerate(keys):
        for b in keys[x + 1 :]:
            fa, fb = by_key[a], by_key[b]
            inter = V._intersect(fa.shingle_array, fb.shingle_array)
            if inter >= V.SETTINGS.min_overlap and inter >= V.SETTINGS.contain * min(fa.size, fb.size):
                expect.add((a, b, inter))
    assert expect and set(ov.pairs) == expect


HIST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HIST
@given(history=st.lists(st.sets(st.integers(min_value=0, max_value=63)), min_size=1, max_size=4), data=st.data())
def test_archive_independent_of_history_and_order(history, data):
    seeds, results = _pool()
    n = len(seeds)
    state = None
    for step in history:
        idx = [i % n for i in step]
        order = data.draw(st.permutations(sorted(set(idx))))
        archive, state = pipeline.assemble_incremental(
            [seeds[i] for i in order], [results[i] for i in order], previous=state
        )
        assert archive == pipeline.assemble(*_pick(idx))


@HIST
@given(corpus=corpus_st, history=st.lists(st.sets(st.integers(min_value=0, max_value=11)), min_size=1, max_size=4))
def test_overlaps_and_clusters_independent_of_history(corpus, history):
    items = build(corpus)
    fps = [V.fingerprint(t, n) for n, t in items]
    state = None
    for step in history:
        sub = [fps[i % len(fps)] for i in sorted(step)]
        state = V.update_overlaps(sub, state)
        cold = V.update_overlaps(sub[::-1])
        assert state == cold
        assert V.cluster_fingerprints(sub, overlaps=state) == V.cluster_fingerprints(sub[::-1])


def test_corroboration_state_changes_nothing():
    seeds, results = _pool()
    a = pipeline.assemble(seeds, results)
    claims = a.claims
    features = [f for r in sorted(results, key=lambda r: r.doc.doc_id) for f in r.features]
    assert [f.key for f in features] == [claim_features(c).key for c in claims]
    cold, state = corroborate_incremental(claims, a.versions)
    assert cold == a.matches == corroborate(claims, a.versions)
    assert corroborate_incremental(claims, a.versions, features=features)[0] == cold
    # a state of part of the claims, then of all of them, in another order
    _, part = corroborate_incremental(claims[::2], a.versions)
    warm, _ = corroborate_incremental(claims[::-1], a.versions, part)
    assert warm == cold
    again, _ = corroborate_incremental(claims, a.versions, state)
    assert again == cold


def test_pair_state_is_keyed_by_claim_content():
    # the same claim id with another text (a re-extracted sentence) is another key
    import dataclasses

    _, results = _pool()
    c = next(c for r in results for c in r.claims)
    other = dataclasses.replace(c, text=c.text + " Indeed.")
    assert claim_features(c).key != claim_features(other).key
    assert claim_features(c).key != claim_features(dataclasses.replace(c, speaker="Someone Else")).key
