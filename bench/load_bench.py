"""The fixed costs of a rebuild before the cross-archive stages: reading the
seeds, the line statistics, loading every seed's cached results, the
alignments and the cross-archive state, and the cache writes at the end.

    python bench/load_bench.py SEEDS_DIR CACHE_DIR [--work /tmp/aa-load] [--runs 2]

Copies ``CACHE_DIR/annotated_archive.sqlite`` and the cross-archive state
``CACHE_DIR/cross.pickle`` to WORK (the cache is never written to), then runs those steps of ``ArchiveGenerator.generate_context``
``--runs`` times, each in a fresh process: the first run fills the cache of
decoded seeds if it is empty, the others show a rebuild.  Seeds missing from
the cache (another code version: see ``cache.code_version``) are counted,
not processed.  Prints CPU seconds (user + system: comparable on a busy
machine) and wall seconds per step.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))


def _run(seeds_path: Path, work: Path) -> None:
    from annotated_archive import files, glue, pipeline
    from annotated_archive.cache import StageCache, code_version

    rows = []
    last = [sum(os.times()[:2]), time.perf_counter()]

    def tick(label: str) -> None:
        cpu, wall = sum(os.times()[:2]), time.perf_counter()
        rows.append((label, cpu - last[0], wall - last[1]))
        last[:] = [cpu, wall]

    paths = files.list_seed_files(seeds_path)
    cache = StageCache(work)
    seeds, skipped, lines = files.read_all(paths, glue.SeedReader({"SEEDS_PATH": str(seeds_path)}).name_of, cache)
    unique, _copies = pipeline.dedupe(seeds)
    tick("read (list, read, decode or cache)")
    version = code_version()
    _views, keys = glue.seed_views_and_keys(unique, lines, version)
    tick("stats (views, keys)")
    cached = cache.get_many("seed", keys)
    tick("load per-seed results")
    key_of = {s.doc_id: k for s, k in zip(unique, keys)}
    pair_key, known = glue.known_alignments(cache, key_of)
    state = cache.get_blob("cross", version)
    tick("load alignments, state")
    cache.sync_kind("align", {pair_key(a): a for a in known.values()}, [pair_key(a) for a in known.values()])
    if state is not None:
        cache.put_blob("cross", version, state)
    cache.get_many("manifest", ["last"])
    cache.put_many("manifest", {"last": {s.name: s.sha256 for s in seeds}})
    cache.prune("seed", keys)
    cache.close()
    tick("cache writes")
    gc.collect()
    tick("(a full collector pass after it)")
    print(f"  {len(paths)} files, {len(unique)} seeds, {len(cached)} cached results, "
          f"{len(known)} alignments, state {'loaded' if state is not None else 'missing'}")
    for label, cpu, wall in rows:
        print(f"  {label:<36}{cpu:7.2f} CPU s {wall:7.2f} s")
    print(f"  {'total':<36}{sum(r[1] for r in rows):7.2f} CPU s {sum(r[2] for r in rows):7.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seeds", type=Path)
    ap.add_argument("cache", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/aa-load"))
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a single run, in this process
    a = ap.parse_args()
    if a.one:
        _run(a.seeds, a.work)
        return
    shutil.rmtree(a.work, ignore_errors=True)
    a.work.mkdir(parents=True)
    shutil.copy(a.cache / "annotated_archive.sqlite", a.work / "annotated_archive.sqlite")
    if (a.cache / "cross.pickle").is_file():
        shutil.copy(a.cache / "cross.pickle", a.work / "cross.pickle")
    for i in range(a.runs):
        print(f"run {i + 1}:")
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, str(a.seeds), str(a.cache), "--work", str(a.work), "--one"], check=True)


if __name__ == "__main__":
    main()
