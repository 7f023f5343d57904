"""The search-index stage of a rebuild, on two built sites: CPU seconds.

    python bench/search_rebuild_bench.py BEFORE_SITE AFTER_SITE [--work DIR]

Copies (hard links) the article pages of ``BEFORE_SITE`` into ``WORK/site``,
indexes them with ``search_index.build`` into an empty cache ("cold"), then
swaps in the article pages of ``AFTER_SITE`` (e.g. the same archive with
one more seed) and indexes again ("rebuild"), then once more with nothing
changed.  Each: CPU seconds of this process (its gzip threads included) and,
apart, of Pagefind; the number of shards re-indexed.  Wall times are shown
too but mean little on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from annotated_archive import search_index  # noqa: E402


def _cpu() -> tuple[float, float, float]:
    """CPU seconds: this process (user, system), Pagefind (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime, me.ru_stime, kids.ru_utime + kids.ru_stime


def _articles(src: Path, site: Path) -> None:
    dst = site / search_index.ARTICLES
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src / search_index.ARTICLES, dst, copy_function=os.link)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/aa-search-rebuild"))
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.work.exists():
        shutil.rmtree(args.work)
    site, cache = args.work / "site", args.work / "cache"
    _articles(args.before, site)
    for label in ("cold", "rebuild", "again, nothing changed"):
        if label == "rebuild":
            _articles(args.after, site)
        (u0, s0, pf0), t0 = _cpu(), time.perf_counter()
        r = search_index.build(site, cache, args.workers)
        (u1, s1, pf1), t1 = _cpu(), time.perf_counter()
        print(f"{label}: {r.pages} pages, {r.rebuilt}/{r.shards} shards re-indexed; Python {u1 - u0 + s1 - s0:.2f} s CPU"
              f" (user {u1 - u0:.2f}, system {s1 - s0:.2f}), Pagefind {pf1 - pf0:.2f} s CPU, {t1 - t0:.2f} s wall")


if __name__ == "__main__":
    main()
