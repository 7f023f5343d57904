#!/usr/bin/env python3
"""Score the clean stage on the shared extraction benchmark.

    python bench/clean_bench.py [DATA_DIR] [--worst N] [--worst-recall N] [--html] [--no-stats] [--show ID]

DATA_DIR defaults to ../shared/bench relative to the repository root.  The
metric is the benchmark's: tokens are ``\\w+`` runs; each document's 4-token
shingles (a multiset) give tp/fp/fn against the ground-truth articleBody;
P_doc = tp/(tp+fp), R_doc = tp/(tp+fn); precision and recall are averaged
over documents and F1 is computed from the two averages.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from annotated_archive.clean import clean, line_stats  # noqa: E402
from annotated_archive.read import read_seed  # noqa: E402

_TOK = re.compile(r"\w+")


def shingles(text: str, k: int = 4) -> Counter:
    toks = _TOK.findall(text)
    return Counter(tuple(toks[i: i + k]) for i in range(len(toks) - k + 1))


def prf(pred: str, truth: str) -> tuple[float, float]:
    a, b = shingles(pred), shingles(truth)
    tp = sum((a & b).values())
    fp = sum((a - b).values())
    fn = sum((b - a).values())
    if tp + fp == 0 and tp + fn == 0:
        return 1.0, 1.0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r


def summary(rows: list[tuple[str, float, float]]) -> tuple[float, float, float]:
    p = sum(r[1] for r in rows) / len(rows)
    r = sum(r[2] for r in rows) / len(rows)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--worst", type=int, default=0, help="print the N worst documents (by F1)")
    ap.add_argument("--worst-recall", type=int, default=0, help="print the N documents that lose the most recall")
    ap.add_argument("--html", action="store_true", help="clean html/<id>.html.gz instead of scraped/<id>.txt")
    ap.add_argument("--no-stats", action="store_true", help="no cross-file LineStats")
    ap.add_argument("--show", help="print one document's cleaned body and removed lines")
    args = ap.parse_args(argv)

    ext = Path(args.data) / "extraction"
    truth = json.loads((ext / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    seeds = {}
    for i in ids:
        if args.html:
            name = f"{i}.html.gz"
            data = (ext / "html" / name).read_bytes()
        else:
            name = f"{i}.txt"
            data = (ext / "scraped" / name).read_bytes()
        s = read_seed(name, data)
        if hasattr(s, "text"):
            seeds[i] = s

    raw_rows = []
    for i in ids:
        raw = (ext / "scraped" / f"{i}.txt").read_text(encoding="utf-8", errors="replace")
        raw_rows.append((i, *prf(raw, truth[i]["articleBody"])))

    t0 = time.perf_counter()
    stats = None if args.no_stats else line_stats(seeds.values())
    t1, c1 = time.perf_counter(), time.process_time()
    docs = {i: clean(s, stats) for i, s in seeds.items()}
    t2, c2 = time.perf_counter(), time.process_time()

    body_rows, title_rows = [], []
    for i in ids:
        gt = truth[i]["articleBody"]
        d = docs.get(i)
        body = d.body_text if d else ""
        body_rows.append((i, *prf(body, gt)))
        title = (d.meta.title or "") if d else ""
        title_rows.append((i, *prf(title + "\n\n" + body, gt)))

    print(f"documents: {len(ids)} ({'html' if args.html else 'scraped text'}; stats: {'off' if args.no_stats else 'on'})")
    for label, rows in (("raw scraped text", raw_rows), ("cleaned body", body_rows), ("title + body", title_rows)):
        p, r, f = summary(rows)
        print(f"{label:18s}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print(f"time: line_stats {t1 - t0:.2f}s, clean {t2 - t1:.2f}s ({(t2 - t1) / max(1, len(docs)) * 1000:.1f} ms/doc; "
          f"cpu {(c2 - c1) / max(1, len(docs)) * 1000:.1f} ms/doc)")

    if args.worst:
        print(f"\nworst {args.worst} documents (by F1):")
        def f1(r):
            return 2 * r[1] * r[2] / (r[1] + r[2]) if r[1] + r[2] else 0.0
        for i, p, r in sorted(body_rows, key=f1)[: args.worst]:
            print(f"  {i}  P {p:.3f}  R {r:.3f}  F1 {f1((i, p, r)):.3f}  {truth[i]['url'][:90]}")
    if args.worst_recall:
        print(f"\nworst {args.worst_recall} documents (by recall):")
        for i, p, r in sorted(body_rows, key=lambda x: x[2])[: args.worst_recall]:
            print(f"  {i}  P {p:.3f}  R {r:.3f}  {truth[i]['url'][:90]}")
    if args.show:
        d = docs[args.show]
        print(f"title: {d.meta.title}\ndate: {d.meta.date}\nauthor: {d.meta.author}\n")
        for b in d.blocks:
            print(f"[{b.kind} {b.line_nos[0]}] {b.text[:200]}")
        print("\n-- removed")
        for r in d.removed:
            print(f"  {r.line_no:4d} [{r.rule}] {r.text[:120]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
