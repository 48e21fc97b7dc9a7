"""Fetching pages: decoding their bytes to text."""

from reader.capture.fetch import decode_html


def test_decode_html_uses_the_meta_charset():
    raw = b'<html><head><meta charset="windows-1252"></head><body><p>caf\xe9</p></body></html>'
    text = decode_html(raw)
    assert "<p>café</p>" in text


def test_decode_html_uses_http_equiv_charset():
    raw = (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
           b"<p>\x93quoted\x94 na\xefve</p>")
    assert "<p>\u201cquoted\u201d naïve</p>" in decode_html(raw)


def test_a_page_labelled_latin1_or_ascii_is_read_as_windows_1252_as_browsers_read_it():
    raw = b"<p>\x93quoted\x94 na\xefve \x80 5 \x96 6\x81</p>"
    for label in ("iso-8859-1", "latin1", "us-ascii", "windows-1252"):
        assert decode_html(raw, label) == "<p>\u201cquoted\u201d naïve € 5 \u2013 6\x81</p>"


def test_decode_html_header_charset_wins_over_meta():
    raw = '<meta charset="windows-1252"><p>café</p>'.encode("utf-8")
    assert "<p>café</p>" in decode_html(raw, "utf-8")
    # Without the header, the (wrong) meta tag is believed.
    assert "<p>cafÃ©</p>" in decode_html(raw)


def test_decode_html_defaults_to_utf8():
    assert decode_html("<p>Fuß und Straße</p>".encode("utf-8")) == "<p>Fuß und Straße</p>"




# Fetching, from the fixture site on 127.0.0.1


def test_a_redirected_page_reports_where_it_ended(site):
    from reader.capture.fetch import fetch

    page = fetch(site.url("go/news-article.html"))
    assert page.url == site.url("news-article.html")
    assert page.local  # on this computer: its images may be fetched from here too
    assert "<h1" in page.html


def test_a_fetch_cancelled_before_it_starts_asks_nothing():
    import threading

    import pytest

    from reader.capture.fetch import fetch
    from reader.capture.web import DownloadCancelled
    from tests.hostile.server import HostileServer

    server = HostileServer()
    try:
        cancelled = threading.Event()
        cancelled.set()
        with pytest.raises(DownloadCancelled):
            fetch(server.url("/ok.html"), cancelled=cancelled)
        assert server.requests == []
    finally:
        server.close()
