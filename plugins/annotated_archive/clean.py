"""Clean stage (placeholder until the cleaning issue lands): title, metadata
and body paragraphs, with every non-empty raw line accounted for."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from . import metadata as md
from .models import Block, CleanDoc, Meta, Removed, Seed


@dataclass(frozen=True, slots=True)
class LineStats:
    """How many seeds each normalised line occurs in (cross-seed repetition)."""

    counts: tuple[tuple[str, int], ...] = ()
    n_docs: int = 0

    def count(self, line: str) -> int:
        return dict(self.counts).get(norm_line(line), 0)


def norm_line(line: str) -> str:
    return " ".join(line.lower().split())


def line_stats(seeds: Iterable[Seed]) -> LineStats:
    c: Counter[str] = Counter()
    n = 0
    for s in seeds:
        n += 1
        c.update({norm_line(x) for x in s.text.split("\n") if x.strip()})
    return LineStats(tuple(sorted((k, v) for k, v in c.items() if v > 1)), n)


def clean(seed: Seed, stats: LineStats | None = None) -> CleanDoc:
    lines = seed.text.split("\n")
    meta: dict[str, str | None] = {}
    meta_lines: list[int] = []
    blocks: list[Block] = []
    removed: list[Removed] = []
    for i, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        h = md.parse_header_line(line)
        if h and i <= 3:
            meta.setdefault(h[0], h[1])
            if h[0] == "date":
                meta.setdefault("date_text", s)
            meta_lines.append(i)
            if h[2]:
                removed.append(Removed(i, h[2], "header-residue"))
            continue
        d = md.parse_dateline(s)
        if d and "date" not in meta:
            meta["date"], meta["date_text"] = d, s
            meta_lines.append(i)
            continue
        b = md.parse_byline(s)
        if b and "author" not in meta:
            meta["author"] = b
            meta_lines.append(i)
            continue
        if "title" not in meta and len(s.split()) >= 3:
            meta["title"] = s
            meta_lines.append(i)
            continue
        blocks.append(Block("p", s, (i,)))
    return CleanDoc(
        doc_id=seed.doc_id,
        name=seed.name,
        meta=Meta(**{k: v for k, v in meta.items() if k in Meta.__slots__}),
        blocks=tuple(blocks),
        removed=tuple(removed),
        meta_lines=tuple(meta_lines),
    )
