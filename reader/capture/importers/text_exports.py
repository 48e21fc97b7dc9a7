"""Line-based exports: the CSV files of Pocket, Instapaper, Readwise Reader and Raindrop.io, and
plain lists of links. Read row by row, so a file of any length is never held in memory."""

from __future__ import annotations

import ast
import csv
import itertools
import json
import re
from collections.abc import Callable
from typing import TextIO

from reader.capture.importers.items import (
    INSTAPAPER,
    POCKET_CSV,
    RAINDROP,
    READWISE,
    URL_LIST,
    Collector,
    ImportBatch,
    tag_names,
    truthy,
    utc_iso,
)

# The columns that identify each export (others may come and go between versions).
_POCKET = {"title", "url", "time_added", "tags", "status"}
_INSTAPAPER = {"url", "title", "selection", "folder", "timestamp"}
_READWISE = {"title", "url", "document tags", "saved date", "location"}
_RAINDROP = {"id", "title", "note", "excerpt", "url", "folder", "tags", "created"}
_LOOKS_LIKE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# Instapaper's own folders; any other folder becomes a tag.
_MAX_LIST_CELL = 10_000  # a cell of tags, parsed as a list up to this length, split beyond
_INSTAPAPER_FOLDERS = {"", "unread", "archive", "starred"}


def csv_format(first_line: str) -> str | None:
    """The export whose CSV header is ``first_line``, or None."""
    columns = set(_header(next(csv.reader([first_line], delimiter=_delimiter(first_line)), [])))
    for format_name, required in ((POCKET_CSV, _POCKET), (INSTAPAPER, _INSTAPAPER),
                                  (READWISE, _READWISE), (RAINDROP, _RAINDROP)):
        if required <= columns:
            return format_name
    return None


def read_csv(stream: TextIO, format_name: str, describe: Callable[[str], Exception],
             collector: Collector | None = None) -> ImportBatch:
    """Read a CSV export of ``format_name`` (as csv_format found it). ``collector`` lets several
    files (Pocket's ZIP of CSV parts) make one batch."""
    read_row = {POCKET_CSV: _pocket, INSTAPAPER: _instapaper, READWISE: _readwise,
                RAINDROP: _raindrop}[format_name]
    collector = collector or Collector()
    first_line = stream.readline()
    reader = csv.reader(itertools.chain([first_line], stream), delimiter=_delimiter(first_line))
    try:
        header = _header(next(reader, []))
        for row in reader:
            if any(cell.strip() for cell in row):
                record = dict(zip(header, row))
                read_row(collector, record, f"line {reader.line_num}")
    except csv.Error as error:
        raise describe(f"its CSV is damaged at line {reader.line_num}: {error}") from None
    return collector.batch(format_name)


def looks_like_url_list(head: str) -> bool:
    """Most of the first lines (not counting blanks and # comments) are single web addresses."""
    lines = [line.strip() for line in head.splitlines()[:200]]
    content = [line for line in lines if line and not line.startswith("#")]
    urls = sum(1 for line in content if _LOOKS_LIKE_URL.match(line))
    return urls > 0 and urls * 2 >= len(content)


def read_url_list(stream: TextIO) -> ImportBatch:
    collector = Collector()
    for number, line in enumerate(stream, start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            collector.add(f"line {number}", line)
    return collector.batch(URL_LIST)


def _delimiter(first_line: str) -> str:
    """Commas, or what a spreadsheet wrote instead: semicolons (where a comma is the decimal
    point) or tabs ("Unicode text")."""
    return max(",;\t", key=first_line.count)


def _header(columns: list[str]) -> list[str]:
    return [column.strip().strip("\ufeff").lower() for column in columns]


def _pocket(collector: Collector, record: dict, where: str) -> None:
    collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=(record.get("tags") or "").split("|"),
        archived=(record.get("status") or "").strip().lower().startswith("archive"),
        favourite=truthy(record.get("favorite") or record.get("favourite")),
        added=utc_iso((record.get("time_added") or "").strip()),
    )


def _instapaper(collector: Collector, record: dict, where: str) -> None:
    folder = (record.get("folder") or "").strip()
    tags = _list_cell(record.get("tags"))
    if folder.lower() not in _INSTAPAPER_FOLDERS:
        tags.insert(0, folder)
    collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=tags,
        archived=folder.lower() == "archive",
        favourite=folder.lower() == "starred",
        added=utc_iso((record.get("timestamp") or "").strip()),
    )


def _readwise(collector: Collector, record: dict, where: str) -> None:
    location = (record.get("location") or "").strip().lower()
    if location == "feed":
        # Feed items arrive from subscriptions; the user never saved them.
        collector.skip(where, "In the Readwise feed, not saved by you.")
        return
    collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=_list_cell(record.get("document tags")),
        archived=location == "archive",
        favourite=location == "shortlist",
        added=utc_iso((record.get("saved date") or "").strip()),
    )


def _raindrop(collector: Collector, record: dict, where: str) -> None:
    """Raindrop.io: its collection ("Parent / Child") and tags ("a, b") become tags; each line
    of the highlights cell is one highlight ("Highlight:" prefix as Raindrop writes it)."""
    folders = [part.strip() for part in (record.get("folder") or "").split("/")]
    highlights = [{"text": line.strip().removeprefix("Highlight:").strip()}
                  for line in (record.get("highlights") or "").splitlines()]
    collector.add(
        where,
        record.get("url"),
        title=record.get("title"),
        tags=[*(f for f in folders if f.lower() != "unsorted"), *_list_cell(record.get("tags"))],
        favourite=truthy(record.get("favorite")),
        added=utc_iso((record.get("created") or "").strip()),
        note=record.get("note"),
        highlights=highlights,
        excerpt=record.get("excerpt"),
    )


def _list_cell(text: str | None) -> list[str]:
    """Tags in one cell: a JSON list, a Python-style list ("['a', 'b']") or "a, b"."""
    text = (text or "").strip()
    if text.startswith("[") and len(text) <= _MAX_LIST_CELL:
        # json raises RecursionError for deep nesting and ValueError for integers over 4,300
        # digits; literal_eval SyntaxError for nesting past its parser's limit.
        try:
            return tag_names(json.loads(text))
        except (ValueError, RecursionError):
            pass
        try:
            return tag_names(ast.literal_eval(text))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            text = text.strip("[]")
    return [tag.strip().strip("'\"") for tag in text.split(",")]
