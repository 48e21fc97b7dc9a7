"""The capture queue: every page to be saved (a pasted link, a link of an import) goes through
it, in the background, and the queue outlives the app.

Items live in the library's ``capture_queue`` table, so quitting or a crash loses nothing: a new
``CaptureQueue`` puts items that were being fetched or extracted back in the queue.

    queued -> fetching -> extracting -> saved
    fetching, extracting -> failed (with the reason); retry: failed -> queued
    queued, fetching, extracting, failed -> cancelled (a failed item is so dismissed)

How the work is spread:

- fetching: one thread per item in progress; the ``HostLimiter`` allows at most ``PER_HOST``
  requests to one server and ``TOTAL`` in all at once (pages and their images alike);
- extraction: ``Extractor`` runs trafilatura in worker processes (one per core), so it uses
  every core and never holds the window's GIL;
- storing: through the library (one connection, one writer), in one step per item.

``on_event`` hears of every change (a ``QueueEvent``: the item, and counts per state) on the
thread that made it; the window hands events on to its UI thread.
"""

from __future__ import annotations

import heapq
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from reader.capture import extract as extract_module
from reader.capture.extract import Extracted
from reader.capture.fetch import TIMEOUT_SECONDS, fetch
from reader.capture.images import localise_images
from reader.capture.importers.items import ImportedItem
from reader.capture.service import new_article
from reader.capture.urls import canonical_url, check_url
from reader.errors import CaptureError
from reader.library import Library, media
from reader.library.media import (
    ACTIVE,
    ALREADY_QUEUED,
    CANCELLED,
    EXTRACTING,
    FAILED,
    FETCHING,
    IN_LIBRARY,
    QUEUED,
    SAVED,
    STATES,
    QueueItem,
)

__all__ = [
    "STATES",
    "AddReport",
    "CaptureQueue",
    "Counts",
    "Extractor",
    "HostLimiter",
    "QueueEvent",
    "QueueItem",
    "Snapshot",
]

log = logging.getLogger(__name__)

PER_HOST = 2  # requests to one server at once
TOTAL = 8  # requests at once in all
POOL_IDLE_SECONDS = 120
NICENESS = 5  # extraction processes run this much below the app's priority (where supported)  # an idle queue lets its extraction processes go after this long


# What the queue reports


@dataclass(frozen=True)
class Counts:
    """Items per state."""

    queued: int = 0
    fetching: int = 0
    extracting: int = 0
    saved: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def active(self) -> int:
        """Still to be done (queued or in progress)."""
        return self.queued + self.fetching + self.extracting

    @property
    def done(self) -> int:
        return self.saved + self.failed + self.cancelled

    @property
    def total(self) -> int:
        return self.active + self.done


@dataclass(frozen=True)
class QueueEvent:
    """A change in the queue. ``item`` is the item in its new state, or None when many items
    changed at once (add, cancel, retry); ``counts`` are the counts right after the change.
    ``seq`` grows with every event: events come from several threads, so one may arrive after a
    newer one, and counts with a lower ``seq`` than the last shown are out of date."""

    seq: int
    counts: Counts
    item: QueueItem | None = None
    title: str = ""  # the article's title, when the item was saved
    is_new: bool = True  # False when saved means "was already in the library"


@dataclass
class AddReport:
    """What ``add`` did with what it was given."""

    queued: list[int] = field(default_factory=list)  # item ids
    in_library: list[str] = field(default_factory=list)  # urls already saved
    already_queued: list[str] = field(default_factory=list)  # urls queued earlier (or twice now)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (text, why it is no link)

    @property
    def duplicates(self) -> int:
        return len(self.in_library) + len(self.already_queued)


@dataclass(frozen=True)
class Snapshot:
    counts: Counts
    failed: list[QueueItem]  # oldest first, each with its reason


# Limits and extraction


def host_of(url: str) -> str:
    """The server a URL is on (host and port): what the per-host limit counts."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"


class HostLimiter:
    """At most ``per_host`` requests to one server, and ``total`` in all, at any moment.

    The queue takes slots for pages without waiting (``try_acquire``), so a busy server never
    holds up the others; images wait for theirs (``slot``) and go first when a slot frees.
    """

    def __init__(self, per_host: int = PER_HOST, total: int = TOTAL,
                 on_release: Callable[[], None] = lambda: None):
        self.per_host = per_host
        self.total = total
        self._on_release = on_release
        self._busy: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()
        self._changed = threading.Condition()

    def has_room(self) -> bool:
        """Whether a request to some server could start now."""
        with self._changed:
            return sum(self._busy.values()) + sum(self._waiting.values()) < self.total

    def try_acquire(self, host: str) -> bool:
        with self._changed:
            if self._waiting[host] or not self._free(host, sum(self._waiting.values())):
                return False
            self._busy[host] += 1
            return True

    def acquire(self, host: str) -> None:
        with self._changed:
            self._waiting[host] += 1
            try:
                self._changed.wait_for(lambda: self._free(host, 0))
            finally:
                self._waiting[host] -= 1
                if not self._waiting[host]:
                    del self._waiting[host]
            self._busy[host] += 1

    def release(self, host: str) -> None:
        with self._changed:
            self._busy[host] -= 1
            if not self._busy[host]:
                del self._busy[host]
            self._changed.notify_all()
        self._on_release()

    @contextmanager
    def slot(self, url: str):
        host = host_of(url)
        self.acquire(host)
        try:
            yield
        finally:
            self.release(host)

    def _free(self, host: str, reserved: int) -> bool:
        return (self._busy[host] < self.per_host
                and sum(self._busy.values()) + reserved < self.total)


class Extractor:
    """trafilatura in worker processes (default: one per core), made on first use.

    Extraction is pure, ``extract(html, url) -> Extracted``, and both sides pickle, so it runs
    in another process: it uses every core and never holds the GIL the window needs. Processes
    are spawned, not forked (forking a process that runs Qt and threads is unsafe). A worker
    that dies (a crash in a C library, out of memory) breaks the pool: it is replaced and the
    page tried once more.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._running = 0
        self._last_used = time.monotonic()

    def extract(self, html: str, url: str) -> Extracted:
        """``reader.capture.extract.extract``, in a worker process. Raises CaptureError."""
        try:
            return self.run(extract_module.extract, html, url)
        except BrokenProcessPool:
            raise CaptureError(
                f"Reader could not read this page (extracting it stopped with an error): {url}"
            ) from None

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a worker process (both picklable); a worker dying is retried
        once on a new pool before BrokenProcessPool is raised."""
        for attempt in (1, 2):
            pool = self._get_pool(running=1)
            try:
                return pool.submit(function, *args).result()
            except BrokenProcessPool:
                log.warning("An extraction process died (attempt %d)", attempt)
                self._discard(pool)
                if attempt == 2:
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
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _get_pool(self, running: int = 0) -> ProcessPoolExecutor:
        """The pool, made if need be; ``running=1`` counts a task in (so the pool is not let go
        before it is submitted)."""
        with self._lock:
            self._running += running
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    # Below the window's priority: with every core extracting, the window
                    # still gets a core at once when it needs one.
                    **({"initializer": os.nice, "initargs": (NICENESS,)}
                       if hasattr(os, "nice") else {}),
                )
                # One small task per worker starts them all; importing the extract module
                # (trafilatura, lxml) is what takes the time.
                for _ in range(self.workers):
                    self._pool.submit(extract_module.word_count, "")
                self._last_used = time.monotonic()
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


# The queue


class CaptureQueue:
    """The background capture queue of one library. See the module docstring.

    ``add`` and the other calls are quick and safe from any thread (the window's included);
    the work starts with ``start`` and ends with ``stop``, after which the queue is done with
    (make a new one to go on: it resumes where this one stopped).
    """

    def __init__(
        self,
        library: Library,
        on_event: Callable[[QueueEvent], None] | None = None,
        *,
        extractor: Extractor | None = None,
        per_host: int = PER_HOST,
        total: int = TOTAL,
        timeout: float = TIMEOUT_SECONDS,
    ):
        self.library = library
        self.timeout = timeout
        self._on_event = on_event or (lambda event: None)
        self._owns_extractor = extractor is None
        self._extractor = extractor or Extractor()
        self._limiter = HostLimiter(per_host, total, on_release=self._wake_dispatcher)
        # Items in progress at once: enough to keep every request slot and every extraction
        # process busy, and no more (a fetched page waiting for extraction is held in memory).
        self._capacity = total + self._extractor.workers
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._pending: dict[str, deque[QueueItem]] = {}  # host -> queued items, oldest first
        self._heads: list[tuple[int, str]] = []  # heap: (id of its first item, host), per host
        self._in_progress = 0
        self._seq = 0
        self._dispatcher: threading.Thread | None = None
        self._stopping = False
        with self._lock:
            # Interrupted by quitting or a crash: start those again. Finished ones were shown.
            media.change_states(library, None, (FETCHING, EXTRACTING), QUEUED)
            media.clear_queue(library, (SAVED, CANCELLED))
            for item in media.queue_items(library, (QUEUED,)):
                self._push(item)
            self._counts = media.queue_counts(library)

    # Asking for work

    def add(self, entries: Iterable[str | ImportedItem]) -> AddReport:
        """Queue links (text, checked here) or imported items (their title, tags, archived,
        favourite and date saved are kept; their saved ``html`` is not used: ``import_batch``
        stores those). A page already in the library or already queued is not queued again;
        one that failed or was cancelled is. Adding to an idle queue first clears the items
        it finished (so counts are about this batch; failed items stay until retried or
        cancelled)."""
        report = AddReport()
        pages: list[tuple[str, str, dict]] = []
        for entry in entries:
            text = entry.url if isinstance(entry, ImportedItem) else entry
            try:
                url = check_url(text)
                pages.append((url, canonical_url(url), _metadata(entry)))
            except CaptureError as error:
                report.invalid.append((text, str(error)))
            except ValueError:  # urlsplit on a broken address ("http://[x")
                report.invalid.append((text, f"Not a web address: {text}"))
        if not pages:
            return report
        with self._lock:
            if not any(self._counts[state] for state in ACTIVE):
                media.clear_queue(self.library, (SAVED, CANCELLED))
            results = media.enqueue(self.library, pages)
            for (outcome, item), (url, _canonical, _meta) in zip(results, pages, strict=True):
                if outcome == IN_LIBRARY:
                    report.in_library.append(url)
                elif outcome == ALREADY_QUEUED:
                    report.already_queued.append(url)
                else:
                    report.queued.append(item.id)
                    self._push(item)
            event = self._recount() if report.queued else None
            self._changed.notify_all()
        if event:
            self._emit(event)
        return report

    def retry(self, item_ids: Sequence[int] | None = None) -> int:
        """Queue again the items ``item_ids`` (failed or cancelled), or every failed item."""
        from_states = (FAILED,) if item_ids is None else (FAILED, CANCELLED)
        with self._lock:
            items = media.change_states(self.library, item_ids, from_states, QUEUED)
            for item in items:
                self._push(item)
            event = self._recount()
            self._changed.notify_all()
        self._emit(event)
        return len(items)

    def cancel(self, item_ids: Sequence[int] | None = None) -> int:
        """Cancel the items ``item_ids`` (queued, in progress, or failed: then it is dismissed),
        or every item not yet done. A page being fetched is let finish, then dropped."""
        from_states = ACTIVE if item_ids is None else (*ACTIVE, FAILED)
        with self._lock:
            items = media.change_states(self.library, item_ids, from_states, CANCELLED)
            gone = {item.id for item in items}
            self._pending = {host: left for host, waiting in self._pending.items()
                             if (left := deque(item for item in waiting if item.id not in gone))}
            self._heads = [(waiting[0].id, host) for host, waiting in self._pending.items()]
            heapq.heapify(self._heads)
            event = self._recount()
            self._changed.notify_all()
        self._emit(event)
        return len(items)

    def clear_finished(self) -> int:
        """Forget saved and cancelled items (failed ones stay)."""
        with self._lock:
            cleared = media.clear_queue(self.library, (SAVED, CANCELLED))
            event = self._recount()
        self._emit(event)
        return cleared

    # Looking at it

    def counts(self) -> Counts:
        with self._lock:
            return Counts(**self._counts)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(Counts(**self._counts), media.queue_items(self.library, (FAILED,)))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to do (False: ``timeout`` seconds went by first)."""
        with self._lock:
            return self._changed.wait_for(
                lambda: not any(self._counts[state] for state in ACTIVE) and not self._in_progress,
                timeout,
            )

    # Running

    def start(self) -> None:
        with self._lock:
            if self._stopping:
                raise RuntimeError("This capture queue was stopped; make a new one.")
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, daemon=True,
                                                    name="capture-queue")
                self._dispatcher.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Start nothing more, and give items in progress ``timeout`` seconds to reach a point
        where they can stop. What is left unfinished is taken up again by the next queue."""
        with self._lock:
            self._stopping = True
            self._changed.notify_all()
            dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.join()
        with self._lock:
            self._changed.wait_for(lambda: not self._in_progress, timeout)
        if self._owns_extractor:
            self._extractor.close()

    def _dispatch(self) -> None:
        """Hand queued items to workers, oldest first, as request slots and capacity allow."""
        while True:
            with self._lock:
                while True:
                    if self._stopping:
                        return
                    item = self._next_item()
                    if item is not None:
                        break
                    idle = not self._in_progress and not self._pending
                    woken = self._changed.wait(POOL_IDLE_SECONDS if idle else None)
                    if idle and not woken and self._owns_extractor:
                        self._extractor.close_if_idle(POOL_IDLE_SECONDS)
                self._in_progress += 1
                event = self._moved(QUEUED, item)
            self._emit(event)
            threading.Thread(target=self._work, args=(item,), daemon=True,
                             name=f"capture-{item.id}").start()

    def _next_item(self) -> QueueItem | None:
        """The oldest queued item whose server has a free request slot (the slot is taken).

        Servers are tried in the order of their oldest item; only servers already at their
        limit are passed over, so this stays quick with thousands of servers queued.
        """
        if self._in_progress >= self._capacity or not self._limiter.has_room():
            return None
        passed_over: list[tuple[int, str]] = []
        started = None
        while started is None and self._heads:
            entry = heapq.heappop(self._heads)
            host = entry[1]
            if not self._limiter.try_acquire(host):
                passed_over.append(entry)
                continue
            waiting = self._pending[host]
            queued = waiting.popleft()
            if waiting:
                heapq.heappush(self._heads, (waiting[0].id, host))
            else:
                del self._pending[host]
            started = media.start_attempt(self.library, queued.id)
            if started is None:
                self._limiter.release(host)  # cancelled meanwhile
        for entry in passed_over:
            heapq.heappush(self._heads, entry)
        return started

    # One item, on its own thread

    def _work(self, item: QueueItem) -> None:
        try:
            self._capture(item)
        except CaptureError as error:
            self._fail(item, str(error))
        except Exception as error:  # a bug, or the library closed under a stopping queue
            if self._stopping:
                log.debug("Capture of %s stopped: %r", item.url, error)
            else:
                log.exception("Capturing %s failed", item.url)
                self._fail(item, f"Something went wrong while saving this page: {error!r}. "
                                 "Details are in the log.")
        finally:
            with self._lock:
                self._in_progress -= 1
                self._changed.notify_all()

    def _capture(self, item: QueueItem) -> None:
        """Fetch, extract, download images, store. ``item`` follows the row's state, so that
        each step is taken only if the row is still where this worker left it."""
        self._extractor.warm()  # while the page is fetched
        host = host_of(item.url)
        try:
            existing = self.library.find_by_url(item.canonical_url)
            page = fetch(item.url, timeout=self.timeout) if existing is None else None
        finally:
            self._limiter.release(host)
        if existing is not None:
            self._already_saved(item, existing)
            return
        item = self._advance(item, EXTRACTING)
        if item is None:
            return
        extracted = self._extractor.extract(page.html, page.url)
        if not self._carry_on(item):
            return
        # Identity is where the page really lives: a short link and its target are one article.
        existing = self.library.find_by_url(canonical_url(page.url))
        if existing is not None:
            self._already_saved(item, existing)
            return
        local = localise_images(self.library, extracted.body_html, page.url,
                                slot=self._limiter.slot, timeout=self.timeout,
                                cancelled=lambda: not self._carry_on(item))
        if not self._carry_on(item):
            return
        article = new_article(replace(extracted, body_html=local.body_html), page.url, item.url,
                              _imported(item), raw_html=page.raw, fetched_url=page.url,
                              content_type=page.content_type)
        with self._lock:
            if self._stopping:
                return
            saved = media.save_captured(self.library, item, article, local.images)
            if saved is None:
                return  # cancelled or retried meanwhile
            article_id, is_new = saved
            event = self._moved(item.state, replace(item, state=SAVED, article_id=article_id),
                                title=article.title, is_new=is_new)
        self._emit(event)

    def _carry_on(self, item: QueueItem) -> bool:
        """Whether ``item`` is still this worker's to finish (not stopped, not cancelled)."""
        return not self._stopping and media.item_state(self.library, item) == item.state

    def _advance(self, item: QueueItem, state: str, **changes) -> QueueItem | None:
        """``item`` moved to ``state``, or None if it was cancelled or the queue is stopping."""
        with self._lock:
            if self._stopping or not media.transition(self.library, item, state, **changes):
                return None
            moved = replace(item, state=state, **changes)
            event = self._moved(item.state, moved)
        self._emit(event)
        return moved

    def _already_saved(self, item: QueueItem, article_id: int) -> None:
        title = self.library.get(article_id).title
        with self._lock:
            if self._stopping or not media.transition(self.library, item, SAVED,
                                                      article_id=article_id):
                return
            event = self._moved(item.state, replace(item, state=SAVED, article_id=article_id),
                                title=title, is_new=False)
        self._emit(event)

    def _fail(self, item: QueueItem, reason: str) -> None:
        state = media.item_state(self.library, item) if not self._stopping else None
        if state in (FETCHING, EXTRACTING):
            self._advance(replace(item, state=state), FAILED, reason=reason)

    # Bookkeeping (under the lock)

    def _push(self, item: QueueItem) -> None:
        host = host_of(item.url)
        if host in self._pending:
            self._pending[host].append(item)
        else:
            self._pending[host] = deque([item])
            heapq.heappush(self._heads, (item.id, host))

    def _moved(self, old_state: str, item: QueueItem, title: str = "",
               is_new: bool = True) -> QueueEvent:
        self._counts[old_state] -= 1
        self._counts[item.state] += 1
        self._changed.notify_all()
        return self._event(item, title, is_new)

    def _recount(self) -> QueueEvent:
        self._counts = media.queue_counts(self.library)
        self._changed.notify_all()
        return self._event(None)

    def _event(self, item: QueueItem | None, title: str = "", is_new: bool = True) -> QueueEvent:
        self._seq += 1
        return QueueEvent(self._seq, Counts(**self._counts), item, title, is_new)

    def _wake_dispatcher(self) -> None:
        with self._lock:
            self._changed.notify_all()

    def _emit(self, event: QueueEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("The capture queue's event handler failed")


def _imported(item: QueueItem) -> ImportedItem | None:
    """What an import said about the queued item, kept as JSON while it waited."""
    meta = item.metadata
    if not meta:
        return None
    return ImportedItem(url=item.url, title=meta.get("title", ""), tags=list(meta.get("tags", [])),
                        archived=bool(meta.get("archived")), favourite=bool(meta.get("favourite")),
                        added=meta.get("added", ""))


def _metadata(entry: str | ImportedItem) -> dict:
    """What to keep of an entry until its page is stored (JSON)."""
    if not isinstance(entry, ImportedItem):
        return {}
    return {"title": entry.display_title, "tags": list(entry.tags), "archived": entry.archived,
            "favourite": entry.favourite, "added": entry.added}
