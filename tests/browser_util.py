"""Helpers for the browser tests and the search benchmark: serve a built site
under a sub-path on 127.0.0.1 (like a GitHub Pages project site) and drive
Debian's Chromium with Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import socket
import threading
from pathlib import Path
from typing import Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUB_PATH = "repo"  # the site is served at http://127.0.0.1:PORT/repo/
# axe-core, installed by scripts/test.sh with npm into a folder git ignores
AXE = Path(__file__).resolve().parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".pagefind": "application/octet-stream",
        ".pf_meta": "application/octet-stream",
        ".pf_index": "application/octet-stream",
        ".pf_fragment": "application/octet-stream",
        ".pf_filter": "application/octet-stream",
    }

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def send_head(self):
        # GitHub Pages serves the site's 404.html for a missing page under it
        path = self.translate_path(self.path)
        root = Path(self.directory) / SUB_PATH
        if not os.path.exists(path) and Path(path).resolve().is_relative_to(root.resolve()):
            self.path = f"/{SUB_PATH}/404.html"
            self._status_override = 404
            return super().send_head()
        return super().send_head()

    def send_response(self, code, message=None):
        if getattr(self, "_status_override", None) and code == 200:
            code, self._status_override = self._status_override, None
        super().send_response(code, message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GzipHandler(_QuietHandler):
    """Compresses HTML, CSS, JS and JSON on the fly when the browser accepts
    gzip, as GitHub Pages does (Pagefind's WASM and index files are gzip
    files already and go out as they are)."""

    COMPRESS = (".html", ".css", ".js", ".json", ".svg", ".txt")

    def send_head(self):
        path = self.translate_path(self.path.split("?", 1)[0])
        if "gzip" not in self.headers.get("Accept-Encoding", "") or not path.endswith(self.COMPRESS) or not os.path.isfile(path):
            return super().send_head()
        import gzip
        import io

        data = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


@contextlib.contextmanager
def serve_under_subpath(site: Path, tmp: Path, handler_class=_QuietHandler) -> Iterator[str]:
    """Serve ``site`` at ``http://127.0.0.1:PORT/repo/``; yields that base URL.

    ``tmp`` gets a symlink ``repo -> site`` and is the server's root, so
    nothing at the server root (``/index.html``, ``/pagefind/``) exists: a
    link that escapes the sub-path fails the tests."""
    tmp.mkdir(parents=True, exist_ok=True)
    link = tmp / SUB_PATH
    if not link.exists():
        link.symlink_to(site.resolve(), target_is_directory=True)
    handler = functools.partial(handler_class, directory=str(tmp))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{SUB_PATH}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with no background traffic."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def search(pg, served: str, query: str):
    """Type ``query`` on the search page and wait for its results (or "No articles")."""
    pg.goto(served + "search.html")
    pg.fill("#q", query)
    pg.press("#q", "Enter")
    pg.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q) && "
        "(document.querySelector('#results li') || /No articles/.test(document.getElementById('search-status').textContent))",
        arg=query,
    )
