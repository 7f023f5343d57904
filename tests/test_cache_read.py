"""The read cache (files.read_all): a decoded seed and its normalised lines
come from the cache only for the same name and bytes under the same read
version, and equal what decoding the file gives."""

from __future__ import annotations

import gzip
import pickle

import pytest
from conftest import SEEDS
from test_encodings import FIXTURES

from annotated_archive import files, glue, models, pipeline
from annotated_archive.cache import StageCache


def _folder(tmp_path):
    folder = tmp_path / "seeds"
    (folder / "sub").mkdir(parents=True)
    for name, (data, *_rest) in FIXTURES.items():
        (folder / name).write_bytes(data)
    for p in SEEDS.iterdir():
        (folder / "sub" / p.name).write_bytes(p.read_bytes())
    (folder / "page.html.gz").write_bytes(gzip.compress(b"<html><body><h1>Title</h1><p>A paragraph.</p></body></html>"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "short.txt").write_bytes("café\n".encode("latin-1"))  # unsure: warned on every read
    return folder


def _uncached(folder):
    reader = glue.SeedReader({"SEEDS_PATH": str(folder)})
    loaded = [files.load_seed(p, reader.name_of(p)) for p in files.list_seed_files(folder)]
    seeds = [r for r in loaded if isinstance(r, models.Seed)]
    derived = [(pipeline.seed_lines(s), pipeline.text_digest(s)) for s in seeds]
    return seeds, [r for r in loaded if not isinstance(r, models.Seed)], derived


def _read(folder, cache, mapper=map):
    seeds, skipped, lines = files.read_all(
        files.list_seed_files(folder), glue.SeedReader({"SEEDS_PATH": str(folder)}).name_of, cache, mapper=mapper
    )
    return seeds, skipped, [lines[id(s)] for s in seeds]


def _count_decodes(monkeypatch):
    calls = []
    decode = files._decode

    def counted(name, data):
        calls.append(name)
        return decode(name, data)

    monkeypatch.setattr(files, "_decode", counted)
    return calls


def test_cached_read_equals_decoding_and_decodes_only_changed_files(tmp_path, monkeypatch, caplog):
    folder = _folder(tmp_path)
    cache = StageCache(tmp_path / "cache")
    calls = _count_decodes(monkeypatch)
    expected = _uncached(folder)
    calls.clear()
    with caplog.at_level("WARNING", logger="annotated_archive"):
        caplog.clear()
        assert _read(folder, cache) == expected
        cold = calls[:]
        cold_log = [r.getMessage() for r in caplog.records]
        caplog.clear()
        calls.clear()
        assert _read(folder, cache) == expected
        assert [r.getMessage() for r in caplog.records] == cold_log  # hits warn too
    assert len(cold) == len(files.list_seed_files(folder))
    assert calls == ["empty.txt", "image.txt"]  # only decoded seeds are cached (skipped ones are rare and cheap)
    assert len(cold_log) == 1 and cold_log[0].startswith("encoding unsure for short.txt")

    # same name, other bytes (a re-encoded file): decoded again, and only it
    (folder / "cp1251.txt").write_bytes(FIXTURES["koi8-r.txt"][0])
    (folder / "sub" / "extra.txt").write_bytes(b"A new seed\n\nWith a line of its own.\n")
    expected = _uncached(folder)
    calls.clear()
    assert _read(folder, cache) == expected
    assert sorted(calls) == ["cp1251.txt", "empty.txt", "image.txt", "sub/extra.txt"]
    # entries of files no longer read are pruned
    keys = {k for (k,) in cache.db.execute("SELECT key FROM entry WHERE kind='read'")}
    assert len(keys) == len(expected[0])


def test_read_version_is_part_of_the_key(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    cache = StageCache(tmp_path / "cache")
    _read(folder, cache)
    calls = _count_decodes(monkeypatch)
    monkeypatch.setattr(files, "read_version", lambda: "another version")
    assert _read(folder, cache) == _uncached(folder)
    assert len(calls) == 2 * len(files.list_seed_files(folder))  # every file, in _read and in _uncached


def test_same_bytes_under_another_name_is_not_a_hit(tmp_path):
    """The name is part of the key: it is in the Seed and decides the kind."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    body = b"<p>Title</p>\n\nSome words of a text that is long enough.\n"
    (folder / "a.txt").write_bytes(body)
    cache = StageCache(tmp_path / "cache")
    _read(folder, cache)
    (folder / "a.txt").rename(folder / "a.html")
    seeds, _, lines = _read(folder, cache)
    assert seeds[0].name == "a.html" and seeds[0].kind == "html"
    assert (seeds, lines) == (_uncached(folder)[0], _uncached(folder)[2])


def test_stats_views_and_keys_from_given_lines_and_digests_equal_computed():
    seeds, _ = files.load_seeds(SEEDS)
    views = pipeline.stats_views(seeds)
    assert pipeline.stats_views(seeds, [pipeline.seed_lines(s) for s in seeds]) == views
    for s, v in zip(seeds, views):
        assert pipeline.seed_key(s, v, "c", pipeline.text_digest(s)) == pipeline.seed_key(s, v, "c")


def test_record_state_of_wrong_length_is_refused():
    """An entry pickled with other fields fails to load (a cache miss), it
    never yields a half-set object."""
    r = models.Removed(3, "Share this", "share-widget")
    assert r.__getstate__() == (3, "Share this", "share-widget")
    assert models.Meta("t").__getstate__() == ("t", None, None, None, None, None)
    assert pickle.loads(pickle.dumps(pipeline.SeedResult(None, (), None), protocol=5)) == pipeline.SeedResult(None, (), None)
    bad = models.Removed.__new__(models.Removed)
    with pytest.raises(ValueError):
        bad.__setstate__((3, "Share this"))


def test_read_on_worker_processes_equals_in_process(tmp_path, monkeypatch, caplog):
    # the files the cache does not know are decoded by the edge's workers:
    # the same seeds, lines, skips and warnings, in the same order
    folder = _folder(tmp_path)
    with caplog.at_level("WARNING", logger="annotated_archive"):
        here = _read(folder, StageCache(tmp_path / "c1"))
        here_log = [r.getMessage() for r in caplog.records]
        caplog.clear()
        monkeypatch.setattr(glue, "PARALLEL_MIN", 1)
        workers = glue._Workers(2)
        try:
            pooled = _read(folder, StageCache(tmp_path / "c2"), workers)
        finally:
            workers.close()
        assert pooled == here
        assert [r.getMessage() for r in caplog.records] == here_log
    assert here[0] and here[1] and here_log
