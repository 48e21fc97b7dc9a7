"""The capture queue's storer (reader/capture/storing.py): pages handed over by the queue's
workers are stored a few per transaction, on a real library."""

from __future__ import annotations

import threading

from reader.capture.storing import Save, Storer
from reader.library import NewArticle, queue_rows as rows

OWNER = "test-owner"


def in_flight(library, count: int) -> list[rows.QueueItem]:
    """``count`` queued links, each started and extracting, as the queue's workers have them."""
    rows.heartbeat(library, OWNER)
    pages = [(f"http://example.org/{n}", f"http://example.org/{n}", {}) for n in range(count)]
    items = []
    for _outcome, item in rows.enqueue(library, OWNER, pages):
        started = rows.start_attempt(library, OWNER, item.id)
        assert rows.transition(library, started, rows.EXTRACTING)
        items.append(rows.QueueItem(**{**vars(started), "state": rows.EXTRACTING}))
    return items


def page(item: rows.QueueItem, url: str | None = None) -> Save:
    words = f"The text of page {item.id} about tidal power and ferries."
    return Save(item, NewArticle(url=url or item.canonical_url, original_url=item.url,
                                 title=f"Page {item.id}", body_html=f"<p>{words}</p>",
                                 text=words, raw_html=b"<html></html>"))


class Heard:
    """What the storer reports, and a way to wait for it."""

    def __init__(self) -> None:
        self.stored: list[tuple[Save, tuple[int, bool] | None]] = []
        self.failed: list[tuple[Save, Exception]] = []
        self._changed = threading.Condition()

    def on_stored(self, done) -> None:
        with self._changed:
            self.stored += done
            self._changed.notify_all()

    def on_failed(self, save, error) -> None:
        with self._changed:
            self.failed.append((save, error))
            self._changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self._changed:
            assert self._changed.wait_for(
                lambda: len(self.stored) + len(self.failed) >= count, timeout=10)


def test_pages_handed_over_together_are_stored_in_one_transaction(library):
    items = in_flight(library, 3)
    heard, changes = Heard(), []
    library.subscribe(changes.append)
    storer = Storer(library, heard.on_stored, heard.on_failed)
    for item in items:
        assert storer.put(page(item))
    storer.flush()
    heard.wait_for(3)
    storer.close()

    assert [stored for _save, stored in heard.stored] == [(item.article_id, True)
                                                          for item in items]
    assert len(changes) == 1  # one commit, announced once
    assert changes[0].updated == {item.article_id for item in items}
    assert [item.state for item in rows.queue_items(library, OWNER)] == [rows.SAVED] * 3
    assert sorted(row.title for row in library.search("ferries")) == sorted(
        f"Page {item.id}" for item in items)  # indexed for search


def test_a_page_alone_is_stored_without_a_flush_and_close_stores_what_waits(library):
    first, second = in_flight(library, 2)
    heard = Heard()
    storer = Storer(library, heard.on_stored, heard.on_failed)
    storer.put(page(first))
    heard.wait_for(1)  # within MAX_WAIT_SECONDS, with nothing to flush it
    storer.put(page(second))
    storer.close()
    assert len(heard.stored) == 2
    assert not storer.put(page(second))  # closed: the item stays in flight, queued again later


def test_a_cancelled_item_is_not_stored_and_the_others_are(library):
    kept, cancelled = in_flight(library, 2)
    rows.change_states(library, OWNER, [cancelled.id], rows.ACTIVE, rows.CANCELLED)
    heard = Heard()
    storer = Storer(library, heard.on_stored, heard.on_failed)
    storer.put(page(kept))
    storer.put(page(cancelled))
    storer.close()
    assert [(save.item.id, stored is not None) for save, stored in heard.stored] == [
        (kept.id, True), (cancelled.id, False)]
    assert rows.item_state(library, cancelled) == rows.CANCELLED


def test_a_page_that_cannot_be_stored_fails_alone(library):
    items = in_flight(library, 3)
    taken = library.add(NewArticle(url="http://example.org/taken", original_url="", title="",
                                   body_html="", text=""))[0]
    heard = Heard()
    storer = Storer(library, heard.on_stored, heard.on_failed)
    storer.put(page(items[0]))
    storer.put(page(items[1], url="http://example.org/taken"))  # another article's address
    storer.put(page(items[2]))
    storer.close()

    assert [save.item.id for save, _error in heard.failed] == [items[1].id]
    assert sorted(save.item.id for save, stored in heard.stored if stored) == [
        items[0].id, items[2].id]
    assert library.find_by_url("http://example.org/taken") == taken
    assert [rows.item_state(library, item) for item in items] == [
        rows.SAVED, rows.EXTRACTING, rows.SAVED]
