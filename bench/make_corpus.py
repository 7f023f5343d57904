"""Write N realistic seed files for the scale benchmarks.

    python bench/make_corpus.py OUT_DIR --n 10000 [--seed 1] [--data ../shared/bench]

Deterministic from ``--seed``.  The corpus mixes:

* real scraped pages (``extraction/scraped/*.txt``, boilerplate and all);
* the same stories as saved by different extractors (``versions/texts/*.txt``):
  natural duplicates for the versions stage;
* perturbed copies as *new* stories: words substituted (so they are distinct
  stories, not versions), paragraphs shuffled, spans dropped, sentences glued
  where a "link" was dropped, boilerplate lines changed;
* truncated re-scrapes of some of those new stories (versions again).

``labels.json`` is never read.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "bench"

BOILERPLATE = [
    "Share this article",
    "Read more",
    "Related",
    "Advertisement",
    "Comments / {n}",
    "Follow us on social media",
    "Sign up for our newsletter",
    "{n} min read",
    "{n} hours ago",
    "Leave a Reply",
    "Subscribe",
    "Most popular",
    "Photo: {w}",
    "#{w}#{w2}",
]


def load_sources(data: Path) -> tuple[list[str], list[str]]:
    scraped = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((data / "extraction" / "scraped").glob("*.txt"))]
    versions = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((data / "versions" / "texts").glob("*.txt"))]
    if not scraped and not versions:
        sys.exit(f"no texts under {data}: pass --data")
    return scraped, versions


def vocabulary(texts: list[str]) -> list[str]:
    words: set[str] = set()
    for t in texts[:400]:
        words.update(w for w in re.findall(r"[^\W\d_]{4,}", t) if w.islower())
    return sorted(words)


def new_story(text: str, rng: random.Random, vocab: list[str]) -> str:
    """A distinct story in the shape of ``text``: ~45 % of the words replaced."""
    paras = [p for p in text.split("\n")]
    # shuffle the middle paragraphs a little
    if len(paras) > 6:
        mid = paras[2:-2]
        for _ in range(len(mid) // 4):
            i, j = rng.randrange(len(mid)), rng.randrange(len(mid))
            mid[i], mid[j] = mid[j], mid[i]
        paras = paras[:2] + mid + paras[-2:]

    def sub(m: re.Match) -> str:
        w = m.group(0)
        if rng.random() < 0.45:
            r = rng.choice(vocab)
            return r.capitalize() if w[0].isupper() else r
        return w

    out = []
    for p in paras:
        p = re.sub(r"[^\W\d_]{3,}", sub, p)
        p = re.sub(r"\d+", lambda m: str(rng.randrange(1, 2000)), p)
        out.append(p)
    # change the boilerplate: replace a few short lines, add a few
    for i, p in enumerate(out):
        if 0 < len(p.split()) <= 3 and rng.random() < 0.3:
            out[i] = boiler(rng, vocab)
    for _ in range(rng.randrange(1, 4)):
        out.insert(rng.randrange(len(out) + 1), boiler(rng, vocab))
    return "\n".join(out)


def boiler(rng: random.Random, vocab: list[str]) -> str:
    return rng.choice(BOILERPLATE).format(n=rng.randrange(1, 99), w=rng.choice(vocab), w2=rng.choice(vocab))


def rescrape(text: str, rng: random.Random) -> str:
    """A damaged re-scrape: paragraphs glued, linked phrases dropped, truncated."""
    paras = [p for p in text.split("\n") if p.strip()]
    keep = paras[: max(3, int(len(paras) * rng.uniform(0.6, 0.95)))]
    glued = []
    for p in keep:
        words = p.split(" ")
        if len(words) > 12 and rng.random() < 0.5:
            a = rng.randrange(3, len(words) - 6)
            words = words[:a] + words[a + rng.randrange(2, 6):]
        glued.append(" ".join(words))
    out, buf = [], ""
    for p in glued:
        if buf and rng.random() < 0.6:
            buf += p  # glued without a space: "thatThe"
        else:
            if buf:
                out.append(buf)
            buf = p
    if buf:
        out.append(buf)
    return "\n\n".join(out)


def generate(n: int, seed: int, data: Path) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    scraped, versions = load_sources(data)
    vocab = vocabulary(scraped + versions)
    real = scraped + versions
    rng.shuffle(real)
    docs: list[str] = real[:n]
    while len(docs) < n:
        base = rng.choice(scraped + versions)
        story = new_story(base, rng, vocab)
        docs.append(story)
        if len(docs) < n and rng.random() < 0.25:
            docs.append(rescrape(story, rng))
    out = []
    for i, text in enumerate(docs):
        h = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        out.append((f"c{i:05d}_{h}.txt", text))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, text in generate(a.n, a.seed, a.data):
        (a.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {a.n} seeds to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
