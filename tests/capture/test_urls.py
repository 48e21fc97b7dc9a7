"""Checking, normalising and finding web addresses; decoding drop/paste payloads."""

from __future__ import annotations

import pytest

from reader.capture.sources import decode_drop
from reader.capture.urls import canonical_url, check_url, urls_in_text
from reader.errors import CaptureError, UserError

# check_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://example.org/a", "http://example.org/a"),
        ("https://example.org/news/1?id=2", "https://example.org/news/1?id=2"),
        ("HTTPS://Example.org/", "HTTPS://Example.org/"),
        ("  https://example.org/padded \n", "https://example.org/padded"),
        ("www.example.org/page", "https://www.example.org/page"),
        ("WWW.Example.org", "https://WWW.Example.org"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("\x01https://a.example/x\x1f", "https://a.example/x"),  # as a browser reads it
        ("\u00a0https://a.example/x\u3000\x00", "https://a.example/x"),
        ("https://a.example/long\n/path\t", "https://a.example/long/path"),
    ],
)
def test_check_url_accepts_web_addresses(text, expected):
    assert check_url(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello world", "Not a web address: hello world"),
        ("", "Not a web address"),
        ("   ", "Not a web address"),
        ("example.org", "Not a web address: example.org"),
        ("https://", "Not a web address"),
        ("ftp://x.org/a", "ftp: links are not supported"),
        ("mailto:a@b.c", "Not a web address: mailto:a@b.c"),
        ("javascript:alert(1)", "Not a web address: javascript:alert(1)"),
        ("file:///etc/passwd", "Not a web address"),
    ],
)
def test_check_url_rejects_what_it_cannot_fetch(text, message):
    with pytest.raises(CaptureError) as caught:
        check_url(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, UserError)


def test_check_url_ftp_message_names_the_scheme_and_what_is_supported():
    with pytest.raises(CaptureError) as caught:
        check_url("ftp://x.org/a")
    message = str(caught.value)
    assert "ftp" in message
    assert "http and https" in message
    assert "ftp://x.org/a" in message


def test_check_url_shortens_long_input_in_its_message():
    with pytest.raises(CaptureError) as caught:
        check_url("word " * 100)
    message = str(caught.value)
    assert message.startswith("Not a web address: word word")
    assert message.endswith("…")
    assert len(message) < 120


@pytest.mark.parametrize("text", ["http://example.org:99999/", "http://example.org:abc/"])
def test_check_url_rejects_a_bad_port_as_a_user_error(text):
    # A port outside 0-65535 (or not a number) is not a fetchable address. It must be refused
    # here with a message, not surface later as a ValueError from canonical_url.
    with pytest.raises(CaptureError) as caught:
        check_url(text)
    assert text in str(caught.value)


# canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host case folded; the path keeps its case
        ("HTTPS://Example.ORG/Path/To", "https://example.org/Path/To"),
        # default ports dropped, others kept
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org:80/a", "https://example.org:80/a"),
        # fragment dropped
        ("https://example.org/a#section-2", "https://example.org/a"),
        # tracking parameters dropped, the rest kept in order
        (
            "https://example.org/a?utm_source=x&id=5&fbclid=abc&z=&gclid=2&utm_medium=y&b=3",
            "https://example.org/a?id=5&z=&b=3",
        ),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?b=2&a=1"),
        ("https://example.org/a?utm_campaign=spring", "https://example.org/a"),
        # empty path becomes "/"
        ("https://example.org", "https://example.org/"),
        ("https://example.org?id=1", "https://example.org/?id=1"),
        ("HTTP://EXAMPLE.ORG:80", "http://example.org/"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_identifies_one_page_behind_many_links():
    links = [
        "https://example.org/story",
        "HTTPS://EXAMPLE.org:443/story#comments",
        "https://example.org/story?utm_source=twitter&utm_medium=social",
        "https://example.org/story?fbclid=IwAR0xyz#top",
    ]
    assert {canonical_url(link) for link in links} == {"https://example.org/story"}
    assert canonical_url("https://example.org/story?page=2") != "https://example.org/story"


# urls_in_text


def test_urls_in_text_finds_many_among_words_in_order():
    text = (
        "Read https://a.example/one, then (http://b.example/two). Also www.c.example/three! "
        "And https://d.example/p?q=1&r=2; finally https://e.example/last."
    )
    assert urls_in_text(text) == [
        "https://a.example/one",
        "http://b.example/two",
        "www.c.example/three",
        "https://d.example/p?q=1&r=2",
        "https://e.example/last",
    ]


def test_urls_in_text_strips_trailing_punctuation():
    for end in [".", ",", ";", ":", "!", "?", ")", "]", "}", "'", '"', ".)", "!?"]:
        assert urls_in_text(f"see https://x.example/page{end}") == ["https://x.example/page"], end


def test_urls_in_text_skips_uri_list_comments_and_repeats():
    uri_list = (
        "# dragged from a browser\r\n"
        "https://a.example/1\r\n"
        "  # https://commented.example/out\r\n"
        "https://b.example/2\r\n"
        "https://a.example/1\r\n"
        "https://c.example/3\r\n"
    )
    assert urls_in_text(uri_list) == [
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
    ]


def test_urls_in_text_without_links_is_empty():
    assert urls_in_text("no links here, just example.org and ftp://x.org/a") == []
    assert urls_in_text("") == []


# Links in a drop or paste (decode_drop)


def _links(data):
    return [link.url for link in decode_drop(data).links]


def test_links_from_uri_list_with_comments():
    data = {
        "text/uri-list": b"# two links\r\nhttps://a.example/1\r\nhttps://b.example/2\r\n"
        b"# https://not.example/this\r\nhttps://a.example/1\r\n",
        "text/plain": b"https://ignored.example/plain",
    }
    assert _links(data) == ["https://a.example/1", "https://b.example/2"]


def test_links_from_plain_text_among_words():
    data = {"text/plain": "Worth reading: https://a.example/1 and http://b.example/2 — café."
            .encode("utf-8")}
    assert _links(data) == ["https://a.example/1", "http://b.example/2"]


def test_links_fall_back_to_plain_text_when_uri_list_has_none():
    data = {"text/uri-list": b"# only a comment\r\n", "text/plain": b"https://x.example/"}
    assert _links(data) == ["https://x.example/"]


def test_plain_text_that_is_not_a_link_is_refused():
    with pytest.raises(CaptureError, match="Not a web address: not a link"):
        _links({"text/plain": b"not a link"})


def test_plain_text_with_unsupported_scheme_says_so():
    with pytest.raises(CaptureError, match="ftp: links are not supported"):
        _links({"text/plain": b"ftp://x.org/a"})


@pytest.mark.parametrize(
    "data",
    [{}, {"text/plain": b""}, {"text/plain": b"  \n "}, {"text/uri-list": b"", "text/plain": b""}],
)
def test_empty_payload_is_refused(data):
    with pytest.raises(CaptureError, match="Nothing to add"):
        _links(data)
