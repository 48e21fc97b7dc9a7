"""Charset decoding of fetched pages (reader.capture.fetch.decode_html) on hostile input: any
bytes, any charset a header or a ``<meta>`` can name, always text and never an exception.

The module belongs to fetch; these properties live apart so they can be run on their own."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.capture.fetch import decode_html

# Names a server or a page may give: real charsets, aliases, codecs that are no text encoding,
# and nonsense.
CHARSETS = ["utf-8", "UTF-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis", "euc-kr",
            "gb18030", "big5", "koi8-r", "utf-7", "idna", "punycode", "undefined", "rot13",
            "base64", "hex", "zlib", "mbcs", "unicode_escape", "raw_unicode_escape", "x-bogus",
            "", "utf-8-sig", "iso-2022-jp", "cp65001"]
_charset = st.sampled_from(CHARSETS) | st.text(max_size=12)
_bodies = st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8"))


def meta(charset: str) -> bytes:
    return f'<html><head><meta charset="{charset}"></head><body>'.encode("ascii", "replace")


@settings(max_examples=200, deadline=None)
@given(body=_bodies, header=st.none() | _charset, named=st.none() | st.sampled_from(CHARSETS))
def test_any_page_in_any_charset_decodes_to_text(body, header, named):
    raw = (meta(named) if named is not None else b"") + body
    assert isinstance(decode_html(raw, header), str)


@pytest.mark.parametrize("raw, charset", [
    (meta("undefined") + "<p>café".encode(), None),
    (meta("punycode"), None),
    ("<p>café".encode(), "undefined"),
    ("<p>café".encode(), "utf-8\x00"),  # found by the property above
])
def test_a_codec_that_is_no_charset_is_passed_over(raw, charset):
    assert "<" in decode_html(raw, charset)


def test_a_large_undecodable_page_is_decoded_in_bounded_time():
    raw = bytes(range(128, 256)) * 16_000  # 2 MB that is no UTF-8
    started = time.monotonic()
    assert decode_html(raw, None)
    assert time.monotonic() - started < 10
