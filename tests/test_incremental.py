"""Caching and determinism, through real Pelican builds."""

from __future__ import annotations

import filecmp
import shutil

from conftest import ROOT, SEEDS

from annotated_archive.build import run_build


def _build(out, seeds, cache):
    return run_build(
        ROOT / "pelican.conf.py", output=out, seeds=seeds, search=True,
        overrides={"ANNOTATED_ARCHIVE_CACHE": str(cache), "ANNOTATED_ARCHIVE_WORKERS": 2},
    )


# Pagefind's filter and metadata indexes are not byte-stable between runs
# (upstream: Pagefind/pagefind#638 — fragments are stable since 1.3, the
# filter/meta files are not).  Everything we write, and Pagefind's fragments
# (the indexed text of every page), must be identical.
UNSTABLE = ("pagefind/filter/", "pagefind/pagefind.", "pagefind/pagefind-entry.json")


def _tree(folder):
    return sorted(
        rel
        for rel in (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        if not rel.startswith(UNSTABLE)
    )


def _same_tree(a, b):
    ta, tb = _tree(a), _tree(b)
    assert ta == tb
    assert any(rel.startswith("pagefind/fragment/") for rel in ta)
    diff = [rel for rel in ta if not filecmp.cmp(a / rel, b / rel, shallow=False)]
    assert diff == []


def test_two_builds_are_byte_identical_and_cache_changes_nothing(tmp_path, capsys):
    # first build: cold cache; second: warm cache, into another folder
    assert _build(tmp_path / "a", SEEDS, tmp_path / "cache") == 0
    assert _build(tmp_path / "b", SEEDS, tmp_path / "cache") == 0
    err = capsys.readouterr().err
    assert "cache hits                5" in err.replace("\t", " ") or "cache hits" in err
    _same_tree(tmp_path / "a", tmp_path / "b")
    # and a build without any cache gives the same site again
    assert _build(tmp_path / "c", SEEDS, tmp_path / "other-cache") == 0
    _same_tree(tmp_path / "a", tmp_path / "c")


def test_adding_a_seed_reuses_the_cache_and_reports_it(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    extra = sorted(seeds.glob("*.txt"))[-1]
    moved = tmp_path / extra.name
    extra.rename(moved)
    assert _build(tmp_path / "a", seeds, tmp_path / "cache") == 0
    capsys.readouterr()
    moved.rename(seeds / extra.name)
    assert _build(tmp_path / "b", seeds, tmp_path / "cache") == 0
    err = capsys.readouterr().err
    report = dict(
        line.strip().rsplit(None, 1) for line in err.splitlines() if line.startswith("  ") and not line.startswith("    ")
    )
    assert report["new"] == "1"
    assert report["seeds read"] == "5"
    assert int(report["cache hits"]) >= 3  # the unchanged seeds are not recleaned
    # the incremental result equals a clean full build
    assert _build(tmp_path / "c", seeds, tmp_path / "fresh") == 0
    _same_tree(tmp_path / "b", tmp_path / "c")
