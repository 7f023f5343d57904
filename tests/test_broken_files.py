"""Broken input files and awkward names, through real builds into temp folders:
each bad file gets ONE line in the build log (file and reason), the rest of the
archive builds, and the exit code is 0 unless ``--strict``.

The tests run as root, for whom ``chmod 000`` changes nothing: an unreadable
file is simulated by making ``os.open`` raise ``PermissionError`` for it, and a
file that disappears mid-build by deleting it after the folder was listed.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_site

from annotated_archive import files, glue
from annotated_archive.read import LIMITS, read_seed
from annotated_archive.render import PageSpec

ARTICLE = (
    "{title}\n\n"
    "The regional council said on Tuesday that the new bridge would open in spring, after two years of delays.\n"
    "Engineers told reporters that the final inspection had found no structural problems, {extra}.\n"
    "Residents have complained about traffic on the old road for more than a decade.\n"
)
OTHER = (
    "{title}\n\n"
    "Farmers in the northern valley reported the worst harvest in thirty years after a summer without rain.\n"
    "The agriculture ministry promised emergency payments before the winter, {extra}.\n"
    "Prices of grain at the local market doubled within a month, traders said.\n"
)


def article(title: str, extra: str = "the council said", other: bool = False) -> bytes:
    """A small article; ``other`` gives a different story (not a version of the first)."""
    return (OTHER if other else ARTICLE).format(title=title, extra=extra).encode("utf-8")


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture()
def log_lines():
    h = LogLines()
    logger = logging.getLogger("annotated_archive")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(h)
    yield h.lines
    logger.removeHandler(h)
    logger.setLevel(level)


def skipped_lines(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        if line.startswith("skipped "):
            name, reason = line[len("skipped "):].split(": ", 1)
            assert name not in out, f"two log lines for {name}"
            out[name] = reason
    return out


def make_broken(seeds: Path) -> dict[str, str]:
    """Create the bad files; return {logged name: expected word in the reason}."""
    seeds.mkdir()
    (seeds / "good one.txt").write_bytes(article("A bridge opens in spring"))
    (seeds / "good two.txt").write_bytes(article("Council approves the budget", "the mayor added", other=True))
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "blank.txt").write_bytes(b"  \n\t\r\n   \n")
    (seeds / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)  # an image renamed .txt
    (seeds / "junk.txt").write_bytes(bytes((i * 7919) % 251 for i in range(20_000)))  # binary without a magic number
    with open(seeds / "huge.txt", "wb") as f:  # 50 MB of real text: refused from its size, before reading
        block = b"lorem ipsum dolor sit amet " * 40_000
        for _ in range(50 * 1024 * 1024 // len(block) + 1):
            f.write(block)
    (seeds / "one line.txt").write_bytes(b"word " * (1024 * 1024 // 5))  # a single 1 MB line
    (seeds / "blob.txt").write_bytes(article("Base64 inside") + b"A" * 5000 + b"\n")
    (seeds / "dangling.txt").symlink_to(seeds / "does-not-exist.txt")
    (seeds / "zeros.txt").symlink_to("/dev/zero")  # would never end if read
    os.mkfifo(seeds / "pipe.txt")  # would block forever if read
    (seeds / "vanishing.txt").write_bytes(article("Here now, gone later"))
    (seeds / "locked.txt").write_bytes(article("Nobody may read this"))
    (seeds / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b" " * (LIMITS["max_gunzip_bytes"] + 10)))
    return {
        "empty.txt": "empty",
        "blank.txt": "whitespace",
        "photo.txt": "binary",
        "junk.txt": "binary",
        "huge.txt": "too large",
        "one line.txt": "a line of",
        "blob.txt": "without a space",
        "dangling.txt": "broken symbolic link",
        "zeros.txt": "not a regular file",
        "pipe.txt": "not a regular file",
        "vanishing.txt": "disappeared",
        "locked.txt": "permission denied",
        "bomb.html.gz": "decompresses to more than",
    }


@pytest.fixture()
def hostile_fs(monkeypatch):
    """vanishing.txt is deleted after listing; locked.txt cannot be opened."""
    real_list = files.list_seed_files
    real_open = os.open

    def list_then_delete(folder):
        out = real_list(folder)
        for p in out:
            if p.name == "vanishing.txt":
                p.unlink()
        return out

    def deny(path, flags, *a, **kw):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *a, **kw)

    monkeypatch.setattr(files, "list_seed_files", list_then_delete)
    monkeypatch.setattr(os, "open", deny)


@pytest.mark.slow
def test_broken_files_each_one_log_line_rest_builds(tmp_path, log_lines, hostile_fs):
    seeds = tmp_path / "seeds"
    expected = make_broken(seeds)
    out = tmp_path / "out"
    assert build_site(out, seeds=seeds, search=False) == 0
    skipped = skipped_lines(log_lines)
    assert set(skipped) == set(expected), skipped
    for name, word in expected.items():
        assert word in skipped[name], (name, skipped[name])
    for line in log_lines:
        assert "\n" not in line and "\r" not in line
    # the rest of the archive built: two articles, listed on the index
    assert len(list((out / "articles").glob("*.html"))) == 2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "A bridge opens in spring" in index and "Council approves the budget" in index


def test_strict_fails_on_a_skipped_file_and_log_is_one_line_each(tmp_path):
    """The real command: stderr has one line per bad file; --strict exits 1, without it 0."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_bytes(article("A bridge opens in spring"))
    (seeds / "other.txt").write_bytes(article("Council approves the budget", other=True))
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10)
    nasty = "new\nline \u202eevil.txt"  # a newline and a bidi override in a file name
    (seeds / nasty).write_bytes(b"")
    cmd = [sys.executable, "-m", "annotated_archive", "build", "--no-search", "--seeds", str(seeds), "--cache", str(tmp_path / "cache")]
    strict = subprocess.run([*cmd, "--output", str(tmp_path / "o1"), "--strict"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert strict.returncode == 1, strict.stderr[-3000:]
    lines = [ln for ln in strict.stderr.splitlines() if ln.startswith("WARNING: skipped ")]
    assert len(lines) == 3, strict.stderr[-3000:]
    assert any("empty.txt: empty file" in ln for ln in lines)
    assert any("photo.txt: binary file" in ln for ln in lines)
    assert any("new\\u000aline \\u202eevil.txt: empty file" in ln for ln in lines)
    assert "--strict" in strict.stderr
    # without --strict the same input builds with exit 0 (in-process: a second CLI run costs seconds)
    assert build_site(tmp_path / "o2", seeds=seeds, search=False) == 0
    assert (tmp_path / "o2" / "index.html").is_file()


def test_unit_limits_are_quick_and_reasoned():
    assert read_seed("e.txt", b"").reason == "empty file"
    assert "whitespace" in read_seed("w.txt", b" \n\n\t ").reason
    big = read_seed("big.txt", b"x" * (LIMITS["max_bytes"] + 1))
    assert "too large" in big.reason
    assert "not a valid gzip" in read_seed("x.html.gz", b"\x1f\x8bnot gzip at all").reason
    # a long line in an .html seed is normal (minified pages)
    page = b"<html><body><h1>T</h1><p>" + b"word " * 30_000 + b"</p></body></html>"
    assert hasattr(read_seed("min.html", page), "text")


def test_read_limited_never_blocks_or_raises(tmp_path):
    os.mkfifo(tmp_path / "p.txt")
    assert "named pipe" in files.read_limited(tmp_path / "p.txt", 100)
    (tmp_path / "d.txt").mkdir()
    assert "directory" in files.read_limited(tmp_path / "d.txt", 100)
    (tmp_path / "big.txt").write_bytes(b"x" * 101)
    assert "too large" in files.read_limited(tmp_path / "big.txt", 100)
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    assert files.read_limited(tmp_path / "loop.txt", 100).startswith("cannot read")
    assert files.read_limited(tmp_path / "gone.txt", 100) == "file disappeared before it could be read"


def test_read_limited_reads_what_the_file_holds_when_it_grew_after_stat(tmp_path, monkeypatch):
    """The read is sized from stat(): a file that grew since is read on, up
    to the limit, and refused beyond it, as before."""
    p = tmp_path / "grown.txt"
    p.write_bytes(b"0123456789" * 3)
    real_stat = Path.stat

    def stale_stat(self, **kw):  # what stat() said before the file grew to 30 bytes
        st = real_stat(self, **kw)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 5,
                               st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(Path, "stat", stale_stat)
    assert files.read_limited(p, 100) == b"0123456789" * 3
    assert files.read_limited(p, 30) == b"0123456789" * 3
    assert "it grew while being read" in files.read_limited(p, 29)
    assert "it grew while being read" in files.read_limited(p, 5)


def test_safe_names():
    assert files.safe_name("Київ — ünïcödé with spaces.txt") == "Київ — ünïcödé with spaces.txt"
    assert files.safe_name("a\nb\u202ec.txt") == "a\\u000ab\\u202ec.txt"
    assert files.safe_name(os.fsdecode(b"bad\xffname.txt")) == "bad\\xffname.txt"


# ------------------------------------------------------------------- names

LONG = "л" * 100 + "-" + "a" * (255 - 200 - 1 - 4) + ".txt"  # 255 bytes: the usual file-name limit


def test_awkward_names_unique_stable_urls(tmp_path, log_lines):
    assert len(LONG.encode("utf-8")) == 255
    seeds = tmp_path / "seeds"
    (seeds / "sub dir").mkdir(parents=True)
    (seeds / ".git").mkdir()
    named = {
        "with spaces.txt": article("Same title twice", "first of two"),
        "Київ ünïcödé.txt": article("Same title twice", "second of two"),
        ".hidden.txt": article("A hidden file is still a seed", "a dot is a legal name"),
        LONG: article("A very long file name", "two hundred and fifty-five bytes"),
        "sub dir/copy.txt": article("Identical text", "word for word"),
        "identical.txt": article("Identical text", "word for word"),
        os.fsdecode(b"latin1-\xe9t\xe9.txt"): article("A name that is not UTF-8", "bytes kept"),
        "folder.txt/inside.txt": article("A folder named like a seed", "is just a folder"),
        ".git/ignored.txt": article("Hidden folders are not read", "never"),
    }
    (seeds / "folder.txt").mkdir()
    for n, data in named.items():
        (seeds / n).write_bytes(data)
    out = tmp_path / "out"
    assert build_site(out, seeds=seeds, search=False) == 0
    # identical texts: one page, not an input error; one log line naming both
    # copies, and the published raw page names the other file
    assert skipped_lines(log_lines) == {}
    assert "identical copy sub dir/copy.txt: same text as identical.txt (published once)" in log_lines
    pages = sorted(p.name for p in (out / "articles").glob("*.html"))
    assert len(pages) == 7  # 9 files - the identical copy - the hidden folder
    assert all(re.fullmatch(r"[0-9a-f]{12}\.html", p) for p in pages)
    raw_names = set()
    for p in (out / "raw").glob("*.html"):
        raw_names.add(re.search(r"The file <code>(.*?)</code>", p.read_text(encoding="utf-8")).group(1))
    assert raw_names == {"with spaces.txt", "Київ ünïcödé.txt", ".hidden.txt", LONG, "identical.txt",
                         "latin1-\\xe9t\\xe9.txt", "folder.txt/inside.txt"}
    raw_of_identical = next(p for p in (out / "raw").glob("*.html") if "The file <code>identical.txt</code>" in p.read_text(encoding="utf-8"))
    assert "<code>sub dir/copy.txt</code> (byte for byte the same file)" in raw_of_identical.read_text(encoding="utf-8")
    # stable: renaming every file changes no URL
    for p in list(seeds.rglob("*.txt")):
        if p.is_file():
            p.rename(p.with_name("renamed-" + p.name[-40:]))
    out2 = tmp_path / "out2"
    assert build_site(out2, seeds=seeds, search=False) == 0
    assert sorted(p.name for p in (out2 / "articles").glob("*.html")) == pages


def test_colliding_pages_are_a_clear_build_error(tmp_path, monkeypatch, capsys):
    real = glue.build_pages

    def colliding(archive, site_url="", **kwargs):
        pages = real(archive, site_url, **kwargs)
        first = next(p for p in pages if p.template == "article")
        return [*pages, PageSpec(first.save_as, "raw", {})]

    monkeypatch.setattr(glue, "build_pages", colliding)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_bytes(article("A bridge opens in spring"))
    out = tmp_path / "out"
    assert build_site(out, seeds=seeds, search=False) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"error: two pages would be written to articles/[0-9a-f]{12}\.html \(from the article and raw templates\): "
        r"refusing to overwrite", err)
    assert "Traceback" not in err


def test_broken_notes_are_reasons_not_crashes(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cr.md").write_bytes(b'---\rquote: "the bridge would open"\r---\rOld Mac line endings.\r')
    (notes / "no header.md").write_text("Just text, no header.\n", encoding="utf-8")
    (notes / "latin1.md").write_bytes('---\nclaim: abc\n---\nCaf\xe9 \xab note \xbb\n'.encode("latin-1"))
    (notes / "empty.md").write_bytes(b"")
    os.mkfifo(notes / "pipe.md")
    (notes / "big.md").write_bytes(b"---\nclaim: x\n---\n" + b"a " * files.NOTE_MAX_BYTES)
    good, bad = files.load_notes(notes)
    assert sorted(n.name for n in good) == ["cr.md", "latin1.md"]
    assert next(n for n in good if n.name == "cr.md").quote == "the bridge would open"
    assert "\ufffd" in next(n for n in good if n.name == "latin1.md").body  # undecodable bytes shown, not fatal
    reasons = {b.name: b.reason for b in bad}
    assert set(reasons) == {"notes/no header.md", "notes/empty.md", "notes/pipe.md", "notes/big.md"}
    assert "named pipe" in reasons["notes/pipe.md"] and "too large" in reasons["notes/big.md"]


def test_identical_copies_pass_strict_and_are_named(tmp_path, log_lines):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = article("One story saved three times", "the same words each time")
    (seeds / "a.txt").write_bytes(text)
    (seeds / "b.txt").write_bytes(text)
    (seeds / "c.txt").write_bytes(text.replace(b"\n", b"\r\n") + b"\n\n")  # same words, other layout
    out = tmp_path / "out"
    (tmp_path / "notes").mkdir()  # no curator notes: an orphaned one would fail --strict too
    assert build_site(out, seeds=seeds, notes=tmp_path / "notes", search=False, strict=True) == 0
    assert len(list((out / "articles").glob("*.html"))) == 1
    raw = next((out / "raw").glob("*.html")).read_text(encoding="utf-8")
    assert "The file <code>a.txt</code>" in raw
    assert "<code>b.txt</code> (byte for byte the same file)" in raw
    assert '<code>c.txt</code> (the same text saved differently: line breaks, spacing or encoding; <a href="#copy-2">' in raw
    # nothing unpublished: the copy with other bytes is shown whole, verbatim
    import html as html_mod

    shown = re.search(r'<h2 id="copy-2">The file <code>c.txt</code></h2>.*?<pre class="raw" tabindex="0">(.*?)</pre>', raw, re.S)
    assert shown and html_mod.unescape(shown.group(1)).lstrip("\n") == text.decode("utf-8") + "\n\n"
    assert raw.count('<pre class="raw"') == 2  # b.txt is byte-identical: named, not repeated
    assert "identical copy c.txt: same text as a.txt (published once, saved differently: its raw text is on that raw page)" in log_lines


def test_dedupe_is_order_independent():
    from annotated_archive.pipeline import dedupe
    from annotated_archive.read import read_seed

    seeds = [read_seed(n, article("Same", "words")) for n in ("z.txt", "m.txt", "a.txt")]
    seeds.append(read_seed("other.txt", article("Other", "story")))
    for order in (seeds, seeds[::-1], seeds[1:] + seeds[:1]):
        unique, copies = dedupe(order)
        assert sorted(s.name for s in unique) == ["a.txt", "other.txt"]
        assert [(c.name, c.same_as, c.same_bytes) for c in copies] == [("m.txt", "a.txt", True), ("z.txt", "a.txt", True)]
