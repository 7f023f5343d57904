"""CPU seconds of corroboration on a rebuild (docs/claims.md, "Speed, fourth round").

    python bench/corroborate_bench.py prep SEEDS_DIR EXTRA_SEED CACHE_DIR OUT_DIR
    python bench/corroborate_bench.py run OUT_DIR [--reps N] [--check]

``prep`` loads the per-seed results of SEEDS_DIR from a build cache (the
cache of a build of those seeds by the code being run: the keys hold its
code version; run it with the code that made the cache, e.g.
``PYTHONPATH=<that checkout>/plugins``), processes EXTRA_SEED, and pickles
the inputs of ``corroborate_incremental`` without and with the extra seed
into OUT_DIR.  ``run`` times ``corroborate_incremental`` on them
(``time.process_time``): cold over the seeds (its state is carried on),
+1 seed given that state, and no change given the state of the +1 call;
``--check`` also runs the +1 call cold and checks the matches are equal.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from pathlib import Path


def prep(seeds_dir: Path, extra: Path, cache_dir: Path, out: Path) -> None:
    from annotated_archive import files, pipeline
    from annotated_archive.cache import StageCache, code_version

    cache = StageCache(cache_dir)
    version = code_version()
    paths = files.list_seed_files(seeds_dir)
    out.mkdir(parents=True, exist_ok=True)
    gc.disable()
    for tag, ps in (("base", paths), ("plus1", sorted([*paths, extra]))):
        seeds = [r for r in (files.load_seed(p, p.name) for p in ps) if hasattr(r, "doc_id")]
        unique, _ = pipeline.dedupe(seeds)
        views = pipeline.stats_views(unique)
        keys = [pipeline.seed_key(s, v, version) for s, v in zip(unique, views)]
        cached = cache.get_many("seed", keys)
        print(f"{tag}: {len(unique)} seeds, {len(unique) - len(cached)} not in the cache (processed)", flush=True)
        results = [cached.get(k) or pipeline.process_seed(unique[i], views[i]) for i, k in enumerate(keys)]
        order = sorted(range(len(unique)), key=lambda i: (unique[i].doc_id, unique[i].name))
        results = [results[i] for i in order]
        versions = pipeline.cross_versions(results)
        claims = tuple(c for r in results for c in r.claims)
        features = [f for r in results for f in r.features]
        with open(out / f"{tag}.pkl", "wb") as fh:
            pickle.dump((claims, versions, features), fh, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"{tag}: {len(claims)} claims", flush=True)


def run(out: Path, reps: int, check: bool) -> None:
    from annotated_archive import claims_match as cm

    with open(out / "base.pkl", "rb") as fh:
        base = pickle.load(fh)
    with open(out / "plus1.pkl", "rb") as fh:
        plus1 = pickle.load(fh)
    gc.disable()  # as the build does around the cross-archive stages

    def timed(label, inp, prev, k):
        claims, versions, feats = inp
        for _ in range(k):
            t0 = time.process_time()
            res = cm.corroborate_incremental(claims, versions, prev, feats)
            print(f"{label:26s} {time.process_time() - t0:6.2f} s CPU", flush=True)
            gc.collect()
        return res

    _, s0 = timed("cold (no state)", base, None, 1)
    m1, s1 = timed("+1 seed", plus1, s0, reps)
    m2, _ = timed("no change", plus1, s1, reps)
    state = pickle.dumps(s1, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"state pickled: {len(state) / 1e6:.1f} MB; {len(m1)} matches")
    if check:
        cold, _ = timed("+1 seed cold (no state)", plus1, None, 1)
        assert cold == m1 == m2, "incremental matches differ from the cold computation"
        print("equal to the cold computation")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prep")
    p.add_argument("seeds", type=Path)
    p.add_argument("extra", type=Path)
    p.add_argument("cache", type=Path)
    p.add_argument("out", type=Path)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--reps", type=int, default=3)
    r.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    if a.cmd == "prep":
        prep(a.seeds, a.extra, a.cache, a.out)
    else:
        run(a.out, a.reps, a.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
