"""The single-file exports: Reader's own JSON (every article whole, for ``reader import``), a
Netscape bookmark file, and CSV with Pocket's columns. Each file is written next to its place
and moved there once complete, so an interrupted export never leaves half a file."""

from __future__ import annotations

import csv
import html
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from reader import __version__
from reader.library import Library
from reader.library.records import READER_JSON_MARK, article_record
from reader.library.rows import utc_now

Progress = Callable[[int, int], None]
JSON_VERSION = 1


@contextmanager
def replaced(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """A text file that becomes ``path`` only once it is completely written."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline=newline) as stream:
            yield stream
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_json(library: Library, ids: list[int], path: Path, progress: Progress) -> None:
    """``{"format": "reader-json", "version", "exported", "articles": [record, ...]}``, one
    article at a time (a library with its pages and images may be gigabytes)."""
    with replaced(path) as stream:
        header = {"format": READER_JSON_MARK, "version": JSON_VERSION,
                  "reader": __version__, "exported": utc_now()}
        stream.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "articles": [\n')
        for done, article_id in enumerate(ids, start=1):
            if done > 1:
                stream.write(",\n")
            stream.write(json.dumps(article_record(library, article_id), ensure_ascii=False))
            progress(done, len(ids))
        stream.write("\n]}\n")


def write_bookmarks(library: Library, ids: list[int], path: Path, progress: Progress) -> None:
    """A Netscape bookmark file, as browsers and read-later services import it: tags in TAGS,
    the date saved in ADD_DATE (seconds), unread ones TOREAD="1"."""
    with replaced(path) as stream:
        stream.write('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV="Content-Type" '
                     'CONTENT="text/html; charset=UTF-8">\n<TITLE>Bookmarks</TITLE>\n'
                     '<H1>Bookmarks</H1>\n<DL><p>\n')
        for done, row in enumerate(_web_rows(library, ids), start=1):
            attributes = {"HREF": row.url, "ADD_DATE": str(_seconds(row.added)),
                          "TAGS": ",".join(row.tags), "TOREAD": "0" if row.archived else "1"}
            quoted = " ".join(f'{name}="{html.escape(value)}"' for name, value in
                              attributes.items())
            stream.write(f"<DT><A {quoted}>{html.escape(row.title)}</A>\n")
            progress(done, len(ids))
        stream.write("</DL><p>\n")


def write_csv(library: Library, ids: list[int], path: Path, progress: Progress) -> None:
    """Pocket's CSV columns (title, url, time_added in seconds, tags joined by |, status
    unread/archive), which Reader and most read-later services import."""
    with replaced(path, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["title", "url", "time_added", "tags", "status"])
        for done, row in enumerate(_web_rows(library, ids), start=1):
            writer.writerow([_cell(row.title), row.url, _seconds(row.added), "|".join(row.tags),
                             "archive" if row.archived else "unread"])
            progress(done, len(ids))


def _web_rows(library: Library, ids: list[int], chunk: int = 500):
    """The rows of ``ids`` that are web pages (not Reader's welcome article): what other
    services can take."""
    for start in range(0, len(ids), chunk):
        yield from (row for row in library.rows_by_ids(ids[start:start + chunk])
                    if row.url.startswith(("http://", "https://")))


def _seconds(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except ValueError:
        return 0


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
