"""Every hostile page of tests/hostile/server.py given to ``reader add``, as a user would: each
ends in a clean article or a one-line message within Reader's own 60 s deadline, with no
traceback, and the process (and each of its workers) stays under 400 MB.

All the pages go to one ``reader add``, each on a server of its own (so the per-server limit
does not queue them behind the slow ones): the run takes about the deadline, once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import psutil
import pytest

from reader.capture.fetch import TIMEOUT_SECONDS
from reader.library import open_library
from reader.library.images import article_images
from tests.hostile.pages import PATHS, REFUSED, SAVED, make_bombs, reason
from tests.hostile.server import HostileServer

PEAK_BYTES = 400_000_000  # resident memory of any one process of the run, at its peak
START_SECONDS = 10  # what starting Python, Reader and its extraction workers may add


class Run:
    """One ``reader add --json`` of every hostile page, watched as it runs: when each message
    came, the peak memory of each process."""

    def __init__(self, home, urls: list[str]):
        self.home = home
        started = time.monotonic()
        process = psutil.Popen([sys.executable, "-m", "reader", "--home", str(home), "add",
                                "--json", *urls], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        self.message_seconds: list[tuple[str, float]] = []
        reading = threading.Thread(target=self._read_messages, args=(process, started))
        reading.start()
        self.peaks: dict[int, int] = {}  # pid -> bytes
        while process.poll() is None:
            self._sample(process)
            time.sleep(0.05)
        reading.join()
        self.seconds = time.monotonic() - started
        self.returncode = process.returncode
        self.stdout = process.stdout.read()
        self.outcomes = dict(zip(urls, json.loads(self.stdout), strict=True))

    def _read_messages(self, process, started: float) -> None:
        for line in process.stderr:
            self.message_seconds.append((line.rstrip("\n"), time.monotonic() - started))

    def _sample(self, process) -> None:
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.Error:  # it just ended
            return
        for member in tree:
            try:
                rss = member.memory_info().rss
            except psutil.Error:
                continue
            self.peaks[member.pid] = max(self.peaks.get(member.pid, 0), rss)


@pytest.fixture(scope="module")
def servers():
    make_bombs()
    servers = {path: HostileServer() for path in PATHS}
    yield servers
    for server in servers.values():
        server.close()


@pytest.fixture(scope="module")
def run(servers, tmp_path_factory):
    return Run(tmp_path_factory.mktemp("cli-hostile") / "home",
               [server.url(path) for path, server in servers.items()])


def test_the_run_ends_within_the_deadline_without_a_traceback(run):
    assert run.seconds < TIMEOUT_SECONDS + START_SECONDS
    assert run.returncode == 1  # some pages were not saved
    messages = [line for line, _ in run.message_seconds]
    assert not any("Traceback" in line for line in messages), messages
    assert len(messages) == len(REFUSED)  # one line each


def test_no_process_of_the_run_took_400_mb(run):
    assert run.peaks and max(run.peaks.values()) < PEAK_BYTES, run.peaks


@pytest.mark.parametrize("path", list(REFUSED))
def test_a_hostile_page_is_refused_in_one_line(run, servers, path):
    url = servers[path].url(path)
    error = run.outcomes[url].get("error", "")
    assert reason(path, TIMEOUT_SECONDS) in error, run.outcomes[url]
    assert "\n" not in error
    (seconds,) = [seconds for line, seconds in run.message_seconds if line == f"reader: {error}"]
    assert seconds < TIMEOUT_SECONDS + START_SECONDS


@pytest.mark.parametrize("path", list(SAVED))
def test_an_odd_page_is_saved_cleanly(run, servers, path):
    outcome = run.outcomes[servers[path].url(path)]
    assert outcome.get("title", "").startswith(SAVED[path]), outcome
    assert "\0" not in outcome["title"] and len(outcome["title"]) <= 10_000


def test_of_a_page_s_hostile_pictures_only_the_real_one_is_stored(run, servers):
    path = "/hostile-images.html"
    server = servers[path]
    library = open_library(run.home / "library.sqlite3")
    try:
        images = article_images(library, run.outcomes[server.url(path)]["id"])
    finally:
        library.close()
    assert list(images) == [server.url("/ok.png")]
