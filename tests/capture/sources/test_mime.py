"""Reading the formats of one drag or paste (reader.capture.sources.mime): the best format wins,
one link is counted once, and nothing but a Drop or a CaptureError comes out.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.capture.sources import MAX_FORMAT_BYTES, NOTHING_TO_ADD, Drop, Link, decode_drop
from reader.errors import CaptureError
from tests.capture.sources.payloads import moz_url, problems_of, uri_list, url_w, windows


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


def test_plain_text_link_with_a_bad_port_or_host_is_a_problem():
    text = b"https://a.example:99999/x http://[oops/y https://b.example/"
    drop = decode_drop({"text/plain": text})
    assert drop.links == [Link("https://b.example/")]
    assert drop.problems == ["Not a web address (bad port): https://a.example:99999/x",
                             "Not a web address: http://[oops/y"]


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


def test_a_drop_too_large_to_read_on_the_ui_thread_is_refused_quickly():
    huge = b"https://a.example/x " * (MAX_FORMAT_BYTES // 20 + 1)
    started = time.monotonic()
    message = problems_of({"text/plain": huge})
    assert time.monotonic() - started < 1
    assert "larger than 8 MB" in message


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
