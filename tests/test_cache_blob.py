"""The cache's file for one large value (the cross-archive state): stored
whole or not at all, read back only for the same version, and a broken
file is a miss with a warning, never an error."""

from __future__ import annotations

import logging
import pickle

import numpy as np

from annotated_archive.cache import StageCache


def test_blob_round_trip_and_versions(tmp_path):
    cache = StageCache(tmp_path / "c")
    value = {"pairs": {("a", "b"): (3, None, 0.5, True)}, "counts": np.arange(5)}
    assert cache.get_blob("cross", "v1") is None
    cache.put_blob("cross", "v1", value)
    got = cache.get_blob("cross", "v1")
    assert got["pairs"] == value["pairs"] and np.array_equal(got["counts"], value["counts"])
    assert cache.get_blob("cross", "v2") is None  # another code version: a miss
    cache.put_blob("cross", "v2", [1, 2])
    assert cache.get_blob("cross", "v2") == [1, 2] and cache.get_blob("cross", "v1") is None
    assert sorted(p.name for p in (tmp_path / "c").iterdir() if p.suffix in (".pickle", ".tmp")) == ["cross.pickle"]
    cache.close()
    assert StageCache(tmp_path / "c").get_blob("cross", "v2") == [1, 2]


def test_blob_replaces_a_value_stored_in_the_database(tmp_path):
    # a cache written before the state had a file of its own
    cache = StageCache(tmp_path / "c")
    cache.put_many("cross", {"v1": "old state"})
    assert cache.get_many("cross", ["v1"]) == {"v1": "old state"}
    cache.put_blob("cross", "v1", "new state")
    assert cache.get_many("cross", ["v1"]) == {}
    assert cache.get_blob("cross", "v1") == "new state"


def test_broken_blob_is_a_miss(tmp_path, caplog):
    cache = StageCache(tmp_path / "c")
    cache.put_blob("cross", "v1", list(range(1000)))
    path = tmp_path / "c" / "cross.pickle"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    with caplog.at_level(logging.WARNING, logger="annotated_archive"):
        assert cache.get_blob("cross", "v1") is None
    assert "unreadable" in caplog.text and "cross.pickle" in caplog.text
    path.write_bytes(pickle.dumps("not a pair"))
    assert cache.get_blob("cross", "v1") is None
    cache.put_blob("cross", "v1", "again")  # and it is rewritten whole
    assert cache.get_blob("cross", "v1") == "again"


def test_no_cache_folder_stores_nothing(tmp_path):
    cache = StageCache(None)
    cache.put_blob("cross", "v1", 1)
    assert cache.get_blob("cross", "v1") is None
    assert list(tmp_path.iterdir()) == []


def test_unwritable_blob_is_a_warning_and_leaves_no_temporary_file(tmp_path, caplog):
    cache = StageCache(tmp_path / "c")
    (tmp_path / "c" / "cross.pickle").mkdir()  # a folder in the way: the rename fails
    with caplog.at_level(logging.WARNING, logger="annotated_archive"):
        cache.put_blob("cross", "v1", [1])
    assert "not written" in caplog.text
    assert not (tmp_path / "c" / "cross.pickle.tmp").exists()
    assert cache.get_blob("cross", "v1") is None
