"""trafilatura and lxml in worker processes: the only place Reader extracts pages.

lxml is not safe in threads of one process (``reader add`` on a thread pool died of heap
corruption, "double free", on real pages), and extraction is pure CPU that would hold the
window's GIL, so it runs in spawned processes, one per core, made on first use.

Each process has a pipe of its own, and the thread that asks sends the page and waits for the
answer on it: no pool threads in between (a process pool's two threads, woken for each page,
cost the capture queue as much CPU as fetching a small page's headers).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from reader import logs
from reader.errors import CaptureError
from reader.processes import die_with_parent

if TYPE_CHECKING:
    from reader.capture.extract import Extracted

log = logging.getLogger(__name__)

NICENESS = 5  # extraction processes run this much below the app's priority (where supported)


# The window never imports trafilatura and lxml itself (a tenth of a second of its start): the
# workers run these, which import them there.
def _extract(html: str, url: str) -> Extracted:
    from reader.capture.extract import extract

    return extract(html, url)


def _serve(connection: Connection) -> None:
    """A worker process: ``(function, args)`` in, ``(True, result)`` or ``(False, exception)``
    out, until None or the parent's end of the pipe closes."""
    _start_worker()
    import reader.capture.extract  # noqa: F401 - first, while the first page is fetched

    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        function, args = message
        try:
            answer = (True, function(*args))
        except Exception as error:
            answer = (False, error)
        try:
            connection.send(answer)
        except Exception as error:  # an answer that does not pickle
            connection.send((False, RuntimeError(f"Unpicklable answer: {error!r}")))


def _start_worker() -> None:
    """Each worker process, as it starts: it ends with the app (even one killed), and runs below
    the window's priority, so that with every core extracting the window still gets a core at
    once when it needs one."""
    die_with_parent()  # pools are started from capture threads: no PR_SET_PDEATHSIG
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    logs.setup_worker_logging()


class _Died(Exception):
    """The worker process ended (its pipe closed) before it answered."""


class _Worker:
    """One extraction process and its end of the pipe."""

    def __init__(self, generation: int):
        context = multiprocessing.get_context("spawn")
        self.generation = generation
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True,
                                       name="reader-extraction")
        self.process.start()
        theirs.close()  # only the process holds it: its end shows as end-of-file here

    def call(self, function: Callable[..., Any], args: tuple) -> Any:
        try:
            self.connection.send((function, args))
            done, value = self.connection.recv()
        except (EOFError, OSError) as error:
            raise _Died from error
        if not done:
            raise value
        return value

    def close(self) -> None:
        """Let the process end (it reads None, or end-of-file)."""
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.connection.close()

    def kill(self) -> None:
        self.process.kill()
        self.connection.close()


class Extractor:
    """Extraction in worker processes (default: one per core), made on first use.

    Extraction is pure, ``extract(html, url) -> Extracted``, and both sides pickle. Processes
    are spawned, not forked (forking a process that runs Qt and threads is unsafe). A worker
    that dies (a crash in a C library, out of memory) is replaced and the page tried once more.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._started = 0  # workers of this generation alive, idle or busy
        self._generation = 0  # one more at each close: busy workers of older ones end after
        self._running = 0
        self._last_used = time.monotonic()

    def extract(self, html: str, url: str) -> Extracted:
        """``reader.capture.extract.extract``, in a worker process. Raises CaptureError."""
        try:
            return self.run(_extract, html, url)
        except BrokenProcessPool:
            raise CaptureError(
                f"Reader could not read this page (extracting it stopped with an error): {url}"
            ) from None

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a worker process (both picklable); a worker dying is retried
        once on a new one before BrokenProcessPool is raised."""
        with self._lock:
            self._running += 1
        try:
            for attempt in (1, 2):
                worker = self._take()
                try:
                    result = worker.call(function, args)
                except _Died:
                    log.warning("An extraction process died (attempt %d)", attempt)
                    self._lose(worker)
                    continue
                except BaseException:
                    self._give_back(worker)
                    raise
                self._give_back(worker)
                return result
            raise BrokenProcessPool("An extraction process died twice on the same work.")
        finally:
            with self._lock:
                self._running -= 1
                self._last_used = time.monotonic()

    def warm(self) -> None:
        """Start the worker processes now (they take a second to import trafilatura), e.g.
        while the first page is still being fetched."""
        while True:
            with self._lock:
                if self._started >= self.workers:
                    return
                self._started += 1
                generation = self._generation
            self._give_back(self._start(generation))

    def close_if_idle(self, idle_seconds: float) -> None:
        """Let the processes go if nothing has been extracted for ``idle_seconds``."""
        with self._lock:
            if not self._started or self._running:
                return
            if time.monotonic() - self._last_used < idle_seconds:
                return
        self.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._started = 0
            self._generation += 1
        for worker in idle:
            worker.close()

    def _take(self) -> _Worker:
        """An idle worker, or a new one if there are fewer than ``workers``; else wait."""
        with self._lock:
            while not self._idle and self._started >= self.workers:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            self._started += 1
            generation = self._generation
        return self._start(generation)

    def _start(self, generation: int) -> _Worker:
        try:
            return _Worker(generation)
        except BaseException:
            self._lose(None, generation)
            raise

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker.generation == self._generation:
                self._idle.append(worker)
                self._free.notify()
                return
        worker.close()  # the extractor was closed while it worked

    def _lose(self, worker: _Worker | None, generation: int | None = None) -> None:
        """A worker that died (or never started) leaves room for a new one."""
        if worker is not None:
            worker.kill()
            generation = worker.generation
        with self._lock:
            if generation == self._generation:
                self._started -= 1
                self._free.notify()
