"""Which export a file is, from what it holds (its name may say anything), and reading it."""

from __future__ import annotations

import io
from pathlib import Path

from reader.capture.importers.archives import read_zip
from reader.capture.importers.bookmark_trees import MAX_MOZLZ4_BYTES, MOZLZ4_MAGIC, unpack_mozlz4
from reader.capture.importers.items import ImportBatch, unreadable
from reader.capture.importers.json_exports import read_json
from reader.capture.importers.markup import html_format, read_html
from reader.capture.importers.text_exports import (
    csv_format,
    looks_like_url_list,
    read_csv,
    read_url_list,
)
from reader.errors import CaptureError

HEAD_BYTES = 1 << 16
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# Files people pick by mistake, named so the message can say what they picked.
_NOT_EXPORTS = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip-compressed file (unpack it first)",
    b"SQLite format 3\x00": "an SQLite database",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


def detect_and_read(path: Path) -> ImportBatch:
    """The saved links in the export at ``path``: Pocket, Instapaper, Omnivore, wallabag,
    Karakeep, Readwise Reader, Linkwarden, Pinboard, Raindrop, browser bookmarks (HTML, Firefox
    and Chrome JSON), Reader's own JSON export or a list of links.

    Entries with a bad address are skipped and listed in the batch. Raises CaptureError for a
    file that is none of these, or is damaged, saying what Reader can import.
    """
    path = Path(path)

    def describe(why: str) -> CaptureError:
        return unreadable(path, why)

    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES)
    except OSError as error:
        raise CaptureError(f"Cannot read {path}: {error.strerror or error}") from None
    if head.startswith(_ZIP):
        return read_zip(path, describe)
    if head.startswith(MOZLZ4_MAGIC):
        return _read_mozlz4(path, describe)
    for magic, what in _NOT_EXPORTS.items():
        if head.startswith(magic):
            raise describe(f"it is {what}")
    encoding = _text_encoding(head)
    if encoding is None:
        raise describe("it is not a text file")
    text = head.decode(encoding, "replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise describe("the file is empty")

    def open_text():
        return path.open(encoding=encoding, errors="replace", newline="")

    if text[0] in "[{":
        with open_text() as stream:
            return read_json(stream, describe)
    if text[0] == "<":
        format_name = html_format(text)
        if format_name is None:
            raise describe("it is an HTML page, not a list of bookmarks")
        with open_text() as stream:
            return read_html(stream, format_name, describe)
    first_line = text.splitlines()[0]
    format_name = csv_format(first_line)
    if format_name is not None:
        with open_text() as stream:
            return read_csv(stream, format_name, describe)
    if looks_like_url_list(text):
        with open_text() as stream:
            return read_url_list(stream)
    if any(separator in first_line for separator in ",;\t"):
        raise describe(f"its columns ({first_line[:100]}) are not those of a known export")
    raise describe("it is neither an export nor a list of links")


def _read_mozlz4(path: Path, describe) -> ImportBatch:
    """Firefox's compressed bookmark backup (``bookmarks-DATE.jsonlz4``)."""
    with path.open("rb") as file:
        data = file.read(MAX_MOZLZ4_BYTES + 1)
    if len(data) > MAX_MOZLZ4_BYTES:
        raise describe(f"its Firefox backup is larger than {MAX_MOZLZ4_BYTES >> 20} MB")
    text = unpack_mozlz4(data, describe).decode("utf-8", "replace")
    return read_json(io.StringIO(text), describe)


def _text_encoding(head: bytes) -> str | None:
    """utf-16 with a byte-order mark (spreadsheets write it), UTF-8 (with or without one),
    else Windows-1252, the other thing spreadsheets write; None for binary data."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not just a character cut off by the head's end
            return "cp1252"
    return "utf-8-sig"
