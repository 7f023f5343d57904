"""The Pelican edge — the only module that imports Pelican.

* :class:`SeedReader` — a Pelican reader for scraped ``.txt`` / ``.html`` files.
* :class:`ArchiveGenerator` — reads ``SEEDS_PATH`` with that reader, runs the
  pure pipeline, and writes every page with Pelican's writer and our theme.
* ``finalized`` — runs Pagefind over the output, so every build is searchable.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.readers import BaseReader

from . import files
from .models import Seed, SkippedSeed
from .pipeline import build_archive
from .render import build_pages, neutralise

log = logging.getLogger("annotated_archive")

PROGRESS_EVERY = 0.05  # report progress every 5 % on builds of >= PROGRESS_MIN seeds
PROGRESS_MIN = 200


class SeedReader(BaseReader):
    """Reads one scraped file into a :class:`Seed` (metadata ``seed``) or a
    :class:`SkippedSeed` (metadata ``skipped``).  Never raises for bad input."""

    enabled = True
    file_extensions = ["txt", "html", "htm", "gz"]

    def read(self, source_path):  # noqa: D401 - Pelican API
        base = self.settings.get("SEEDS_PATH") or os.path.dirname(source_path)
        try:
            name = Path(source_path).relative_to(base).as_posix()
        except ValueError:
            name = Path(source_path).name
        r = files.load_seed(Path(source_path), name)
        key = "seed" if isinstance(r, Seed) else "skipped"
        return "", {key: r}


def _neutralise_text(value):
    """Jinja ``finalize``: plain strings get :func:`render.neutralise`;
    ``Markup`` (built and escaped by render.py) is left as it is."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return neutralise(value)
    return value


class ArchiveGenerator(Generator):
    """Builds the whole archive from the seeds folder."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Pelican's Jinja environment does not autoescape by default: every
        # scraped string reaches our templates as plain text, so escape it
        # (pre-built fragments are markupsafe.Markup and pass unchanged).
        self.env.autoescape = True
        # ...and make invisible formatting / control characters visible in
        # every plain string (bidi overrides cannot reorder what a reader sees)
        self.env.finalize = _neutralise_text

    def generate_context(self):
        t0 = time.perf_counter()
        seeds_path = Path(self.settings.get("SEEDS_PATH") or "seeds")
        notes_path = Path(self.settings.get("NOTES_PATH") or Path(self.path) / "notes")
        reader = SeedReader(self.settings)
        seeds: list[Seed] = []
        skipped: list[SkippedSeed] = []
        paths = files.list_seed_files(seeds_path)
        n = len(paths)
        if not seeds_path.is_dir():
            log.warning("seeds folder %s does not exist: building an empty archive", seeds_path)
        step = max(1, int(n * PROGRESS_EVERY))
        for i, p in enumerate(paths, 1):
            _, meta = reader.read(str(p))
            if "seed" in meta:
                seeds.append(meta["seed"])
            else:
                skipped.append(meta["skipped"])
            if n >= PROGRESS_MIN and (i % step == 0 or i == n):
                log.info("reading seeds: %d/%d (%d%%)", i, n, i * 100 // n)
        # identical texts have the same identity: publish once, say so
        by_id: dict[str, Seed] = {}
        unique: list[Seed] = []
        for s in sorted(seeds, key=lambda s: s.name):
            if s.doc_id in by_id:
                skipped.append(SkippedSeed(s.name, f"same text as {by_id[s.doc_id].name} (published once)"))
            else:
                by_id[s.doc_id] = s
                unique.append(s)
        notes, bad_notes = files.load_notes(notes_path)
        skipped.extend(bad_notes)
        t_read = time.perf_counter() - t0
        archive = build_archive(unique, skipped, notes)
        t_pipe = time.perf_counter() - t0 - t_read
        for s in archive.skipped:
            log.warning("skipped %s: %s", s.name, s.reason)
        for a in archive.notes:
            if a.claim_id is None:
                log.warning("orphaned note %s: no claim matches its id or quote", a.note.name)
        self.archive = archive
        self.pages_spec = build_pages(archive, self.settings.get("SITEURL", ""))
        seen: dict[str, str] = {}
        for spec in self.pages_spec:
            if spec.save_as in seen:
                raise RuntimeError(f"two pages would be written to {spec.save_as}: refusing to overwrite")
            seen[spec.save_as] = spec.template
        self.context["archive_stats"] = {
            "seeds": len(paths),
            "articles": len(archive.docs),
            "skipped": len(archive.skipped),
            "clusters": sum(1 for c in archive.versions.clusters if len(c.members) > 1),
            "claims": len(archive.claims),
            "orphaned_notes": sum(1 for a in archive.notes if a.claim_id is None),
        }
        self.context["ARCHIVE_SKIPPED"] = archive.skipped
        self.timings = {"read": t_read, "pipeline": t_pipe}
        log.info(
            "archive: %d seeds, %d articles, %d skipped, %d version clusters, %d claims (read %.1fs, pipeline %.1fs)",
            len(paths),
            len(archive.docs),
            len(archive.skipped),
            self.context["archive_stats"]["clusters"],
            len(archive.claims),
            t_read,
            t_pipe,
        )

    def generate_output(self, writer):
        t0 = time.perf_counter()
        relative = self.settings.get("RELATIVE_URLS", True)
        for spec in self.pages_spec:
            writer.write_file(
                spec.save_as,
                self.get_template(spec.template),
                self.context,
                relative_urls=relative,
                override_output=False,
                page_name=spec.save_as,
                **spec.variables,
            )
        log.info("wrote %d pages in %.1fs", len(self.pages_spec), time.perf_counter() - t0)


def _get_generators(pelican):
    return ArchiveGenerator


def _add_reader(readers):
    for ext in SeedReader.file_extensions:
        readers.reader_classes.setdefault(ext, SeedReader)


def run_pagefind(output_path: str) -> bool:
    """Index the built site with Pagefind (the PyPI package's binary)."""
    cmd = [sys.executable, "-m", "pagefind", "--site", output_path, "--silent"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("search index not built: %s", exc)
        return False
    if r.returncode != 0:
        log.error("search index not built: pagefind exited %s: %s", r.returncode, (r.stderr or r.stdout)[-2000:])
        return False
    log.info("search index written to %s/pagefind", output_path)
    return True


def _finalized(pelican):
    if pelican.settings.get("ANNOTATED_ARCHIVE_SEARCH", True):
        run_pagefind(pelican.output_path)


def register():
    signals.readers_init.connect(_add_reader)
    signals.get_generators.connect(_get_generators)
    signals.finalized.connect(_finalized)
