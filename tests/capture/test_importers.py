"""Importing other services' exports: every format recognised from its content, its tags, states
and dates kept. Bad files get a message that says what Reader can import."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from reader.capture.importers import EXPECTED_FORMATS, detect_and_read
from reader.capture.importers import items as formats
from reader.capture.importers.items import utc_iso
from reader.capture.importers.json_exports import JsonStream
from reader.errors import CaptureError
from tests.capture.exports import IMPORTS, MALFORMED, by_url, omnivore_zip, write_zip
from tests.fixture_site import PAGES


# Recognising each format


@pytest.mark.parametrize(
    ("name", "format_name", "items", "skipped"),
    [
        ("pocket.html", formats.POCKET_HTML, 4, 1),
        ("pocket.csv", formats.POCKET_CSV, 4, 1),
        ("instapaper.csv", formats.INSTAPAPER, 4, 1),
        ("omnivore.zip", formats.OMNIVORE, 3, 2),
        ("wallabag.json", formats.WALLABAG, 3, 1),
        ("karakeep.json", formats.KARAKEEP, 3, 3),
        ("readwise.csv", formats.READWISE, 4, 2),
        ("bookmarks.html", formats.BOOKMARKS, 5, 1),
        ("links.txt", formats.URL_LIST, 4, 1),
    ],
)
def test_each_format_is_recognised_from_its_content(export, tmp_path, name, format_name, items,
                                                    skipped):
    renamed = tmp_path / "export-renamed.txt"
    shutil.copyfile(export(name), renamed)
    batch = detect_and_read(renamed)
    assert batch.format == format_name
    assert len(batch.items) == items
    assert len(batch.skipped) == skipped  # bad addresses (and non-links) skipped, not fatal
    assert all(item.url.startswith(("http://", "https://")) for item in batch.items)
    assert detect_and_read(export(name)).format == format_name


def test_pocket_html_sections_tags_and_dates():
    batch = detect_and_read(IMPORTS / "pocket.html")
    items = by_url(batch)
    tidal = items["https://gazette.example.com/news/kelby-tidal-plant"]
    assert tidal.title == "Kelby Sound breaks ground on tidal energy plant"
    assert tidal.tags == ["energy", "scotland"]
    assert (tidal.archived, tidal.favourite) == (False, False)
    assert tidal.added == "2024-03-14T10:40:00+00:00"
    wiki = items["https://en.wikipedia.org/wiki/Tidal_power"]
    assert wiki.archived is True  # under "Read Archive"
    assert wiki.title == "Tidal power – Wikipedia"  # entities decoded
    assert items["http://blog.example.org/posts/sourdough"].archived is True
    assert batch.skipped[0].reason == "Not a web address: javascript:void(0)"
    assert all(item.html is None for item in batch.items)


def test_pocket_csv_tags_and_status():
    items = by_url(detect_and_read(IMPORTS / "pocket.csv"))
    explainer = items["https://gazette.example.com/energy/tidal-explainer"]
    assert explainer.tags == ["energy", "explainers"]
    assert explainer.archived is False
    assert explainer.added == "2024-03-15T10:53:20+00:00"
    oven = items["https://food.example.org/2024/oven"]
    assert oven.title == "Bread, butter and a 70-year-old oven"
    assert oven.archived is True
    keyboards = items["https://workshop-notes.example.net/keyboards?utm_medium=email"]
    assert keyboards.tags == ["hardware", "retro", "keyboards"]


def test_instapaper_folders_become_state_or_tags():
    items = by_url(detect_and_read(IMPORTS / "instapaper.csv"))
    ferries = items["https://longform.example.org/2023/ferries"]
    assert ferries.archived is True
    assert ferries.tags == ["travel", "scotland"]  # the Tags column is a JSON list
    assert ferries.added == "2023-01-01T00:00:00+00:00"
    comet = items["https://news.example.com/science/comet"]
    assert (comet.favourite, comet.archived) == (True, False)  # Starred
    soup = items["https://recipes.example.net/soup"]
    assert soup.tags == ["Recipes", "food"]  # a folder of the user's own is a tag
    unread = items["https://www.example.com/essays/attention"]
    assert (unread.tags, unread.archived, unread.favourite) == ([], False, False)


def test_readwise_locations_tags_and_feed():
    batch = detect_and_read(IMPORTS / "readwise.csv")
    items = by_url(batch)
    assert items["https://science.example.org/sleep-summer"].tags == ["health", "science"]
    assert items["https://science.example.org/sleep-summer"].added == "2024-06-21T08:15:00+00:00"
    assert items["https://gazette.example.com/history/harbour"].archived is True
    mosses = items["https://nature.example.com/mosses"]
    assert mosses.favourite is True  # shortlist
    assert mosses.tags == ["nature", "field guides"]
    assert "https://feeds.example.org/weekly/112" not in items
    assert [s.entry for s in batch.skipped] == ["line 6", "line 7"]
    assert "feed" in batch.skipped[0].reason


def test_wallabag_entries_with_their_saved_pages():
    batch = detect_and_read(IMPORTS / "wallabag.json")
    items = by_url(batch)
    harbour = items["https://gone.invalid/history/kelby-sound-harbour"]
    assert (harbour.archived, harbour.favourite) == (True, False)
    assert harbour.tags == ["history", "harbour"]
    assert harbour.added == "2024-03-15T08:30:00+00:00"  # +01:00 in the export
    assert "The outer breakwater, finished in 1887" in harbour.html
    wiki = items["https://en.wikipedia.org/wiki/Tidal_power"]
    assert wiki.favourite is True
    assert wiki.tags == ["Reference"]  # tags as objects with a label
    assert items["https://science.example.org/sleep-summer"].html is None


def test_karakeep_links_only():
    batch = detect_and_read(IMPORTS / "karakeep.json")
    items = by_url(batch)
    slow = items["https://essays.example.net/slow-software"]
    assert (slow.favourite, slow.archived) == (True, False)
    assert slow.added == "2024-06-01T12:00:00+00:00"
    assert items["https://en.wikipedia.org/wiki/Tidal_power#Tidal_stream"].archived is True
    assert items["https://nature.example.com/mosses"].title == ""
    reasons = [s.reason for s in batch.skipped]
    assert reasons[:2] == ["Not a web page: a note.", "Not a web page: a file (image or PDF)."]
    assert "htps//nature" in reasons[2]


def test_omnivore_labels_states_and_saved_pages(export):
    batch = detect_and_read(export("omnivore.zip"))
    items = by_url(batch)
    tidal = items["https://gazette.example.com/news/kelby-tidal-plant"]
    assert tidal.archived is True
    assert tidal.tags == ["energy", "Scotland"]
    assert tidal.added == "2024-03-15T10:00:00+00:00"
    assert "three-legged frame weighing 410 tonnes" in tidal.html
    keyboard = items["https://workshop-notes.invalid/2025/11/02/restoring-a-1987-keyboard/"]
    assert keyboard.tags == ["keyboards", "retro"]  # labels as objects with a name
    assert keyboard.archived is False
    assert items["https://longform.example.org/2023/ferries"].html is None  # no content file
    assert [s.reason for s in batch.skipped] == ["Not a web address: (empty)",
                                                 "Deleted in Omnivore."]


def test_omnivore_zip_inside_a_folder(tmp_path):
    """Unpacked and zipped again by the user: everything one folder down."""
    wrapped = tmp_path / "wrapped"
    shutil.copytree(IMPORTS / "omnivore", wrapped / "omnivore-export")
    batch = detect_and_read(omnivore_zip(wrapped, tmp_path / "again.zip"))
    assert batch.format == formats.OMNIVORE
    assert sum(item.html is not None for item in batch.items) == 2


def test_omnivore_metadata_alone(tmp_path):
    batch = detect_and_read(IMPORTS / "omnivore" / "metadata_0_to_49.json")
    assert batch.format == formats.OMNIVORE_JSON
    assert len(batch.items) == 3
    assert all(item.html is None for item in batch.items)


def test_pocket_zip_of_csv_parts(tmp_path):
    csv = (IMPORTS / "pocket.csv").read_bytes()
    path = write_zip(tmp_path / "pocket.zip", {"part_000000.csv": csv, "annotations/": b""})
    batch = detect_and_read(path)
    assert batch.format == formats.POCKET_CSV
    assert len(batch.items) == 4


def test_browser_bookmark_folders_become_tags():
    items = by_url(detect_and_read(IMPORTS / "bookmarks.html"))
    assert items["https://essays.example.net/slow-software"].tags == [
        "Reading", "software", "essays"]
    assert items["https://science.example.org/sleep-summer"].tags == ["Reading", "Science"]
    # The toolbar is where a bookmark sits, not what it is about; its subfolders are tags.
    assert items["https://news.example.com/science/comet"].tags == []
    assert items["https://recipes.example.net/soup"].tags == ["Recipes"]
    assert items["https://www.example.com/"].added == "2020-09-13T12:26:40+00:00"
    assert not any(item.archived or item.favourite for item in items.values())


def test_a_link_listed_twice_is_one_item_with_both_tags(tmp_path):
    path = tmp_path / "bookmarks.html"
    path.write_text(
        "<DL><p><DT><H3>Energy</H3><DL><p>"
        '<DT><A HREF="https://example.org/tides">Tides</A></DL><p>'
        "<DT><H3>Science</H3><DL><p>"
        '<DT><A HREF="https://example.org/tides?utm_source=x">Tides</A></DL><p></DL>'
    )
    batch = detect_and_read(path)
    assert batch.format == formats.BOOKMARKS  # no doctype, still bookmarks
    assert [(item.url, item.tags) for item in batch.items] == [
        ("https://example.org/tides", ["Energy", "Science"])]


def test_bookmarks_whose_links_are_never_closed(tmp_path):
    path = tmp_path / "bookmarks.html"
    path.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A HREF="https://example.org/one" ADD_DATE="1700000000">One\n'
        '<DT><A HREF="https://example.org/two">Two\n'
        "<DT><H3>Later</H3>\n<DL><p>\n"
        '<DT><A HREF="https://example.org/three">Three\n'
    )
    batch = detect_and_read(path)
    assert [(i.url, i.title, i.tags) for i in batch.items] == [
        ("https://example.org/one", "One", []),
        ("https://example.org/two", "Two", []),
        ("https://example.org/three", "Three", ["Later"]),
    ]


def test_list_of_links_comments_and_blank_lines():
    batch = detect_and_read(IMPORTS / "links.txt")
    assert [item.url for item in batch.items] == [
        "https://essays.example.net/slow-software",
        "https://science.example.org/sleep-summer",
        "https://www.example.org/articles/quiet-places",
        "https://gazette.example.com/history/harbour#comments",
    ]
    assert batch.skipped[0].entry == "line 7"


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-16", "\t"), ("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", ",")],
)
def test_csv_as_spreadsheets_save_it(tmp_path, encoding, separator):
    """Opened and saved again in a spreadsheet: another encoding, another separator."""
    rows = [["URL", "Title", "Selection", "Folder", "Timestamp"],
            ["https://example.org/cafe", "Café culture; a history", "", "Archive", "1700000000"]]
    text = io.StringIO()
    csv.writer(text, delimiter=separator, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "instapaper.csv"
    path.write_bytes(text.getvalue().encode(encoding))
    batch = detect_and_read(path)
    assert batch.format == formats.INSTAPAPER
    [item] = batch.items
    assert (item.title, item.archived) == ("Café culture; a history", True)
    assert item.added == "2023-11-14T22:13:20+00:00"


def test_json_is_read_in_small_pieces(monkeypatch):
    whole = [detect_and_read(IMPORTS / name) for name in ("wallabag.json", "karakeep.json")]
    monkeypatch.setattr(JsonStream, "CHUNK", 7)
    pieces = [detect_and_read(IMPORTS / name) for name in ("wallabag.json", "karakeep.json")]
    assert pieces == whole


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1710412800, "2024-03-14T10:40:00+00:00"),
        ("1710412800", "2024-03-14T10:40:00+00:00"),
        (1710412800123, "2024-03-14T10:40:00+00:00"),  # milliseconds
        ("2024-03-15T10:00:00.000Z", "2024-03-15T10:00:00+00:00"),
        ("2024-03-15T09:30:00+01:00", "2024-03-15T08:30:00+00:00"),
        ("2024-06-21 08:15:00", "2024-06-21T08:15:00+00:00"),  # no offset: UTC
        ("Fri, 14 Jun 2024 07:00:00 GMT", "2024-06-14T07:00:00+00:00"),
        ("", ""),
        (None, ""),
        (0, ""),
        (True, ""),
        ("yesterday", ""),
        ("99999999999999999999", ""),
    ],
)
def test_dates_become_utc_iso(value, expected):
    assert utc_iso(value) == expected


# Bad files


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("empty.csv", "the file is empty"),
        ("picture.csv", "it is a PNG image"),
        ("truncated.json", "it is not complete"),
        ("wrong-header.csv", "its columns (name,link,date added) are not those of a known export"),
        ("settings.json", "not a wallabag, Karakeep or Omnivore export"),
        ("notes.txt", "neither an export nor a list of links"),
    ],
)
def test_bad_files_say_what_reader_can_import(name, why):
    with pytest.raises(CaptureError) as raised:
        detect_and_read(MALFORMED / name)
    message = str(raised.value)
    assert message.startswith(f"Cannot import {name}: ")
    assert why in message
    assert message.endswith(EXPECTED_FORMATS)
    assert "Reader can import exports from Pocket (HTML or CSV), Instapaper (CSV)" in message


def test_a_web_page_is_not_an_export():
    with pytest.raises(CaptureError, match="an HTML page, not a list of bookmarks"):
        detect_and_read(PAGES / "blog-post.html")


def test_a_missing_file(tmp_path):
    with pytest.raises(CaptureError, match="Cannot read"):
        detect_and_read(tmp_path / "nowhere.csv")


def test_empty_json_list(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("[ ]\n")
    with pytest.raises(CaptureError, match="empty JSON list"):
        detect_and_read(path)
