"""Benchmark 3: saving pages. Reader's capture path against trafilatura alone.

Reader: ``reader.capture.service.capture_url`` (check, dedupe, fetch with httpx, extract, store in
a fresh library) for every page, on a pool of 4 threads as the window runs it
(``main_window.PARALLEL_FETCHES``); and, where it exists, the capture queue
(``reader.capture.queue.CaptureQueue``: fetch threads, extraction in worker processes), with its
own limits. Reference: ``trafilatura.extract`` on the same HTML, one page after another in one
process: the extraction alone, with no fetching and no storing.

The pages (made by ``bench.pages`` from the fixture pages) are served on 127.0.0.1 by a thread of
a separate process, so that serving them takes nothing from the measured interpreter's lock.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import trafilatura

from bench.common import Row
from bench.pages import make_pages, serve_in_subprocess
from reader.capture.extract import extract
from reader.capture.service import capture_url
from reader.errors import UserError
from reader.library import open_library

GROUP = "3. Ingest"
THREADS = 4  # reader.ui.main_window.PARALLEL_FETCHES when this was written
PAGES, QUICK_PAGES = 200, 60


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


def _capture_threads(urls: list[str], home: Path) -> tuple[float, int]:
    library = open_library(home / "threads" / "library.sqlite3")
    failures = 0
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(capture_url, library, url) for url in urls]:
            try:
                future.result()
            except UserError:  # the page was not saved, with a reason: counted as a failure
                failures += 1
    seconds = time.perf_counter() - started
    library.close()
    return seconds, failures


def queue_available() -> bool:
    return importlib.util.find_spec("reader.capture.queue") is not None


def _capture_queue(urls: list[str], home: Path) -> tuple[float, int, str]:
    """The capture queue as the window would run it; its extraction processes are started
    before the clock (they take a second or two to import trafilatura, once per session)."""
    from reader.capture import queue as capture_queue

    library = open_library(home / "queue" / "library.sqlite3")
    extractor = capture_queue.Extractor()
    extractor.warm()
    extractor.run(len, "")  # returns once a worker answers
    work = capture_queue.CaptureQueue(library, extractor=extractor)
    work.start()
    started = time.perf_counter()
    work.add(urls)
    work.wait()
    seconds = time.perf_counter() - started
    counts = work.counts()
    work.stop()
    extractor.close()
    library.close()
    limits = (f"{extractor.workers} extraction processes, {capture_queue.PER_HOST} requests per "
              f"host, {capture_queue.TOTAL} in all")
    return seconds, counts.failed, limits


def run(quick: bool) -> list[Row]:
    count = QUICK_PAGES if quick else PAGES
    pages = make_pages(count)
    bare_s = _bare(pages)
    home = Path(tempfile.mkdtemp(prefix="reader-bench-ingest-"))
    os.environ["READER_HOME"] = str(home)
    with serve_in_subprocess(count) as urls:
        base = urls[0].split("/articles/")[0]
        extract_s = _reader_extract(pages, base)
        threads_s, failures = _capture_threads(urls, home)
        queue = _capture_queue(urls, home) if queue_available() else None
    shutil.rmtree(home, ignore_errors=True)
    bare_rate = count / bare_s
    kb = sum(map(len, pages.values())) / count / 1000
    rows = [
        Row(GROUP, f"capture_url on {THREADS} threads, pages/s", "pages/s", count / threads_s,
            bare_rate, "trafilatura.extract alone, 1 process",
            note=f"{count} pages of {kb:.0f} kB on average; {failures} failed",
            detail={"pages": count, "threads_s": threads_s, "bare_s": bare_s, "failures": failures}),
        Row(GROUP, "reader.capture.extract.extract alone, pages/s", "pages/s", count / extract_s,
            bare_rate, "trafilatura.extract alone, 1 process",
            note="Reader's extraction without fetching or storing, one page after another",
            detail={"extract_s": extract_s}),
    ]
    if queue is not None:
        queue_s, queue_failed, limits = queue
        rows.append(Row(GROUP, "capture queue (reader.capture.queue), pages/s", "pages/s",
                        count / queue_s, bare_rate, "trafilatura.extract alone, 1 process",
                        note=f"{limits}; {queue_failed} failed",
                        detail={"queue_s": queue_s, "failures": queue_failed}))
    return rows
