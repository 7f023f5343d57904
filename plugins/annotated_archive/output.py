"""The output edge: writes the pages of ``render.build_pages`` as HTML files.

* A page whose content key (``render.page_key``: its variables, output path
  and template name, salted with :func:`template_salt` — the theme's template
  sources, the settings its templates read, the Jinja configuration, library
  and code versions) is in the page cache is copied from there; any other page
  is rendered with Pelican's Jinja environment and stored in the cache.
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
import logging
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .render import PageSpec, page_key

log = logging.getLogger("annotated_archive")

PARALLEL_MIN = 200  # fewer pages than this are written in-process
CHUNK = 16  # pages per task handed to a worker
CACHE_FOLDER = "pages"  # under the cache folder: one file per content key
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


def _closure(env, names: Sequence[str]) -> dict[str, str] | None:
    """Source of every template ``names`` reach through extends/include/import,
    or None when a reference is dynamic (unknowable without rendering)."""
    from jinja2 import meta

    sources: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in sources:
            continue
        source = env.loader.get_source(env, name)[0]
        sources[name] = source
        for ref in meta.find_referenced_templates(env.parse(source)):
            if ref is None:
                return None
            todo.append(ref)
    return sources


def template_salt(env, context: dict, templates: Sequence[str], relative_urls: bool, code: str) -> str | None:
    """Hash of everything a page's template sees besides its own variables,
    output path and template name; None when that cannot be known (a dynamic
    template reference, or a context value the templates read that is not
    plain data)."""
    from importlib.metadata import version

    from jinja2 import meta

    sources = _closure(env, templates)
    if sources is None:
        return None
    h = hashlib.sha256()

    def add(*parts: Any) -> None:
        for p in parts:
            h.update(repr(p).encode("utf-8", "surrogatepass"))
            h.update(b"\0")

    add(SALT_VERSION, code, *(version(d) for d in ("jinja2", "markupsafe", "pelican")))
    add(relative_urls, _fn_name(env.finalize) if env.finalize else None)
    add(env.autoescape if isinstance(env.autoescape, bool) else _fn_name(env.autoescape))
    add(env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence)
    add(env.block_start_string, env.variable_start_string, env.comment_start_string, env.line_statement_prefix)
    add(sorted(env.extensions), sorted((k, _fn_name(v)) for k, v in env.filters.items()))
    add(sorted((k, _fn_name(v)) for k, v in env.tests.items()))
    read: set[str] = set()
    for name in sorted(sources):
        add(name, sources[name])
        read |= meta.find_undeclared_variables(env.parse(sources[name]))
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


def _write_range(job: _Job, start: int, stop: int) -> list[tuple[str | None, bool]]:
    """Write pages ``start:stop``: (content key, rendered?) for each."""
    from pelican.utils import sanitised_join

    out = []
    for spec in job.specs[start:stop]:
        path = sanitised_join(job.output, spec.save_as)
        variables = spec.compute()  # article, raw, versions pages: built here, in the worker
        salt = job.salts.get(spec.template)
        key = None
        if salt is not None and job.cache is not None:
            try:
                key = page_key(PageSpec(spec.save_as, spec.template, variables), salt)
            except (pickle.PicklingError, TypeError, AttributeError):
                key = None  # a value that cannot be hashed by value: render, do not cache
        if key is not None:
            try:
                shutil.copyfile(job.cache / key, path)
                out.append((key, False))
                continue
            except OSError:
                pass  # not cached (or unreadable): render it
        data = job.templates[spec.template].render(_local_context(job, spec, variables)).encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        if key is not None:
            try:
                _write_atomic(job.cache / key, data)
            except OSError as exc:
                log.warning("page cache write failed: %s", exc)
                job.cache = None
        out.append((key, True))
    return out


def _init_worker(job: _Job) -> None:
    global _JOB
    _JOB = job  # fork: the job is inherited, not pickled


def _work(bounds: tuple[int, int]):
    assert _JOB is not None
    return _write_range(_JOB, *bounds)


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
    if signals.content_written.receivers:
        # another plugin wants to see every page written: Pelican's writer, serially
        for spec in specs:
            writer.write_file(
                spec.save_as, generator.get_template(spec.template), generator.context,
                relative_urls=relative, override_output=False, page_name=spec.save_as, **spec.variables,
            )
        return {"rendered": len(specs), "cached": 0}

    from .cache import code_version

    # Pelican's own refusal to write a file twice (pages of content/pages)
    written = getattr(writer, "_written_files", None)
    output = str(generator.output_path)
    paths = [sanitised_join(output, s.save_as) for s in specs]
    if isinstance(written, set):
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
            salts = {
                name: template_salt(generator.env, generator.context, [t.name], relative, code)
                for name, t in templates.items()
            }
    job = _Job(specs, templates, generator.context, output, cache, salts, relative)

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
    if cache is not None:
        _prune(cache, {k for k, _ in results if k is not None})
    rendered = sum(1 for _, r in results if r)
    return {"rendered": rendered, "cached": len(results) - rendered}
