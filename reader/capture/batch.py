"""Links saved to the end, for the command line (``reader add``, ``reader import``): through the
same capture queue as the window, so with the same limits per server and in all, extraction in
worker processes, and items that a crash leaves behind resumed by the next queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.capture.extractor import Extractor
from reader.capture.fetch import TIMEOUT_SECONDS
from reader.capture.importers import ImportResult
from reader.capture.importers.items import ImportedItem
from reader.capture.queue import CaptureQueue, QueueEvent
from reader.capture.reports import INVALID
from reader.capture.retry import Retry
from reader.capture.urls import canonical_url, check_url
from reader.capture.wayback import from_settings
from reader.library import Library
from reader.library.queue_rows import (
    ALREADY_QUEUED,
    CANCELLED,
    FAILED,
    IN_LIBRARY,
    QUEUED,
    SAVED,
    item_owner,
    postponed,
)
from reader.settings import Settings

WAIT_STEP_SECONDS = 0.5  # how often the waiting thread wakes (Ctrl-C is handled then)


@dataclass(frozen=True)
class Outcome:
    """What became of one link given."""

    text: str  # the link as given
    article_id: int | None = None
    title: str = ""
    is_new: bool = False
    error: str = ""  # why it was not saved
    elsewhere: bool = False  # another Reader (the window) is saving it right now
    waiting: str = ""  # kept as a link, to be fetched later (offline, a server failing): why

    def as_dict(self) -> dict:
        if self.error:
            return {"url": self.text, "error": self.error}
        if self.elsewhere:
            return {"url": self.text, "queued_elsewhere": True}
        if self.waiting:
            return {"url": self.text, "id": self.article_id, "title": self.title,
                    "waiting": self.waiting}
        return {"url": self.text, "id": self.article_id, "title": self.title, "new": self.is_new}


def capture_all(library: Library, entries: Sequence[str | ImportedItem],
                on_outcome: Callable[[Outcome, int], None] = lambda outcome, done: None, *,
                extractor: Extractor | None = None, timeout: float = TIMEOUT_SECONDS,
                settings: Settings | None = None, retry: Retry | None = None) -> list[Outcome]:
    """Save every link of ``entries`` (text, or imported items with what their export said),
    calling ``on_outcome(outcome, how many are done)`` as each is done (from a worker thread,
    one call at a time); returns the outcomes in the order of ``entries``.

    Each link is an article at once; one that is to be tried later (this computer is offline,
    its server failing) is done for now: its article waits, and the next queue (the window's,
    the next command's) fetches it."""
    outcomes: list[Outcome | None] = [None] * len(entries)
    waiting: dict[int, list[int]] = {}  # item id -> positions in entries
    done = threading.Condition()
    finished = 0

    def settle(position: int, outcome: Outcome) -> None:
        nonlocal finished
        outcomes[position] = outcome
        finished += 1
        on_outcome(outcome, finished)
        done.notify_all()

    def heard(event: QueueEvent) -> None:
        item = event.item
        if item is None or item.state not in (SAVED, FAILED, CANCELLED, QUEUED):
            return
        if item.state == QUEUED and not item.not_before:
            return  # just queued, not tried yet
        with done:
            for later, position in enumerate(waiting.pop(item.id, [])):
                text = _text(entries[position])
                if item.state == SAVED:  # a link given twice is new the first time only
                    settle(position, Outcome(text, item.article_id, event.title,
                                             event.is_new and not later))
                elif item.state == QUEUED:
                    settle(position, Outcome(text, item.article_id,
                                             library.get(item.article_id).title,
                                             not later, waiting=item.reason))
                else:
                    settle(position, Outcome(text, error=item.reason or "Cancelled."))

    queue = CaptureQueue(library, heard, extractor=extractor, timeout=timeout,
                         wayback=from_settings(settings or Settings.load()), retry=retry)
    try:
        report = queue.add(entries)
        with done:
            for position, (text, outcome, item_id) in enumerate(report.entries):
                if outcome == INVALID:
                    settle(position, Outcome(text, error=dict(report.invalid)[text]))
                elif outcome == IN_LIBRARY:
                    article_id = library.find_by_url(canonical_url(check_url(text)))
                    settle(position, Outcome(text, article_id, library.get(article_id).title))
                elif outcome == ALREADY_QUEUED and item_owner(library, item_id) != queue.owner:
                    settle(position, Outcome(text, elsewhere=True))
                elif outcome == ALREADY_QUEUED and (reason := postponed(library, item_id)):
                    article_id = library.find_by_url(canonical_url(check_url(text)))
                    settle(position, Outcome(text, article_id, library.get(article_id).title,
                                             waiting=reason))
                else:
                    waiting.setdefault(item_id, []).append(position)
        queue.start()
        with done:
            while finished < len(entries):
                done.wait(WAIT_STEP_SECONDS)
        # The articles are saved; the command ends once their pictures are in too.
        while not queue.pictures.wait(time.monotonic() + WAIT_STEP_SECONDS):
            pass
    finally:
        queue.stop()
    return outcomes  # type: ignore[return-value]  # every position is settled by now


def import_links(library: Library, result: ImportResult, extractor: Extractor | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Fetch the links of an import that came without their page (``result.to_fetch``, kept
    as articles by ``import_batch``), listing in ``result`` those that failed (kept, with the
    reason) and those that turned out to be an article already there (duplicates)."""
    links, result.to_fetch = result.to_fetch, []
    outcomes = capture_all(library, links, extractor=extractor,
                           on_outcome=lambda _outcome, done: progress and progress(
                               done, len(links)))
    for outcome in outcomes:
        if outcome.error:
            result.failed.append((outcome.text, outcome.error))
        elif not outcome.is_new and not outcome.waiting:  # led to an article kept before
            result.added -= 1
            result.duplicates += 1
    return result


def _text(entry: str | ImportedItem) -> str:
    return entry.url if isinstance(entry, ImportedItem) else entry
