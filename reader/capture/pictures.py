"""An article's pictures, fetched after the article is stored: it can be read at once, and its
pictures fill in as they come (before, an article of fifty pictures on a slow server was saved
only once the last had come or timed out: minutes).

The capture queue hands each article it stored with pictures to its ``Pictures``: a few threads
fetch them (``images.localise_images``, within the queue's request limits per server) and hand
the article's body pointing at them to the queue's storer (``storing.Fill``: with other pages,
a transaction for several), whose change tells a reader view showing the article to lay it out
again. Until then the
article's ``pictures_pending`` row says they are to come: a Reader that stops or dies meanwhile
leaves it, and the next capture queue takes it up (``resume``; pictures stored before are not
stored twice: one copy per content).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from collections.abc import Callable

from reader.capture.images import Slot, localise_images
from reader.capture.storing import Fill
from reader.library import Library
from reader.library.images import (
    PendingPictures,
    drop_pending_pictures,
    pending_pictures,
    pictures_to_fetch,
)

log = logging.getLogger(__name__)

# Articles whose pictures are fetched at once. Each fetches its pictures one after another, as
# capturing did: the queue's limits per server (two requests) would hold more threads waiting.
THREADS = 4
STOP_SECONDS = 5.0  # the longest ``stop`` waits for the threads (downloads end at once)


class Pictures:
    """Fetches the pictures of stored articles in the background; see the module docstring."""

    def __init__(self, library: Library, *, slot: Slot, timeout: float,
                 store: Callable[[Fill], bool]):
        self.library = library
        self._slot = slot
        self._store = store  # False: not stored (the queue is stopping): the pictures stay to come
        self._timeout = timeout
        self._todo: deque[PendingPictures] = deque()
        self._known: set[int] = set()  # articles to do or being done
        self._threads = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()  # also cancels the downloads under way

    def resume(self) -> None:
        """Take up the articles whose pictures are still to come (Reader stopped or died)."""
        for pictures in pending_pictures(self.library):
            self.put(pictures)

    def put(self, pictures: PendingPictures) -> None:
        """Fetch the pictures of ``pictures.article_id`` soon (once, however often asked)."""
        with self._changed:
            if self._stopping.is_set() or pictures.article_id in self._known:
                return
            self._known.add(pictures.article_id)
            self._todo.append(pictures)
            if self._threads < min(THREADS, len(self._known)):
                self._threads += 1
                threading.Thread(target=self._run, daemon=True, name="capture-pictures").start()
            self._changed.notify_all()

    def wait(self, deadline: float = float("inf")) -> bool:
        """Block until every article put has its pictures (False: the ``time.monotonic()``
        ``deadline`` came first)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: not self._known,
                None if deadline == float("inf") else max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        """Cancel the downloads under way and start no more: what is left stays pending, for the
        next queue. Waits up to ``STOP_SECONDS`` for the threads to end."""
        with self._changed:
            self._stopping.set()
            self._todo.clear()
            self._changed.notify_all()
            self._changed.wait_for(lambda: not self._threads, STOP_SECONDS)

    def _run(self) -> None:
        while True:
            with self._changed:
                if self._stopping.is_set() or not self._todo:
                    self._threads -= 1
                    self._changed.notify_all()
                    return
                pictures = self._todo.popleft()
            handed = False
            try:
                handed = self._fill(pictures)
            except Exception:  # a bug, or the library closed under a stopping queue
                if not self._stopping.is_set():
                    log.exception("Fetching the pictures of article %d failed",
                                  pictures.article_id)
            finally:
                if not handed:
                    self._finished(pictures.article_id)

    def _fill(self, pictures: PendingPictures) -> bool:
        """Fetch the pictures of one article; True once they are handed to the storer."""
        body = pictures_to_fetch(self.library, pictures.article_id)
        if body is None:  # deleted, or filled in by another queue
            return False
        local = localise_images(self.library, body, pictures.page_url, slot=self._slot,
                                cancelled=self._stopping, timeout=self._timeout,
                                local=pictures.local)
        if self._stopping.is_set():
            # Pictures cut short would be left out for good: the next queue fetches them.
            return False
        if local.body_html == body:
            drop_pending_pictures(self.library, pictures.article_id)
            return False
        # Not filled (the article was extracted again meanwhile, or the storer failed): the
        # pictures stay to come, and the next queue fetches them for the body it has then.
        return self._store(Fill(pictures.article_id, body, local.body_html, local.images,
                                lambda _filled: self._finished(pictures.article_id)))

    def _finished(self, article_id: int) -> None:
        with self._changed:
            self._known.discard(article_id)
            self._changed.notify_all()
