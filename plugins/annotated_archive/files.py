"""The file-system edge: list and read seed and note files.  Errors become
:class:`SkippedSeed` records with a reason; nothing here raises for bad input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .models import Note, Seed, SkippedSeed
from .read import LIMITS, read_seed

SEED_SUFFIXES = (".txt", ".html", ".htm", ".html.gz", ".htm.gz")


def is_seed_file(path: Path) -> bool:
    return path.name.lower().endswith(SEED_SUFFIXES)


def list_seed_files(folder: Path) -> list[Path]:
    """Seed files under ``folder`` (recursively), sorted; hidden folders are skipped
    but hidden files are kept (a leading dot is a legal name)."""
    out: list[Path] = []
    if not folder.is_dir():
        return out
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for n in names:
            p = Path(root) / n
            if is_seed_file(p):
                out.append(p)
    return sorted(out)


def load_seed(path: Path, name: str | None = None) -> Seed | SkippedSeed:
    name = name or path.name
    try:
        size = path.stat().st_size
        if size > LIMITS["max_bytes"]:
            return SkippedSeed(name, f"file too large ({size:,} bytes > {LIMITS['max_bytes']:,})")
        data = path.read_bytes()
    except FileNotFoundError:
        return SkippedSeed(name, "file disappeared before it could be read")
    except PermissionError:
        return SkippedSeed(name, "permission denied")
    except IsADirectoryError:
        return SkippedSeed(name, "is a directory")
    except OSError as exc:
        return SkippedSeed(name, f"cannot read: {exc.strerror or exc}")
    return read_seed(name, data)


def load_seeds(folder: Path) -> tuple[list[Seed], list[SkippedSeed]]:
    seeds: list[Seed] = []
    skipped: list[SkippedSeed] = []
    for p in list_seed_files(folder):
        r = load_seed(p, p.relative_to(folder).as_posix())
        (seeds if isinstance(r, Seed) else skipped).append(r)
    return seeds, skipped


def load_paths(paths: Iterable[str]) -> list[Seed | SkippedSeed]:
    out: list[Seed | SkippedSeed] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(load_seed(f, str(f)) for f in list_seed_files(p))
        else:
            out.append(load_seed(p, raw))
    return out


def load_notes(folder: Path) -> tuple[list[Note], list[SkippedSeed]]:
    from .notes import parse_note

    notes: list[Note] = []
    bad: list[SkippedSeed] = []
    if not folder.is_dir():
        return notes, bad
    for p in sorted(folder.rglob("*.md")):
        name = p.relative_to(folder).as_posix()
        try:
            text = p.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            bad.append(SkippedSeed(f"notes/{name}", f"cannot read: {exc.strerror or exc}"))
            continue
        note = parse_note(name, text)
        if isinstance(note, str):
            bad.append(SkippedSeed(f"notes/{name}", note))
        else:
            notes.append(note)
    return notes, bad
