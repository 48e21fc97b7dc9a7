"""JSON exports: wallabag (a list of entries), Karakeep/Hoarder ({"bookmarks": [...]}), and
Omnivore's metadata records (also used for its ZIP).

Entries are read one at a time, so an export with every saved page in it (wallabag) is never held
twice in memory: once as text and once parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TextIO

from reader.capture.importers.items import (
    KARAKEEP,
    OMNIVORE_JSON,
    WALLABAG,
    Collector,
    ImportBatch,
    tag_names,
    truthy,
    utc_iso,
)


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
    """A wallabag, Karakeep or Omnivore-metadata export. ``describe(why)`` makes the error for a
    file that is none of them."""
    js = JsonStream(stream)
    try:
        if js.peek() == "[":
            entries = js.array()
            first = next(entries, None)
            if first is None:
                raise describe("it holds an empty JSON list")
            if _is_wallabag(first):
                batch = _read_entries(_chain(first, entries), _wallabag, WALLABAG)
            elif is_omnivore_record(first):
                batch = _read_entries(_chain(first, entries), omnivore_record, OMNIVORE_JSON)
            else:
                raise describe("its JSON list does not hold wallabag or Omnivore entries")
        elif js.peek() == "{":
            batch = _read_karakeep(js, describe)
        else:
            raise describe("it is not JSON")
        js.end()
    except JsonError as error:
        raise describe(f"its JSON is damaged: {error}") from None
    return batch


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


def _read_karakeep(js: JsonStream, describe) -> ImportBatch:
    collector = Collector()
    found = False
    js.take("{")
    while js.peek() != "}":
        key = js.value()
        js.take(":")
        if key == "bookmarks" and js.peek() == "[":
            found = True
            for number, bookmark in enumerate(js.array(), start=1):
                _karakeep(collector, bookmark, f"bookmark {number}")
        else:
            js.value()
        if js.peek() == ",":
            js.take(",")
        elif js.peek() != "}":
            js.take("}")
    js.take("}")
    if not found:
        raise describe("its JSON is not a wallabag, Karakeep or Omnivore export")
    return collector.batch(KARAKEEP)


def _karakeep(collector: Collector, bookmark: object, where: str) -> None:
    content = bookmark.get("content") if isinstance(bookmark, dict) else None
    if not isinstance(content, dict) or content.get("type") != "link":
        kind = content.get("type") if isinstance(content, dict) else None
        # Karakeep exports a file (image, PDF) with no content at all.
        what = {"text": "a note", None: "a file (image or PDF)"}.get(kind, f"a {kind}")
        collector.skip(where, f"Not a web page: {what}.")
        return
    collector.add(
        where,
        content.get("url"),
        title=bookmark.get("title"),
        tags=tag_names(bookmark.get("tags")),
        archived=truthy(bookmark.get("archived")),
        favourite=truthy(bookmark.get("favourited")),
        added=utc_iso(bookmark.get("createdAt")),
    )


# Omnivore


def is_omnivore_record(entry: object) -> bool:
    return isinstance(entry, dict) and "slug" in entry and ("savedAt" in entry or "state" in entry)


def omnivore_record(
    collector: Collector,
    record: dict,
    where: str,
    saved_page: Callable[[str], str | None] | None = None,
) -> None:
    """One entry of an Omnivore ``metadata_*.json``; ``saved_page(slug)`` gives its saved HTML."""
    state = str(record.get("state") or "").lower()
    if state == "deleted":
        collector.skip(where, "Deleted in Omnivore.")
        return
    slug = record.get("slug")
    html = saved_page(slug) if saved_page and isinstance(slug, str) and slug else None
    collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=tag_names(record.get("labels")),
        archived=state == "archived",
        added=utc_iso(record.get("savedAt")),
        html=html,
    )
