"""The file-system edge: list and read seed and note files.  Errors become
:class:`SkippedSeed` records with a reason; nothing here raises for bad input.

What can go wrong between listing a folder and reading a file, and what the
build log says (one line per file, ``skipped <name>: <reason>``):

* the file is gone (deleted mid-build)        -> "file disappeared before it could be read"
* a symbolic link whose target is missing      -> "broken symbolic link (target ... does not exist)"
* a named pipe, socket or device (``/dev/zero`` linked in as a seed would never end)
                                               -> "not a regular file (...)"
* no read permission                           -> "permission denied"
  (the tests run as root, for whom ``chmod 000`` changes nothing: they
  simulate it by making the read raise ``PermissionError``)
* too large (checked from ``stat`` before reading, and again while reading:
  a file that grows meanwhile is caught too)  -> "file too large (...)"

File names are shown as they are, except characters that would corrupt a log
line or a page: bytes that are not UTF-8 (``\\xNN``), control characters
and invisible/bidi formatting characters (``\\uNNNN``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import sys
from pathlib import Path
from typing import Callable, Iterable

from . import pipeline
from .cache import StageCache, code_version
from .models import Note, Seed, SkippedSeed

log = logging.getLogger("annotated_archive")
from .read import LIMITS, read_seed

NOTE_MAX_BYTES = 1024 * 1024  # a curator note is a paragraph or two
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


_UNSAFE_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


def safe_name(name: str) -> str:
    """A file name fit for a log line and a page: undecodable bytes (held as
    surrogates by Python) become ``\\xNN``, control and invisible characters
    ``\\uNNNN``; everything else (spaces, accents, any script) is kept."""

    def sub(m: re.Match) -> str:
        cp = ord(m.group(0))
        if 0xDC80 <= cp <= 0xDCFF:  # os.fsdecode's surrogateescape for byte cp - 0xDC00
            return f"\\x{cp - 0xDC00:02x}"
        return f"\\u{cp:04x}"

    return _UNSAFE_NAME.sub(sub, name)


def _kind_of_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def read_limited(path: Path, limit: int) -> bytes | str:
    """The bytes of a regular file of at most ``limit`` bytes, or the reason
    it cannot be read.  Never blocks on pipes or devices, never raises."""
    try:
        try:
            st = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                try:
                    target = os.readlink(path)
                except OSError:
                    target = "?"
                return f"broken symbolic link (target {safe_name(target)} does not exist)"
            return "file disappeared before it could be read"
        if not stat.S_ISREG(st.st_mode):
            return f"not a regular file ({_kind_of_file(st.st_mode)})"
        if st.st_size > limit:
            return f"file too large ({st.st_size:,} bytes > {limit:,})"
        # O_NONBLOCK: should the file be swapped for a pipe after stat(), opening it cannot hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return "not a regular file (replaced while the build ran)"
            # sized from stat: f.read(limit + 1) would allocate ``limit`` bytes
            # for every file (a sixth of the read stage at 10,000 seeds)
            want = min(st.st_size, limit) + 1
            data = f.read(want)
            if len(data) == want:  # it grew since stat(): read on, up to the limit
                data += f.read(limit + 1 - want)
        if len(data) > limit:
            return f"file too large (more than {limit:,} bytes: it grew while being read)"
        return data
    except FileNotFoundError:
        return "file disappeared before it could be read"
    except PermissionError:
        return "permission denied"
    except IsADirectoryError:
        return "not a regular file (a directory)"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"


def load_seed(path: Path, name: str | None = None) -> Seed | SkippedSeed:
    name = safe_name(name or path.name)
    data = read_limited(path, LIMITS["max_bytes"])
    if isinstance(data, str):
        return SkippedSeed(name, data)
    return decode_seed(name, data)


def decode_seed(name: str, data: bytes) -> Seed | SkippedSeed:
    """:func:`read.read_seed`, never raising, and the build log's warning."""
    seed = _decode(name, data)
    warn_unsure(seed)
    return seed


def _decode(name: str, data: bytes) -> Seed | SkippedSeed:
    try:
        return read_seed(name, data)
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the build
        return SkippedSeed(name, f"cannot decode: {type(exc).__name__}: {exc}")


def warn_unsure(seed: Seed | SkippedSeed) -> None:
    if isinstance(seed, Seed) and "unsure" in seed.encoding_note:
        # published (the raw page shows the note too), but a reader of the
        # build log should know which files to check by eye
        log.warning("encoding unsure for %s: %s", seed.name, seed.encoding_note)


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
        name = safe_name(p.relative_to(folder).as_posix())
        data = read_limited(p, NOTE_MAX_BYTES)
        if isinstance(data, str):
            bad.append(SkippedSeed(f"notes/{name}", data))
            continue
        text = data.decode("utf-8", errors="replace")
        note = parse_note(name, text)
        if isinstance(note, str):
            bad.append(SkippedSeed(f"notes/{name}", note))
        else:
            notes.append(note)
    return notes, bad


# ------------------------------------------------------------- read cache

READ_BATCH = 500  # files whose bytes are held at once while their cache entries are looked up


def read_version() -> str:
    """What a decoded seed and its normalised lines are computed from besides
    the file's name and bytes: the package's code, the Python version (codecs,
    Unicode tables) and the libraries read.py and html_text.py use."""
    from importlib.metadata import PackageNotFoundError, version

    libs = []
    for dist in ("charset-normalizer", "lxml", "trafilatura"):
        try:
            libs.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            libs.append(f"{dist} -")
    return code_version("\n".join(["read", sys.version, *libs]))


def _read_key(version: str, name: str, data: bytes) -> str:
    h = hashlib.sha256()
    for part in (version.encode(), name.encode("utf-8", "surrogatepass"), data):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _decoded(job: tuple[str, bytes]) -> tuple[Seed | SkippedSeed, frozenset[str], bytes]:
    """A seed decoded, with its normalised lines and text digest (the lines
    and digest empty for a skipped file): one job of :func:`read_all` (which
    logs the warnings, in the order of the files)."""
    seed = _decode(*job)
    if not isinstance(seed, Seed):
        return seed, frozenset(), b""
    return seed, pipeline.seed_lines(seed), pipeline.text_digest(seed)


def read_all(
    paths: list[Path],
    name_of: Callable[[Path], str],
    cache: StageCache,
    progress: Callable[[int], object] = lambda n: None,
    mapper: Callable = map,
) -> tuple[list[Seed], list[SkippedSeed], dict[int, tuple[frozenset[str], bytes]]]:
    """Every seed file decoded, and each decoded seed's normalised lines and
    text digest (for the statistics and the per-seed cache key), keyed by
    ``id()`` of the seed (names may repeat once made safe).

    The bytes are read and hashed at every build; decoding them (encoding
    detection, identity, checks) and normalising the lines costs ~0.4 ms a
    seed, so a file is decoded only when the cache has no entry for the hash
    of (read_version(), its name, its bytes): everything :func:`decode_seed`,
    ``pipeline.seed_lines`` and ``pipeline.text_digest`` compute from."""
    seeds: list[Seed] = []
    skipped: list[SkippedSeed] = []
    derived_of: dict[int, tuple[frozenset[str], bytes]] = {}
    used: list[str] = []
    version = read_version()
    for at in range(0, len(paths), READ_BATCH):
        batch = []
        for p in paths[at : at + READ_BATCH]:
            name = safe_name(name_of(p))
            data = read_limited(p, LIMITS["max_bytes"])
            if isinstance(data, str):
                skipped.append(SkippedSeed(name, data))  # (the archive sorts what was skipped)
            else:
                batch.append((name, data, _read_key(version, name, data)))
        cached = cache.get_many("read", [k for _, _, k in batch])
        hits = {key: hit for key, hit in cached.items() if isinstance(hit, tuple) and len(hit) == 3}
        # the files the cache does not know, decoded by ``mapper`` (the edge's
        # workers: independent jobs), in order
        misses = [(name, data) for name, data, key in batch if key not in hits]
        decoded = iter(mapper(_decoded, misses))
        fresh = {}
        for name, data, key in batch:
            hit = hits.get(key)
            if hit is None:
                hit = next(decoded)
                if not isinstance(hit[0], Seed):
                    skipped.append(hit[0])
                    continue
                fresh[key] = hit
            seed, derived = hit[0], hit[1:]
            warn_unsure(seed)
            seeds.append(seed)
            derived_of[id(seed)] = derived
            used.append(key)
        cache.put_many("read", fresh)
        progress(min(READ_BATCH, len(paths) - at))
    cache.prune("read", used)
    return seeds, skipped, derived_of
