"""Text from the bytes of a drop in any encoding, binary refused, messages safe to show
(reader.capture.sources.text).
"""

from __future__ import annotations

import pytest

from reader.capture.sources import Link, decode_drop
from tests.capture.sources.payloads import problems_of, windows


def test_plain_text_under_a_format_name_with_a_charset():
    data = {"text/plain;charset=utf-16": "see https://a.example/ü".encode("utf-16")}
    assert decode_drop(data).links == [Link("https://a.example/ü")]


def test_plain_text_in_latin1_does_not_fail():
    data = {"text/plain": "Café: https://a.example/1".encode("latin-1")}
    assert decode_drop(data).links == [Link("https://a.example/1")]


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


def test_problem_messages_have_no_control_characters():
    message = problems_of({"text/uri-list": b"bad\x07link\r\nother\x1bone\r\n"})
    assert "\x07" not in message and "\x1b" not in message
    assert message.startswith("Nothing to add: Not a web address: bad?link")


def test_a_charset_that_is_no_text_encoding_falls_back_to_utf8():
    for charset in ("undefined", "rot13", "base64", "uu_codec"):
        drop = decode_drop({f"text/plain;charset={charset}": b"see https://a.example/x"})
        assert drop.links == [Link("https://a.example/x")]
