"""Page output benchmark: where the "render" and "write" time of a build goes.

    python bench/pages_bench.py SEEDS_DIR [--work /tmp/aa-pages] [--workers 2]

Assembles the archive once (per-seed results cached under WORK/cache, so a
second run skips the cleaning), then measures on the same archive:

* page list (``render.build_pages``: paths, templates, listing models),
  article/raw/versions page models (``PageSpec.compute``), content keys;
* writing every page (``output.write_pages``): one process and the forked
  workers, each with an empty and with a full page cache.

Prints CPU seconds (this process + its workers: comparable on a busy
machine) and wall seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))


def _cpu() -> tuple[float, float]:
    t = os.times()
    return t.user + t.children_user, t.system + t.children_system


def _measure(label: str, fn, rows: list) -> object:
    (u, s), w = _cpu(), time.perf_counter()
    out = fn()
    (u2, s2) = _cpu()
    rows.append((label, u2 - u, s2 - s, time.perf_counter() - w))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seeds", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/aa-pages"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    import logging

    from pelican import Pelican
    from pelican.settings import read_settings

    from annotated_archive import glue, output
    from annotated_archive.glue import ArchiveGenerator
    from annotated_archive.render import PageSpec, page_key

    logging.basicConfig(level=logging.ERROR)
    cache = args.work / "cache"
    out = args.work / "output"
    settings = read_settings(
        str(ROOT / "pelican.conf.py"),
        override={"SEEDS_PATH": str(args.seeds.resolve()), "OUTPUT_PATH": str(out), "ANNOTATED_ARCHIVE_CACHE": str(cache),
                  "ANNOTATED_ARCHIVE_SEARCH": False},
    )
    pelican = Pelican(settings)
    context = settings.copy()
    context.update(generated_content={}, static_links=set(), static_content={}, localsiteurl=settings["SITEURL"])
    gen = ArchiveGenerator(context=context, settings=settings, path=pelican.path, theme=pelican.theme,
                           output_path=pelican.output_path)
    captured = []
    real_build_pages = glue.build_pages

    def capture(archive, site_url=""):
        captured.append(archive)
        return real_build_pages(archive, site_url)

    glue.build_pages = capture
    t = time.perf_counter()
    gen.generate_context()
    glue.build_pages = real_build_pages
    print(f"archive assembled in {time.perf_counter() - t:.1f}s ({len(gen.pages_spec)} pages)", file=sys.stderr)

    rows: list = []
    specs = _measure("page list + listing models (build_pages)", lambda: real_build_pages(captured[0]), rows)
    variables = _measure("article/raw/versions models", lambda: [s.compute() for s in specs], rows)
    _measure("content keys", lambda: [page_key(PageSpec(s.save_as, s.template, v), "salt")
                                      for s, v in zip(specs, variables)], rows)
    del variables  # (compute() keeps nothing: the writes below build the models again)

    for workers in sorted({1, args.workers}):
        settings["ANNOTATED_ARCHIVE_WORKERS"] = workers
        for state in ("empty", "full"):
            if state == "empty":
                shutil.rmtree(cache / output.CACHE_FOLDER, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            counts = _measure(f"write, {workers} process(es), page cache {state}",
                              lambda: output.write_pages(gen, pelican._get_writer(), specs), rows)
            rows[-1] = (rows[-1][0] + f": {counts['rendered']} rendered", *rows[-1][1:])

    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  user s  sys s  wall s")
    for label, user, system, wall in rows:
        print(f"{label:<{width}}  {user:6.2f} {system:6.2f}  {wall:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
