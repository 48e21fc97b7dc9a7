"""The capture queue across quits and crashes: a stopped queue's items, two queues on one library,
a killed `reader add` resumed by the next queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from reader.capture.queue import Counts
from reader.capture.urls import canonical_url
from reader.library import Library, queue_rows
from tests.capture.queue_helpers import run_queue, wait_until


# Quitting and crashing


def test_a_stopped_queue_leaves_its_items_to_the_next(library, sites, make_queue):
    server = sites()
    server.gate.clear()
    links = [server.url(f"news-article.html?r={n}") for n in range(3)]
    queue = make_queue(library)
    queue.add(links)
    queue.start()
    wait_until(lambda: server.tally.total == 2)  # two fetching, one queued
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
        run_queue(resumed)

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
    wait_until(lambda: server.tally.total == 2)

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
        wait_until(lambda: server.tally.total == 2, timeout=60)  # two fetching, one queued
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    # At once, not after the lease: the command's process is gone.
    resumed = make_queue(library)
    assert resumed.counts() == Counts(queued=3)
    server.gate.set()
    run_queue(resumed)
    assert resumed.counts() == Counts(saved=3)
    assert all(library.find_by_url(canonical_url(link)) for link in links)
