"""The formats added for people leaving other services and browsers: Firefox JSON (and its
.jsonlz4 backups), Chrome/Edge Bookmarks, Linkwarden, Pinboard, Raindrop, Karakeep lists,
microsecond dates, and highlights and notes. Each fixture is written in the service's own
format, with dead links (.invalid hosts) among them: reading an export needs no network."""

from __future__ import annotations

import shutil
import struct

import lz4.block
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.capture.importers import detect_and_read
from reader.capture.importers import items as formats
from reader.capture.importers.items import utc_iso, webkit_iso
from reader.errors import CaptureError
from tests.capture.exports import IMPORTS, by_url, omnivore_zip
from tests.capture.test_importers_hostile import FUZZ, only_capture_errors


@pytest.mark.parametrize(("name", "format_name", "items", "skipped"), [
    ("firefox.json", formats.FIREFOX, 2, 1),
    ("Bookmarks", formats.CHROME, 2, 1),
    ("linkwarden.json", formats.LINKWARDEN, 2, 1),
    ("pinboard.json", formats.PINBOARD, 2, 1),
    ("raindrop.csv", formats.RAINDROP, 2, 1),
    ("karakeep-lists.json", formats.KARAKEEP, 2, 0),
])
def test_each_new_format_is_recognised_from_its_content(tmp_path, name, format_name, items,
                                                        skipped):
    renamed = tmp_path / "renamed.txt"
    shutil.copyfile(IMPORTS / name, renamed)
    batch = detect_and_read(renamed)
    assert (batch.format, len(batch.items), len(batch.skipped)) == (format_name, items, skipped)


def test_firefox_folders_tags_and_microsecond_dates():
    found = by_url(detect_and_read(IMPORTS / "firefox.json"))
    tidal = found["https://gazette.example.com/news/kelby-tidal-plant"]
    assert tidal.tags == ["Energy", "tidal", "Scotland"]  # the menu itself is no tag
    assert tidal.added == "2021-03-21T14:39:19+00:00"
    keyboard = found["https://workshop-notes.invalid/2025/11/02/restoring-a-1987-keyboard/"]
    assert keyboard.tags == [] and keyboard.title == "Restoring a 1987 keyboard"
    assert not any(url.startswith("place:") for url in found)


def mozlz4(data: bytes) -> bytes:
    return b"mozLz40\0" + struct.pack("<I", len(data)) + lz4.block.compress(
        data, store_size=False)


def test_firefox_jsonlz4_backup(tmp_path):
    backup = tmp_path / "bookmarks-2025-11-30_12_abc.jsonlz4"
    backup.write_bytes(mozlz4((IMPORTS / "firefox.json").read_bytes()))
    batch = detect_and_read(backup)
    assert batch.format == formats.FIREFOX
    assert by_url(batch).keys() == by_url(detect_and_read(IMPORTS / "firefox.json")).keys()


@pytest.mark.parametrize(("data", "why"), [
    (b"mozLz40\0", "cut short"),
    (b"mozLz40\0" + struct.pack("<I", 1 << 31) + b"\x00", "more than"),
    (b"mozLz40\0" + struct.pack("<I", 100) + b"\xff\xff\xff\xff", "damaged"),
])
def test_damaged_jsonlz4_is_a_message(tmp_path, data, why):
    path = tmp_path / "bookmarks.jsonlz4"
    path.write_bytes(data)
    with pytest.raises(CaptureError, match=why):
        detect_and_read(path)


def test_chrome_folders_and_webkit_dates():
    found = by_url(detect_and_read(IMPORTS / "Bookmarks"))
    wiki = found["https://en.wikipedia.org/wiki/Tidal_power"]
    assert wiki.tags == ["Reading"] and wiki.title == "Tidal power - Wikipedia"
    # 13257639559 s after 1601-01-01 is 1613165959 s after 1970
    assert wiki.added == "2021-02-12T21:39:19+00:00"
    assert found["https://dead-blog.invalid/post/1"].tags == []  # "Bookmarks bar" is no tag


def test_linkwarden_collections_tags_pins_and_notes():
    found = by_url(detect_and_read(IMPORTS / "linkwarden.json"))
    slow = found["https://essays.example.net/slow-software"]
    assert (slow.tags, slow.favourite, slow.note) == (["software"], True, "Recommended by Ana")
    tidal = found["https://gazette.invalid/news/kelby-tidal-plant"]
    assert (tidal.tags, tidal.favourite, tidal.added) == (
        ["Energy"], False, "2024-03-15T10:00:00+00:00")


def test_pinboard_tags_to_read_and_notes():
    found = by_url(detect_and_read(IMPORTS / "pinboard.json"))
    slow = found["https://essays.example.net/slow-software"]
    assert (slow.tags, slow.archived, slow.note) == (["software", "essays"], False,
                                                     "Recommended by Ana")
    gone = found["https://gone.invalid/tidal"]
    assert (gone.archived, gone.added) == (True, "2019-08-02T08:00:00+00:00")


def test_raindrop_folders_tags_highlights():
    found = by_url(detect_and_read(IMPORTS / "raindrop.csv"))
    slow = found["https://essays.example.net/slow-software"]
    assert slow.tags == ["Reading", "Essays", "software"]  # "essays" is "Essays" again
    assert slow.favourite and slow.note == "Recommended by Ana"
    assert [h["text"] for h in slow.highlights] == [
        "Fast is not the same as good.", "Slow software is software you can trust."]
    assert found["https://gazette.invalid/news/kelby-tidal-plant"].tags == []


def test_karakeep_lists_become_tags():
    found = by_url(detect_and_read(IMPORTS / "karakeep-lists.json"))
    assert found["https://essays.example.net/slow-software"].tags == ["software",
                                                                     "Weekend reading"]
    tidal = found["https://gazette.invalid/news/kelby-tidal-plant"]
    assert tidal.tags == ["Weekend reading", "Energy"] and tidal.archived


def test_netscape_dates_in_microseconds_and_milliseconds():
    found = by_url(detect_and_read(IMPORTS / "linkding.html"))
    assert found["https://essays.example.net/slow-software"].added == "2021-03-21T14:39:19+00:00"
    assert found["https://gone.invalid/tidal"].added == "2021-03-21T14:39:19+00:00"


def test_omnivore_highlights_and_their_notes(tmp_path):
    batch = detect_and_read(omnivore_zip(IMPORTS / "omnivore", tmp_path / "omnivore.zip"))
    keyboard = by_url(batch)["https://workshop-notes.invalid/2025/11/02/restoring-a-1987-keyboard/"]
    assert [h["text"] for h in keyboard.highlights] == [
        "It types beautifully. It is also the loudest thing in the house."]


@pytest.mark.parametrize(("value", "expected"), [
    (1616337559000000, "2021-03-21T14:39:19+00:00"),
    ("1616337559000000", "2021-03-21T14:39:19+00:00"),
    (1616337559000, "2021-03-21T14:39:19+00:00"),
    (1616337559, "2021-03-21T14:39:19+00:00"),
])
def test_seconds_milliseconds_microseconds(value, expected):
    assert utc_iso(value) == expected


@pytest.mark.parametrize("value", ["0", "", "x", None, "-5", 99])
def test_webkit_dates_out_of_range_are_unknown(value):
    assert webkit_iso(value) == ""


# Fuzz: nothing but CaptureError escapes any new parser.

_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
_nodes = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["type", "uri", "url", "children", "name", "title", "tags",
                                 "dateAdded", "date_added", "guid", "root", "links",
                                 "pinnedBy", "createdAt", "description", "lists", "id"]),
                                inner, max_size=6)),
    max_leaves=20)


@FUZZ
@given(_nodes, st.sampled_from(["roots", "children", "collections", "bookmarks"]))
def test_fuzzed_trees_only_capture_errors(node, key):
    import json
    only_capture_errors(json.dumps({key: node, "type": "text/x-moz-place-container"}).encode())


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(
    ["href", "toread", "description", "extended", "time", "tags"]), _json_scalars), max_size=5))
def test_fuzzed_pinboard_only_capture_errors(entries):
    import json
    only_capture_errors(json.dumps([{"href": "x", "toread": "yes"}, *entries]).encode())


@FUZZ
@given(st.binary(max_size=200))
def test_fuzzed_jsonlz4_only_capture_errors(data):
    only_capture_errors(b"mozLz40\0" + data)


@FUZZ
@given(st.lists(st.lists(st.text(max_size=30), min_size=11, max_size=11), max_size=5))
def test_fuzzed_raindrop_only_capture_errors(rows):
    import csv
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "title", "note", "excerpt", "url", "folder", "tags", "created",
                     "cover", "highlights", "favorite"])
    writer.writerows(rows)
    only_capture_errors(buffer.getvalue().encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(
    ["url", "title", "tags", "archived", "favourite", "added", "images", "pages"]), _nodes),
    max_size=4))
def test_fuzzed_reader_json_only_capture_errors(articles):
    import json
    only_capture_errors(json.dumps({"format": "reader-json", "articles": articles}).encode())
