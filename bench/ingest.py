"""Benchmark 3: saving pages. Reader's capture path against trafilatura alone.

Reader: the capture queue (``reader.capture.queue.CaptureQueue``, the one runner of the capture
pipeline: check, dedupe, fetch threads, extraction in worker processes, images, store in a fresh
library), with its own limits, as the window and ``reader add`` run it (``bench.cli_add`` times
the command itself). Reference: ``trafilatura.extract`` on the same HTML, one page after another
in one process: the extraction alone, with no fetching and no storing.

The pages (made by ``bench.pages`` from the fixture pages) are served on 127.0.0.1 by a thread of
a separate process, so that serving them takes nothing from the measured interpreter's lock.
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import trafilatura

from bench.common import Row
from bench.pages import make_pages, serve_in_subprocess
from reader.capture.extract import extract
from reader.library import open_library

GROUP = "3. Ingest"
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


def _main_cpu() -> float:
    """CPU seconds of this process (its threads; not the extraction processes, its children)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _capture_queue(urls: list[str], home: Path) -> tuple[float, float, int, str]:
    """The capture queue as the window would run it; its extraction processes are started
    before the clock (they take a second or two to import trafilatura, once per session).
    Returns its seconds, the CPU seconds of this process meanwhile (fetching, storing: what
    the extraction processes do not do), failures, and its limits."""
    from reader.capture import limits
    from reader.capture.extractor import Extractor
    from reader.capture.queue import CaptureQueue

    library = open_library(home / "queue" / "library.sqlite3")
    extractor = Extractor()
    extractor.warm()
    extractor.run(len, "")  # returns once a worker answers
    work = CaptureQueue(library, extractor=extractor)
    work.start()
    started, cpu = time.perf_counter(), _main_cpu()
    work.add(urls)
    work.wait()
    seconds, cpu = time.perf_counter() - started, _main_cpu() - cpu
    counts = work.counts()
    work.stop()
    extractor.close()
    library.close()
    described = (f"{extractor.workers} extraction processes, {limits.PER_HOST} requests per "
                 f"host, {limits.TOTAL} in all")
    return seconds, cpu, counts.failed, described


def run(quick: bool) -> list[Row]:
    count = QUICK_PAGES if quick else PAGES
    pages = make_pages(count)
    bare_s = _bare(pages)
    home = Path(tempfile.mkdtemp(prefix="reader-bench-ingest-"))
    os.environ["READER_HOME"] = str(home)
    with serve_in_subprocess(count) as urls:
        base = urls[0].split("/articles/")[0]
        extract_s = _reader_extract(pages, base)
        queue_s, queue_cpu, queue_failed, limits = _capture_queue(urls, home)
    shutil.rmtree(home, ignore_errors=True)
    bare_rate = count / bare_s
    kb = sum(map(len, pages.values())) / count / 1000
    return [
        Row(GROUP, "capture queue (reader.capture.queue), pages/s", "pages/s", count / queue_s,
            bare_rate, "trafilatura.extract alone, 1 process",
            note=f"{count} pages of {kb:.0f} kB on average; {limits}; {queue_failed} failed; "
                 f"the queue's own process (fetching, storing) used {queue_cpu / count * 1000:.1f}"
                 " ms of CPU a page",
            detail={"pages": count, "queue_s": queue_s, "bare_s": bare_s,
                    "main_cpu_ms_per_page": queue_cpu / count * 1000,
                    "failures": queue_failed}),
        Row(GROUP, "reader.capture.extract.extract alone, pages/s", "pages/s", count / extract_s,
            bare_rate, "trafilatura.extract alone, 1 process",
            note="Reader's extraction without fetching or storing, one page after another",
            detail={"extract_s": extract_s}),
    ]
