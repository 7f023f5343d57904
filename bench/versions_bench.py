"""Benchmark of the versions stage.

    python bench/versions_bench.py [DATA_DIR] [--mode raw|clean] [--no-align] [--scale] [--errors]

Clusters DATA_DIR/versions/texts/*.txt (default DATA_DIR: ../shared/bench,
resolved from the repository root) and prints pairwise precision, recall and
F1 over same-story pairs, and the time taken.  ``labels.json`` (file ->
{story, extractor}) is read for scoring only, after clustering.

``--mode raw`` clusters the texts as saved; ``--mode clean`` runs them through
the read and clean stages first and clusters the cleaned bodies (what the site
does).  ``--scale`` adds 3x and 15x perturbed copies of the corpus (each copy
of a story is a *distinct* story: half of the vocabulary is substituted, the
same way in every version of that story) and prints
the time per document at 1x, 4x and 16x.  ``--errors`` lists the pairs that
were wrongly merged or missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from annotated_archive import versions as V  # noqa: E402


def load_texts(data: Path) -> list[tuple[str, str]]:
    folder = data / "versions" / "texts"
    return [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(folder.glob("*.txt"))]


def clean_texts(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    from annotated_archive.clean import clean, line_stats
    from annotated_archive.read import read_seed

    seeds = [read_seed(name, text.encode("utf-8")) for name, text in items]
    stats = line_stats([s for s in seeds if hasattr(s, "text")])
    out = []
    for (name, _), s in zip(items, seeds):
        body = clean(s, stats).body_text if hasattr(s, "text") else ""
        out.append((name, body))
    return out


# ------------------------------------------------------------------ scaling

# words; a CJK character is a word of its own (those scripts have no spaces)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")


def perturb(text: str, copy: int, vocab: list[str]) -> str:
    """A distinct story made from ``text``: about half of the distinct words
    (one CJK character = one word) are replaced by other corpus words, the
    same substitution for every version of the story, so its versions stay
    versions of each other while sharing ~3 % of their shingles with the
    original.  Layout is kept, so that diffs cost what they cost at 1x."""

    def sub(m: re.Match) -> str:
        w = m.group()
        h = zlib.crc32(f"{copy}:{w.lower()}".encode())
        if h % 2:
            return w
        return vocab[(h >> 1) % len(vocab)]

    return _WORD.sub(sub, text)


def scaled(items: list[tuple[str, str]], labels: dict, factor: int) -> tuple[list[tuple[str, str]], dict]:
    vocab = sorted({w for _, t in items for w in _WORD.findall(t) if len(w) > 3 or len(w.encode()) > 2})
    out, lab = list(items), dict(labels)
    for c in range(1, factor):
        for name, text in items:
            n = f"x{c}-{name}"
            out.append((n, perturb(text, c, vocab)))
            lab[n] = {"story": f"{labels[name]['story']}#{c}", "extractor": labels[name]["extractor"]}
    return out, lab


# ------------------------------------------------------------------ scoring


def pairs_of(groups: list[list[str]]) -> set[tuple[str, str]]:
    out = set()
    for g in groups:
        out.update(itertools.combinations(sorted(g), 2))
    return out


def score(clusters, labels: dict) -> dict:
    pred = pairs_of([list(c.members) for c in clusters])
    by_story = defaultdict(list)
    for name, lab in labels.items():
        by_story[lab["story"]].append(name)
    gold = pairs_of(list(by_story.values()))
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "pred_pairs": len(pred), "gold_pairs": len(gold), "tp": tp}


def run(items, labels, align: bool) -> tuple[dict, float, float, object]:
    """Cluster (and align) ``items``: scores, wall time, CPU time of this process."""
    t0, c0 = time.perf_counter(), time.process_time()
    v = V.cluster_texts(items, align_versions=align)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return score(v.clusters, labels), dt, cpu, v


def show_errors(v, labels, texts: dict[str, str]) -> None:
    story = {n: labels[n]["story"] for n in labels}
    ext = {n: labels[n]["extractor"] for n in labels}
    where = {m: c for c in v.clusters for m in c.members}
    fps = {n: V.fingerprint(t, n) for n, t in texts.items()}
    print("\n-- wrongly merged (member, canonical)")
    for c in v.clusters:
        for m in c.members[1:]:
            if story[m] != story[c.canonical]:
                print(f"  {m} [{ext[m]}, {fps[m].size} sh] in {c.canonical} [{ext[c.canonical]}]: {texts[m][:80]!r}")
    print("\n-- missed: documents not in the cluster of most of their story")
    by_story = defaultdict(list)
    for n in labels:
        by_story[story[n]].append(n)
    missed = Counter()
    for s, names in sorted(by_story.items()):
        cl = Counter(where[n].canonical for n in names)
        main = cl.most_common(1)[0][0]
        for n in names:
            if where[n].canonical != main:
                missed[ext[n]] += 1
                print(f"  {n} [{ext[n]}, {fps[n].size} sh] story {s}: in {where[n].canonical}, main {main}: {texts[n][:70]!r}")
    print("  by extractor:", dict(missed))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--mode", choices=("raw", "clean"), default="raw")
    ap.add_argument("--no-align", action="store_true", help="time the clustering only")
    ap.add_argument("--scale", action="store_true", help="also run 4x and 16x perturbed copies")
    ap.add_argument("--errors", action="store_true", help="list wrongly merged and missed documents")
    args = ap.parse_args(argv)

    data = Path(args.data)
    items = load_texts(data)
    t0 = time.perf_counter()
    if args.mode == "clean":
        items = clean_texts(items)
    prep = time.perf_counter() - t0
    labels = json.loads((data / "versions" / "labels.json").read_text(encoding="utf-8"))  # scoring only
    labels = {k: v for k, v in labels.items() if k in dict(items)}

    s, dt, cpu, v = run(items, labels, not args.no_align)
    print(
        f"mode={args.mode} docs={len(items)} clusters={len(v.clusters)}  "
        f"P={s['precision']:.4f} R={s['recall']:.4f} F1={s['f1']:.4f}  "
        f"(pairs: predicted {s['pred_pairs']}, gold {s['gold_pairs']}, correct {s['tp']})  "
        f"time {dt:.2f} s wall, {cpu:.2f} s CPU{' with alignments' if not args.no_align else ''}"
        + (f" (+{prep:.2f} s cleaning)" if args.mode == "clean" else "")
    )
    if args.errors:
        show_errors(v, labels, dict(items))
    if args.scale:
        print("\nscale   docs  wall(s)  CPU(s)  CPU ms/doc   P       R       F1")
        for factor in (1, 4, 16):
            its, labs = scaled(items, labels, factor)
            s, dt, cpu, _ = run(its, labs, not args.no_align)
            print(
                f"{factor:>4}x {len(its):>6} {dt:>8.2f} {cpu:>7.2f} {1000 * cpu / len(its):>11.3f}  "
                f"{s['precision']:.4f}  {s['recall']:.4f}  {s['f1']:.4f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
