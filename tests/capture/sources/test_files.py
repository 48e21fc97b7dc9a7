"""Dropped files (reader.capture.sources.files): shortcut files give their link, saved pages are
pages, exports go to the importer, and a file that cannot be used is a problem, never a crash.
"""

from __future__ import annotations

import os
import plistlib
import random
import sys
from pathlib import Path

import pytest

from reader.capture.sources import Drop, Link, SavedPage, decode_drop
from reader.errors import CaptureError
from tests.capture.sources.payloads import (
    DROPS,
    moz_url,
    only_drop_of,
    problems_of,
    uri_list,
    write_file,
)


# Dropped files


def test_dropped_internet_shortcut_gives_its_link_titled_by_its_name():
    path = DROPS / "Example Article.url"
    assert "%20" in path.as_uri()
    assert only_drop_of(path) == Drop(links=[
        Link("https://example.org/articles/shortcut?utm_source=desktop", "Example Article")])


@pytest.mark.parametrize("name", ["article.webloc", "article-binary.webloc"])
def test_dropped_webloc_xml_or_binary_gives_its_link(name):
    kind = "webloc-binary" if "binary" in name else "webloc-xml"
    assert only_drop_of(DROPS / name).links == [
        Link(f"https://example.org/articles/{kind}", Path(name).stem)]


def test_dropped_desktop_link_gives_its_link_and_name():
    assert only_drop_of(DROPS / "article.desktop").links == [
        Link("https://example.org/articles/desktop", "Gardening in small spaces")]


def test_dropped_saved_page_is_a_page_with_its_file_url():
    path = DROPS / "saved page.html"
    assert only_drop_of(path) == Drop(pages=[SavedPage(path, path.as_uri())])
    assert only_drop_of(path).pages[0].url.startswith("file:///")


@pytest.mark.parametrize("name", ["bookmarks.html", "pocket-export.html", "reading-list.txt"])
def test_dropped_exports_and_link_lists_go_to_the_importer(name):
    assert only_drop_of(DROPS / name) == Drop(imports=[DROPS / name])


@pytest.mark.parametrize("suffix", [".csv", ".json", ".zip", ".CSV"])
def test_dropped_export_files_go_to_the_importer(tmp_path, suffix):
    path = tmp_path / f"export{suffix}"
    path.write_bytes(b"PK\x03\x04 or anything: the importer reads it")
    assert only_drop_of(path) == Drop(imports=[path])


def test_html_in_capitals_and_htm_files_are_pages(tmp_path):
    upper, short = tmp_path / "PAGE.HTML", tmp_path / "page.htm"
    for path in (upper, short):
        path.write_text("<html><title>A page</title><p>Words</p></html>", encoding="utf-8")
    assert decode_drop({"text/uri-list": uri_list(upper, short)}).pages == [
        SavedPage(upper, upper.as_uri()), SavedPage(short, short.as_uri())]


def test_a_pocket_export_is_recognised_by_its_structure_without_its_title(tmp_path):
    path = tmp_path / "ril_export.html"
    path.write_text("<html><body><h1>Unread</h1><ul><li>"
                    '<a href="https://a.example/1" time_added="1600000000" tags="">A</a>'
                    "</li></ul></body></html>", encoding="utf-8")
    assert only_drop_of(path) == Drop(imports=[path])


def test_a_netscape_bookmark_file_in_utf16_is_recognised(tmp_path):
    path = tmp_path / "bookmarks.htm"
    path.write_bytes((DROPS / "bookmarks.html").read_text(encoding="utf-8").encode("utf-16"))
    assert only_drop_of(path) == Drop(imports=[path])


def test_a_saved_page_that_only_mentions_bookmarks_is_a_page(tmp_path):
    path = tmp_path / "about-bookmarks.html"
    path.write_text("<p>Export gives a file starting NETSCAPE-Bookmark-file-1.</p>",
                    encoding="utf-8")
    assert only_drop_of(path).pages == [SavedPage(path, path.as_uri())]


def test_file_names_are_percent_decoded_utf8(tmp_path):
    path = tmp_path / "café & co #1.url"
    path.write_text("[InternetShortcut]\nURL=https://a.example/1\n", encoding="utf-8")
    uri = path.as_uri()
    assert "caf%C3%A9%20%26%20co%20%231.url" in uri
    assert decode_drop({"text/uri-list": uri.encode()}).links == [
        Link("https://a.example/1", "café & co #1")]


def test_a_file_dragged_from_firefox_downloads_is_a_dropped_file():
    path = DROPS / "saved page.html"
    data = {"text/x-moz-url": moz_url((path.as_uri(), "saved page.html"))}
    assert decode_drop(data) == Drop(pages=[SavedPage(path, path.as_uri())])


def test_file_uris_with_localhost_or_one_slash(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("https://a.example/1\n", encoding="utf-8")
    for uri in (f"file://localhost{path}", f"file:{path}"):
        assert decode_drop({"text/uri-list": uri.encode()}).imports == [path], uri


def test_a_drop_of_files_and_links_keeps_order_and_counts_a_link_once():
    data = {"text/uri-list": uri_list(
        "https://example.org/articles/shortcut",  # the same page as the .url file's
        DROPS / "Example Article.url",
        DROPS / "saved page.html",
        DROPS / "bookmarks.html",
        DROPS / "saved page.html",
        "https://b.example/2",
    )}
    drop = decode_drop(data)
    assert drop.links == [Link("https://example.org/articles/shortcut", "Example Article"),
                          Link("https://b.example/2")]
    assert drop.pages == [SavedPage(DROPS / "saved page.html",
                                    (DROPS / "saved page.html").as_uri())]
    assert drop.imports == [DROPS / "bookmarks.html"]
    assert drop.duplicates == 2
    assert drop.problems == []


def test_a_file_drop_with_a_bad_file_keeps_the_good_ones(tmp_path):
    data = {"text/uri-list": uri_list(tmp_path / "gone.url", DROPS / "article.webloc"),
            "text/plain": f"{tmp_path / 'gone.url'}\n{DROPS / 'article.webloc'}".encode()}
    drop = decode_drop(data)
    assert drop.links == [Link("https://example.org/articles/webloc-xml", "article")]
    assert drop.problems == ["Could not read gone.url: no such file"]


def test_internet_shortcut_in_utf16_or_ansi(tmp_path):
    wide, ansi = tmp_path / "wide.url", tmp_path / "ansi.url"
    wide.write_bytes("[InternetShortcut]\r\nURL=https://a.example/1\r\n".encode("utf-16"))
    ansi.write_bytes(b"[InternetShortcut]\r\nURL=https://a.example/caf\xe9\r\n")
    assert decode_drop({"text/uri-list": uri_list(wide, ansi)}).links == [
        Link("https://a.example/1", "wide"), Link("https://a.example/café", "ansi")]


def test_kde_desktop_link_with_an_expandable_url(tmp_path):
    path = tmp_path / "kde.desktop"
    path.write_text("[Desktop Entry]\nType=Link\nURL[$e]=https://a.example/1\n", encoding="utf-8")
    assert only_drop_of(path).links == [Link("https://a.example/1", "kde")]


# Dropped files that cannot be used: a problem each, never an exception


BAD_FILES = [
    ("gone.html", None, "Could not read gone.html: no such file"),
    ("broken.webloc", b"\x00\x01garbage\xff" * 20, "broken.webloc is not a readable web location"),
    ("truncated.webloc", plistlib.dumps({"URL": "https://a.example/"},
                                        fmt=plistlib.FMT_BINARY)[:-12],
     "truncated.webloc is not a readable web location"),
    ("bad-xml.webloc", b"<?xml version='1.0'?><plist><dict><key>URL</key>",
     "bad-xml.webloc is not a readable web location"),
    ("no-url.webloc", plistlib.dumps({"Title": "x"}), "no-url.webloc is a web location file with "
                                                      "no URL"),
    ("list.webloc", plistlib.dumps(["https://a.example/"]), "list.webloc is a web location file"),
    ("old.webloc", b"", "old.webloc is empty"),
    ("no-url.url", b"[InternetShortcut]\r\nIconIndex=0\r\n", "no-url.url is not an Internet "
                                                            "shortcut"),
    ("other.url", b"[Other]\r\nURL=https://a.example/\r\n", "other.url is not an Internet"),
    ("ftp.url", b"[InternetShortcut]\r\nURL=ftp://x.example/a\r\n",
     "ftp.url: Reader saves web pages (http and https); ftp: links are not supported"),
    ("local.url", b"[InternetShortcut]\r\nURL=file:///C:/x.txt\r\n",
     "local.url: Not a web address: file:///C:/x.txt"),
    ("app.desktop", b"[Desktop Entry]\nType=Application\nExec=firefox\n",
     "app.desktop is not a link (it is a desktop entry of type Application)"),
    ("empty-link.desktop", b"[Desktop Entry]\nType=Link\n", "empty-link.desktop is a link with "
                                                            "no URL"),
    ("plain.desktop", b"just words\n", "plain.desktop is not a desktop entry"),
    ("empty.html", b"", "empty.html is empty"),
    ("empty.csv", b"", "empty.csv is empty"),
    ("notes.txt", b"Buy milk.\nCall Sam.\n", "notes.txt has no web addresses in it"),
    ("photo.png", b"\x89PNG\r\n\x1a\n", "photo.png is not a link, a saved web page or an export"),
    ("README", b"words", "README is not a link"),
    ("huge.url", b"[InternetShortcut]\nURL=https://a.example/\n" + b" " * (1 << 20),
     "huge.url is too large to be a link file"),
]


@pytest.mark.parametrize(("name", "content", "problem"), BAD_FILES,
                         ids=[name for name, _, _ in BAD_FILES])
def test_bad_dropped_file_is_a_problem_beside_what_works(tmp_path, name, content, problem):
    path = tmp_path / name if content is None else write_file(tmp_path, name, content)
    drop = decode_drop({"text/uri-list": uri_list(path, "https://a.example/ok")})
    assert drop.links == [Link("https://a.example/ok")]
    assert len(drop.problems) == 1
    assert drop.problems[0].startswith(problem)


@pytest.mark.parametrize(("name", "content", "problem"), BAD_FILES,
                         ids=[name for name, _, _ in BAD_FILES])
def test_bad_dropped_file_alone_says_why(tmp_path, name, content, problem):
    path = tmp_path / name if content is None else write_file(tmp_path, name, content)
    assert problems_of({"text/uri-list": uri_list(path)}).startswith(problem)


def test_a_dropped_folder_is_a_problem(tmp_path):
    folder = tmp_path / "articles.html"
    folder.mkdir()
    assert problems_of({"text/uri-list": uri_list(folder)}) == \
        "articles.html is a folder: drop the files in it instead"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_dropped_pipe_is_a_problem_not_a_hang(tmp_path):
    pipe = tmp_path / "pipe.url"
    os.mkfifo(pipe)
    assert problems_of({"text/uri-list": uri_list(pipe)}) == "pipe.url is not a regular file"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply (not root)")
def test_an_unreadable_file_is_a_problem(tmp_path):
    path = write_file(tmp_path, "secret.url", b"[InternetShortcut]\nURL=https://a.example/\n")
    path.chmod(0)
    try:
        assert problems_of({"text/uri-list": uri_list(path)}) == \
            "Could not read secret.url: permission denied"
    finally:
        path.chmod(0o644)


def test_an_unreadable_file_is_a_problem_whoever_runs_the_tests(tmp_path, monkeypatch):
    path = write_file(tmp_path, "secret.webloc", plistlib.dumps({"URL": "https://a.example/"}))

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert problems_of({"text/uri-list": uri_list(path)}) == \
        "Could not read secret.webloc: permission denied"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows reads file://host/ as a UNC path")
def test_a_file_on_another_computer_is_a_problem():
    assert problems_of({"text/uri-list": b"file://server/share/article.url\r\n"}) == \
        "article.url is on another computer (server)"


@pytest.mark.parametrize("uri", ["file:///tmp/x%00y.url", "file://", "file:relative.url",
                                 "file://[bad/x.url"])
def test_malformed_file_uris_are_problems(uri):
    message = problems_of({"text/uri-list": uri.encode()})
    assert message.startswith(("Not a file address", "Could not read")), message


@pytest.mark.parametrize("name", ["article.webloc", "article-binary.webloc", "article.desktop",
                                  "Example Article.url", "bookmarks.html"])
def test_damaged_link_files_never_raise_anything_else(tmp_path, name):
    original = (DROPS / name).read_bytes()
    rng = random.Random(name)
    for attempt in range(150):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[: rng.randrange(len(damaged))]
        path = write_file(tmp_path, f"{attempt}-{name}", bytes(damaged))
        try:
            drop = only_drop_of(path)
        except CaptureError:
            continue
        assert len(drop.links) + len(drop.pages) + len(drop.imports) == 1
