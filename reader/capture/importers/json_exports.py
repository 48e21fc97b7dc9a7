"""JSON exports: wallabag, Omnivore's metadata records (also used for its ZIP) and Pinboard
(lists of entries); Karakeep/Hoarder ({"bookmarks": [...], "lists": [...]}), Reader's own export
({"format": "reader-json", "articles": [...]}) and the folder trees of bookmark_trees.py.

Entries are read one at a time, so an export with every saved page in it (wallabag) is never held
twice in memory: once as text and once parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TextIO

from reader.capture.importers.bookmark_trees import (
    is_pinboard,
    pinboard,
    read_tree,
    tree_format,
)
from reader.capture.importers.items import (
    KARAKEEP,
    OMNIVORE_JSON,
    PINBOARD,
    READER_JSON,
    READWISE_HIGHLIGHTS,
    WALLABAG,
    Collector,
    ImportBatch,
    ImportedItem,
    clean_tags,
    tag_names,
    truthy,
    utc_iso,
)
from reader.library.records import READER_JSON_MARK
from reader.library.welcome import WELCOME_URL


class JsonError(ValueError):
    """The JSON is cut short or not JSON; the message says where."""


class JsonStream:
    """Reads JSON values one by one from a text stream, reading more of the file as needed."""

    CHUNK = 1 << 16
    # One entry (a saved page with its text) is a few MB at most; more is not an export's.
    MAX_VALUE_CHARS = 64 << 20

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._line = 1  # line number of the start of the buffer, for messages
        self._decoder = json.JSONDecoder()

    def peek(self) -> str:
        """The next character that is not white space, without taking it; "" at the end."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._read_more():
                return ""

    def take(self, expected: str) -> None:
        if self.peek() != expected:
            found = self.peek() or "the end of the file"
            raise JsonError(f"expected {expected!r} but found {found!r} {self._where()}")
        self._pos += 1

    def value(self) -> object:
        """The next complete JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                if self._read_more():
                    continue
                if error.pos >= len(self._buffer.rstrip()) - 8 or "Unterminated" in error.msg:
                    lines = self._line + self._buffer.count("\n")
                    raise JsonError(f"the file ends in the middle of it (after line {lines}); "
                                    "it is not complete") from None
                raise JsonError(f"{error.msg} {self._where()}") from None
            except RecursionError:
                raise JsonError(f"a value is nested too deeply {self._where()}") from None
            except ValueError as error:  # an integer longer than Python converts (4,300 digits)
                raise JsonError(f"a number is too long ({error}) {self._where()}") from None
            # A number at the end of what was read may go on in the next chunk.
            if end == len(self._buffer) and not self._eof and self._read_more():
                continue
            self._pos = end
            return value

    def array(self) -> Iterator[object]:
        """The elements of the array that starts here, one at a time."""
        self.take("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self._pos += 1
            else:
                self.take("]")
                return

    def end(self) -> None:
        if self.peek():
            raise JsonError(f"unexpected data after the JSON {self._where()}")

    def _read_more(self) -> bool:
        if self._eof:
            return False
        # Read at least as much again as is waiting, so a long value is re-parsed only a few
        # times, not once per chunk.
        waiting = len(self._buffer) - self._pos
        if waiting > self.MAX_VALUE_CHARS:
            raise JsonError(f"an entry is larger than {self.MAX_VALUE_CHARS >> 20} MB "
                            f"{self._where()}")
        size = max(self.CHUNK, waiting)
        chunk = self._stream.read(size)
        if not chunk:
            self._eof = True
            return False
        self._line += self._buffer.count("\n", 0, self._pos)
        self._buffer = self._buffer[self._pos:] + chunk
        self._pos = 0
        return True

    def _where(self) -> str:
        return f"(line {self._line + self._buffer.count(chr(10), 0, self._pos)})"


def read_json(stream: TextIO, describe: Callable[[str], Exception]) -> ImportBatch:
    """A wallabag, Omnivore-metadata or Pinboard list; a Karakeep, Linkwarden, Firefox or Chrome
    object; or Reader's own export. ``describe(why)`` makes the error for a file that is none."""
    js = JsonStream(stream)
    try:
        if js.peek() == "[":
            entries = js.array()
            first = next(entries, None)
            if first is None:
                raise describe("it holds an empty JSON list")
            for is_format, read_one, format_name in _LISTS:
                if is_format(first):
                    batch = _read_entries(_chain(first, entries), read_one, format_name)
                    break
            else:
                raise describe("its JSON list does not hold wallabag, Omnivore, Pinboard or "
                               "Readwise entries")
        elif js.peek() == "{":
            batch = _read_object(js, describe)
        else:
            raise describe("it is not JSON")
        js.end()
    except JsonError as error:
        raise describe(f"its JSON is damaged: {error}") from None
    except RecursionError:  # a folder tree nested past what Python walks
        raise describe("its folders are nested too deeply") from None
    return batch


def _read_object(js: JsonStream, describe) -> ImportBatch:
    """The exports that are one object. Karakeep's bookmarks and Reader's articles (which carry
    whole pages) are read one at a time; the other keys are read whole."""
    collector = Collector()
    fields: dict[str, object] = {}
    streamed = None
    in_lists: list[tuple[ImportedItem, list]] = []  # Karakeep: items and the ids of their lists
    js.take("{")
    while js.peek() != "}":
        key = js.value()
        js.take(":")
        if key == "bookmarks" and js.peek() == "[":
            streamed = KARAKEEP
            for number, bookmark in enumerate(js.array(), start=1):
                item = _karakeep(collector, bookmark, f"bookmark {number}")
                if item is not None and isinstance(bookmark.get("lists"), list):
                    in_lists.append((item, bookmark["lists"]))
        elif key == "articles" and js.peek() == "[" and fields.get("format") == READER_JSON_MARK:
            streamed = READER_JSON
            for number, record in enumerate(js.array(), start=1):
                _reader_record(collector, record, f"article {number}")
        elif isinstance(key, str):
            fields[key] = js.value()
        else:
            js.value()
        if js.peek() == ",":
            js.take(",")
        elif js.peek() != "}":
            js.take("}")
    js.take("}")
    if streamed == KARAKEEP:
        _karakeep_lists(fields.get("lists"), in_lists)
    if streamed:
        return collector.batch(streamed)
    format_name = tree_format(fields)
    if format_name is None:
        raise describe("its JSON is not a wallabag, Karakeep or Omnivore export, nor bookmarks "
                       "Reader knows")
    return read_tree(fields, format_name)


def _read_entries(entries: Iterator[object], read_one, format_name: str) -> ImportBatch:
    collector = Collector()
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, dict):
            read_one(collector, entry, f"entry {number}")
        else:
            collector.skip(f"entry {number}", "Not a saved article.")
    return collector.batch(format_name)


def _chain(first: object, rest: Iterator[object]) -> Iterator[object]:
    yield first
    yield from rest


# wallabag


def _is_wallabag(entry: object) -> bool:
    return isinstance(entry, dict) and ("is_archived" in entry or "is_starred" in entry)


def _wallabag(collector: Collector, entry: dict, where: str) -> None:
    content = entry.get("content")
    collector.add(
        where,
        entry.get("url") or entry.get("given_url"),
        title=entry.get("title"),
        tags=tag_names(entry.get("tags")),
        archived=truthy(entry.get("is_archived")),
        favourite=truthy(entry.get("is_starred")),
        added=utc_iso(entry.get("created_at")),
        html=content if isinstance(content, str) and content.strip() else None,
    )


# Karakeep (formerly Hoarder)


def _karakeep(collector: Collector, bookmark: object, where: str) -> ImportedItem | None:
    content = bookmark.get("content") if isinstance(bookmark, dict) else None
    if not isinstance(content, dict) or content.get("type") != "link":
        kind = content.get("type") if isinstance(content, dict) else None
        # Karakeep exports a file (image, PDF) with no content at all.
        what = {"text": "a note", None: "a file (image or PDF)"}.get(kind, f"a {kind}")
        collector.skip(where, f"Not a web page: {what}.")
        return None
    return collector.add(
        where,
        content.get("url"),
        title=bookmark.get("title"),
        tags=tag_names(bookmark.get("tags")),
        archived=truthy(bookmark.get("archived")),
        favourite=truthy(bookmark.get("favourited")),
        added=utc_iso(bookmark.get("createdAt")),
        note=bookmark.get("note"),
        excerpt=bookmark.get("description") or content.get("description"),
    )


def _karakeep_lists(lists: object, in_lists: list[tuple[ImportedItem, list]]) -> None:
    """Karakeep's lists become tags: each item gets the names of the lists it is in."""
    names = {entry.get("id"): entry.get("name") for entry in lists
             if isinstance(entry, dict) and isinstance(entry.get("id"), str)
             } if isinstance(lists, list) else {}
    for item, ids in in_lists:
        found = [names[i] for i in ids if isinstance(i, str) and i in names]
        item.tags = clean_tags([*item.tags, *found])


# Reader's own export (reader/export/json_export.py writes it)


def _reader_record(collector: Collector, record: object, where: str) -> None:
    if not isinstance(record, dict):
        collector.skip(where, "Not an article.")
        return
    if record.get("url") == WELCOME_URL:
        collector.skip(where, "Reader's welcome article: every library has its own.")
        return
    collector.add(where, record.get("url"), title=record.get("title"),
                  tags=tag_names(record.get("tags")), archived=truthy(record.get("archived")),
                  favourite=truthy(record.get("favourite")), added=utc_iso(record.get("added")),
                  record=record)


# Omnivore


def is_omnivore_record(entry: object) -> bool:
    return isinstance(entry, dict) and "slug" in entry and ("savedAt" in entry or "state" in entry)


def omnivore_record(
    collector: Collector,
    record: dict,
    where: str,
    saved_page: Callable[[str], str | None] | None = None,
) -> ImportedItem | None:
    """One entry of an Omnivore ``metadata_*.json``; ``saved_page(slug)`` gives its saved HTML."""
    state = str(record.get("state") or "").lower()
    if state == "deleted":
        collector.skip(where, "Deleted in Omnivore.")
        return None
    slug = record.get("slug")
    html = saved_page(slug) if saved_page and isinstance(slug, str) and slug else None
    return collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=tag_names(record.get("labels")),
        archived=state == "archived",
        added=utc_iso(record.get("savedAt")),
        html=html,
        highlights=omnivore_highlights(record.get("highlights")),
        excerpt=record.get("description"),
    )


def omnivore_highlights(value: object) -> list[dict]:
    """Omnivore's highlights as its API and metadata write them: quote, annotation, color."""
    if not isinstance(value, list):
        return []
    return [{"text": h.get("quote"), "note": h.get("annotation"), "color": h.get("color"),
             "created": h.get("createdAt") or h.get("updatedAt")}
            for h in value if isinstance(h, dict)]


def _is_readwise_book(entry: object) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("highlights"), list)
            and ("source_url" in entry or "unique_url" in entry))


def _readwise_book(collector: Collector, book: dict, where: str) -> ImportedItem | None:
    """One document of Readwise's highlights export (its API's ``/export`` results, as the
    Obsidian and Logseq plugins save them): its highlights with their notes, its note and tags.
    Books and tweets have no web page to keep."""
    url = book.get("source_url") or book.get("unique_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        collector.skip(where, f"Not a web page: {book.get('category') or 'no address'}.")
        return None
    marked = [h for h in book["highlights"] if isinstance(h, dict) and not h.get("is_deleted")]
    return collector.add(
        where,
        url,
        title=book.get("readable_title") or book.get("title"),
        tags=tag_names(book.get("book_tags")),
        added=utc_iso(min((h["created_at"] for h in marked
                           if isinstance(h.get("created_at"), str)), default="")),
        note=book.get("document_note"),
        excerpt=book.get("summary"),
        highlights=[{"text": h.get("text"), "note": h.get("note"), "color": h.get("color"),
                     "created": h.get("highlighted_at") or h.get("created_at")}
                    for h in marked],
    )


# The exports that are a list of entries: how to tell each by its first entry, how to read one.
_LISTS = (
    (_is_wallabag, _wallabag, WALLABAG),
    (is_omnivore_record, omnivore_record, OMNIVORE_JSON),
    (is_pinboard, pinboard, PINBOARD),
    (_is_readwise_book, _readwise_book, READWISE_HIGHLIGHTS),
)
