"""What every importer produces: the items found in an export, and what was left out and why.

The readers only parse; checking URLs, cleaning tags and dates, and merging a link that an export
lists twice happen here, once for all formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import NamedTuple

from reader.capture.urls import canonical_url, check_url
from reader.errors import CaptureError

# Format names, as the import report shows them.
POCKET_HTML = "Pocket (HTML)"
POCKET_CSV = "Pocket (CSV)"
INSTAPAPER = "Instapaper (CSV)"
OMNIVORE = "Omnivore (ZIP)"
OMNIVORE_JSON = "Omnivore (metadata JSON, without saved pages)"
WALLABAG = "wallabag (JSON)"
KARAKEEP = "Karakeep (JSON)"
READWISE = "Readwise Reader (CSV)"
READWISE_HIGHLIGHTS = "Readwise highlights (JSON export)"
BOOKMARKS = "Browser bookmarks (HTML)"
FIREFOX = "Firefox bookmarks (JSON)"
CHROME = "Chrome, Chromium or Edge bookmarks (JSON)"
LINKWARDEN = "Linkwarden (JSON)"
PINBOARD = "Pinboard (JSON)"
RAINDROP = "Raindrop.io (CSV)"
READER_JSON = "Reader (JSON export)"
URL_LIST = "List of links"

EXPECTED_FORMATS = (
    "Reader can import exports from Pocket (HTML or CSV), Instapaper (CSV), Omnivore (ZIP), "
    "wallabag (JSON), Karakeep or Hoarder (JSON), Readwise Reader (CSV), Readwise highlights "
    "(JSON), Linkwarden (JSON), "
    "Pinboard (JSON), Raindrop.io (CSV), browser bookmarks (HTML, Firefox JSON or .jsonlz4, "
    "Chrome/Edge Bookmarks), Reader's own JSON export and plain lists of links (one per line)."
)

MAX_TAG_LENGTH = 100
MAX_TAGS = 100  # per item: more is a damaged or hostile export, not someone's labels
MAX_ENTRIES = 1_000_000  # per export, items and skipped entries together
MAX_HIGHLIGHTS = 1_000  # per item
MAX_NOTE_CHARS = 100_000
_SPACES = re.compile(r"\s+")


@dataclass
class ImportedItem:
    """One saved link from an export, with the state the user gave it there."""

    url: str  # checked: http(s), with a host
    title: str = ""
    tags: list[str] = field(default_factory=list)
    archived: bool = False
    favourite: bool = False
    added: str = ""  # when the user saved it: ISO 8601 in UTC, as the library writes; "" unknown
    html: str | None = None  # the page as the service saved it, when the export carries it
    note: str = ""  # the user's note on the whole link (Karakeep, Pinboard, Raindrop...)
    excerpt: str = ""  # the service's description of the page, shown until it is fetched
    # Passages the user highlighted: {"text", "note", "color", "created"} (created as ``added``)
    highlights: list[dict] = field(default_factory=list)
    # A whole article from Reader's own JSON export, restored as it was (library.restore)
    record: dict | None = None

    @property
    def display_title(self) -> str:
        """The title the user saw in the other service, unless it is just the address."""
        title = self.title.strip()
        if not title or title == self.url or title.lower().startswith(("http://", "https://")):
            return ""
        return title


class Skipped(NamedTuple):
    """An entry of the export that was not imported: where it is, and why."""

    entry: str  # "line 7", "bookmark 3"
    reason: str


@dataclass
class ImportBatch:
    format: str
    items: list[ImportedItem]
    skipped: list[Skipped] = field(default_factory=list)


class Collector:
    """Gathers the items of one export: checks each URL (skipping bad ones with the reason) and
    merges an address listed twice (tags joined, starred if either was)."""

    def __init__(self) -> None:
        self._items: dict[str, ImportedItem] = {}
        self.skipped: list[Skipped] = []
        self._entries = 0

    def add(
        self,
        entry: str,
        url: object,
        title: object = "",
        tags: Iterable[str] = (),
        archived: bool = False,
        favourite: bool = False,
        added: str = "",
        html: str | None = None,
        note: object = "",
        highlights: Iterable[dict] = (),
        record: dict | None = None,
        excerpt: object = "",
    ) -> ImportedItem | None:
        """Add one entry; returns its item (merged with an earlier one of the same address), or
        None when it was skipped."""
        self._count()
        text = url.strip() if isinstance(url, str) else ""
        try:
            if not text or _SPACES.search(text):
                raise CaptureError(f"Not a web address: {text or '(empty)'}")
            checked = check_url(text)
        except CaptureError as error:
            self.skipped.append(Skipped(entry, str(error)))
            return None
        except ValueError:  # urllib cannot split it ("https://[oops")
            self.skipped.append(Skipped(entry, f"Not a web address: {text[:200]}"))
            return None
        key = canonical_url(checked)
        item = self._items.get(key)
        if item is not None:
            item.tags = clean_tags([*item.tags, *tags])
            item.favourite = item.favourite or favourite
            item.html = item.html or html
            item.highlights = clean_highlights([*item.highlights, *highlights])
            item.note = item.note or _text(note)
            item.excerpt = item.excerpt or _text(excerpt)
            return item
        self._items[key] = ImportedItem(
            url=checked,
            title=_SPACES.sub(" ", title).strip() if isinstance(title, str) else "",
            tags=clean_tags(tags),
            archived=archived,
            favourite=favourite,
            added=added,
            html=html or None,
            note=_text(note),
            excerpt=_text(excerpt),
            highlights=clean_highlights(highlights),
            record=record,
        )
        return self._items[key]

    def skip(self, entry: str, reason: str) -> None:
        self._count()
        self.skipped.append(Skipped(entry, reason))

    def _count(self) -> None:
        self._entries += 1
        if self._entries > MAX_ENTRIES:
            raise CaptureError(f"The export holds more than {MAX_ENTRIES:,} entries; Reader "
                               "imports at most that many from one file.")

    def batch(self, format_name: str) -> ImportBatch:
        return ImportBatch(format_name, list(self._items.values()), self.skipped)


def clean_tags(tags: Iterable[object]) -> list[str]:
    """Tags trimmed, without empties, each once (the library compares tags ignoring case), at
    most MAX_TAGS of them."""
    result: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            continue
        name = _SPACES.sub(" ", tag[:MAX_TAG_LENGTH * 4]).strip()[:MAX_TAG_LENGTH]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
            if len(result) == MAX_TAGS:
                break
    return result


def clean_highlights(highlights: Iterable[object]) -> list[dict]:
    """Highlights with text or a note, each as {"text", "note", "color", "created"} of strings,
    at most MAX_HIGHLIGHTS of them."""
    result = []
    for highlight in highlights:
        if not isinstance(highlight, dict):
            continue
        text, note, color = (_text(highlight.get(key)) for key in ("text", "note", "color"))
        if text or note:
            result.append({"text": text, "note": note, "color": color[:50],
                           "created": utc_iso(highlight.get("created"))})
            if len(result) == MAX_HIGHLIGHTS:
                break
    return result


def _text(value: object) -> str:
    return value.strip()[:MAX_NOTE_CHARS] if isinstance(value, str) else ""


def tag_names(value: object) -> list[str]:
    """Tags as services write them: a list of names, a list of objects with a name or label,
    or one comma-separated string."""
    if isinstance(value, str):
        return value.split(",")
    if not isinstance(value, list):
        return []
    names = []
    for tag in value:
        if isinstance(tag, dict):
            tag = tag.get("name") or tag.get("label") or tag.get("title")
        if isinstance(tag, str):
            names.append(tag)
    return names


def utc_iso(value: object) -> str:
    """A date from an export as ISO 8601 in UTC, the form the library stores; "" if unknown.

    Accepts Unix time in seconds, milliseconds or microseconds (number or digits: told apart
    by size), ISO 8601 with or without an offset (none: UTC), and e-mail style dates.
    """
    if isinstance(value, bool) or value is None:
        return ""
    try:
        if isinstance(value, (int, float)) or (isinstance(value, str) and _is_number(value)):
            seconds = float(value)
            if seconds <= 0:
                return ""
            if seconds > 100_000_000_000_000:  # microseconds (Firefox, linkding)
                seconds /= 1_000_000
            elif seconds > 100_000_000_000:  # milliseconds
                seconds /= 1000
            moment = datetime.fromtimestamp(seconds, timezone.utc)
        elif isinstance(value, str) and value.strip():
            moment = _parse_date_text(value.strip())
        else:
            return ""
    except (ValueError, OverflowError, OSError):
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def webkit_iso(value: object) -> str:
    """A Chrome/Edge date (microseconds since 1601, as digits) as ``utc_iso`` gives it."""
    try:
        microseconds = int(value) if isinstance(value, (str, int)) else 0
    except ValueError:
        return ""
    if microseconds <= _WEBKIT_TO_UNIX_MICROSECONDS:
        return ""
    return utc_iso((microseconds - _WEBKIT_TO_UNIX_MICROSECONDS) / 1_000_000)


_WEBKIT_TO_UNIX_MICROSECONDS = 11_644_473_600_000_000


def truthy(value: object) -> bool:
    """A yes/no flag as exports write it: true, 1, "1", "true", "yes"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value) if isinstance(value, (bool, int, float)) else False


def unreadable(path: Path, why: str) -> CaptureError:
    """The error for a file Reader cannot import, saying what it can import."""
    return CaptureError(f"Cannot import {path.name}: {why}. {EXPECTED_FORMATS}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_date_text(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as error:
        raise ValueError(text) from error
