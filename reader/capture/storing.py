"""Captured pages stored together: the capture queue's workers hand their page over and go on,
and one thread stores what has come in in one transaction (the pictures that came in for stored
articles, ``Fill``, with them).

Indexing an article's text for search is most of the cost of storing it (FTS5, with its
prefixes), and SQLite writes the index pages a commit changed to its log (and copies them back
at each checkpoint), so pages that share a transaction share those writes: in the ingest bench
the capture queue's process spends 3.0 ms of CPU a page with up to eight pages a transaction,
3.4 with four, 3.5 with one. A page waits at most
``MAX_WAIT_SECONDS`` (or until ``flush``: the queue has no other page on its way).

Nothing is lost to a crash meanwhile: until its transaction commits, a page's queue row is still
in flight, and the next queue fetches it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from reader.library import Library, NewArticle, pending, queue_rows as rows
from reader.library.images import PendingPictures, fill_pictures
from reader.library.queue_rows import QueueItem

log = logging.getLogger(__name__)

# Pages stored in one transaction at most: each holds the library ~1.5 ms (more on a busy
# machine), and the window's own writes wait meanwhile (its reads do not: a connection of its
# own). Sixteen saved no more than eight.
BATCH = 8
MAX_WAIT_SECONDS = 0.1  # the longest a page waits for others to be stored with it


@dataclass(frozen=True)
class Save:
    """A captured page to store into its queue item (see ``queue_rows.save_captured``)."""

    item: QueueItem
    article: NewArticle
    snapshot: pending.Snapshot | None = None
    pictures: tuple[str, bool] | None = None  # (page address, local): its pictures to fetch


@dataclass(frozen=True)
class Fill:
    """The pictures of a stored article, in: its body ``was`` becomes ``body_html`` (see
    ``images.fill_pictures``); ``done`` hears whether it did (on the storer's thread)."""

    article_id: int
    was: str
    body_html: str
    images: list[tuple[str, str]]
    done: Callable[[bool], None]


# (save, (article id, is new), or None when the item was cancelled meanwhile)
Stored = Callable[[list[tuple[Save, "tuple[int, bool] | None"]]], None]
Failed = Callable[[Save, Exception], None]
PicturesDue = Callable[[PendingPictures], None]  # a stored article's pictures, to fetch now


class Storer:
    """Stores ``Save``s in batches on a thread of its own; ``stored`` hears of each batch once
    it is committed, ``failed`` of a page that could not be stored, ``pictures`` of each new
    article whose pictures are now to be fetched (all on that thread)."""

    def __init__(self, library: Library, stored: Stored, failed: Failed,
                 pictures: PicturesDue = lambda pending: None):
        self.library = library
        self._stored = stored
        self._failed = failed
        self._pictures = pictures
        self._waiting: list[Save] = []
        self._oldest = 0.0  # when the oldest waiting page came (monotonic)
        self._flush = False
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, save: Save | Fill) -> bool:
        """Store ``save`` soon; False if the storer is closed (the page is dropped: its item
        stays in flight, and is queued again; pictures stay pending)."""
        with self._changed:
            if self._closed:
                return False
            if not self._waiting:
                self._oldest = time.monotonic()
            self._waiting.append(save)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="capture-store")
                self._thread.start()
            if len(self._waiting) == 1 or len(self._waiting) >= BATCH:  # its wait begins; due
                self._changed.notify_all()
        return True

    def flush(self) -> None:
        """Store what is waiting now, without waiting for more."""
        with self._changed:
            if self._waiting:
                self._flush = True
                self._changed.notify_all()

    def close(self) -> None:
        """Store what is waiting, and stop."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            thread = self._thread
        # (An event handler that stops the queue runs on this very thread: it cannot wait.)
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._due():
                    if self._closed and not self._waiting:
                        return
                    self._changed.wait(
                        max(0.0, self._oldest + MAX_WAIT_SECONDS - time.monotonic())
                        if self._waiting else None)
                batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
                self._oldest = time.monotonic()
                self._flush = self._flush and bool(self._waiting)
            self._store(batch)

    def _due(self) -> bool:
        return bool(self._waiting) and (
            self._flush or self._closed or len(self._waiting) >= BATCH
            or time.monotonic() >= self._oldest + MAX_WAIT_SECONDS)

    def _store(self, batch: list[Save | Fill]) -> None:
        try:
            with self.library.transaction():
                done = [(save, self._write(save)) for save in batch]
        except Exception as error:  # a bug, the disk full...
            if len(batch) > 1:  # find the page at fault: the others are stored alone
                for save in batch:
                    self._store([save])
                return
            failed = batch[0]
            log.exception("Storing %s failed", failed.item.url if isinstance(failed, Save)
                          else f"the pictures of article {failed.article_id}")
            if isinstance(failed, Save):
                self._failed(failed, error)
            else:
                failed.done(False)
            return
        for save, stored in done:
            if isinstance(save, Fill):
                save.done(stored)
            elif stored is not None and stored[1] and save.pictures is not None:
                self._pictures(PendingPictures(stored[0], *save.pictures))
        self._stored([(save, stored) for save, stored in done if isinstance(save, Save)])

    def _write(self, save: Save | Fill):
        if isinstance(save, Fill):
            return fill_pictures(self.library, save.article_id, save.was, save.body_html,
                                 save.images)
        return rows.save_captured(self.library, save.item, save.article, save.snapshot,
                                  save.pictures)

