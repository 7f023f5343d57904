"""The Pelican edge — the only module that imports Pelican.

* :class:`SeedReader` — a Pelican reader for scraped ``.txt`` / ``.html`` files.
* :class:`ArchiveGenerator` — reads ``SEEDS_PATH`` with that reader, runs the
  pure pipeline, and writes every page with Pelican's writer and our theme.
* ``finalized`` — runs Pagefind over the output, so every build is searchable.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.readers import BaseReader

from . import files
from .models import Seed
from . import output, pipeline, search_index
from .cache import StageCache, code_version
from .render import OWNED_FOLDERS, build_pages, neutralise

log = logging.getLogger("annotated_archive")

PROGRESS_EVERY = 0.05  # report progress every 5 % on builds of >= PROGRESS_MIN seeds
PROGRESS_MIN = 200
PARALLEL_MIN = 64  # fewer uncached seeds than this are processed in-process
PARALLEL_BATCH = 32


class SeedReader(BaseReader):
    """Reads one scraped file into a :class:`Seed` (metadata ``seed``) or a
    :class:`SkippedSeed` (metadata ``skipped``).  Never raises for bad input."""

    enabled = True
    file_extensions = ["txt", "html", "htm", "gz"]

    def name_of(self, source_path) -> str:
        base = self.settings.get("SEEDS_PATH") or os.path.dirname(source_path)
        try:
            return Path(source_path).relative_to(base).as_posix()
        except ValueError:
            return Path(source_path).name

    def read(self, source_path):  # noqa: D401 - Pelican API
        r = files.load_seed(Path(source_path), self.name_of(source_path))
        key = "seed" if isinstance(r, Seed) else "skipped"
        return "", {key: r}


def _neutralise_text(value):
    """Jinja ``finalize``: plain strings get :func:`render.neutralise`;
    ``Markup`` (built and escaped by render.py) is left as it is."""
    if type(value) is str:  # most values: no attribute lookups
        return neutralise(value)
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return neutralise(value)
    return value


class _Timer:
    """Wall-clock time per named stage (the edge keeps the clock, not the stages)."""

    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.stages: dict[str, float] = {}

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.t
        self.t = now


class _Progress:
    """Logs ``what: done/total (pct)`` every PROGRESS_EVERY of a long job."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self.step = max(1, int(total * PROGRESS_EVERY))
        self.next = self.step

    def add(self, k: int = 1) -> None:
        self.done += k
        if self.total >= PROGRESS_MIN and (self.done >= self.next or self.done == self.total):
            log.info("%s: %d/%d (%d%%)", self.what, self.done, self.total, self.done * 100 // self.total)
            self.next = self.done + self.step


def seed_views_and_keys(unique: list[Seed], derived: dict, version: str) -> tuple[list, list[str]]:
    """The statistics stage: each seed's view of the line statistics and its
    per-seed cache key, from the lines and digest ``files.read_all`` gave."""
    views = pipeline.stats_views(unique, [derived[id(s)][0] for s in unique])
    return views, [pipeline.seed_key(s, v, version, derived[id(s)][1]) for s, v in zip(unique, views)]


def known_alignments(cache: StageCache, key_of: dict[str, str]):
    """The key alignments are stored under (the cache keys of both texts) and
    the stored alignments still valid: an alignment is reused only while both
    of its texts' cache keys are unchanged."""

    def pair_key(a) -> str:
        return f"{key_of.get(a.canonical)}|{key_of.get(a.doc_id)}"

    return pair_key, {(a.canonical, a.doc_id): a for k, a in cache.get_all("align").items() if k == pair_key(a)}


def _work(batch):
    return [(i, pipeline.process_seed(seed, view)) for i, seed, view in batch]


def _process(seeds, views, todo: list[int], workers: "_Workers") -> dict:
    """Per-seed stages for the seeds not in the cache, on every core when it pays."""
    out: dict = {}
    n = len(todo)
    if not n:
        return out
    batch_size = max(1, min(PARALLEL_BATCH, n // (workers.n * 4) or 1))
    batches = [[(i, seeds[i], views[i]) for i in todo[k : k + batch_size]] for k in range(0, n, batch_size)]
    progress = _Progress("cleaning, claims, fingerprints", n)
    for res in workers.imap(_work, batches) if workers.pays(n) else map(_work, batches):
        out.update(res)
        progress.add(len(res))
    return out


class _Workers:
    """A ``map`` over forked worker processes for the independent jobs of
    the read, per-seed and cross-archive stages (decoding seeds, cleaning
    them, the version alignments): in order, on every core when there are
    enough jobs to pay for it.  One pool, made when first needed and kept
    until :meth:`close` (jobs carry their own data: a pool forked early
    serves later stages too)."""

    def __init__(self, workers: int | None) -> None:
        self.n = workers or os.cpu_count() or 1
        self.pool = None

    def pays(self, jobs: int) -> bool:
        """Whether ``jobs`` jobs are worth the pool (more than one core, enough jobs)."""
        return self.n > 1 and jobs >= PARALLEL_MIN

    def imap(self, fn, items, chunksize: int = 1):
        """``fn`` over ``items`` on the pool, results in order as they come."""
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.n, mp_context=multiprocessing.get_context("fork"))
        return self.pool.map(fn, items, chunksize=chunksize)

    def __call__(self, fn, items):
        items = list(items)
        if not self.pays(len(items)):
            return list(map(fn, items))
        # small chunks: a job's cost varies (one cluster's alignment can be most of the stage)
        return list(self.imap(fn, items, max(1, min(8, len(items) // (self.n * 8)))))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


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
        mapper = _Workers(self.settings.get("ANNOTATED_ARCHIVE_WORKERS"))
        try:
            self._generate_context(mapper)
        finally:
            mapper.close()

    def _generate_context(self, mapper: _Workers) -> None:
        timer = _Timer()
        seeds_path = Path(self.settings.get("SEEDS_PATH") or "seeds")
        notes_path = Path(self.settings.get("NOTES_PATH") or Path(self.path) / "notes")
        if not seeds_path.is_dir():
            log.warning("seeds folder %s does not exist: building an empty archive", seeds_path)
        paths = files.list_seed_files(seeds_path)
        cache_dir = self.settings.get("ANNOTATED_ARCHIVE_CACHE")
        cache = StageCache(Path(cache_dir) if cache_dir else None)
        progress = _Progress("reading seeds", len(paths))
        seeds, skipped, derived = files.read_all(paths, SeedReader(self.settings).name_of, cache, progress.add, mapper)
        # identical texts have the same identity: published once, the copies
        # named in the log and on the raw page (not an input error: --strict passes)
        unique, copies = pipeline.dedupe(seeds)
        for c in copies:
            saved = "" if c.same_bytes else ", saved differently: its raw text is on that raw page"
            log.info("identical copy %s: same text as %s (published once%s)", c.name, c.same_as, saved)
        notes, bad_notes = files.load_notes(notes_path)
        skipped.extend(bad_notes)
        timer("read")

        version = code_version()
        views, keys = seed_views_and_keys(unique, derived, version)
        timer("stats")
        cached = cache.get_many("seed", keys)
        todo = [i for i, k in enumerate(keys) if k not in cached]
        fresh = _process(unique, views, todo, mapper)
        cache.put_many("seed", {keys[i]: r for i, r in fresh.items()})
        results = [cached.get(k) or fresh[i] for i, k in enumerate(keys)]
        timer("clean+claims+fingerprint")

        key_of = {s.doc_id: k for s, k in zip(unique, keys)}
        pair_key, known = known_alignments(cache, key_of)
        # the cross-archive stages' state of the last build (same code version only)
        state = cache.get_blob("cross", version)
        timer("cache")
        # the cross-archive stages allocate millions of short-lived objects and
        # free them by reference counting: the cyclic collector's passes over
        # the whole heap cost ~25 % of their time, for nothing
        gc_on = gc.isenabled()
        gc.disable()
        try:
            archive, state = pipeline.assemble_incremental(
                unique, results, skipped, notes, known_alignments=known, timer=timer, previous=state,
                workers=self.settings.get("ANNOTATED_ARCHIVE_WORKERS") or -1,
                mapper=mapper,
            )
        finally:
            if gc_on:
                gc.enable()
        archive = dataclasses.replace(archive, copies=tuple(copies))
        aligned = {pair_key(a): a for a in archive.versions.alignments}
        # alignments reused from `known` are already stored under their key
        cache.sync_kind("align", aligned, [k for k, a in aligned.items() if known.get((a.canonical, a.doc_id)) is a])
        cache.put_blob("cross", version, state)
        timer("cache")
        manifest = {s.name: s.sha256 for s in seeds}
        previous = cache.get_many("manifest", ["last"]).get("last")
        cache.put_many("manifest", {"last": manifest})
        cache.prune("seed", keys)
        cache.close()

        for s in archive.skipped:
            log.warning("skipped %s: %s", s.name, s.reason)
        for a in archive.notes:
            if a.claim_id is None:
                log.warning("orphaned note %s: no claim matches its id or quote", a.note.name)
        # a document's per-seed cache key identifies its cleaned text and claims:
        # the page cache finds unchanged pages from it without building them
        self.pages_spec = build_pages(archive, self.settings.get("SITEURL", ""), tokens=key_of)
        seen: dict[str, str] = {}
        for spec in self.pages_spec:
            if spec.save_as in seen:
                raise RuntimeError(
                    f"two pages would be written to {spec.save_as} (from the {seen[spec.save_as]} and "
                    f"{spec.template} templates): refusing to overwrite"
                )
            seen[spec.save_as] = spec.template
        timer("render")
        self.report = {
            "seeds read": len(paths),
            "articles": len(archive.docs),
            "skipped": len(archive.skipped),
            "identical copies": len(archive.copies),
            "new": len(set(manifest) - set(previous)) if previous is not None else len(manifest),
            "changed": sum(1 for n, h in manifest.items() if previous and n in previous and previous[n] != h),
            "removed": len(set(previous) - set(manifest)) if previous is not None else 0,
            "cache hits": len(keys) - len(todo),
            "version clusters": sum(1 for c in archive.versions.clusters if len(c.members) > 1),
            "claims": len(archive.claims),
            "orphaned notes": sum(1 for a in archive.notes if a.claim_id is None),
        }
        self.timer = timer

    def generate_output(self, writer):
        counts = output.write_pages(self, writer, self.pages_spec)
        self.timer("write")
        log.info("wrote %d pages in %.1fs (%d rendered, %d from the page cache)", len(self.pages_spec),
                 self.timer.stages["write"], counts["rendered"], counts["cached"])
        self.report["pages rendered"] = counts["rendered"]
        self.report["pages from cache"] = counts["cached"]
        self.settings["_ANNOTATED_ARCHIVE_REPORT"] = (self.report, self.timer)


def _get_generators(pelican):
    return ArchiveGenerator


def _add_reader(readers):
    for ext in SeedReader.file_extensions:
        readers.reader_classes.setdefault(ext, SeedReader)


def run_pagefind(output_path: str, cache_dir: str | None = None, workers: int | None = None):
    """Index the built site's articles with Pagefind, in cached shards (search_index.py)."""
    r = search_index.build(output_path, cache_dir, workers)
    if r.ok:
        log.info("search index written to %s/pagefind (%d pages; shards re-indexed: %d/%d)",
                 output_path, r.pages, r.rebuilt, r.shards)
    return r


def minify_theme(output_path: str, theme_dir: str) -> int:
    """Minify the theme's scripts and styles that Pelican copied into the
    output (``theme_dir`` there): comments and spaces out, by rjsmin and
    rcssmin; the theme's sources keep their comments.  Pelican copies them
    anew every build, so this runs every build.  Returns the bytes saved."""
    import rcssmin
    import rjsmin

    minifiers = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}
    saved = 0
    root = Path(output_path) / theme_dir
    for f in sorted(root.rglob("*")):
        minify = minifiers.get(f.suffix)
        if minify is None or not f.is_file() or f.is_symlink():
            continue
        try:
            text = f.read_text("utf-8")
            small = minify(text).strip() + "\n"
            if len(small) < len(text):
                output._write_atomic(f, small.encode("utf-8"))  # (a new file: never written through a link)
                saved += len(text.encode("utf-8")) - len(small.encode("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("theme file left as it is: %s (%s)", f, exc)
    return saved


def _finalized(pelican):
    gc.unfreeze()  # what the cache loaded was frozen (cache.StageCache._load)
    minify_theme(pelican.output_path, pelican.settings.get("THEME_STATIC_DIR", "theme"))  # (a few ms: not a stage)
    report, timer = pelican.settings.get("_ANNOTATED_ARCHIVE_REPORT", (None, None))
    if timer is not None:
        timer.t = time.perf_counter()
    if pelican.settings.get("ANNOTATED_ARCHIVE_SEARCH", True):
        r = run_pagefind(pelican.output_path, pelican.settings.get("ANNOTATED_ARCHIVE_CACHE"),
                         pelican.settings.get("ANNOTATED_ARCHIVE_WORKERS"))
        if not r.ok:
            # the bundle is kept between builds: never leave the last build's index behind
            shutil.rmtree(Path(pelican.output_path) / search_index.BUNDLE, ignore_errors=True)
        if report is not None:
            report["search shards rebuilt"] = f"{r.rebuilt}/{r.shards}" if r.ok else "failed"
        if timer is not None:
            timer("search index")
    if report is not None:
        # printed, not logged: a plain table at the end of every build log
        print("build report:\n" + format_report(report, timer.stages if timer else {}), file=sys.stderr)


def format_report(report: dict, stages: dict) -> str:
    width = max(len(k) for k in [*report, *stages]) + 2
    lines = [f"  {k:<{width}}{v}" for k, v in report.items()]
    lines.append("  time per stage:")
    lines += [f"    {k:<{width}}{v:7.2f}s" for k, v in stages.items()]
    lines.append(f"    {'total':<{width}}{sum(stages.values()):7.2f}s")
    return "\n".join(lines)


def _keep_owned_folders(pelican):
    """Pelican empties the output folder before every build except what
    OUTPUT_RETENTION names.  Our page folders (and the search bundle when the
    search is built) are kept instead: the output edge leaves a page that is
    already its cache entry as it is and removes every file it did not write
    there (output.py ``_sweep``; search_index ``_sync``), so nothing stale
    survives, and a rebuild does not delete and re-link ~40,000 files."""
    owned = list(OWNED_FOLDERS)
    if pelican.settings.get("ANNOTATED_ARCHIVE_SEARCH", True):
        owned.append(search_index.BUNDLE)
    pelican.output_retention = [*pelican.output_retention, *(n for n in owned if n not in pelican.output_retention)]


def register():
    signals.initialized.connect(_keep_owned_folders)
    signals.readers_init.connect(_add_reader)
    signals.get_generators.connect(_get_generators)
    signals.finalized.connect(_finalized)
