"""Links saved to the end, for the command line (``reader add``, ``reader import``): through the
same capture queue as the window, so with the same limits per server and in all, extraction in
worker processes, and items that a crash leaves behind resumed by the next queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.capture.extractor import Extractor
from reader.capture.fetch import TIMEOUT_SECONDS
from reader.capture.importers import ImportResult
from reader.capture.importers.items import ImportedItem
from reader.capture.queue import CaptureQueue, QueueEvent
from reader.capture.reports import INVALID
from reader.capture.urls import canonical_url, check_url
from reader.library import Library
from reader.library.queue_rows import (
    ALREADY_QUEUED,
    CANCELLED,
    FAILED,
    IN_LIBRARY,
    SAVED,
    item_owner,
)

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

    def as_dict(self) -> dict:
        if self.error:
            return {"url": self.text, "error": self.error}
        if self.elsewhere:
            return {"url": self.text, "queued_elsewhere": True}
        return {"url": self.text, "id": self.article_id, "title": self.title, "new": self.is_new}


def capture_all(library: Library, entries: Sequence[str | ImportedItem],
                on_outcome: Callable[[Outcome, int], None] = lambda outcome, done: None, *,
                extractor: Extractor | None = None,
                timeout: float = TIMEOUT_SECONDS) -> list[Outcome]:
    """Save every link of ``entries`` (text, or imported items with what their export said),
    calling ``on_outcome(outcome, how many are done)`` as each is done (from a worker thread,
    one call at a time); returns the outcomes in the order of ``entries``."""
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
        if item is None or item.state not in (SAVED, FAILED, CANCELLED):
            return
        with done:
            for later, position in enumerate(waiting.pop(item.id, [])):
                text = _text(entries[position])
                if item.state == SAVED:  # a link given twice is new the first time only
                    settle(position, Outcome(text, item.article_id, event.title,
                                             event.is_new and not later))
                else:
                    settle(position, Outcome(text, error=item.reason or "Cancelled."))

    queue = CaptureQueue(library, heard, extractor=extractor, timeout=timeout)
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
                else:
                    waiting.setdefault(item_id, []).append(position)
        queue.start()
        with done:
            while finished < len(entries):
                done.wait(WAIT_STEP_SECONDS)
    finally:
        queue.stop()
    return outcomes  # type: ignore[return-value]  # every position is settled by now


def import_links(library: Library, result: ImportResult, extractor: Extractor | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Save the links of an import that came without their page (``result.to_fetch``), with
    what the export said of each, counting each as added, duplicate or failed (with the
    reason) in ``result``."""
    pending, result.to_fetch = result.to_fetch, []
    outcomes = capture_all(library, pending, extractor=extractor,
                           on_outcome=lambda _outcome, done: progress and progress(
                               done, len(pending)))
    for outcome in outcomes:
        if outcome.error:
            result.failed.append((outcome.text, outcome.error))
        else:
            result.added += outcome.is_new
            result.duplicates += not outcome.is_new
    return result


def _text(entry: str | ImportedItem) -> str:
    return entry.url if isinstance(entry, ImportedItem) else entry
