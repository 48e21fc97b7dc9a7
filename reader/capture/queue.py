"""The capture queue: every link to be saved (pasted or dropped in the window, given to
``reader add``, a link of an import) goes through it, in the background, and the queue outlives
the app. It is the one runner of ``reader.capture.pipeline`` for links.

Items live in the library's ``capture_queue`` table, owned by the queue that took them (a lease
renewed by a heartbeat, see ``reader.library.queue_rows``): two queues on one library (a window
and a ``reader add``) never take each other's live items, and the items of a queue that died are
resumed by the next one; an item in flight when Reader died twice is failed, not tried again.

    queued -> fetching -> extracting -> saved
    fetching, extracting -> failed (with the reason); retry: failed -> queued
    fetching, extracting -> queued, not before a later time (offline, a server failing: retry.py)
    queued, fetching, extracting, failed -> cancelled (a failed item is so dismissed)

Each link is an article from the moment it is queued (``reader.library.pending``): saving fills
that article in; failing marks it with the reason. How the work is spread:

- fetching: a thread per item in progress, within the ``HostLimiter``'s requests per server and
  in all (``capture.limits``; pages and pictures);
- extraction: in the ``Extractor``'s worker processes (one per core, never the window's GIL);
- storing: the article and the item's new state in one transaction, with the other pages ready
  by then (``capture.storing``); then its pictures are fetched in (``capture.pictures``).

``on_event`` hears of every change (a ``QueueEvent``: the item, and counts per state) on the
thread that made it; the window hands events on to its UI thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from reader.capture import pipeline
from reader.capture.extractor import Extractor
from reader.capture.fetch import TIMEOUT_SECONDS
from reader.capture.importers.items import ImportedItem
from reader.capture.lease import HEARTBEAT_SECONDS, Lease
from reader.capture.limits import PER_HOST, TOTAL, HostLimiter, Waiting, host_of
from reader.capture.pictures import Pictures
from reader.capture.reports import AddReport, Counts, QueueEvent, Snapshot, checked_pages
from reader.capture.reports import imported_from, went_wrong
from reader.capture.retry import Retry
from reader.capture.storing import Save, Storer
from reader.capture.wayback import Wayback
from reader.capture.web import tls_context
from reader.errors import CaptureError
from reader.library import Library, pending, queue_rows as rows
from reader.library.queue_rows import STATES, QueueItem

__all__ = ["STATES", "AddReport", "CaptureQueue", "Counts", "QueueEvent", "QueueItem",
           "Snapshot"]

log = logging.getLogger(__name__)

POOL_IDLE_SECONDS = 120  # an idle queue lets its extraction processes go after this long


class CaptureQueue:
    """The background capture queue of one library (see the module docstring). ``add`` and the
    other calls are quick and safe from any thread (the window's included); the work starts with
    ``start`` and ends with ``stop``, after which a new queue resumes where this one stopped."""

    def __init__(self, library: Library, on_event: Callable[[QueueEvent], None] | None = None,
                 *, extractor: Extractor | None = None, per_host: int = PER_HOST,
                 total: int = TOTAL, timeout: float = TIMEOUT_SECONDS,
                 wayback: Wayback | None = None, retry: Retry | None = None):
        self.library = library
        self.timeout = timeout
        self._wayback = wayback  # None: dead links are not looked for in the archive
        self._retry = retry or Retry()
        self._on_event = on_event or (lambda event: None)
        self._owns_extractor = extractor is None
        self._extractor = extractor or Extractor()
        self._storer = Storer(library, self._stored,
                              lambda save, error: self._fail(save.item, went_wrong(error)),
                              lambda pending: self.pictures.put(pending))
        self._limiter = HostLimiter(per_host, total, on_release=self._wake_dispatcher)
        self.pictures = Pictures(library, slot=self._limiter.slot, timeout=timeout,
                                 store=self._storer.put)
        # Items in progress at once: enough to keep every request slot and every extraction
        # process busy, and no more (a fetched page waiting for extraction is held in memory).
        self._capacity = total + self._extractor.workers
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # for the dispatcher: work, room
        self._idle = threading.Condition(self._lock)  # nothing in progress (maybe nothing to do)
        self._waiting = Waiting()
        self._in_progress = 0
        # Item id -> attempt of the items workers are on and still want (not cancelled): live
        # rows change only through their queue (or, once its lease lapsed, the next queue's,
        # and then the store's compare-and-set refuses the late page).
        self._wanted: dict[int, int] = {}
        self._seq = 0
        self._dispatcher: threading.Thread | None = None
        self._stopping = False
        self._lease = Lease(library)
        self.owner = self._lease.owner
        with self._lock:
            for item in self._lease.take_over():
                self._push(item)
            self._counts = rows.queue_counts(library, self.owner)

    # Asking for work

    def add(self, entries: Iterable[str | ImportedItem]) -> AddReport:
        """Queue links (text, checked here) or imported items (their title, tags, archived,
        favourite and date saved are kept; their saved ``html`` is not used: ``import_batch``
        stores those). A page already in the library or already queued is not queued again;
        one that failed or was cancelled is. Adding to an idle queue first clears the items
        it finished (so counts are about this batch; failed items stay until retried or
        cancelled)."""
        report = AddReport()
        places, pages = checked_pages(entries, report)
        if not pages:
            return report
        with self._lock:
            if not any(self._counts[state] for state in rows.ACTIVE):
                rows.clear_queue(self.library, self.owner, (rows.SAVED, rows.CANCELLED))
            for item in report.enqueued(rows.enqueue(self.library, self.owner, pages), pages,
                                        places):
                self._push(item)
            event = self._recount() if report.queued else None
            self._changed.notify_all()
        if event:
            self._emit(event)
        return report

    def retry(self, item_ids: Sequence[int] | None = None) -> int:
        """Queue again the items ``item_ids`` (failed or cancelled), or every failed item."""
        from_states = (rows.FAILED,) if item_ids is None else (rows.FAILED, rows.CANCELLED)
        with self._lock:
            items = rows.change_states(self.library, self.owner, item_ids, from_states,
                                       rows.QUEUED)
            for item in items:
                self._push(item)
            event = self._recount()
        self._emit(event)
        return len(items)

    def cancel(self, item_ids: Sequence[int] | None = None) -> int:
        """Cancel the items ``item_ids`` (queued, in progress, or failed: then it is dismissed),
        or every item not yet done. A page being fetched is let finish, then dropped."""
        from_states = rows.ACTIVE if item_ids is None else (*rows.ACTIVE, rows.FAILED)
        with self._lock:
            items = rows.change_states(self.library, self.owner, item_ids, from_states,
                                       rows.CANCELLED)
            self._waiting.drop({item.id for item in items})
            for item in items:
                self._unwant(item)
            event = self._recount()
        self._emit(event)
        return len(items)

    def clear_finished(self) -> int:
        """Forget saved and cancelled items (failed ones stay)."""
        with self._lock:
            cleared = rows.clear_queue(self.library, self.owner, (rows.SAVED, rows.CANCELLED))
            event = self._recount()
        self._emit(event)
        return cleared

    # Looking at it

    def counts(self) -> Counts:
        with self._lock:
            return Counts(**self._counts)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(Counts(**self._counts),
                            rows.queue_items(self.library, self.owner, (rows.FAILED,)))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to do, pictures included (False: timed out first)."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        with self._lock:
            idle = self._idle.wait_for(lambda: not self._in_progress and not any(
                self._counts[state] for state in rows.ACTIVE), timeout)
        return idle and self.pictures.wait(deadline)

    # Running

    def start(self) -> None:
        with self._lock:
            if self._stopping:
                raise RuntimeError("This capture queue was stopped; make a new one.")
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, daemon=True,
                                                    name="capture-queue")
                self._dispatcher.start()
                self.pictures.resume()

    def stop(self, timeout: float = 5.0) -> None:
        """Start nothing more, and give items in progress ``timeout`` seconds to reach a point
        where they can stop. What is left unfinished is taken up again by the next queue
        (items in flight are queued again: they do not count as interrupted)."""
        with self._lock:
            if self._stopping:
                return  # stopped already
            self._stopping = True
            self._changed.notify_all()
            dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.join()
        with self._lock:
            self._idle.wait_for(lambda: not self._in_progress, timeout)
        self.pictures.stop()  # the pictures still to come stay pending, for the next queue
        self._storer.close()  # the pages fetched and extracted are kept (pictures in too)
        with self._lock:
            rows.release(self.library, self.owner)
        if self._owns_extractor:
            self._extractor.close()

    def _dispatch(self) -> None:
        """Hand queued items to workers, oldest first, as request slots and capacity allow."""
        while True:
            with self._lock:
                self._keep_lease()
                while True:
                    if self._stopping:
                        return
                    item = self._next_item()
                    if item is not None:
                        break
                    self._changed.wait(self._pause())
                    self._keep_lease()
                    if not self._in_progress and not self._waiting and self._owns_extractor:
                        self._extractor.close_if_idle(POOL_IDLE_SECONDS)
                self._in_progress += 1
                self._wanted[item.id] = item.attempts
                event = self._moved(rows.QUEUED, item)
            self._emit(event)
            tls_context()  # made once, here: workers started together would each make one
            threading.Thread(target=self._work, args=(item,), daemon=True,
                             name=f"capture-{item.id}").start()

    def _pause(self) -> float:
        """How long the dispatcher may sleep: until the next beat or the next item's time."""
        return max(0.05, min(HEARTBEAT_SECONDS, self._waiting.next_due() - time.time()))

    def _next_item(self) -> QueueItem | None:
        """The oldest queued item whose server has a free request slot (the slot is taken)."""
        if self._in_progress >= self._capacity or not self._limiter.has_room():
            return None
        while (queued := self._waiting.take(self._limiter)) is not None:
            started = rows.start_attempt(self.library, self.owner, queued.id)
            if started is not None:
                return started
            self._limiter.release(host_of(queued.url))  # cancelled meanwhile
        return None

    # One item, on its own thread

    def _work(self, item: QueueItem) -> None:
        try:
            self._capture(item)
        except CaptureError as error:
            later = self._retry.later(error, item.attempts)
            if later is None:
                self._fail(item, str(error))
            else:
                self._postpone(item, *later)
        except Exception as error:  # a bug, or the library closed under a stopping queue
            if self._stopping:
                log.debug("Capture of %s stopped: %r", item.url, error)
            else:
                log.exception("Capturing %s failed", item.url)
                self._fail(item, went_wrong(error))
        finally:
            with self._lock:
                self._in_progress -= 1
                self._unwant(item)
                self._changed.notify_all()
                if not self._in_progress:  # no other page on its way to be stored with those
                    self._storer.flush()
                    self._tell_if_idle()

    def _capture(self, item: QueueItem) -> None:
        """Run the pipeline for ``item``, which follows the row's state, so that each step is
        taken only if the row is still where this worker left it."""
        self._extractor.warm()  # while the page is fetched
        current = item

        def extracting() -> bool:
            nonlocal current
            current = self._advance(current, rows.EXTRACTING)
            return current is not None

        def store(article, snapshot, pictures) -> None:
            self._storer.put(Save(current, article, snapshot, pictures))

        captured = pipeline.capture_link(
            self.library, self._extractor, item.url, imported_from(item), timeout=self.timeout,
            fetched=lambda: self._limiter.release(host_of(item.url)),
            extracting=extracting, carry_on=lambda: current is not None and self._carry_on(current),
            store=store, waiting=item.article_id, wayback=self._wayback)
        if captured is not None:  # it was in the library already
            self._advance(current, rows.SAVED, article_id=captured.article_id,
                          title=captured.title, is_new=False)

    def _carry_on(self, item: QueueItem) -> bool:
        """Whether ``item`` is still this worker's to finish (not stopped, not cancelled)."""
        return not self._stopping and self._wanted.get(item.id) == item.attempts

    def _advance(self, item: QueueItem, state: str, title: str = "", is_new: bool = True,
                 **changes) -> QueueItem | None:
        """``item`` moved to ``state``, or None if it was cancelled or the queue is stopping."""
        with self._lock:
            if self._stopping or not rows.transition(self.library, item, state, **changes):
                return None
            moved = replace(item, state=state, **changes)
            event = self._moved(item.state, moved, title, is_new)
            self._tell_if_idle()  # the storer failing the last page
        self._emit(event)
        return moved

    def _stored(self, saved: list[tuple[Save, tuple[int, bool] | None]]) -> None:
        """Pages the storer has stored (None: their item was cancelled meanwhile)."""
        with self._lock:
            events = [self._moved(save.item.state, replace(save.item, state=rows.SAVED,
                                                           article_id=stored[0]),
                                  save.article.title, stored[1])
                      for save, stored in saved if stored is not None]
            self._tell_if_idle()
        for event in events:
            self._emit(event)

    def _fail(self, item: QueueItem, reason: str) -> None:
        state = rows.item_state(self.library, item) if not self._stopping else None
        if state in (rows.FETCHING, rows.EXTRACTING):
            failed = self._advance(replace(item, state=state), rows.FAILED, reason=reason)
            if failed is not None and item.article_id is not None:
                pending.mark_failed(self.library, item.article_id, reason)

    def _postpone(self, item: QueueItem, seconds: float, reason: str) -> None:
        """Queue ``item`` again, to be tried in ``seconds`` (its article keeps waiting)."""
        with self._lock:
            state = rows.item_state(self.library, item) if not self._stopping else None
            if state not in rows.IN_FLIGHT:
                return
            moved = replace(item, state=state)
            if not rows.postpone(self.library, moved, seconds, reason):
                return
            later = replace(moved, state=rows.QUEUED, reason=reason,
                            not_before=time.time() + seconds)
            self._push(later)
            event = self._moved(state, later)
        self._emit(event)

    # Bookkeeping (under the lock)

    def _unwant(self, item: QueueItem) -> None:
        if self._wanted.get(item.id) == item.attempts:
            del self._wanted[item.id]

    def _push(self, item: QueueItem) -> None:
        self._waiting.push(item, host_of(item.url))

    def _moved(self, old_state: str, item: QueueItem, title: str = "",
               is_new: bool = True) -> QueueEvent:
        self._counts[old_state] -= 1
        self._counts[item.state] += 1  # (no wakes: ``_work`` ends wake once a page)
        return self._event(item, title, is_new)

    def _recount(self) -> QueueEvent:
        self._counts = rows.queue_counts(self.library, self.owner)
        self._changed.notify_all()
        self._tell_if_idle()
        return self._event(None)

    def _tell_if_idle(self) -> None:
        """Wake ``wait`` and ``stop`` once nothing is in progress (not at every step)."""
        if not self._in_progress:
            self._idle.notify_all()

    def _event(self, item: QueueItem | None, title: str = "", is_new: bool = True) -> QueueEvent:
        self._seq += 1
        return QueueEvent(self._seq, Counts(**self._counts), item, title, is_new)

    def _keep_lease(self) -> None:
        """Renew this queue's lease, and take over the items of queues that died meanwhile."""
        queued = self._lease.keep()
        if queued is not None:
            known = self._waiting.ids()
            for item in queued:
                if item.id not in known:
                    self._push(item)
            self._emit(self._recount())

    def _wake_dispatcher(self) -> None:
        with self._lock:
            self._changed.notify_all()

    def _emit(self, event: QueueEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("The capture queue's event handler failed")

