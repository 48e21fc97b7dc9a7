"""Decoding what browsers and file managers put on a drag or the clipboard (reader.capture.sources).

Payloads are built as the window builds them: MIME format -> the raw bytes QMimeData.data() gives.
Dropped files are real files (tests/fixtures/drops, or made in tmp_path) named by file:// URIs.
"""

from __future__ import annotations

import os
import plistlib
import random
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.capture import sources
from reader.capture.sources import (
    NOTHING_TO_ADD,
    Drop,
    Link,
    SavedPage,
    decode_drop,
)
from reader.errors import CaptureError

DROPS = Path(__file__).resolve().parents[1] / "fixtures" / "drops"


def windows(name: str) -> str:
    """How Qt names a Windows clipboard format it does not convert."""
    return f'application/x-qt-windows-mime;value="{name}"'


def uri_list(*items: Path | str) -> bytes:
    """A text/uri-list as file managers write it: CRLF line ends, files as file:// URIs."""
    return "".join(f"{item.as_uri() if isinstance(item, Path) else item}\r\n"
                   for item in items).encode("utf-8")


def moz_url(*pairs: tuple[str, str], bom: bool = False) -> bytes:
    """Firefox's text/x-moz-url: UTF-16LE, URL and title on alternating lines."""
    text = "\n".join(f"{url}\n{title}" for url, title in pairs)
    return ("\ufeff" if bom else "").encode("utf-16-le") + text.encode("utf-16-le")


def url_w(url: str) -> bytes:
    """Windows UniformResourceLocatorW: UTF-16LE with a NUL at the end."""
    return (url + "\0").encode("utf-16-le")


def only_drop_of(path: Path) -> Drop:
    return decode_drop({"text/uri-list": uri_list(path)})


def problems_of(data: dict[str, bytes]) -> str:
    """The message when nothing in ``data`` is usable."""
    with pytest.raises(CaptureError) as caught:
        decode_drop(data)
    return str(caught.value)


# text/uri-list


def test_uri_list_gives_its_links_in_order_skipping_comments():
    data = {"text/uri-list": b"# dragged from a browser\r\nhttps://a.example/1\r\n"
                             b"https://b.example/2\r\n  # https://commented.example/out\r\n"
                             b"\r\nwww.c.example/3\r\n"}
    drop = decode_drop(data)
    assert drop == Drop(links=[Link("https://a.example/1"), Link("https://b.example/2"),
                               Link("https://www.c.example/3")])


def test_uri_list_counts_links_to_one_page_once():
    data = {"text/uri-list": uri_list("https://a.example/story", "https://b.example/",
                                      "HTTPS://A.example:443/story#comments",
                                      "https://a.example/story?utm_source=feed",
                                      "https://b.example/")}
    drop = decode_drop(data)
    assert [link.url for link in drop.links] == ["https://a.example/story", "https://b.example/"]
    assert drop.duplicates == 3


def test_uri_list_reports_what_it_cannot_fetch_and_keeps_the_rest():
    data = {"text/uri-list": uri_list("ftp://x.example/file", "https://a.example/1",
                                      "mailto:someone@example.org")}
    drop = decode_drop(data)
    assert drop.links == [Link("https://a.example/1")]
    assert len(drop.problems) == 2
    assert "ftp: links are not supported" in drop.problems[0]
    assert "Not a web address: mailto:someone@example.org" in drop.problems[1]


# text/x-moz-url (Firefox)


def test_moz_url_gives_link_and_title():
    drop = decode_drop({"text/x-moz-url": moz_url(("https://a.example/1", "The first one"))})
    assert drop.links == [Link("https://a.example/1", "The first one")]


def test_moz_url_with_bom_several_pairs_and_trailing_nul():
    raw = moz_url(("https://a.example/1", "One"), ("https://b.example/2", "Two"),
                  ("https://c.example/3", "Three"), bom=True) + "\0".encode("utf-16-le")
    drop = decode_drop({"text/x-moz-url": raw})
    assert drop.links == [Link("https://a.example/1", "One"), Link("https://b.example/2", "Two"),
                          Link("https://c.example/3", "Three")]


def test_moz_url_title_that_is_the_url_or_empty_is_no_title():
    raw = moz_url(("https://a.example/1", "https://a.example/1"), ("https://b.example/2", ""),
                  ("https://c.example/3", "  Spaced \t out  "))
    assert decode_drop({"text/x-moz-url": raw}).links == [
        Link("https://a.example/1"), Link("https://b.example/2"),
        Link("https://c.example/3", "Spaced out"),
    ]


def test_moz_url_without_a_title_line():
    raw = "https://a.example/1".encode("utf-16-le")
    assert decode_drop({"text/x-moz-url": raw}).links == [Link("https://a.example/1")]


def test_moz_url_title_with_a_form_feed_does_not_shift_the_pairs():
    raw = moz_url(("https://a.example/1", "Page\x0cone"), ("https://b.example/2", "Two"))
    assert [link.url for link in decode_drop({"text/x-moz-url": raw}).links] == [
        "https://a.example/1", "https://b.example/2"]


# What browsers really put on one drag: one link, never counted twice


def test_firefox_link_drag_gives_one_link_with_its_title():
    url = "https://example.org/articles/bread?utm_source=rss"
    data = {
        "text/x-moz-url": moz_url((url, "Why slow bread is better")),
        "text/uri-list": uri_list(url),
        "text/html": f'<a href="{url}">Slow bread</a>'.encode(),
        "text/plain": url.encode(),
        "text/_moz_htmlcontext": b"<html><body></body></html>",
        "application/x-moz-file-promise-url": url.encode(),
    }
    assert decode_drop(data) == Drop(links=[Link(url, "Why slow bread is better")])


def test_chrome_link_drag_takes_its_title_from_the_html():
    url = "https://example.org/articles/bread"
    data = {
        "text/uri-list": uri_list(url),
        "text/html": f'<meta charset="utf-8"><a href="{url}">Why slow bread is better</a>'.encode(),
        "text/plain": url.encode(),
    }
    assert decode_drop(data) == Drop(links=[Link(url, "Why slow bread is better")])


def test_windows_link_drag_gives_one_link():
    url = "https://example.org/articles/bread"
    data = {
        "text/uri-list": uri_list(url),
        windows("UniformResourceLocatorW"): url_w(url),
        windows("UniformResourceLocator"): url.encode("cp1252") + b"\0",
        windows("FileGroupDescriptorW"): bytes(range(256)) * 2,
        windows("FileContents"): b"[InternetShortcut]\r\nURL=https://elsewhere.example/\r\n",
        "text/html": f'<a href="{url}">Slow bread</a>'.encode(),
        "text/plain": url.encode(),
    }
    assert decode_drop(data) == Drop(links=[Link(url, "Slow bread")])


def test_html_is_preferred_to_plain_text():
    data = {
        "text/html": b'<p>See <a href="https://a.example/article">this article</a>.</p>',
        "text/plain": b"See this article. Also https://b.example/not-in-the-html",
    }
    assert decode_drop(data).links == [Link("https://a.example/article", "this article")]


def test_link_flavours_are_preferred_to_html():
    data = {
        "text/uri-list": uri_list("https://a.example/1"),
        "text/html": b'<a href="https://a.example/1">One</a> <a href="https://b.example/2">2</a>',
    }
    assert decode_drop(data).links == [Link("https://a.example/1", "One")]


def test_a_broken_best_flavour_falls_back_to_the_next():
    data = {
        "text/x-moz-url": b"h\x00t\x00t",  # odd length: not UTF-16
        "text/uri-list": uri_list("https://a.example/1"),
    }
    assert decode_drop(data) == Drop(links=[Link("https://a.example/1")])


# text/html


def test_html_selection_gives_every_web_link_with_its_text():
    html = (
        '<ul><li><a href="https://a.example/1">First <b>story</b></a></li>'
        '<li><a href="https://b.example/2?x=1&amp;y=2" title="t">Second &amp; last</a></li>'
        '<li><a href="https://c.example/3"><img src="x.png" alt="A picture"></a></li>'
        '<li><a href="mailto:editor@example.org">Write to us</a></li>'
        '<li><a href="javascript:void(0)">Menu</a> <a href="#top">Top</a> <a name="x">x</a></li>'
        '<li><a href="ftp://files.example/f">files</a> <a href="/relative">skipped</a></li>'
        '<li><a href="https://a.example/1#comments">First story, again</a></li></ul>'
    )
    drop = decode_drop({"text/html": html.encode()})
    assert drop.links == [
        Link("https://a.example/1", "First story"),
        Link("https://b.example/2?x=1&y=2", "Second & last"),
        Link("https://c.example/3", "A picture"),
    ]
    assert drop.duplicates == 1
    assert drop.problems == []


def test_html_relative_links_resolve_against_its_base():
    html = (b'<base href="https://news.example/section/index.html">'
            b'<a href="story-1">One</a> <a href="/top/story-2">Two</a> '
            b'<a href="//cdn.example/story-3">Three</a>')
    assert [link.url for link in decode_drop({"text/html": html}).links] == [
        "https://news.example/section/story-1",
        "https://news.example/top/story-2",
        "https://cdn.example/story-3",
    ]


def test_html_relative_links_resolve_against_a_windows_source_url():
    html = (b"Version:0.9\r\nStartHTML:00000097\r\nEndHTML:00000170\r\n"
            b"SourceURL:https://news.example/today/\r\n"
            b'<html><body><!--StartFragment--><a href="story">Story</a><!--EndFragment-->'
            b"</body></html>")
    assert decode_drop({"text/html": html}).links == [
        Link("https://news.example/today/story", "Story")]


def test_html_with_only_relative_links_and_no_base_has_nothing_to_add():
    assert problems_of({"text/html": b'<a href="/story">Story</a>'}) == \
        "Not a web address: Story"


def test_html_selection_without_links_falls_back_to_its_text():
    html = (b"<p>Worth reading: https://a.example/1 and</p><p>www.b.example/2.</p>"
            b"<script>var u = 'https://script.example/';</script>")
    assert decode_drop({"text/html": html}).links == [
        Link("https://a.example/1"), Link("https://www.b.example/2")]


def test_html_in_utf16_with_a_bom_as_firefox_gives_it_on_linux():
    html = '\ufeff<a href="https://a.example/caf%C3%A9">Café</a>'.encode("utf-16-le")
    assert decode_drop({"text/html": html}).links == [
        Link("https://a.example/caf%C3%A9", "Café")]


def test_html_that_breaks_the_parser_keeps_the_links_before_the_break():
    html = b'<a href="https://a.example/1">One</a><![</'
    drop = decode_drop({"text/html": html})
    assert drop.links == [Link("https://a.example/1", "One")]
    assert drop.problems == ["Part of the dropped HTML could not be read"]


# text/plain


def test_plain_text_gives_every_link_among_words():
    text = ("Read https://a.example/one, then (http://b.example/two). Also www.c.example/three! "
            "Bye.")
    assert decode_drop({"text/plain": text.encode()}).links == [
        Link("https://a.example/one"), Link("http://b.example/two"),
        Link("https://www.c.example/three"),
    ]


def test_plain_text_counts_repeated_links():
    text = ("https://a.example/1 https://a.example/1\nhttps://a.example/1?utm_medium=x\n"
            "https://b.example/2")
    drop = decode_drop({"text/plain": text.encode()})
    assert drop.links == [Link("https://a.example/1"), Link("https://b.example/2")]
    assert drop.duplicates == 2


def test_plain_text_under_a_format_name_with_a_charset():
    data = {"text/plain;charset=utf-16": "see https://a.example/ü".encode("utf-16")}
    assert decode_drop(data).links == [Link("https://a.example/ü")]


def test_plain_text_in_latin1_does_not_fail():
    data = {"text/plain": "Café: https://a.example/1".encode("latin-1")}
    assert decode_drop(data).links == [Link("https://a.example/1")]


# Fifty links in, fifty links out


FIFTY = [f"https://site{i}.example/articles/{i}" for i in range(50)]


@pytest.mark.parametrize(
    "data",
    [
        {"text/plain": "\n".join(FIFTY).encode()},
        {"text/plain": " ".join(FIFTY).encode()},
        {"text/uri-list": uri_list(*FIFTY)},
        {"text/x-moz-url": moz_url(*[(url, f"Article {i}") for i, url in enumerate(FIFTY)])},
        {"text/html": "".join(f'<a href="{url}">{url}</a><br>' for url in FIFTY).encode()},
    ],
    ids=["plain-lines", "plain-words", "uri-list", "x-moz-url", "html"],
)
def test_fifty_links_give_fifty_links(data):
    drop = decode_drop(data)
    assert [link.url for link in drop.links] == FIFTY
    assert drop.duplicates == 0


# Windows formats


def test_windows_unicode_url_alone():
    raw = url_w("https://a.example/café") + b"\xab\xcd\xef"  # whatever followed the NUL
    assert decode_drop({windows("UniformResourceLocatorW"): raw}).links == [
        Link("https://a.example/café")]


def test_windows_ansi_url_alone():
    raw = b"https://a.example/1\0\0\0"
    assert decode_drop({windows("UniformResourceLocator"): raw}).links == [
        Link("https://a.example/1")]


def test_windows_unicode_url_is_preferred_to_ansi():
    data = {windows("UniformResourceLocator"): b"https://a.example/caf?\0",
            windows("UniformResourceLocatorW"): url_w("https://a.example/café")}
    assert decode_drop(data).links == [Link("https://a.example/café")]


def test_windows_file_group_descriptor_is_ignored():
    data = {windows("FileGroupDescriptorW"): b"\x01\x00\x00\x00" + bytes(588)}
    assert problems_of(data) == NOTHING_TO_ADD


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


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


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
    path = tmp_path / name if content is None else _write(tmp_path, name, content)
    drop = decode_drop({"text/uri-list": uri_list(path, "https://a.example/ok")})
    assert drop.links == [Link("https://a.example/ok")]
    assert len(drop.problems) == 1
    assert drop.problems[0].startswith(problem)


@pytest.mark.parametrize(("name", "content", "problem"), BAD_FILES,
                         ids=[name for name, _, _ in BAD_FILES])
def test_bad_dropped_file_alone_says_why(tmp_path, name, content, problem):
    path = tmp_path / name if content is None else _write(tmp_path, name, content)
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
    path = _write(tmp_path, "secret.url", b"[InternetShortcut]\nURL=https://a.example/\n")
    path.chmod(0)
    try:
        assert problems_of({"text/uri-list": uri_list(path)}) == \
            "Could not read secret.url: permission denied"
    finally:
        path.chmod(0o644)


def test_an_unreadable_file_is_a_problem_whoever_runs_the_tests(tmp_path, monkeypatch):
    path = _write(tmp_path, "secret.webloc", plistlib.dumps({"URL": "https://a.example/"}))

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


# Bad data in the formats: a problem or a CaptureError, never anything else


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text/x-moz-url": b"h\x00t\x00t"}, "not valid UTF-16"),  # odd length
        ({"text/x-moz-url": b"\x00\xd8h\x00"}, "not valid UTF-16"),  # a lone surrogate
        ({"text/x-moz-url": b"\xff\xfe\x00\xdc"}, "not valid UTF-16"),
        ({"text/x-moz-url": b"\xc3\x28 no NULs, not UTF-8"}, "not valid UTF-16"),
        ({windows("UniformResourceLocatorW"): b"h\x00\x00\xdc\x00\x00"}, "not valid UTF-16"),
        ({windows("UniformResourceLocatorW"): b"h\x00t\x00t"}, "not valid UTF-16"),
        ({"text/uri-list": bytes(range(256)) * 4}, "not readable text"),
        ({"text/plain": bytes(range(256)) * 4}, "The pasted text is not readable text"),
        ({"text/html": b"\x00\x01\x02\x03" * 100}, "The dropped HTML is not readable text"),
        ({windows("UniformResourceLocator"): b"\x01\x02\x03\x04"}, "not readable text"),
    ],
)
def test_malformed_data_says_so(data, message):
    assert message in problems_of(data)


def test_plain_text_link_with_a_bad_port_or_host_is_a_problem():
    text = b"https://a.example:99999/x http://[oops/y https://b.example/"
    drop = decode_drop({"text/plain": text})
    assert drop.links == [Link("https://b.example/")]
    assert drop.problems == ["Not a web address (bad port): https://a.example:99999/x",
                             "Not a web address: http://[oops/y"]


def test_problem_messages_have_no_control_characters():
    message = problems_of({"text/uri-list": b"bad\x07link\r\nother\x1bone\r\n"})
    assert "\x07" not in message and "\x1b" not in message
    assert message.startswith("Nothing to add: Not a web address: bad?link")


_DROP_FORMATS = st.sampled_from([
    "text/x-moz-url", "text/uri-list", "text/html", "text/plain", "TEXT/HTML; charset=utf-16",
    windows("UniformResourceLocatorW"), windows("UniformResourceLocator"),
    windows("FileGroupDescriptorW"), "text/plain;charset=bogus-charset",
    "text/plain;charset=undefined", "text/html;charset=punycode", "text/plain;charset=utf-7",
    "text/uri-list;charset=idna",
])
_DROP_WORDS = st.sampled_from([
    b"https://a.example/x", b"www.b.example", b"file:///etc/passwd", b"file://host/x.url",
    b"file:///tmp/%00x.html", b"\r\n", b"\0", b"#", b"<a href=", b"<base href=", b">", b"</a>",
    b"&#", b"&#x", b"9" * 40, b"<![", b"<!--", b"http://[", b":99999", b"\xff\xfe", b"\x1b]0;",
    "h\u00e9".encode(), b"javascript:",
])
_DROP_BYTES = st.lists(_DROP_WORDS | st.binary(max_size=30), max_size=12).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(_DROP_FORMATS, _DROP_BYTES | st.binary(max_size=300), max_size=5))
def test_any_drop_ends_in_a_drop_or_a_capture_error(data):
    try:
        drop = decode_drop(data)
    except CaptureError as error:
        assert str(error)
        return
    assert isinstance(drop, Drop)
    assert all(link.url.lower().startswith(("http://", "https://")) for link in drop.links)


def test_a_charset_that_is_no_text_encoding_falls_back_to_utf8():
    for charset in ("undefined", "rot13", "base64", "uu_codec"):
        drop = decode_drop({f"text/plain;charset={charset}": b"see https://a.example/x"})
        assert drop.links == [Link("https://a.example/x")]


def test_a_character_reference_of_thousands_of_digits_is_a_problem_not_a_crash():
    html = f'<a href="https://a.example/">&#{"9" * 5000};</a>'.encode()
    drop = decode_drop({"text/html": html, "text/plain": b"https://b.example/"})
    assert drop.links == [Link("https://a.example/")]  # read before the reference
    with pytest.raises(CaptureError, match="could not be read"):
        decode_drop({"text/html": f'<p title="&#{"9" * 5000};">'.encode()})


def test_a_drop_too_large_to_read_on_the_ui_thread_is_refused_quickly():
    huge = b"https://a.example/x " * (sources.MAX_FORMAT_BYTES // 20 + 1)
    started = time.monotonic()
    message = problems_of({"text/plain": huge})
    assert time.monotonic() - started < 1
    assert "larger than 8 MB" in message


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
        path = _write(tmp_path, f"{attempt}-{name}", bytes(damaged))
        try:
            drop = only_drop_of(path)
        except CaptureError:
            continue
        assert len(drop.links) + len(drop.pages) + len(drop.imports) == 1


# Nothing usable


@pytest.mark.parametrize(
    "data",
    [{}, {"text/plain": b""}, {"text/plain": b"  \n "}, {"text/uri-list": b"# just a comment\r\n"},
     {"text/html": b"<p>  </p>"}, {"application/x-unknown": b"https://a.example/"}],
)
def test_nothing_usable_says_what_to_do(data):
    assert problems_of(data) == NOTHING_TO_ADD


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text/plain": b"bread"}, "Not a web address: bread"),
        ({"text/plain": b"  some\nwords  "}, "Not a web address: some words"),
        ({"text/html": b"<b>bread</b>", "text/plain": b"bread"}, "Not a web address: bread"),
        ({"text/plain": b"ftp://x.example/a"}, "ftp: links are not supported"),
        ({"text/plain": b"example.org"}, "Not a web address: example.org"),
    ],
)
def test_text_that_is_not_a_link_says_why(data, message):
    assert message in problems_of(data)


def test_many_problems_are_summed_up():
    message = problems_of({"text/uri-list": uri_list(*[f"ftp://x.example/{i}" for i in range(5)])})
    assert message.startswith("Nothing to add: Reader saves web pages")
    assert message.endswith("; and 2 more")
