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


def test_decode_html_header_charset_wins_over_meta():
    raw = '<meta charset="windows-1252"><p>café</p>'.encode("utf-8")
    assert "<p>café</p>" in decode_html(raw, "utf-8")
    # Without the header, the (wrong) meta tag is believed.
    assert "<p>cafÃ©</p>" in decode_html(raw)


def test_decode_html_defaults_to_utf8():
    assert decode_html("<p>Fuß und Straße</p>".encode("utf-8")) == "<p>Fuß und Straße</p>"


