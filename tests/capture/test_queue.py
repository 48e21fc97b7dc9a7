"""The capture queue end to end: real HTTP servers, extraction in real worker processes, real
SQLite. Servers of our own (below) count the requests in flight, hold them, or fail once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from reader.capture.importers import ImportedItem
from reader.capture.queue import CaptureQueue, Counts
from reader.capture.urls import canonical_url
from reader.library import Library
from reader.library import queue_rows
from reader.library.images import image_bytes
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


@pytest.fixture
def sites():
    """Make CountingSite servers; all shut down after the test."""
    made: list[CountingSite] = []

    def make(**options) -> CountingSite:
        made.append(CountingSite(**options))
        return made[-1]

    yield make
    for site in made:
        site.close()



@pytest.fixture
def make_queue(extractor):
    """Make capture queues (recording their events in ``queue.events``); stopped afterwards."""
    made: list[CaptureQueue] = []

    def make(library: Library, **options) -> CaptureQueue:
        events: list = []
        queue = CaptureQueue(library, events.append, extractor=extractor, **options)
        queue.events = events
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.stop(timeout=1)


def _run(queue: CaptureQueue, timeout: float = 60) -> None:
    queue.start()
    assert queue.wait(timeout), queue.counts()


def _wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# Many pages


def test_fifty_links_are_all_saved(library, site, make_queue):
    queue = make_queue(library)
    links = [site.url(f"news-article.html?n={n}") for n in range(1, 51)]

    report = queue.add(links)
    assert len(report.queued) == 50 and report.duplicates == 0 and not report.invalid
    assert queue.counts() == Counts(queued=50)
    _run(queue)

    assert queue.counts() == Counts(saved=50)
    assert library.count() == 51  # and the welcome article
    for link in links:
        article_id = library.find_by_url(canonical_url(link))
        assert library.get(article_id).title == "Kelby Sound breaks ground on tidal energy plant"
    # Every item went queued -> fetching -> extracting -> saved, each step an event.
    steps: dict[int, list[str]] = {}
    for event in queue.events:
        if event.item is not None:
            steps.setdefault(event.item.id, []).append(event.item.state)
    assert sorted(steps) == sorted(report.queued)
    assert all(states == ["fetching", "extracting", "saved"] for states in steps.values())
    seqs = [event.seq for event in queue.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    saved = [event for event in queue.events if event.item and event.item.state == "saved"]
    assert all(event.is_new and event.item.article_id for event in saved)
    # The one picture of the page is stored once, for all fifty articles.
    assert library.query_one("SELECT count(*) FROM images") == (1,)
    assert library.query_one("SELECT count(*) FROM article_images") == (50,)


def test_duplicates_are_reported_not_queued(library, site, make_queue):
    queue = make_queue(library)
    first, second, third = (site.url(f"news-article.html?d={n}") for n in (1, 2, 3))

    report = queue.add([first, f"{first}&utm_source=feed#top", second])
    assert len(report.queued) == 2
    assert report.already_queued == [f"{first}&utm_source=feed#top"]
    assert queue.add([second]).already_queued == [second]
    _run(queue)

    report = queue.add([first, second, third, "ftp://example.org/file", "no address"])
    assert report.in_library == [first, second]
    assert len(report.queued) == 1 and report.duplicates == 2
    assert [text for text, _reason in report.invalid] == ["ftp://example.org/file", "no address"]
    assert "ftp: links are not supported" in report.invalid[0][1]
    _run(queue)
    assert library.count() == 4
    # Adding to an idle queue started a new batch: the counts are about it alone.
    assert queue.counts() == Counts(saved=1)


def test_a_short_link_and_its_target_are_one_article(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("go/blog-post.html"), site.url("blog-post.html")])
    _run(queue)

    assert queue.counts() == Counts(saved=2)
    assert library.count() == 2
    saved = [event for event in queue.events if event.item and event.item.state == "saved"]
    assert sorted(event.is_new for event in saved) == [False, True]
    assert len({event.item.article_id for event in saved}) == 1


# Limits


def test_at_most_two_requests_to_one_server(library, sites, make_queue):
    server = sites(delay=0.2)  # long enough for requests to overlap on a busy machine
    queue = make_queue(library)
    queue.add([server.url(f"news-article.html?n={n}") for n in range(6)])
    _run(queue)

    assert queue.counts() == Counts(saved=6)
    assert len(server.requests) == 12  # each page, and its picture
    assert server.tally.most[server.base] == 2


def test_at_most_eight_requests_in_all(library, sites, make_queue):
    tally = Tally()
    servers = [sites(tally=tally, delay=0.15) for _ in range(6)]
    queue = make_queue(library)
    queue.add([server.url(f"news-article.html?n={n}") for n in range(4) for server in servers])
    _run(queue)

    assert queue.counts() == Counts(saved=24)
    assert max(tally.most.values()) == 2
    assert 2 < tally.most_total <= 8


# Failures, retry, cancel


def test_failed_items_say_why(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url(path) for path in
               ("missing.html", "status/500", "report.pdf", "no-article.html")])
    _run(queue)

    snapshot = queue.snapshot()
    assert snapshot.counts == Counts(failed=4)
    reasons = {item.url.rsplit("/", 1)[1]: item.reason for item in snapshot.failed}
    assert reasons["missing.html"].startswith("The server answered 404")
    assert reasons["500"].startswith("The server answered 500")
    assert reasons["report.pdf"].startswith("This is not an HTML page (it is application/pdf)")
    assert reasons["no-article.html"].startswith("No article text found on this page")
    assert library.count() == 1


def test_retry_after_a_failure(library, sites, make_queue):
    server = sites(fail_once=("/news-article.html",))
    queue = make_queue(library)
    queue.add([server.url("news-article.html")])
    _run(queue)
    [failed] = queue.snapshot().failed
    assert "500" in failed.reason and failed.attempts == 1

    assert queue.retry() == 1
    assert queue.wait(30)

    assert queue.counts() == Counts(saved=1)
    assert queue.snapshot().failed == []
    article_id = library.find_by_url(canonical_url(server.url("news-article.html")))
    assert article_id is not None
    [item] = queue_rows.queue_items(library, queue.owner)
    assert item.attempts == 2 and item.article_id == article_id


def test_cancel_queued_items(library, site, make_queue):
    queue = make_queue(library)
    links = [site.url(f"news-article.html?c={n}") for n in range(4)]
    report = queue.add(links)

    assert queue.cancel(report.queued[:2]) == 2
    _run(queue)

    assert queue.counts() == Counts(saved=2, cancelled=2)
    assert [library.find_by_url(canonical_url(link)) is None for link in links] == [
        True, True, False, False]


def test_cancel_while_fetching_stores_nothing(library, sites, make_queue):
    server = sites()
    server.gate.clear()  # requests wait
    queue = make_queue(library)
    queue.add([server.url("news-article.html")])
    queue.start()
    _wait_until(lambda: server.tally.total == 1)
    assert queue.counts() == Counts(fetching=1)

    assert queue.cancel() == 1
    assert queue.counts() == Counts(cancelled=1)
    server.gate.set()
    assert queue.wait(30)

    assert queue.counts() == Counts(cancelled=1)
    assert library.count() == 1
    assert not [event for event in queue.events if event.item and event.item.state == "saved"]
    # A cancelled item can be asked for again, and then it is saved.
    assert queue.retry([queue_rows.queue_items(library, queue.owner)[0].id]) == 1
    assert queue.wait(30)
    assert queue.counts() == Counts(saved=1)


def test_a_failed_item_can_be_dismissed(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("missing.html")])
    _run(queue)
    [failed] = queue.snapshot().failed

    assert queue.cancel([failed.id]) == 1
    assert queue.snapshot().failed == []
    assert queue.clear_finished() == 1
    assert queue.counts() == Counts()


# Quitting and crashing


def test_a_stopped_queue_leaves_its_items_to_the_next(library, sites, make_queue):
    server = sites()
    server.gate.clear()
    links = [server.url(f"news-article.html?r={n}") for n in range(3)]
    queue = make_queue(library)
    queue.add(links)
    queue.start()
    _wait_until(lambda: server.tally.total == 2)  # two fetching, one queued
    assert queue.counts() == Counts(queued=1, fetching=2)
    queue.stop(timeout=0)  # quitting mid-fetch: the items go back to the queue, unowned
    library.close()

    reopened = Library(library.path)
    try:
        resumed = make_queue(reopened)
        assert resumed.counts() == Counts(queued=3)
        items = queue_rows.queue_items(reopened, resumed.owner)
        assert {item.state for item in items} == {queue_rows.QUEUED}
        assert {item.attempts for item in items} == {0, 1}
        server.gate.set()
        _run(resumed)

        assert resumed.counts() == Counts(saved=3)
        assert all(reopened.find_by_url(canonical_url(link)) for link in links)
        assert reopened.count() == 4
        resumed.stop()
    finally:
        reopened.close()


def test_two_queues_on_one_library_keep_to_their_own_items(library, sites, make_queue):
    server = sites()
    server.gate.clear()
    window = make_queue(library)
    window.add([server.url(f"news-article.html?w={n}") for n in range(2)])
    window.start()
    _wait_until(lambda: server.tally.total == 2)

    other = Library(library.path)  # a `reader add` beside the window: its own connection
    try:
        command = make_queue(other)
        assert command.counts() == Counts()  # the window's live items stay the window's
        report = command.add([server.url("news-article.html?w=0"),
                              server.url("news-article.html?c=1")])
        assert report.already_queued == [server.url("news-article.html?w=0")]
        command.start()
        server.gate.set()
        assert command.wait(30) and window.wait(30)
        assert command.counts() == Counts(saved=1)
        assert window.counts() == Counts(saved=2)
        assert len(server.requests) == 6  # each page once (and its picture)
        command.stop()
    finally:
        other.close()


def test_a_killed_commands_items_are_resumed_by_the_next_queue(library, sites, make_queue):
    server = sites()
    server.gate.clear()
    links = [server.url(f"news-article.html?k={n}") for n in range(3)]
    command = subprocess.Popen([sys.executable, "-m", "reader", "add", *links],
                               env={**os.environ, "READER_HOME": str(library.path.parent)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until(lambda: server.tally.total == 2, timeout=60)  # two fetching, one queued
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    # At once, not after the lease: the command's process is gone.
    resumed = make_queue(library)
    assert resumed.counts() == Counts(queued=3)
    server.gate.set()
    _run(resumed)
    assert resumed.counts() == Counts(saved=3)
    assert all(library.find_by_url(canonical_url(link)) for link in links)


# Imports


def test_imported_items_keep_what_the_export_said(library, site, make_queue):
    queue = make_queue(library)
    item = ImportedItem(
        url=site.url("blog-post.html"),
        title="Saved from Pocket",
        tags=["energy", "Read later"],
        archived=True,
        favourite=True,
        added="2019-05-04T03:02:01+00:00",
    )
    untitled = ImportedItem(url=site.url("german-article.html"),
                            title=site.url("german-article.html"))
    queue.add([item, untitled])
    _run(queue)

    article = library.get(library.find_by_url(canonical_url(item.url)))
    assert article.title == "Saved from Pocket"
    assert article.tags == ["energy", "Read later"]
    assert article.archived and article.favourite
    assert article.added == "2019-05-04T03:02:01+00:00"
    other = library.get(library.find_by_url(canonical_url(untitled.url)))
    assert other.title != untitled.url and other.tags == []


# Images


def test_images_of_queued_pages_are_local(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("news-article.html")])
    _run(queue)

    article = library.get(library.find_by_url(canonical_url(site.url("news-article.html"))))
    assert "http://" not in article.body_html.split("<img", 1)[1].split(">", 1)[0]
    digest = article.body_html.split('src="reader-image:', 1)[1].split('"', 1)[0]
    assert image_bytes(library, digest) == (PAGES / "images" / "turbine.png").read_bytes()


def test_add_reports_every_entry_in_order(library, site, make_queue):
    queue = make_queue(library)
    link = site.url("blog-post.html?o=1")
    report = queue.add(["nonsense", link, "reader:welcome", link])
    assert [(text, outcome) for text, outcome, _id in report.entries] == [
        ("nonsense", "invalid"), (link, "queued"), ("reader:welcome", "invalid"),
        (link, "already_queued")]
    assert report.entries[1][2] == report.entries[3][2] == report.queued[0]
