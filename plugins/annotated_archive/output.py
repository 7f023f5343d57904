"""The output edge: writes the pages of ``render.build_pages`` as HTML files.

* A page whose content key is in the page cache is hard-linked from there
  (copied across file systems); any other page is rendered with Pelican's
  Jinja environment and stored in the cache.  The key is
  ``render.input_key`` for pages that have inputs (article, raw, versions:
  found without building their models), else ``render.page_key`` (their
  variables, output path and template name); both salted with
  :func:`template_salt` — the theme's template sources, the settings its
  templates read, the Jinja configuration, library and code versions.  The
  size and modification time of every entry are kept
  (``pages-index.json``): an entry written into since (e.g. through an output
  file linked to it) is rendered again.
* Our page folders are kept between builds (glue adds them to Pelican's
  OUTPUT_RETENTION): a page already linked to its entry is left alone, and
  :func:`_sweep` removes every file a build did not write there.
* The pages are rendered and written by forked worker processes (every core)
  when there are at least ``PARALLEL_MIN`` of them.

The bytes are exactly those Pelican's ``Writer.write_file`` would write (same
local context, same template, UTF-8): a cold, a warm and a serial build give
byte-identical sites.  When another plugin listens to Pelican's
``content_written`` signal, or a template's inputs cannot be hashed, pages go
through Pelican's writer one by one instead (correct, just not cached).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .render import OWNED_FOLDERS, PageSpec, input_key, page_key

log = logging.getLogger("annotated_archive")

PARALLEL_MIN = 200  # fewer pages than this are written in-process
CHUNK = 16  # pages per task handed to a worker
CACHE_FOLDER = "pages"  # under the cache folder: one file per content key
INDEX_FILE = "pages-index.json"  # next to it: (size, mtime) of every entry as stored
SALT_VERSION = "page-cache 1"
# Context entries the writer derives from the page's own output path when
# URLs are relative (part of the key through save_as).
PER_PAGE_NAMES = frozenset({"SITEURL", "localsiteurl", "output_file"})
# Values a template may read from the context and that the salt can hash.
_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _fn_name(f: Any) -> str:
    return f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', repr(type(f)))}"


def _once(memo: dict, key: Any, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per ``key`` in ``memo``."""
    if key not in memo:
        memo[key] = make()
    return memo[key]


def _parsed(env, source: str, memo: dict) -> Any:
    """``env.parse(source)``, once per source in ``memo`` (jinja2.meta only reads the tree)."""
    return _once(memo, ("ast", source), lambda: env.parse(source))


def _closure(env, names: Sequence[str], memo: dict | None = None) -> dict[str, str] | None:
    """Source of every template ``names`` reach through extends/include/import,
    or None when a reference is dynamic (unknowable without rendering).
    ``memo``: what the salts of one build's templates share (sources, trees)."""
    from jinja2 import meta

    memo = {} if memo is None else memo
    sources: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in sources:
            continue
        source = sources[name] = _once(memo, ("source", name), lambda: env.loader.get_source(env, name)[0])  # noqa: B023
        for ref in meta.find_referenced_templates(_parsed(env, source, memo)):
            if ref is None:
                return None
            todo.append(ref)
    return sources


def template_salt(
    env, context: dict, templates: Sequence[str], relative_urls: bool, code: str, memo: dict | None = None
) -> str | None:
    """Hash of everything a page's template sees besides its own variables,
    output path and template name; None when that cannot be known (a dynamic
    template reference, or a context value the templates read that is not
    plain data).  ``memo`` (optional): shared by the salts of one build's
    templates, so that each template source is loaded and parsed once and
    the library versions looked up once (the same salts)."""
    from importlib.metadata import version

    from jinja2 import meta

    memo = {} if memo is None else memo
    sources = _closure(env, templates, memo)
    if sources is None:
        return None
    h = hashlib.sha256()

    def add(*parts: Any) -> None:
        for p in parts:
            h.update(repr(p).encode("utf-8", "surrogatepass"))
            h.update(b"\0")

    add(SALT_VERSION, code, *_once(memo, "versions", lambda: tuple(version(d) for d in ("jinja2", "markupsafe", "pelican"))))
    add(relative_urls, _fn_name(env.finalize) if env.finalize else None)
    add(env.autoescape if isinstance(env.autoescape, bool) else _fn_name(env.autoescape))
    add(env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence)
    add(env.block_start_string, env.variable_start_string, env.comment_start_string, env.line_statement_prefix)
    add(sorted(env.extensions), sorted((k, _fn_name(v)) for k, v in env.filters.items()))
    add(sorted((k, _fn_name(v)) for k, v in env.tests.items()))
    read: set[str] = set()
    for name in sorted(sources):
        add(name, sources[name])
        source = sources[name]
        read |= _once(memo, ("undeclared", source), lambda: meta.find_undeclared_variables(_parsed(env, source, memo)))  # noqa: B023
    for name in sorted(read):
        if relative_urls and name in PER_PAGE_NAMES:
            continue
        if name in context:
            value = context[name]
        elif name in env.globals:
            value = env.globals[name]
        else:
            continue  # a page variable, or undefined
        if not _plain(value):
            if callable(value):
                add(name, _fn_name(value))
                continue
            log.info("page cache off: templates read %s, which cannot be hashed", name)
            return None
        add(name, value)
    return h.hexdigest()[:32]


@dataclass
class _Job:
    """What forked workers inherit: the pages and how to render them."""

    specs: Sequence[PageSpec]
    templates: dict[str, Any]
    context: dict
    output: str
    cache: Path | None
    salts: dict[str, str | None]  # per template name; None: pages not cached
    relative: bool
    stored: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # cache entry -> (size, mtime)


_JOB: _Job | None = None  # set in each forked worker only (by _init_worker)


def _local_context(job: _Job, spec: PageSpec, variables: dict) -> dict:
    """The context Pelican's ``Writer.write_file`` gives a template."""
    from pelican.utils import get_relative_path, path_to_url

    local = job.context.copy()
    local["localsiteurl"] = local.get("localsiteurl", None)
    if job.relative:
        rel = path_to_url(get_relative_path(spec.save_as))
        local["SITEURL"] = rel
        local["localsiteurl"] = rel
    local["output_file"] = spec.save_as
    local.update(variables)
    local["page_name"] = spec.save_as
    return local


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _place(cached: Path, path: str, stored: Mapping[str, tuple[int, int]]) -> bool:
    """Put the page cache entry ``cached`` at ``path``: a hard link (no bytes
    copied), or a copy where links are not possible (another file system).
    False when the entry is missing or is not as it was stored (its size or
    modification time differ from ``stored``: something wrote into it, e.g.
    through an output file linked to it) — then the page is rendered again."""
    try:
        st = os.stat(cached)
    except OSError:
        return False
    if stored.get(cached.name) != (st.st_size, st.st_mtime_ns):
        return False
    try:
        there = os.lstat(path)
        if (there.st_ino, there.st_dev) == (st.st_ino, st.st_dev):
            return True  # kept from the last build: already this entry
    except OSError:
        pass
    _clear(path)
    try:
        os.link(cached, path)
    except OSError:
        shutil.copyfile(cached, path)
    return True


def _clear(path: str) -> None:
    """Remove a file left at ``path`` (Pelican empties the output folder, but
    a page is never written *into* an existing file: it may be a link to a
    cache entry)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_new(path: str, data: bytes) -> None:
    _clear(path)
    with open(path, "wb") as f:
        f.write(data)


def _store(cache: Path, key: str, data: bytes, path: str) -> tuple[int, int]:
    """Write a rendered page at ``path`` and make it the cache entry ``key``
    (a hard link: the entry appears whole or not at all, so a crash never
    leaves a truncated entry; one file created per page, not a temporary
    file renamed — a third of a cold build's writing time); (size, mtime)
    of the entry as stored."""
    _write_new(path, data)
    entry = cache / key
    try:
        os.link(path, entry)
    except OSError:
        # an entry _place refused (written into since it was stored), or the
        # output and the cache on different file systems: a copy, replacing it
        _write_atomic(entry, data)
    st = os.stat(entry)
    return st.st_size, st.st_mtime_ns


def _write_range(job: _Job, start: int, stop: int) -> list[tuple[str | None, bool, tuple[int, int] | None]]:
    """Write pages ``start:stop``: (content key, rendered?, (size, mtime) of
    a newly stored cache entry) for each."""
    from pelican.utils import sanitised_join

    out = []
    for spec in job.specs[start:stop]:
        path = sanitised_join(job.output, spec.save_as)
        salt = job.salts.get(spec.template)
        cacheable = salt is not None and job.cache is not None
        # 1. the key from the page's inputs: an unchanged page is placed without building its model
        key = input_key(spec, salt) if cacheable else None
        if key is not None and _place(job.cache / key, path, job.stored):
            out.append((key, False, None))
            continue
        variables = spec.compute()  # article, raw, versions pages: built here, in the worker
        if key is None and cacheable:
            # 2. the key from the model itself (pages without inputs)
            try:
                key = page_key(PageSpec(spec.save_as, spec.template, variables), salt)
            except (pickle.PicklingError, TypeError, AttributeError):
                key = None  # a value that cannot be hashed by value: render, do not cache
            if key is not None and _place(job.cache / key, path, job.stored):
                out.append((key, False, None))
                continue
        data = job.templates[spec.template].render(_local_context(job, spec, variables)).encode("utf-8")
        stat = None
        if key is not None and job.cache is not None:
            try:
                stat = _store(job.cache, key, data, path)
            except OSError as exc:
                log.warning("page cache write failed: %s", exc)
                job.cache = None
        if stat is None:
            _write_new(path, data)
        out.append((key, True, stat))
    return out


def _init_worker(job: _Job) -> None:
    global _JOB
    _JOB = job  # fork: the job is inherited, not pickled


def _work(bounds: tuple[int, int]):
    assert _JOB is not None
    return _write_range(_JOB, *bounds)


def _index_path(cache: Path) -> Path:
    return cache.parent / INDEX_FILE


def _load_index(cache: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of each page cache entry as stored; an entry not in it
    (or an unreadable index) is rendered again."""
    try:
        raw = json.loads(_index_path(cache).read_text(encoding="utf-8"))
        return {k: (int(v[0]), int(v[1])) for k, v in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return {}


def _save_index(cache: Path, index: Mapping[str, tuple[int, int]]) -> None:
    try:
        _write_atomic(_index_path(cache), json.dumps(dict(sorted(index.items())), separators=(",", ":")).encode())
    except OSError as exc:
        log.warning("page cache index not written (%s): the next build renders every page", exc)


def _sweep(output: str, paths: Sequence[str], written: set[str]) -> None:
    """Delete the files of our folders (``render.OWNED_FOLDERS``: Pelican
    keeps them between builds, glue adds them to its OUTPUT_RETENTION) that
    this build did not write (pages
    of removed seeds, listing pages that are gone, anything put there by
    hand), except what Pelican wrote there in this build."""
    keep = {os.path.abspath(p) for p in (*paths, *written)}
    for name in OWNED_FOLDERS:
        top = os.path.abspath(os.path.join(output, name))
        for root, dirs, files in os.walk(top, topdown=False):
            for f in files:
                path = os.path.join(root, f)
                if path not in keep:
                    try:
                        os.unlink(path)
                    except OSError as exc:
                        log.warning("could not remove %s: %s", path, exc)
            if root != top:
                try:
                    os.rmdir(root)  # only when empty
                except OSError:
                    pass


def _prune(folder: Path, keep: set[str]) -> None:
    try:
        for entry in os.scandir(folder):
            if entry.name not in keep:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
    except OSError:
        pass


def write_pages(generator, writer, specs: Sequence[PageSpec]) -> dict[str, int]:
    """Write every page of ``specs`` into the generator's output folder.
    Returns counts: pages ``rendered`` and pages copied from the cache."""
    from pelican import signals
    from pelican.utils import get_relative_path, path_to_url, sanitised_join

    settings = generator.settings
    relative = settings.get("RELATIVE_URLS", True)
    output = str(generator.output_path)
    paths = [sanitised_join(output, s.save_as) for s in specs]
    # Pelican's record of the files it wrote (pages of content/pages): it
    # refuses to write one twice, and _sweep leaves them alone
    written = getattr(writer, "_written_files", None)
    if not isinstance(written, set):
        written = set()
    if signals.content_written.receivers:
        # another plugin wants to see every page written: Pelican's writer, serially
        for spec, path in zip(specs, paths):
            _clear(path)  # (kept from the last build, maybe linked to a cache entry: never written into)
            writer.write_file(
                spec.save_as, generator.get_template(spec.template), generator.context,
                relative_urls=relative, override_output=False, page_name=spec.save_as, **spec.variables,
            )
        _sweep(output, paths, written)
        return {"rendered": len(specs), "cached": 0}

    from .cache import code_version

    for p in paths:
        if p in written:
            from pelican.writers import FileOverwriteFailedError

            raise FileOverwriteFailedError(f'Failed to overwrite "{p}" as Pelican has already written to it previously')
    written.update(paths)
    for d in sorted({os.path.dirname(p) for p in paths}):
        os.makedirs(d, exist_ok=True)

    templates = {name: generator.get_template(name) for name in sorted({s.template for s in specs})}
    cache_dir = settings.get("ANNOTATED_ARCHIVE_CACHE")
    cache: Path | None = None
    salts: dict[str, str | None] = {}
    if cache_dir:
        cache = Path(cache_dir) / CACHE_FOLDER
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("page cache disabled (%s): %s", cache, exc)
            cache = None
        if cache is not None:
            code = code_version()
            memo: dict = {}
            salts = {
                name: template_salt(generator.env, generator.context, [t.name], relative, code, memo)
                for name, t in templates.items()
            }
    stored = _load_index(cache) if cache is not None else {}
    job = _Job(specs, templates, generator.context, output, cache, salts, relative, stored)

    workers = settings.get("ANNOTATED_ARCHIVE_WORKERS") or os.cpu_count() or 1
    bounds = [(i, min(i + CHUNK, len(specs))) for i in range(0, len(specs), CHUNK)]
    if workers > 1 and len(specs) >= PARALLEL_MIN:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        gc.freeze()  # the workers' collector then leaves the inherited objects (and their memory pages) alone
        try:
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker, initargs=(job,),
            ) as pool:
                results = [r for chunk in pool.map(_work, bounds) for r in chunk]
        finally:
            gc.unfreeze()
    else:
        results = [r for b in bounds for r in _write_range(job, *b)]

    if specs and relative:
        # as Pelican's writer leaves it: the last page's relative site URL
        generator.context["localsiteurl"] = path_to_url(get_relative_path(specs[-1].save_as))
    _sweep(output, paths, written)
    if cache is not None:
        keep = {k for k, _, _ in results if k is not None}
        index = {k: stored[k] for k in keep if k in stored}
        index.update((k, st) for k, _, st in results if k is not None and st is not None)
        _save_index(cache, index)
        _prune(cache, keep)
    rendered = sum(1 for _, r, _ in results if r)
    return {"rendered": rendered, "cached": len(results) - rendered}
