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


# ------------------------------------------------------------ page cache (issue 7)


def _report(err):
    return dict(
        line.strip().rsplit(None, 1) for line in err.splitlines() if line.startswith("  ") and not line.startswith("    ")
    )


def _site_build(out, seeds, cache, workers=2, **overrides):
    return run_build(
        ROOT / "pelican.conf.py", output=out, seeds=seeds, search=False,
        overrides={"ANNOTATED_ARCHIVE_CACHE": str(cache), "ANNOTATED_ARCHIVE_WORKERS": workers, **overrides},
    )


def _same_files(a, b):
    ta = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    tb = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert ta == tb and len(ta) > 10
    assert [rel for rel in ta if not filecmp.cmp(a / rel, b / rel, shallow=False)] == []


def test_rebuild_after_adding_a_seed_renders_only_changed_pages(tmp_path, capsys, monkeypatch):
    from annotated_archive import output

    monkeypatch.setattr(output, "PARALLEL_MIN", 1)  # the fixture is small: use the forked workers anyway
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    extra = sorted(seeds.glob("*.txt"))[-1]  # (the fixture's seeds share stories: the first one changes every page)
    moved = tmp_path / extra.name
    extra.rename(moved)
    assert _site_build(tmp_path / "a", seeds, tmp_path / "cache") == 0
    first = _report(capsys.readouterr().err)
    assert first["pages from cache"] == "0"
    moved.rename(seeds / extra.name)
    assert _site_build(tmp_path / "b", seeds, tmp_path / "cache") == 0
    second = _report(capsys.readouterr().err)
    cached, rendered = int(second["pages from cache"]), int(second["pages rendered"])
    assert cached > 0 and rendered > 0  # the new seed's pages and the listings are rendered, the rest copied
    assert rendered < int(first["pages rendered"])
    # the same site as a cold build of all the seeds, and as a serial one
    assert _site_build(tmp_path / "cold", seeds, tmp_path / "cold-cache") == 0
    assert _report(capsys.readouterr().err)["pages from cache"] == "0"
    _same_files(tmp_path / "b", tmp_path / "cold")
    monkeypatch.setattr(output, "PARALLEL_MIN", 10**9)
    assert _site_build(tmp_path / "serial", seeds, tmp_path / "serial-cache", workers=1) == 0
    _same_files(tmp_path / "b", tmp_path / "serial")
    # an unchanged rebuild renders nothing, and writes the same bytes
    assert _site_build(tmp_path / "again", seeds, tmp_path / "cache") == 0
    assert _report(capsys.readouterr().err)["pages rendered"] == "0"
    _same_files(tmp_path / "b", tmp_path / "again")


def test_theme_or_setting_change_invalidates_cached_pages(tmp_path, capsys):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    cache = tmp_path / "cache"
    assert _site_build(tmp_path / "a", SEEDS, cache, THEME=str(theme)) == 0
    total = int(_report(capsys.readouterr().err)["pages rendered"])
    assert total > 10
    # a template that every page extends changed: every page is rendered again
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>changed footer</p></footer>"), encoding="utf-8")
    assert _site_build(tmp_path / "b", SEEDS, cache, THEME=str(theme)) == 0
    report = _report(capsys.readouterr().err)
    assert (report["pages rendered"], report["pages from cache"]) == (str(total), "0")
    assert "changed footer" in (tmp_path / "b" / "index.html").read_text(encoding="utf-8")
    # a template only some pages use: only those
    raw = theme / "templates" / "raw.html"
    raw.write_text(raw.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _site_build(tmp_path / "c", SEEDS, cache, THEME=str(theme)) == 0
    report = _report(capsys.readouterr().err)
    n_raw = len(list((tmp_path / "c" / "raw").glob("*.html")))
    assert (int(report["pages rendered"]), int(report["pages from cache"])) == (n_raw, total - n_raw)
    # a setting the templates read
    assert _site_build(tmp_path / "d", SEEDS, cache, THEME=str(theme), SITENAME="Another name") == 0
    assert _report(capsys.readouterr().err)["pages from cache"] == "0"
    assert "Another name" in (tmp_path / "d" / "index.html").read_text(encoding="utf-8")
    # and nothing stale comes back: the cold build of the same theme is identical
    assert _site_build(tmp_path / "e", SEEDS, tmp_path / "cold", THEME=str(theme), SITENAME="Another name") == 0
    _same_files(tmp_path / "d", tmp_path / "e")


def test_a_rebuild_into_the_same_folder_leaves_nothing_stale(tmp_path, capsys):
    """Our page folders and the search bundle are kept between builds (not
    emptied by Pelican): a page already linked to its cache entry stays, and
    everything the build did not write there goes — the pages of a removed
    seed, a file put there by hand, a page edited in place is restored; the
    folder ends up equal to a cold build's."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert _build(out, seeds, cache) == 0
    before = {p.relative_to(out).as_posix() for p in (out / "articles").glob("*.html")}
    kept = sorted((out / "raw").glob("*.html"))[0]
    changed = kept.stat().st_ctime_ns  # (deleting or linking the file would change it)
    gone = sorted(seeds.glob("*.txt"))[-1]
    gone.unlink()
    (out / "articles" / "stale.html").write_text("left over", encoding="utf-8")
    (out / "speakers" / "sub").mkdir()
    (out / "speakers" / "sub" / "old.html").write_text("left over", encoding="utf-8")
    (out / "pagefind" / "stale.pf_fragment").write_text("left over", encoding="utf-8")
    edited = sorted((out / "versions").glob("*.html"))[0]
    with open(edited, "w", encoding="utf-8") as f:  # in place: the cache entry it is linked to changes too
        f.write("edited")
    capsys.readouterr()
    assert _build(out, seeds, cache) == 0
    after = {p.relative_to(out).as_posix() for p in (out / "articles").glob("*.html")}
    assert len(after) == len(before) - 1 and "articles/stale.html" not in after
    assert not (out / "speakers" / "sub").exists() and not (out / "pagefind" / "stale.pf_fragment").exists()
    if kept.exists():  # (unless it belonged to the removed seed)
        assert kept.stat().st_ctime_ns == changed  # left in place, not deleted and linked again
    assert _build(tmp_path / "cold", seeds, tmp_path / "cold-cache") == 0
    _same_tree(out, tmp_path / "cold")
    # a build without search leaves no search index behind
    assert run_build(ROOT / "pelican.conf.py", output=out, seeds=seeds, search=False,
                     overrides={"ANNOTATED_ARCHIVE_CACHE": str(cache)}) == 0
    assert not (out / "pagefind").exists()
