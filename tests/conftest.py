"""Shared fixtures: one real Pelican build of the project's seeds into a temp folder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

SEEDS = ROOT / "seeds"


def build_site(out: Path, seeds: Path = SEEDS, notes: Path | None = None, search: bool = True, strict: bool = False) -> int:
    """Build with the project's pelican.conf.py into ``out`` (a real Pelican run)."""
    from annotated_archive.build import run_build

    # every test build gets its own cache folder (never the project's cache/)
    overrides = {"ANNOTATED_ARCHIVE_CACHE": str(out.parent / f".cache-{out.name}")}
    if notes is not None:
        overrides["NOTES_PATH"] = str(notes)
    return run_build(ROOT / "pelican.conf.py", output=out, seeds=seeds, strict=strict, search=search, overrides=overrides)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The seeds site, built once per test session (with the search index)."""
    out = tmp_path_factory.mktemp("site")
    assert build_site(out) == 0
    return out


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
