"""What the capture queue reports (counts, events, what ``add`` did) and what it keeps of an
imported item while its page waits in the queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reader.capture.importers.items import ImportedItem
from reader.capture.urls import canonical_url, check_url
from reader.errors import CaptureError
from reader.library.queue_rows import ALREADY_QUEUED, IN_LIBRARY, QueueItem

INVALID = "invalid"  # what ``add`` says of an entry that is no link


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
    # Each entry given, in order: (its text, what became of it: one of NEW, IN_LIBRARY,
    # ALREADY_QUEUED, INVALID, and its item id when it has one).
    entries: list[tuple[str, str, int | None]] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return len(self.in_library) + len(self.already_queued)

    def enqueued(self, results: list[tuple[str, QueueItem | None]],
                 pages: list[tuple[str, str, dict]], places: list[int]) -> list[QueueItem]:
        """Note what ``queue_rows.enqueue`` made of ``pages`` (see ``checked_pages``); returns
        the items newly queued."""
        new = []
        for (outcome, item), (url, _canonical, _meta), place in zip(results, pages, places,
                                                                    strict=True):
            self.entries[place] = (self.entries[place][0], outcome, item.id if item else None)
            if outcome == IN_LIBRARY:
                self.in_library.append(url)
            elif outcome == ALREADY_QUEUED:
                self.already_queued.append(url)
            else:
                self.queued.append(item.id)
                new.append(item)
        return new


@dataclass(frozen=True)
class Snapshot:
    counts: Counts
    failed: list[QueueItem]  # oldest first, each with its reason



def checked_pages(entries: Iterable[str | ImportedItem], report: AddReport
                  ) -> tuple[list[int], list[tuple[str, str, dict]]]:
    """The entries that are links, as (url, canonical url, metadata) to queue, with their places
    in ``report.entries`` (to be filled in once queued); the others go into ``report`` with the
    reason."""
    places: list[int] = []
    pages: list[tuple[str, str, dict]] = []
    for entry in entries:
        text = entry.url if isinstance(entry, ImportedItem) else entry
        try:
            url = check_url(text)
        except CaptureError as error:
            reason = str(error)
        except ValueError:  # urlsplit on a broken address ("http://[x")
            reason = f"Not a web address: {text}"
        else:
            places.append(len(report.entries))
            report.entries.append((text, "", None))
            pages.append((url, canonical_url(url), item_metadata(entry)))
            continue
        report.invalid.append((text, reason))
        report.entries.append((text, INVALID, None))
    return places, pages


def imported_from(item: QueueItem) -> ImportedItem | None:
    """What an import said about the queued item, kept as JSON while it waited."""
    meta = item.metadata
    if not meta:
        return None
    return ImportedItem(url=item.url, title=meta.get("title", ""), tags=list(meta.get("tags", [])),
                        archived=bool(meta.get("archived")), favourite=bool(meta.get("favourite")),
                        added=meta.get("added", ""))


def item_metadata(entry: str | ImportedItem) -> dict:
    """What to keep of an entry until its page is stored (JSON)."""
    if not isinstance(entry, ImportedItem):
        return {}
    return {"title": entry.display_title, "tags": list(entry.tags), "archived": entry.archived,
            "favourite": entry.favourite, "added": entry.added}


def went_wrong(error: Exception) -> str:
    """The reason shown for a page whose capture failed on a bug (the log has the rest)."""
    return (f"Something went wrong while saving this page: {error!r}. "
            "Details are in the log.")
