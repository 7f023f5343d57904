"""Pipeline invariants: the saturated statistics view cleans exactly like the
full statistics; the archive does not depend on seed order."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS

from annotated_archive import clean as clean_stage
from annotated_archive import pipeline
from annotated_archive.read import read_seed

FIXTURES = ROOT / "tests" / "fixtures"


def _seeds():
    paths = sorted(SEEDS.glob("*.txt")) + sorted(FIXTURES.rglob("*.txt"))
    return [read_seed(p.name, p.read_bytes()) for p in paths]


def test_seed_stats_view_cleans_like_full_stats():
    seeds = [s for s in _seeds() if hasattr(s, "doc_id")]
    assert len(seeds) >= 5
    stats = clean_stage.line_stats(seeds)
    for s in seeds:
        full = clean_stage.clean(s, stats)
        view = clean_stage.clean(s, pipeline.seed_stats(s, stats))
        assert full == view, s.name


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["Share this", "SHARE  this", "Related", "İstanbul", "ǅ x", "A line of text.", "  ", "Ⅻ"]),
                         max_size=6), min_size=1, max_size=6))
def test_stats_views_equal_seed_stats_of_line_stats(docs):
    seeds = [read_seed(f"s{i}.txt", ("Title\n" + "\n".join(lines)).encode("utf-8")) for i, lines in enumerate(docs)]
    stats = clean_stage.line_stats(seeds)
    assert pipeline.stats_views(seeds) == [pipeline.seed_stats(s, stats) for s in seeds]
    saturation = pipeline.STATS_SATURATION
    try:  # the counting holds for any saturation, not only the one in use
        for pipeline.STATS_SATURATION in (1, 3, 4):
            assert pipeline.stats_views(seeds) == [pipeline.seed_stats(s, stats) for s in seeds]
    finally:
        pipeline.STATS_SATURATION = saturation


def test_stats_views_of_the_seeds_and_fixtures():
    real = [s for s in _seeds() if hasattr(s, "doc_id")]
    stats = clean_stage.line_stats(real)
    assert pipeline.stats_views(real) == [pipeline.seed_stats(s, stats) for s in real]


def test_seed_key_changes_with_text_name_view_and_code():
    s = _seeds()[0]
    stats = clean_stage.line_stats([s])
    v = pipeline.seed_stats(s, stats)
    k = pipeline.seed_key(s, v, "code1")
    assert k == pipeline.seed_key(s, v, "code1")
    assert k != pipeline.seed_key(s, v, "code2")
    other = type(s)(**{**{f: getattr(s, f) for f in s.__slots__}, "text": s.text + "\nmore"})
    assert k != pipeline.seed_key(other, v, "code1")


def test_archive_independent_of_seed_order():
    seeds = [s for s in _seeds() if hasattr(s, "doc_id")][:8]
    a = pipeline.build_archive(seeds)
    shuffled = list(seeds)
    random.Random(3).shuffle(shuffled)
    b = pipeline.build_archive(shuffled)
    assert a == b


def test_records_pickle_round_trip_and_read_old_cache_entries():
    """models.record: the pickled state is the tuple of field values; entries
    written by the plain dataclass (a list of values) still load."""
    import dataclasses
    import pickle

    from annotated_archive import models
    from annotated_archive.read import read_seed

    seed = read_seed("a.txt", b"Title\n\nA body line that says something.\n")
    removed = models.Removed(3, "Share this", "share-widget")
    for obj in (seed, removed, models.Meta()):
        again = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == obj and type(again) is type(obj)
    old = models.Removed.__new__(models.Removed)
    old.__setstate__([3, "Share this", "share-widget"])  # the dataclass's own format
    assert old == removed
    assert all(dataclasses.is_dataclass(c) and "__setstate__" in vars(c)
               for c in vars(models).values() if isinstance(c, type) and dataclasses.is_dataclass(c))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-50, 50)), st.lists(st.integers(-50, 50)))
def test_in_sorted_is_isin(values, table):
    import numpy as np

    from annotated_archive.arrays import in_sorted

    v, t = np.array(values, dtype=np.int64), np.unique(np.array(table, dtype=np.int64))
    assert in_sorted(v, t).tolist() == np.isin(v, t).tolist()


def test_version_alignments_on_worker_processes_equal_in_process(monkeypatch):
    from annotated_archive import glue

    seeds, _ = pipeline.dedupe([s for s in _seeds() if hasattr(s, "doc_id")])
    results = [pipeline.process_seed(s, v) for s, v in zip(seeds, pipeline.stats_views(seeds))]
    here, _ = pipeline._cross_versions(results, None, None)
    assert here.alignments
    monkeypatch.setattr(glue, "PARALLEL_MIN", 1)  # fork workers even for a few jobs
    mapper = glue._Workers(2)
    try:
        pooled, _ = pipeline._cross_versions(results, None, None, mapper)
    finally:
        mapper.close()
    assert pooled == here
    # any map that returns the jobs' results in order will do
    backwards = lambda fn, jobs: list(reversed([fn(j) for j in reversed(list(jobs))]))  # noqa: E731
    assert pipeline._cross_versions(results, None, None, backwards)[0] == here


def test_per_seed_work_on_the_shared_worker_pool_equals_in_process(monkeypatch):
    from annotated_archive import glue

    seeds, _ = pipeline.dedupe([s for s in _seeds() if hasattr(s, "doc_id")])
    views = pipeline.stats_views(seeds)
    todo = list(range(len(seeds)))
    here = glue._process(seeds, views, todo, glue._Workers(1))
    assert sorted(here) == todo
    monkeypatch.setattr(glue, "PARALLEL_MIN", 1)
    workers = glue._Workers(2)
    try:
        pooled = glue._process(seeds, views, todo, workers)
        assert workers.pool is not None  # the forked workers did it
        # the same pool then serves the next stage's jobs
        assert workers(_double, range(5)) == [0, 2, 4, 6, 8]
    finally:
        workers.close()
    assert pooled == here


def _double(x):
    return 2 * x
