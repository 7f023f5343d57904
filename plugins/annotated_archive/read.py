"""Read stage: bytes of one scraped file -> :class:`Seed` (or :class:`SkippedSeed`).

Pure: the caller reads the file; this module only decodes and identifies it.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import unicodedata
import zlib

from .models import Seed, SkippedSeed

# Thresholds are data.
LIMITS = {
    "max_bytes": 20 * 1024 * 1024,  # larger files are skipped with a reason
    "max_line_chars": 200_000,  # longer lines are skipped (not a text scrape)
    "max_control_ratio": 0.02,  # share of control characters that marks binary data
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x7fELF",
    b"RIFF",
    b"\x00\x00\x01\x00",
)


def doc_identity(text: str) -> str:
    """Stable identity of a document: its normalised text, not its file name."""
    norm = unicodedata.normalize("NFC", " ".join(text.split()))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12]


def kind_of(name: str) -> str:
    low = name.lower()
    if low.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
        return "html"
    return "txt"


def _decode(data: bytes) -> tuple[str, str, str] | str:
    """Return (text, codec, note) or a reason string when it cannot be decoded."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", ""), f"{codec.replace('-sig', '')} (byte-order mark)"
            except UnicodeDecodeError as exc:
                return f"byte-order mark says {codec} but the bytes are not: {exc.reason}"
    try:
        return data.decode("utf-8"), "utf-8", "utf-8 (valid UTF-8)"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return "no text encoding fits these bytes"
    codec = best.encoding
    text = str(best)
    chaos = float(getattr(best, "chaos", 0.0) or 0.0)
    sure = "sure" if chaos < 0.1 else "unsure: the text may be mis-decoded"
    alts = [a for a in (best.could_be_from_charset or []) if a != codec][:3]
    note = f"{codec} (detected by charset-normalizer, {sure}; chaos {chaos:.2f}"
    if alts:
        note += "; could also be " + ", ".join(alts)
    note += ")"
    return text, codec, note


def read_seed(name: str, data: bytes) -> Seed | SkippedSeed:
    """Decode one seed file's bytes.  Never raises for bad input."""
    size = len(data)
    if size == 0:
        return SkippedSeed(name, "empty file")
    if size > LIMITS["max_bytes"]:
        return SkippedSeed(name, f"file too large ({size:,} bytes > {LIMITS['max_bytes']:,})")
    kind = kind_of(name)
    if name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return SkippedSeed(name, f"not a valid gzip file: {exc}")
    if data.startswith(_BINARY_MAGIC):
        return SkippedSeed(name, "binary file (an image or archive, not text)")
    decoded = _decode(data)
    if isinstance(decoded, str):
        return SkippedSeed(name, decoded)
    text, codec, note = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f\v")
    if text and controls / len(text) > LIMITS["max_control_ratio"]:
        return SkippedSeed(name, f"binary data ({controls} control characters)")
    if not text.strip():
        return SkippedSeed(name, "no text (whitespace only)")
    longest = max(len(line) for line in text.split("\n"))
    if longest > LIMITS["max_line_chars"] and kind == "txt":
        return SkippedSeed(name, f"a line of {longest:,} characters: not a text scrape")
    return Seed(
        name=name,
        text=text,
        doc_id=doc_identity(text),
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=codec,
        encoding_note=note,
        size=size,
        kind=kind,
    )
