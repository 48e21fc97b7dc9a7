"""Benchmark: ``reader add`` of many real pages, several times in a row.

The pages are real: the WCXB development pages in shared/data (news and blog articles, forum
threads, documentation; their pictures pointed at the fixture pictures, so nothing leaves
127.0.0.1), else the test fixture pages, each served under as many paths as needed. They are
served on 127.0.0.1 by a thread of this process; ``reader add URL...`` runs as the user runs it,
a fresh library each time. Every run must save every page: a crash (the command once died of
heap corruption on threads) or a page not saved is counted against it.

Reference: ``trafilatura.extract`` on the same HTML, one page after another in one process.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trafilatura

from bench.common import Row, median
from bench.textgen import FIXTURE_PAGES, ROOT
from reader.library import open_library

GROUP = "3. Ingest"
PAGES, QUICK_PAGES = 1000, 60
# Three runs: on 12-02 five read 28.1, 28.5, 27.0, 27.6 and 26.1 pages/s, the first three's
# median 28.1 against 27.6, and the last two took 75 s of a `make bench` kept under 15 minutes.
RUNS, QUICK_RUNS = 3, 2
WCXB = ROOT.parent / "shared" / "data" / "wcxb-dev" / "html"
# Every address in a picture's tag (src, data-src, srcset...): the extraction may take any of
# them, and one left pointing out of 127.0.0.1 had a page wait seconds for a name lookup.
_IMAGE_TAG = re.compile(rb"<img\b[^>]*>", re.IGNORECASE)
_REMOTE = re.compile(rb"""(?:https?:)?//[^"'\s>]+""", re.IGNORECASE)
_LOCAL_PICTURE = b"/images/harbour-wall.png"


def real_pages(count: int) -> dict[str, bytes]:
    """``count`` pages: path -> HTML, the real pages first, repeated under new paths."""
    sources = [gzip.decompress(path.read_bytes()) for path in sorted(WCXB.glob("*.html.gz"))]
    sources += [path.read_bytes() for path in sorted(FIXTURE_PAGES.glob("*.html"))
                if path.name != "no-article.html"]
    sources = [_IMAGE_TAG.sub(lambda tag: _REMOTE.sub(_LOCAL_PICTURE, tag.group()), html)
               for html in sources]
    return {f"/pages/{number:05d}.html": sources[number % len(sources)]
            for number in range(count)}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, pages: dict[str, bytes], *args, **kwargs):
        self.pages = pages
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        body = self.pages.get(path)
        content_type = "text/html; charset=utf-8"
        if body is None and path.startswith("/images/"):
            image = FIXTURE_PAGES / "images" / Path(path).name
            body = image.read_bytes() if image.is_file() else None
            content_type = "image/png"
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _add(urls: list[str], home: Path) -> tuple[float, int, int, int]:
    """One ``reader add`` of every URL: (seconds, pages saved with their text, pages kept in
    the library (a page with no article text is kept with the reason), exit code)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "reader", "--home", str(home), "add", *urls],
                            capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        print(f"[cli_add] exit {result.returncode}: {result.stderr[-2000:]}", file=sys.stderr)
    library = open_library(home / "library.sqlite3")
    try:
        kept = library.count() - 1  # not the welcome article
    finally:
        library.close()
    return seconds, result.stdout.count("Added "), kept, result.returncode


def run(quick: bool) -> list[Row]:
    count, runs = (QUICK_PAGES, QUICK_RUNS) if quick else (PAGES, RUNS)
    pages = real_pages(count)
    started = time.perf_counter()
    for html in pages.values():
        trafilatura.extract(html.decode("utf-8", errors="replace"))
    bare_s = time.perf_counter() - started
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, pages))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="reader-bench-cli-add-"))
    results = []
    try:
        for number in range(runs):
            results.append(_add([base + path for path in pages], work / str(number)))
            shutil.rmtree(work / str(number), ignore_errors=True)
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)
    complete = sum(kept == count and code >= 0 for _s, _saved, kept, code in results)
    crashes = sum(code < 0 for *_rest, code in results)
    seconds = median([s for s, *_rest in results])
    no_text = sorted({count - saved for _s, saved, _kept, _code in results})
    kinds = "WCXB articles, forums and docs" if WCXB.is_dir() else "fixture pages"
    return [
        Row(GROUP, f"reader add of {count} real pages, pages/s (median of {runs} runs)",
            "pages/s", count / seconds, count / bare_s, "trafilatura.extract alone, 1 process",
            note=f"{kinds}, served on 127.0.0.1; a fresh library per run, extraction processes "
                 "started inside the timing",
            detail={"runs": [{"seconds": s, "saved": saved, "kept": kept, "exit": code}
                             for s, saved, kept, code in results], "bare_s": bare_s}),
        Row(GROUP, f"reader add runs that kept all {count} pages, without a crash", "runs",
            complete, runs, "runs", target=1.0,
            note=f"{crashes} crashed (killed by a signal); pages with no article text in their "
                 f"HTML (kept as links with the reason, exit status 1): {no_text}",
            detail={"complete": complete, "crashes": crashes}),
    ]
