"""The capture queue's rows in a real library: owners with a heartbeat, taking over the rows
of owners that died, and giving up an item that was in flight when Reader died twice."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from reader.library import Library, queue_rows
from reader.library.queue_rows import (
    FAILED,
    FETCHING,
    IN_LIBRARY,
    NEW,
    POISON_REASON,
    QUEUED,
    adopt,
    enqueue,
    heartbeat,
    queue_items,
    start_attempt,
)


def _page(n: int) -> tuple[str, str, dict]:
    url = f"https://site.example/{n}"
    return url, url, {}


@pytest.fixture
def short_lease(monkeypatch):
    """Owners count as gone after 0.2 s without a heartbeat (30 s in use)."""
    monkeypatch.setattr(queue_rows, "LEASE_SECONDS", 0.2)


def test_a_live_owners_rows_are_left_alone(library):
    heartbeat(library, "window")
    [(outcome, item)] = enqueue(library, "window", [_page(1)])
    assert outcome == NEW
    start_attempt(library, "window", item.id)

    heartbeat(library, "cli")
    assert adopt(library, "cli") == 0
    assert queue_items(library, "cli") == []
    assert start_attempt(library, "cli", item.id) is None  # not its item
    assert [i.state for i in queue_items(library, "window")] == [FETCHING]
    # Asked for the same page, the other owner hears it is already on the way.
    assert enqueue(library, "cli", [_page(1)])[0][0] == queue_rows.ALREADY_QUEUED


def test_a_dead_owners_rows_are_taken_over(library, short_lease):
    heartbeat(library, "crashed")
    enqueue(library, "crashed", [_page(1), _page(2)])
    first = queue_items(library, "crashed")[0]
    start_attempt(library, "crashed", first.id)
    heartbeat(library, "next")
    assert adopt(library, "next") == 0  # the lease still runs

    time.sleep(0.3)
    heartbeat(library, "next")
    assert adopt(library, "next") == 2
    assert [(i.state, i.attempts) for i in queue_items(library, "next")] == [(QUEUED, 1),
                                                                            (QUEUED, 0)]
    assert queue_items(library, "crashed") == []


def test_rows_of_owners_that_never_beat_are_taken_over_at_once(library):
    """Rows from before owners existed, or of an owner that quit cleanly."""
    enqueue(library, "", [_page(1)])
    enqueue(library, "quit", [_page(2)])
    heartbeat(library, "next")
    assert adopt(library, "next") == 2


def test_an_item_in_flight_when_reader_died_twice_is_given_up(library, short_lease):
    heartbeat(library, "first")
    [(_, item)] = enqueue(library, "first", [_page(1)])
    start_attempt(library, "first", item.id)
    time.sleep(0.3)
    heartbeat(library, "second")
    adopt(library, "second")
    [again] = queue_items(library, "second")
    assert again.state == QUEUED  # once may be bad luck: tried again
    start_attempt(library, "second", item.id)
    time.sleep(0.3)
    heartbeat(library, "third")
    adopt(library, "third")

    [given_up] = queue_items(library, "third")
    assert (given_up.state, given_up.reason) == (FAILED, POISON_REASON)
    # A retry by the user starts the count again.
    queue_rows.change_states(library, "third", [item.id], (FAILED,), QUEUED)
    start_attempt(library, "third", item.id)
    time.sleep(0.3)
    heartbeat(library, "fourth")
    adopt(library, "fourth")
    assert queue_items(library, "fourth")[0].state == QUEUED


def test_a_clean_stop_is_no_interruption(library, short_lease):
    heartbeat(library, "window")
    [(_, item)] = enqueue(library, "window", [_page(1)])
    for owner, successor in (("window", "a"), ("a", "b"), ("b", "c")):
        start_attempt(library, owner, item.id)
        queue_rows.release(library, owner)
        heartbeat(library, successor)
        adopt(library, successor)
    assert queue_items(library, "c")[0].state == QUEUED


def test_two_connections_see_one_queue(library):
    other = Library(library.path)
    try:
        heartbeat(library, "window")
        enqueue(library, "window", [_page(1)])
        heartbeat(other, "cli")
        assert adopt(other, "cli") == 0
        assert enqueue(other, "cli", [_page(1), _page(2)])[1][0] == NEW
        assert [i.url for i in queue_items(library, "cli")] == ["https://site.example/2"]
    finally:
        other.close()


def test_a_page_in_the_library_is_not_queued(library):
    assert enqueue(library, "me", [("reader:welcome", "reader:welcome", {})]) == [
        (IN_LIBRARY, None)]


def test_an_owner_whose_process_ended_is_dead_at_once(library):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    heartbeat(library, "killed")
    with library.transaction() as tx:  # as that process would have written it
        tx.execute("UPDATE capture_owners SET pid = ? WHERE owner = 'killed'",
                   (int(ended.stdout),))
    enqueue(library, "killed", [_page(1)])
    heartbeat(library, "next")
    assert adopt(library, "next") == 1  # its heartbeat is fresh, but its process is gone

