"""Benchmark 3: saving pages. Reader's capture path against trafilatura alone.

Reader: the capture queue (``reader.capture.queue.CaptureQueue``, the one runner of the capture
pipeline: check, dedupe, fetch threads, extraction in worker processes, images, store in a fresh
library), with its own limits, as the window and ``reader add`` run it (``bench.cli_add`` times
the command itself). Reference: ``trafilatura.extract`` on the same HTML, one page after another
in one process: the extraction alone, with no fetching and no storing.

Also: the queue's extraction processes alone, fed the same pages by threads (so what the queue's
own process costs shows), and how soon an article whose pictures are slow can be read (it is
stored before its pictures, ``capture.pictures``), against the time until its pictures are in.

The pages (made by ``bench.pages`` from the fixture pages) are served on 127.0.0.1 by a thread of
a separate process, so that serving them takes nothing from the measured interpreter's lock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.html
import trafilatura

from bench.common import Row
from bench.pages import make_pages, plain_paragraphs, serve_in_subprocess
from bench.textgen import FIXTURE_PAGES
from reader.capture.extract import extract
from reader.library import open_library

GROUP = "3. Ingest"
PAGES, QUICK_PAGES = 200, 60
SLOW_PICTURES, PICTURE_SECONDS = 8, 0.25  # an article's pictures, each served after a wait


def _bare(pages: dict[str, bytes]) -> float:
    started = time.perf_counter()
    for html in pages.values():
        trafilatura.extract(html.decode("utf-8"))
    return time.perf_counter() - started


def _reader_extract(pages: dict[str, bytes], base: str) -> float:
    started = time.perf_counter()
    for path, html in pages.items():
        extract(html.decode("utf-8"), base + path)
    return time.perf_counter() - started


def _cpu(process) -> float:
    """CPU seconds of a ``psutil.Process`` (0 once it has gone)."""
    import psutil

    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


@dataclass
class QueueRun:
    """The capture queue's run on the pages: its seconds, failures and limits, and the CPU
    seconds spent meanwhile by its own process (fetching, storing), by its extraction processes
    and by the page server (another process on the same cores), with how busy the cores were."""

    seconds: float
    failed: int
    limits: str
    main_cpu: float
    extraction_cpu: float
    server_cpu: float
    busy: float  # the cores' busy share over the run (0-1)
    extraction_only: float  # seconds the same processes took to read the pages handed to them


def _capture_queue(urls: list[str], pages: list[str], home: Path) -> QueueRun:
    """The capture queue as the window would run it; its extraction processes are started
    before the clock (they take a second or two to import trafilatura, once per session).
    After it, the same processes read the ``pages`` (the HTML at ``urls``) handed to them by
    threads that keep both busy: the queue without fetching and storing."""
    import psutil

    from reader.capture import limits
    from reader.capture.extractor import Extractor
    from reader.capture.queue import CaptureQueue

    me = psutil.Process()
    servers = me.children(recursive=True)  # the page server, started before
    library = open_library(home / "queue" / "library.sqlite3")
    extractor = Extractor()
    extractor.warm()
    extractor.run(len, "")  # returns once a worker answers
    extraction = [p for p in me.children(recursive=True) if p not in servers]
    work = CaptureQueue(library, extractor=extractor)
    work.start()
    before = [_cpu(p) for p in (me, *extraction, *servers)]
    machine = psutil.cpu_times()
    started = time.perf_counter()
    work.add(urls)
    work.wait()
    seconds = time.perf_counter() - started
    after = [_cpu(p) for p in (me, *extraction, *servers)]
    machine_after = psutil.cpu_times()
    spent = [b - a for a, b in zip(before, after)]
    total = sum(machine_after) - sum(machine)
    counts = work.counts()
    work.stop()
    extraction_only = _extracted_in(extractor, urls, pages)
    extractor.close()
    library.close()
    described = (f"{extractor.workers} extraction processes, {limits.PER_HOST} requests per "
                 f"host, {limits.TOTAL} in all")
    return QueueRun(seconds, counts.failed, described, main_cpu=spent[0],
                    extraction_cpu=sum(spent[1:1 + len(extraction)]),
                    server_cpu=sum(spent[1 + len(extraction):]),
                    busy=1 - (machine_after.idle - machine.idle) / total if total else 0.0,
                    extraction_only=extraction_only)


def _extracted_in(extractor, urls: list[str], pages: list[str]) -> float:
    """Seconds ``extractor``'s processes take to read ``pages``, handed over by twice as many
    threads as there are processes (one waits for its answer while the next page is read)."""
    def read(share: slice) -> None:
        for url, html in zip(urls[share], pages[share]):
            extractor.extract(html, url)

    threads = [threading.Thread(target=read, args=(slice(n, None, 2 * extractor.workers),))
               for n in range(2 * extractor.workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


class _SlowPictures(BaseHTTPRequestHandler):
    """A page (the first generated one) that shows ``SLOW_PICTURES`` pictures, each answered
    after ``PICTURE_SECONDS``."""

    def __init__(self, page: bytes, *args, **kwargs):
        self.page = page
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(PICTURE_SECONDS)
            body, kind = (FIXTURE_PAGES / "images" / "turbine.png").read_bytes(), "image/png"
        else:
            body, kind = self.page, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def _serving_slow_pictures():
    tree = lxml.html.document_fromstring(next(iter(make_pages(1).values())))
    for n, paragraph in enumerate(plain_paragraphs(tree)[:SLOW_PICTURES]):  # one after each
        figure = lxml.html.fragment_fromstring(
            f'<figure><img src="/slow/{n}.png" alt="Picture {n} of the works" width="600" '
            f'height="400"><figcaption>Picture {n}</figcaption></figure>')
        paragraph.addnext(figure)
    page = lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_SlowPictures, page))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/article.html"
    finally:
        server.shutdown()
        server.server_close()


def _readable_before_pictures(home: Path) -> tuple[float, float, int]:
    """Seconds from queueing the slow-pictures page until it is saved (readable), until its
    pictures are in, and how many were stored in it."""
    from reader.capture.extractor import Extractor
    from reader.capture.queue import CaptureQueue

    library = open_library(home / "pictures" / "library.sqlite3")
    extractor = Extractor()
    extractor.run(len, "")  # its processes started before the clock
    saved = threading.Event()  # set by the queue's event for the stored article

    def heard(event) -> None:
        if event.item is not None and event.item.state == "saved":
            saved.set()

    work = CaptureQueue(library, heard, extractor=extractor)
    work.start()
    with _serving_slow_pictures() as url:
        started = time.perf_counter()
        work.add([url])
        saved.wait(120)
        readable = time.perf_counter() - started
        work.wait(120)
        complete = time.perf_counter() - started
    stored = library.get(library.find_by_url(url)).body_html.count("reader-image:")
    work.stop()
    extractor.close()
    library.close()
    return readable, complete, stored


def run(quick: bool) -> list[Row]:
    count = QUICK_PAGES if quick else PAGES
    pages = make_pages(count)
    bare_s = _bare(pages)
    home = Path(tempfile.mkdtemp(prefix="reader-bench-ingest-"))
    os.environ["READER_HOME"] = str(home)
    with serve_in_subprocess(count) as urls:
        base = urls[0].split("/articles/")[0]
        extract_s = _reader_extract(pages, base)
        queue = _capture_queue(urls, [html.decode("utf-8") for html in pages.values()], home)
    readable_s, pictures_s, stored = _readable_before_pictures(home)
    shutil.rmtree(home, ignore_errors=True)
    bare_rate = count / bare_s
    kb = sum(map(len, pages.values())) / count / 1000
    ms = {name: cpu / count * 1000 for name, cpu in (
        ("main", queue.main_cpu), ("extraction", queue.extraction_cpu),
        ("server", queue.server_cpu), ("bare", bare_s))}
    # What bounds it: the CPU a page takes in all, on cores that are never idle.
    bound = (os.cpu_count() or 1) * ms["bare"] / (ms["main"] + ms["extraction"] + ms["server"])
    return [
        Row(GROUP, "capture queue (reader.capture.queue), pages/s", "pages/s",
            count / queue.seconds, bare_rate, "trafilatura.extract alone, 1 process",
            note=f"{count} pages of {kb:.0f} kB on average; {queue.limits}; {queue.failed} "
                 f"failed; CPU a page: the extraction processes {ms['extraction']:.1f} ms, the "
                 f"queue's own process (fetching, storing) {ms['main']:.1f} ms, the page server "
                 f"{ms['server']:.1f} ms (bare trafilatura {ms['bare']:.1f} ms); cores "
                 f"{queue.busy:.0%} busy; with them always busy it could reach {bound:.2f}x",
            detail={"pages": count, "queue_s": queue.seconds, "bare_s": bare_s,
                    "main_cpu_ms_per_page": ms["main"],
                    "extraction_cpu_ms_per_page": ms["extraction"],
                    "server_cpu_ms_per_page": ms["server"], "cores_busy": queue.busy,
                    "bound_at_full_cores": bound, "failures": queue.failed}),
        Row(GROUP, "the queue's extraction processes alone, pages/s", "pages/s",
            count / queue.extraction_only, bare_rate, "trafilatura.extract alone, 1 process",
            note="the same pages and processes, handed over with no fetching and no storing: "
                 "what the queue's own process costs is the difference",
            detail={"extraction_only_s": queue.extraction_only}),
        Row(GROUP, "reader.capture.extract.extract alone, pages/s", "pages/s", count / extract_s,
            bare_rate, "trafilatura.extract alone, 1 process",
            note="Reader's extraction without fetching or storing, one page after another",
            detail={"extract_s": extract_s}),
        Row(GROUP, f"an article with {SLOW_PICTURES} slow pictures: seconds until it can be read",
            "s", readable_s, pictures_s, "seconds until its pictures are in", better="lower",
            note=f"each picture answered after {PICTURE_SECONDS} s, on 127.0.0.1; the article is "
                 f"stored before its pictures, which fill it in ({stored} of {SLOW_PICTURES} "
                 "stored); before 2026-12-01 it was stored once they were in (ratio 1.0)",
            detail={"readable_s": readable_s, "pictures_s": pictures_s, "stored": stored}),
    ]
