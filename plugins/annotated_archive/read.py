"""Read stage: bytes of one scraped file -> :class:`Seed` (or :class:`SkippedSeed`).

Pure: the caller reads the file; this module only decodes and identifies it.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zlib

from .models import Seed, SkippedSeed

# Thresholds are data.  Why these values:
# * max_bytes: a scraped news article is a few kB of text (a saved HTML page a
#   few hundred kB); 10 MB is far above any real seed and keeps one bad file
#   from stalling the build.  Larger files are refused from their size alone
#   (files.py checks ``stat`` before reading), so a 50 MB file costs nothing.
# * max_line_chars / max_token_chars: a text scrape is prose.  A line of more
#   than 100,000 characters (about 40 pages) or a "word" of more than 1,000
#   characters (longer than any real URL) is data -- a minified script, a
#   base64 blob -- and text stages are not built for it, so such a .txt seed
#   is skipped with a reason.  .html seeds are exempt (minified HTML is
#   normal); their extracted text is what the later stages see.
LIMITS = {
    "max_bytes": 10 * 1024 * 1024,
    "max_line_chars": 100_000,
    "max_token_chars": 1_000,
    "max_control_ratio": 0.02,  # share of control characters that marks binary data
    "max_gunzip_bytes": 10 * 1024 * 1024,  # .gz seeds: decompressed size (no gzip bombs)
    "sure_chaos": 0.1,  # charset-normalizer's "mess" below which a detection is trusted
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
    b"\x00\x00\x01\x00",  # .ico
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x1f\x8b",  # gzip data in a file not named .gz
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x00\x00\x00\x18ftyp",  # MP4 / HEIC
    b"\x00\x00\x00\x1cftyp",
    b"\x00\x00\x00\x20ftyp",
    b"OggS",
    b"ID3",  # MP3
    b"wOFF",
    b"wOF2",
    b"\xd0\xcf\x11\xe0",  # old MS Office
)

# When several encodings fit equally well, the more common one on the web
# names the result (charset-normalizer's spelling).
_PREFERRED = (
    "utf_8", "cp1252", "latin_1", "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2",
    "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "gb18030", "gb2312", "big5", "shift_jis",
    "euc_jp", "euc_kr", "cp949", "mac_roman", "mac_cyrillic", "koi8_u", "cp866",
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


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _rank(codec: str) -> int:
    return _PREFERRED.index(codec) if codec in _PREFERRED else len(_PREFERRED)


def _codec_name(codec: str) -> str:
    return codec.replace("_", "-")


def _first_difference(a: str, b: str) -> str:
    """A short excerpt of ``b`` where it first differs from ``a``."""
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return " ".join(b[max(0, i - 8): i + 12].split())


def _detect(data: bytes) -> tuple[str, str, str] | str:
    """charset-normalizer, with an honest note: when other encodings fit as
    well and read differently, the note says "unsure" and shows the rival
    reading; it never guesses silently."""
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    if not results:
        return "no text encoding fits these bytes (binary data?)"
    best = results[0]
    near = [
        r for r in results[:8] if r.chaos <= best.chaos + 0.02 and r.coherence >= best.coherence - 0.05
    ] or [best]
    readings: dict[str, list] = {}
    for r in near:
        readings.setdefault(str(r), []).append(r)
    # equally good fits: the commonest encoding wins (French latin-1 text fits
    # cp1250 as well as cp1252 for charset-normalizer; cp1252 is far likelier)
    chosen = min(near, key=lambda r: (_rank(r.encoding), near.index(r)))
    text = str(chosen)
    same = sorted((r.encoding for r in readings[text]), key=_rank)
    codec = same[0] if _rank(same[0]) < _rank(chosen.encoding) else chosen.encoding
    chaos = float(chosen.chaos or 0.0)
    parts = ["detected by charset-normalizer"]
    rivals = [(t, rs) for t, rs in readings.items() if t != text]
    if chaos >= LIMITS["sure_chaos"]:
        parts.append(f"unsure: the text may be mis-decoded (chaos {chaos:.2f})")
    elif rivals:
        alt = "; ".join(
            f"{_codec_name(rs[0].encoding)} reads \u201c{_first_difference(text, t)}\u201d" for t, rs in rivals[:3]
        )
        parts.append(f"unsure: other encodings fit as well and read differently ({alt})")
    else:
        parts.append("sure")
        others = [_codec_name(e) for e in same[1:4]]
        if others:
            parts.append("reads the same as " + ", ".join(others))
    return text, _codec_name(codec), f"{_codec_name(codec)} ({'; '.join(parts)})"


# control bytes other than line breaks and tabs (counted at C speed with bytes.translate)
_LOW_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r")


def _count_low(half: bytes) -> int:
    return len(half) - len(half.translate(None, _LOW_BYTES))


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the bytes look like BOM-less UTF-16:
    at even or at odd offsets nearly every byte is below 0x20 -- the high
    byte of a Latin, Greek, Cyrillic, Hebrew, Arabic... character (0x00 for
    ASCII, 0x04 for Cyrillic) -- while the other offsets are not, and the
    result reads as text.  Text in an 8-bit encoding or UTF-8 has almost no
    such bytes except line breaks, which do not count (``\\r\\n\\r\\n`` is
    two blank lines, not two Gurmukhi code points)."""
    if len(data) < 4 or len(data) % 2:
        return None
    halves = {"utf-16-le": (data[1::2], data[0::2]), "utf-16-be": (data[0::2], data[1::2])}
    for codec, (high, low) in halves.items():
        high_ctl = _count_low(high)
        low_ctl = _count_low(low)
        if high_ctl < 2 or high_ctl < 0.9 * len(high) or low_ctl > 0.5 * len(low):
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        odd = sum(1 for ch in text if unicodedata.category(ch) in ("Cn", "Co", "Cc") and ch not in "\t\n\r\f")
        if odd <= 0.02 * len(text):
            return codec
    return None


def _unassigned_share(text: str) -> float:
    return sum(1 for ch in text if unicodedata.category(ch) == "Cn") / max(1, len(text))


def _decode(data: bytes) -> tuple[str, str, str] | str:
    """Return (text, codec, note) or a reason string when it cannot be decoded."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            name = codec.replace("-sig", "")
            try:
                text = data[len(bom):].decode(name)
            except UnicodeDecodeError as exc:
                if name.startswith("utf-32"):
                    continue  # FF FE 00 00 is also UTF-16's mark and a NUL character
                return f"byte-order mark says {name} but the bytes are not: {exc.reason}"
            if name.startswith("utf-32") and _unassigned_share(text) > 0.02:
                continue  # not UTF-32 text: read it as UTF-16 with its mark
            return text, name, f"{name} (byte-order mark)"
    codec16 = _utf16_without_bom(data)
    if codec16:
        return data.decode(codec16), codec16, f"{codec16} (no byte-order mark; recognised by its byte pattern)"
    try:
        return data.decode("utf-8"), "utf-8", "utf-8 (valid UTF-8)"
    except UnicodeDecodeError:
        pass
    return _detect(data)


def _gunzip(data: bytes) -> bytes | str:
    try:
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        out = d.decompress(data, LIMITS["max_gunzip_bytes"] + 1)
    except zlib.error as exc:
        return f"not a valid gzip file: {exc}"
    if len(out) > LIMITS["max_gunzip_bytes"]:
        return f"decompresses to more than {LIMITS['max_gunzip_bytes']:,} bytes (limit)"
    if not d.eof:
        return "not a valid gzip file: truncated"
    return out


def read_seed(name: str, data: bytes) -> Seed | SkippedSeed:
    """Decode one seed file's bytes.  Never raises for bad input."""
    size = len(data)
    if size == 0:
        return SkippedSeed(name, "empty file")
    if size > LIMITS["max_bytes"]:
        return SkippedSeed(name, f"file too large ({size:,} bytes > {LIMITS['max_bytes']:,})")
    kind = kind_of(name)
    if name.lower().endswith(".gz"):
        unzipped = _gunzip(data)
        if isinstance(unzipped, str):
            return SkippedSeed(name, unzipped)
        data = unzipped
    if data.startswith(_BINARY_MAGIC):
        return SkippedSeed(name, "binary file (an image, archive or other non-text format)")
    decoded = _decode(data)
    if isinstance(decoded, str):
        return SkippedSeed(name, decoded)
    text, codec, note = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = len(_CONTROL.findall(text))
    if text and controls / len(text) > LIMITS["max_control_ratio"]:
        return SkippedSeed(name, f"binary data ({controls:,} control characters in {len(text):,})")
    if not text.strip():
        return SkippedSeed(name, "no text (whitespace only)")
    if kind == "txt":
        longest = max(len(line) for line in text.split("\n"))
        if longest > LIMITS["max_line_chars"]:
            return SkippedSeed(
                name, f"a line of {longest:,} characters (limit {LIMITS['max_line_chars']:,}): not a text scrape"
            )
        # the longest run of non-space characters (str.split and the regex \S
        # share one definition of whitespace; splitting is ~5x faster)
        token = max(map(len, text.split()), default=0)
        if token > LIMITS["max_token_chars"]:
            return SkippedSeed(
                name,
                f"a word of {token:,} characters without a space (limit {LIMITS['max_token_chars']:,}): "
                "data, not a text scrape",
            )
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
