"""Scale benchmark: full builds at 1k/5k/10k seeds, plain Pelican on the same
texts, and rebuilds after adding 1 and 100 seeds to the largest archive.

    python bench/scale_bench.py [DATA_DIR] [--sizes 1000 5000 10000] [--work /tmp/aa-scale]

Prints a Markdown table (copy it into docs/scale.md).  Peak memory is the
largest resident set of any process of the build (the main process or one of
the per-seed workers), read with getrusage in a wrapper process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from make_corpus import DEFAULT_DATA, generate  # noqa: E402

WRAP = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "dt = time.perf_counter() - t\n"
    "print(json.dumps({'rc': r.returncode, 'seconds': dt, 'maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, 'stderr': r.stderr[-20000:]}))\n"
)

PLAIN_CONF = """
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = 'plain'
SITEURL = ''
RELATIVE_URLS = True
TIMEZONE = 'UTC'
DEFAULT_LANG = 'en'
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = 50
DELETE_OUTPUT_DIRECTORY = True
"""


def run(cmd: list[str]) -> dict:
    # every timed command starts with the write-back of the one before it
    # done: a +1 rebuild right after plain Pelican wrote ~1 GB otherwise pays
    # for those writes (runs 19 and 24 of docs/scale.md; 2-3 s)
    os.sync()
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, cwd=ROOT)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if res["rc"] != 0:
        print(res["stderr"][-3000:], file=sys.stderr)
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return res


def stages(stderr: str) -> dict[str, float]:
    out = {}
    for m in re.finditer(r"^    (.+?)\s+([\d.]+)s$", stderr, re.M):
        out[m.group(1).strip()] = float(m.group(2))
    return out


def articles(stderr: str) -> int:
    """Distinct articles built (identical copies are published once), from the build report."""
    m = re.search(r"^  articles\s+(\d+)$", stderr, re.M)
    return int(m.group(1)) if m else 0


def write_seeds(folder: Path, docs: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs:
        (folder / name).write_text(text, encoding="utf-8")


def build(seeds: Path, out: Path, cache: Path) -> dict:
    return run([sys.executable, "-m", "annotated_archive", "build", "--seeds", str(seeds), "--output", str(out), "--cache", str(cache)])


def plain(docs: list[tuple[str, str]], work: Path) -> dict:
    content = work / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    for i, (name, text) in enumerate(docs):
        lines = [x for x in text.split("\n") if x.strip()]
        title = (lines[0] if lines else name)[:120].replace("\n", " ")
        body = "\n\n".join(x.replace("<", "&lt;") for x in lines[1:])
        (content / (Path(name).stem + ".md")).write_text(
            f"Title: {title}\nDate: 2021-01-01 00:{i // 60 % 60:02d}:{i % 60:02d}\nSlug: {Path(name).stem}\n\n{body}\n", encoding="utf-8"
        )
    conf = work / "plainconf.py"
    conf.write_text(PLAIN_CONF.format(content=str(content), output=str(work / "out")))
    return run([sys.executable, "-m", "pelican", str(content), "-s", str(conf), "-q"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/aa-scale"))
    ap.add_argument("--no-plain", action="store_true")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in a.sizes:
        docs = generate(n, 1, a.data)
        seeds = a.work / f"seeds-{n}"
        shutil.rmtree(seeds, ignore_errors=True)
        write_seeds(seeds, docs)
        cache = a.work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        full = build(seeds, a.work / f"out-{n}", cache)
        row = {"n": n, "full": full["seconds"], "maxrss_mb": full["maxrss_kb"] / 1024, "stages": stages(full["stderr"]),
               "text_mb": sum(len(t.encode("utf-8")) for _, t in docs) / 1e6, "articles": articles(full["stderr"])}
        if not a.no_plain:
            p = plain(docs, a.work / f"plain-{n}")
            row["plain"] = p["seconds"]
        if n == max(a.sizes):
            extra = generate(n + 100, 2, a.data)[n:]  # 100 stories not in the archive
            extra = [(f"new_{k:03d}_{name}", text) for k, (name, text) in enumerate(extra)]
            for label, part in (("rebuild+1", extra[:1]), ("rebuild+100", extra[1:])):
                write_seeds(seeds, part)
                r = build(seeds, a.work / f"out-{n}", cache)
                row[label] = r["seconds"]
                row[label + " stages"] = stages(r["stderr"])
                row[label + " maxrss_mb"] = r["maxrss_kb"] / 1024
            for name, _ in extra:
                (seeds / name).unlink()
        rows.append(row)
        print(json.dumps(row), flush=True)

    print()
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print()
    print("| seeds | full build (s) | plain Pelican (s) | ratio | peak RSS (MB) | rebuild +1 (s) | rebuild +100 (s) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def rebuild(r: dict, label: str) -> str:
        if label not in r:
            return ""
        return f"{r[label]:.1f} ({100 * r[label] / r['full']:.0f} % of full)"

    for r in rows:
        pl = r.get("plain")
        ratio = f"{r['full'] / pl:.2f}" if pl else "-"
        print(
            f"| {r['n']:,} | {r['full']:.1f} | {pl or 0:.1f} | {ratio} | {r['maxrss_mb']:.0f} | "
            f"{rebuild(r, 'rebuild+1')} | {rebuild(r, 'rebuild+100')} |"
        )
    if len(rows) > 1:
        import math

        a0, a1 = rows[0], rows[-1]
        k = math.log(a1["full"] / a0["full"]) / math.log(a1["n"] / a0["n"])
        print(f"\nGrowth exponent from {a0['n']} to {a1['n']} seeds: n^{k:.2f}")
        if a0.get("plain") and a1.get("plain"):
            kp = math.log(a1["plain"] / a0["plain"]) / math.log(a1["n"] / a0["n"])
            print(f"Plain Pelican on the same texts: n^{kp:.2f}")
        # the corpus is not uniform in N: the smaller sizes are real pages
        # only, the larger ones mostly perturbed copies (longer texts), so
        # the text to process grows faster than the number of seeds
        kv = math.log(a1["full"] / a0["full"]) / math.log(a1["text_mb"] / a0["text_mb"])
        print(f"Text: {a0['text_mb']:.1f} MB -> {a1['text_mb']:.1f} MB ({a1['text_mb'] / a0['text_mb']:.1f}x); "
              f"growth per text volume: v^{kv:.2f}")
        if a0.get("articles") and a1.get("articles"):
            ka = math.log(a1["full"] / a0["full"]) / math.log(a1["articles"] / a0["articles"])
            print(f"Distinct articles: {a0['articles']:,} -> {a1['articles']:,} "
                  f"({a1['articles'] / a0['articles']:.1f}x; identical copies are published once); growth per article: a^{ka:.2f}")
    print("\nTime per stage (s):")
    names = sorted({s for r in rows for s in r["stages"]}, key=lambda s: list(rows[-1]["stages"]).index(s) if s in rows[-1]["stages"] else 99)
    print("| stage | " + " | ".join(str(r["n"]) for r in rows) + " |")
    print("| --- | " + " | ".join("---:" for _ in rows) + " |")
    for s in names:
        print(f"| {s} | " + " | ".join(f"{r['stages'].get(s, 0):.1f}" for r in rows) + " |")
    last = rows[-1]
    for label in ("rebuild+1", "rebuild+100"):
        if label in last:
            st = last[label + " stages"]
            print(f"\n{label} at {last['n']:,} seeds: {last[label]:.1f} s, peak RSS {last[label + ' maxrss_mb']:.0f} MB; per stage: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in st.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
