"""For the capture queue tests: servers of our own that count the requests in flight, hold them,
or fail once; and waiting for a queue."""

from __future__ import annotations

import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer

from reader.capture.queue import CaptureQueue
from tests.fixture_site import PAGES, _Handler


class Tally:
    """Requests in flight, per server and in all, and the most there ever were."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.total = 0
        self.most_total = 0

    def enter(self, server: str) -> None:
        with self._lock:
            self.now[server] = self.now.get(server, 0) + 1
            self.most[server] = max(self.most.get(server, 0), self.now[server])
            self.total += 1
            self.most_total = max(self.most_total, self.total)

    def leave(self, server: str) -> None:
        with self._lock:
            self.now[server] -= 1
            self.total -= 1


class _CountingHandler(_Handler):
    def do_GET(self) -> None:
        site: CountingSite = self.server.site
        # Counted from the request's arrival until the answer starts: inside the time the
        # client holds its request slot, whatever the threads' timing.
        site.tally.enter(site.base)
        try:
            site.requests.append(self.path)
            site.gate.wait(timeout=10)
            time.sleep(site.delay)
        finally:
            site.tally.leave(site.base)
        if self.path.split("?")[0] in site.fail_once and self.path not in site.failed:
            site.failed.add(self.path)
            self.send_error(500)
        else:
            super().do_GET()


class CountingSite:
    """The fixture pages, each answer ``delay`` late, held while ``gate`` is closed; paths in
    ``fail_once`` answer 500 the first time each URL is asked for."""

    def __init__(self, tally: Tally | None = None, delay: float = 0.0,
                 fail_once: tuple[str, ...] = ()):
        self.tally = tally or Tally()
        self.delay = delay
        self.fail_once = fail_once
        self.failed: set[str] = set()
        self.requests: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                          partial(_CountingHandler, directory=str(PAGES)))
        self.server.daemon_threads = True
        self.server.site = self
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def run_queue(queue: CaptureQueue, timeout: float = 60) -> None:
    """Start ``queue`` and wait for it to finish everything."""
    queue.start()
    assert queue.wait(timeout), queue.counts()


def wait_until(condition, timeout: float = 10) -> None:
    """Wait for ``condition()`` to be true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
