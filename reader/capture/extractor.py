"""trafilatura and lxml in worker processes: the only place Reader extracts pages.

lxml is not safe in threads of one process (``reader add`` on a thread pool died of heap
corruption, "double free", on real pages), and extraction is pure CPU that would hold the
window's GIL, so it runs in spawned processes, one per core, made on first use.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from reader import logs
from reader.errors import CaptureError
from reader.processes import die_with_parent

if TYPE_CHECKING:
    from reader.capture.extract import Extracted

log = logging.getLogger(__name__)

# Extraction processes run at the lowest priority (where supported): background work, it takes
# what the window, the app's own threads and everything else on the machine leave. At 5 the two
# of them still kept the window waiting for a core up to 20 ms while a thousand links were
# saved (bench group "ui").
NICENESS = 19
# A page still being read after this many seconds is given up, and its process ended: no real
# page takes a tenth of it, but a hostile one built to fall under the size bounds
# (extraction/size.py) could hold a worker for minutes.
TIME_LIMIT = 60.0


# The window never imports trafilatura and lxml itself (a tenth of a second of its start): the
# workers run these, which import them there.
def _extract(html: str, url: str) -> Extracted:
    from reader.capture.extract import extract

    return extract(html, url)


# trafilatura loads every language's stop words for jusText (0.15 s) on a process's first page
# short enough to be read again by it; a page too short to be an article makes it do so.
_FIRST_PAGE = "<html><body><article><p>A note on the harbour wall.</p></article></body></html>"


def _start_worker() -> None:
    """Each worker process, as it starts: it ends with the app (even one killed), and runs at the
    lowest priority, so that with every core extracting the window still gets a core at once
    when it needs one. It reads a first page of its own, so that the user's first pages do not
    pay for what trafilatura loads once (the first 40 pages of the bench's: 0.42 -> 0.28 s)."""
    die_with_parent()  # pools are started from capture threads: no PR_SET_PDEATHSIG
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    logs.setup_worker_logging()
    try:
        _extract(_FIRST_PAGE, "https://reader.invalid/first-page")
    except CaptureError:  # too few words to be an article: read, and refused as expected
        pass


class Extractor:
    """Extraction in worker processes (default: one per core), made on first use.

    Extraction is pure, ``extract(html, url) -> Extracted``, and both sides pickle. Processes
    are spawned, not forked (forking a process that runs Qt and threads is unsafe). A worker
    that dies (a crash in a C library, out of memory) breaks the pool: it is replaced and the
    page tried once more.
    """

    def __init__(self, workers: int | None = None, time_limit: float = TIME_LIMIT):
        self.workers = workers or os.cpu_count() or 1
        self.time_limit = time_limit
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._running = 0
        self._last_used = time.monotonic()
        self._closed = False

    def extract(self, html: str, url: str) -> Extracted:
        """``reader.capture.extract.extract``, in a worker process. Raises CaptureError."""
        try:
            return self.run(_extract, html, url)
        except TimeoutError:
            raise CaptureError(f"Reader gave up reading this page after {self.time_limit:g} s "
                               f"(a page that large or that strange is not an article): {url}"
                               ) from None
        except BrokenProcessPool:
            raise CaptureError(
                f"Reader could not read this page (extracting it stopped with an error): {url}"
            ) from None

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a worker process (both picklable); a worker dying is retried
        once on a new pool before BrokenProcessPool is raised. Past ``time_limit`` seconds the
        pool's processes are ended and TimeoutError raised (another page then being read is
        tried again on a new pool)."""
        for attempt in (1, 2):
            pool = self._get_pool(running=1)
            try:
                return pool.submit(function, *args).result(timeout=self.time_limit)
            except TimeoutError:
                log.warning("An extraction took over %g s: its processes are ended", self.time_limit)
                self._discard(pool)
                raise
            except BrokenProcessPool:
                log.warning("An extraction process died (attempt %d)", attempt)
                self._discard(pool)
                if attempt == 2 or self._closed:
                    raise
            finally:
                with self._lock:
                    self._running -= 1
                    self._last_used = time.monotonic()
        raise AssertionError("unreachable")

    def warm(self) -> None:
        """Start the worker processes now (they take a second to import trafilatura), e.g.
        while the first page is still being fetched."""
        self._get_pool()

    def close_if_idle(self, idle_seconds: float) -> None:
        """Let the processes go if nothing has been extracted for ``idle_seconds``."""
        with self._lock:
            if self._pool is None or self._running:
                return
            if time.monotonic() - self._last_used < idle_seconds:
                return
            pool, self._pool = self._pool, None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """End the processes, and with them any page still being read: neither closing the
        window nor the app's exit (which joins the pool) waits for it (a hostile page took
        minutes), and a stopping queue keeps that page queued for next time. Nothing runs after:
        a task then raises BrokenProcessPool."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            _end(pool)

    def _get_pool(self, running: int = 0) -> ProcessPoolExecutor:
        """The pool, made if need be; ``running=1`` counts a task in (so the pool is not let go
        before it is submitted)."""
        with self._lock:
            if self._closed:
                raise BrokenProcessPool("The extraction processes are closed")
            self._running += running
            if self._pool is None:
                self._pool = _started_pool(self.workers)
                self._last_used = time.monotonic()
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        _end(pool)


def _started_pool(workers: int) -> ProcessPoolExecutor:
    """A pool with its processes started, each importing the extract module (trafilatura, lxml:
    what takes the time) and reading a first page (``_start_worker``). They are spawned by a
    thread at their priority (on Linux): a process inherits its parent thread's, so they run at
    it from their first instruction, not only once their initializer has run (their quarter of a
    second of start at the app's priority kept the window waiting for a core up to 20 ms, bench
    group "ui"). The pool's own threads, which the first task starts, are made here at the app's
    priority: they hold the interpreter lock while they hand results over, and at 19 they could
    be kept off a core, holding it, while the window waits for it."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                               mp_context=multiprocessing.get_context("spawn"))
    failed: list[BaseException] = []

    def spawn() -> None:
        try:
            if sys.platform.startswith("linux"):  # where a thread has its own niceness
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
            for _ in range(workers):  # (what submit() does while no process is idle)
                pool._adjust_process_count()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            failed.append(error)

    spawner = threading.Thread(target=spawn, name="extraction-start")
    spawner.start()
    spawner.join()
    if failed:
        _end(pool)
        raise failed[0]
    pool.submit(len, "")  # a first task: it starts the pool's own threads, here
    return pool


def _end(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down without waiting, its processes ended even in the middle of a task."""
    processes = list((pool._processes or {}).values())  # (3.14 has terminate_workers())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
