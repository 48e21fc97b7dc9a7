"""Hostile exports: each file an attacker (or a broken exporter) could hand the importer ends in a
CaptureError saying what is wrong, in bounded time and memory, never in a traceback. Property
tests throw generated files of every format at ``detect_and_read``; the named cases below are
the findings that once escaped as tracebacks or took minutes and gigabytes."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.capture.importers import detect_and_read, items, markup
from reader.capture.importers import items as formats
from reader.errors import CaptureError

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def read_bytes(data: bytes, name: str = "export") -> formats.ImportBatch:
    """detect_and_read on a file holding ``data``; any CaptureError is an acceptable answer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return detect_and_read(path)


def only_capture_errors(data: bytes, name: str = "export") -> None:
    try:
        batch = read_bytes(data, name)
    except CaptureError as error:
        assert str(error)
        return
    for item in batch.items:
        assert item.url.startswith(("http://", "https://"))
        assert len(item.tags) <= items.MAX_TAGS


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8", "surrogatepass")


# Findings: each failed (traceback, hang or blow-up) before the limits were added.


def test_deeply_nested_json_is_a_clear_error():
    deep = b'[{"url": "https://a.example/", "is_archived": 0, "tags": ' + b"[" * 100_000
    with pytest.raises(CaptureError, match="nested too deeply"):
        read_bytes(deep)
    karakeep = b'{"bookmarks": [{"content": ' + b'{"a": ' * 50_000
    with pytest.raises(CaptureError, match="nested too deeply"):
        read_bytes(karakeep)


def test_an_integer_of_thousands_of_digits_is_a_clear_error():
    entry = b'[{"url": "https://a.example/", "is_archived": 0, "created_at": ' + b"9" * 5000
    with pytest.raises(CaptureError, match="number is too long"):
        read_bytes(entry + b"}]")


def test_a_json_ish_tags_cell_of_any_depth_or_length_is_just_tags():
    rows = [["https://a.example/", "A", "", "", "1700000000", "[" * 5000],
            ["https://b.example/", "B", "", "", "1700000000", "[" + "7" * 5000 + "]"],
            ["https://c.example/", "C", "", "", "1700000000", "['x', 'y'," * 2000]]
    batch = read_bytes(csv_bytes(["URL", "Title", "Selection", "Folder", "Timestamp", "Tags"],
                                 rows))
    assert batch.format == formats.INSTAPAPER
    assert [item.url for item in batch.items] == [row[0] for row in rows]
    assert all(len(item.tags) <= items.MAX_TAGS for item in batch.items)


def test_an_omnivore_zip_naming_one_page_in_every_record_decodes_it_once():
    page = b"<html><body><p>" + b"A saved page. " * 40_000 + b"</p></body></html>"  # ~560 KB
    records = [{"id": str(n), "slug": "same", "url": f"https://site.example/{n}",
                "title": f"Page {n}", "savedAt": "2024-01-01T00:00:00Z", "state": "Succeeded"}
               for n in range(200)]
    data = zip_bytes({"metadata_0_to_199.json": json.dumps(records).encode(),
                      "content/same.html": page})
    assert len(data) < 64_000
    tracemalloc.start()
    try:
        batch = read_bytes(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(batch.items) == 200 and all(item.html for item in batch.items)
    assert peak < 20_000_000, f"{peak / 1e6:.0f} MB for a {len(data) / 1e3:.0f} KB export"


def test_a_zip_member_that_expands_like_a_bomb_is_refused():
    data = zip_bytes({"metadata_0.json": b"[]", "content/x.html": b"\0" * 5_000_000})
    with pytest.raises(CaptureError, match="decompression bombs"):
        read_bytes(data)


def test_a_character_reference_of_thousands_of_digits_in_bookmarks_is_a_clear_error():
    page = ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
            f'<DT><A HREF="https://a.example/">&#{"9" * 5000};</A>\n</DL>\n')
    with pytest.raises(CaptureError, match="could not be read"):
        read_bytes(page.encode())


@pytest.mark.timeout(60)
def test_bookmark_folders_nested_thousands_deep_import_in_linear_time():
    depth = 20_000
    page = ["<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"]
    for level in range(depth):
        page.append(f'<DT><H3>folder {level}</H3>\n<DL><p>\n'
                    f'<DT><A HREF="https://a.example/{level}">link {level}</A>\n')
    page.append("</DL>\n" * (depth + 1))
    started = time.monotonic()
    batch = read_bytes("".join(page).encode())
    assert time.monotonic() - started < 10
    assert len(batch.items) == depth
    deepest = batch.items[-1]
    assert len(deepest.tags) <= markup.MAX_FOLDER_DEPTH <= items.MAX_TAGS
    assert deepest.tags[0] == "folder 0"


@pytest.mark.timeout(60)
def test_a_tag_that_never_ends_is_refused_without_rescanning_it():
    page = b'<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF="' + b"x" * 40_000_000
    started = time.monotonic()
    with pytest.raises(CaptureError, match="without ending"):
        read_bytes(page)
    assert time.monotonic() - started < 5


def test_an_address_urllib_cannot_split_is_skipped_with_its_reason():
    batch = read_bytes(b"https://[oops/x\nhttps://a.example/\n")
    assert [item.url for item in batch.items] == ["https://a.example/"]
    assert batch.skipped == [formats.Skipped("line 1", "Not a web address: https://[oops/x")]


def test_an_export_of_more_entries_than_reader_takes_is_refused(monkeypatch):
    monkeypatch.setattr(items, "MAX_ENTRIES", 100)
    data = "\n".join(f"https://a.example/{n}" for n in range(101)).encode()
    with pytest.raises(CaptureError, match="more than 100 entries"):
        read_bytes(data)


# Properties: nothing but a CaptureError escapes, whatever the file holds.

_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)
_fields = ["url", "given_url", "title", "tags", "is_archived", "is_starred", "created_at",
           "content", "slug", "savedAt", "state", "labels", "type", "createdAt", "archived"]
_entry = st.dictionaries(st.sampled_from(_fields), _json | _text.map(lambda t: "https://" + t),
                         max_size=8)


@FUZZ
@given(data=st.binary(max_size=2000), start=st.sampled_from(
    [b"", b"[", b"{", b"<", b"PK\x03\x04", b"\xff\xfe", b"url,title,time_added,tags,status\n"]))
def test_any_bytes_end_in_a_batch_or_a_capture_error(data, start):
    only_capture_errors(start + data)


@FUZZ
@given(entries=st.lists(_entry | _json, max_size=6), shape=st.sampled_from(["list", "karakeep"]),
       cut=st.integers(0, 400))
def test_any_json_export_ends_in_a_batch_or_a_capture_error(entries, shape, cut):
    value = entries if shape == "list" else {"bookmarks": entries}
    data = json.dumps(value).encode()
    only_capture_errors(data)
    only_capture_errors(data[:cut])


_csv_headers = [
    ["url", "title", "time_added", "tags", "status", "favorite"],
    ["URL", "Title", "Selection", "Folder", "Timestamp", "Tags"],
    ["Title", "URL", "ID", "Document tags", "Saved date", "Reading progress", "Location"],
]
_cell = _text | st.sampled_from(["https://a.example/", "[", "['a', [", "[1e999]", "Archive",
                                 "feed", "-1", "99999999999999999999", "\0", "\"\n,"])


@FUZZ
@given(header=st.sampled_from(_csv_headers), rows=st.lists(st.lists(_cell, max_size=8),
                                                            max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_csv_export_ends_in_a_batch_or_a_capture_error(header, rows, delimiter):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    only_capture_errors(text.getvalue().encode("utf-8"))


_markup = st.lists(st.sampled_from([
    "<DL>", "</DL>", "<p>", "<DT>", "<H3>", "</H3>", '<A HREF="https://a.example/x">', "</A>",
    '<A HREF="javascript:1" TAGS="a,b">', '<H3 PERSONAL_TOOLBAR_FOLDER="true">', "<!--", "-->",
    "<![", "&#", "&#x", "&amp;", "<h1>Unread</h1>", "<ul>", "<li>", '<a time_added="9e99">',
]) | _text, max_size=30)


@FUZZ
@given(parts=_markup, kind=st.sampled_from([
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n",
    '<title>Pocket Export</title><h1>Unread</h1><ul><li><a href="https://a.example/" '
    'time_added="1">a</a>',
]))
def test_any_bookmark_or_pocket_html_ends_in_a_batch_or_a_capture_error(parts, kind):
    only_capture_errors((kind + "".join(parts)).encode("utf-8", "surrogatepass"))


_member_names = st.sampled_from([
    "metadata_0_to_9.json", "export/metadata_1.json", "content/a.html", "content/.html",
    "export/content/a.html", "part_000000.csv", "../evil", "/abs", "dir/", "C:x",
])
_member_data = st.sampled_from([
    b"[]", b'[{"slug": "a", "url": "https://a.example/", "savedAt": 1}]',
    b'[{"slug": "a", "url": "https://a.example/", "state": "Archived", "labels": [{"name": 1}]}',
    b"url,title,time_added,tags,status\nhttps://a.example/,A,1,x|y,archive\n",
    b'<meta charset="utf-16"><p>\xff</p>', b"", b"[" * 5000,
]) | st.binary(max_size=200)


@FUZZ
@given(members=st.dictionaries(_member_names, _member_data, max_size=5),
       method=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA]),
       flip=st.tuples(st.integers(0, 10_000), st.integers(1, 255)))
def test_any_zip_export_ends_in_a_batch_or_a_capture_error(members, method, flip):
    data = bytearray(zip_bytes(members, method))
    only_capture_errors(bytes(data))
    position, mask = flip
    if data:
        data[position % len(data)] ^= mask  # a damaged archive
        only_capture_errors(bytes(data))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({"highlights": st.lists(
    st.dictionaries(st.sampled_from(["text", "note", "color", "created_at", "highlighted_at",
                                     "is_deleted"]), _json_values), max_size=4)},
    optional={"source_url": _json_values, "unique_url": _json_values, "title": _json_values,
              "book_tags": _json_values, "document_note": _json_values,
              "summary": _json_values, "category": _json_values}))
def test_any_readwise_entry_is_read_or_refused_with_a_message(book):
    """A Readwise highlights entry with any value of any type in any field: read (its
    highlights as strings) or refused with a message, never a traceback."""
    data = json.dumps([{"source_url": "https://a.example/x", **book}]).encode()
    only_capture_errors(data)
    try:
        batch = read_bytes(data)
    except CaptureError:
        return
    for item in batch.items:
        assert all(isinstance(h[key], str) for h in item.highlights
                   for key in ("text", "note", "color", "created"))
