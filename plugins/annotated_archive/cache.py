"""The cache edge: decoded seeds, per-seed stage results, alignments and
the previous build's manifest, in one SQLite file; the cross-archive state
(one large value, replaced whole by every build) in a file of its own.
Keys include the code version (a hash of the package's source), so a code
change invalidates every entry.

A broken or unreadable cache is never fatal: it is ignored and rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable

log = logging.getLogger("annotated_archive")

PACKAGE = Path(__file__).resolve().parent
SCHEMA = 2


def code_version(extra: str = "") -> str:
    """Hash of every source and data file of the package (+ ``extra`` settings)."""
    h = hashlib.sha256(f"schema {SCHEMA}\n{extra}".encode())
    for p in sorted(PACKAGE.rglob("*")):
        if p.suffix in (".py", ".json") and "__pycache__" not in p.parts:
            h.update(p.relative_to(PACKAGE).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


@contextmanager
def _loading():
    """While cached values are unpickled: the cyclic collector paused, and
    what was loaded frozen afterwards.  The values are trees of ~100
    containers per seed that all live on and form no reference cycle: the
    collector, triggered by their allocations, would walk the growing heap
    again and again (60 % of loading 10,000 seeds' results), and once
    re-enabled, walk all of it once per generation (~2 s more).  Frozen
    (gc.freeze) they are left out of every later pass; reference counting
    still frees them.  The build unfreezes at its end (glue.py)."""
    gc_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_on:
            gc.freeze()
            gc.enable()


class StageCache:
    def __init__(self, folder: Path | None):
        self.db: sqlite3.Connection | None = None
        self.folder = folder
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(folder / "annotated_archive.sqlite"))
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS entry (kind TEXT, key TEXT, value BLOB, PRIMARY KEY (kind, key))")
        except (OSError, sqlite3.Error) as exc:
            log.warning("cache disabled (%s): %s", folder, exc)
            self.db = None

    def _load(self, queries: Iterable[tuple[str, tuple]]) -> dict[str, Any]:
        """Run (sql, params) queries returning (key, pickled value) rows; a
        stale or corrupt entry, or a failing read, is a miss."""
        out: dict[str, Any] = {}
        if self.db is None:
            return out
        with _loading():
            try:
                for sql, params in queries:
                    for k, v in self.db.execute(sql, params):
                        try:
                            out[k] = pickle.loads(v)
                        except Exception:
                            pass
            except sqlite3.Error as exc:
                log.warning("cache read failed, recomputing: %s", exc)
        return out

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        chunks = (keys[i : i + 500] for i in range(0, len(keys), 500))
        return self._load(
            (f"SELECT key, value FROM entry WHERE kind=? AND key IN ({','.join('?' * len(c))})", (kind, *c)) for c in chunks
        )

    def get_all(self, kind: str) -> dict[str, Any]:
        return self._load([("SELECT key, value FROM entry WHERE kind=?", (kind,))])

    def put_many(self, kind: str, items: dict[str, Any]) -> None:
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO entry (kind, key, value) VALUES (?, ?, ?)",
                    ((kind, k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()),
                )
        except sqlite3.Error as exc:
            log.warning("cache write failed: %s", exc)

    def replace_kind(self, kind: str, items: dict[str, Any]) -> None:
        """Keep only ``items`` for ``kind`` (prunes entries of removed seeds)."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute("DELETE FROM entry WHERE kind=?", (kind,))
        except sqlite3.Error:
            return
        self.put_many(kind, items)

    def sync_kind(self, kind: str, items: dict[str, Any], stored: Iterable[str] = ()) -> None:
        """:meth:`replace_kind`, not rewriting the ``stored`` keys: the caller
        knows their entries hold the values in ``items`` (it loaded them)."""
        if self.db is None:
            return
        stored = set(stored)
        self.prune(kind, items)
        self.put_many(kind, {k: v for k, v in items.items() if k not in stored})

    def prune(self, kind: str, keep: Iterable[str]) -> None:
        if self.db is None:
            return
        keep = set(keep)
        try:
            old = [k for (k,) in self.db.execute("SELECT key FROM entry WHERE kind=?", (kind,)) if k not in keep]
            with self.db:
                self.db.executemany("DELETE FROM entry WHERE kind=? AND key=?", ((kind, k) for k in old))
        except sqlite3.Error:
            pass

    def _blob_path(self, name: str) -> Path | None:
        return None if self.folder is None or self.db is None else self.folder / f"{name}.pickle"

    def get_blob(self, name: str, version: str) -> Any:
        """The value :meth:`put_blob` stored as ``name`` for ``version``, or
        None (none stored, another version, unreadable)."""
        path = self._blob_path(name)
        if path is None:
            return None
        with _loading():
            try:
                with open(path, "rb") as fh:
                    stored, value = pickle.load(fh)
                return value if stored == version else None
            except FileNotFoundError:
                return None
            except Exception as exc:  # a truncated or foreign file: recomputed
                log.warning("cache file %s unreadable, recomputing: %s", path, exc)
                return None

    def put_blob(self, name: str, version: str, value: Any) -> None:
        """Store one large value, replacing the last, in a file of its own:
        written to a temporary file and renamed over the old one (whole or
        not at all), without the SQLite journal writing it twice — at 10,000
        seeds the cross-archive state (72 MB) took 1.5 s to replace in the
        database against 0.55 s as a file."""
        path = self._blob_path(name)
        if path is None:
            return
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump((version, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError) as exc:
            log.warning("cache file %s not written: %s", path, exc)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return
        try:
            with self.db:  # type: ignore[union-attr]  # a value of a cache from before, stored in the database
                self.db.execute("DELETE FROM entry WHERE kind=?", (name,))  # type: ignore[union-attr]
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
