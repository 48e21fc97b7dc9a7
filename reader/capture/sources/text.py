"""Text from the bytes of a drop: decoded whatever its encoding, refused when it is binary, made
safe to show in a message."""

from __future__ import annotations

import codecs
import re
import unicodedata

from reader.errors import CaptureError


def decoded_text(raw: bytes, charset: str | None = None, fallback: str = "utf-8") -> str:
    """Text from bytes: a byte-order mark decides, then UTF-16 without one (ASCII text with a
    NUL after every letter), then ``charset``, then UTF-8 (or ``fallback`` when it isn't)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, "replace").rstrip("\0")
    if _looks_like_utf16le(raw):
        return raw.decode("utf-16-le", "replace").rstrip("\0")
    if charset:
        try:
            return raw.decode(charset, "replace").rstrip("\0")
        # A charset Python does not know (LookupError), or a codec that is no charset at all
        # ("undefined", "punycode": UnicodeError even with "replace").
        except (LookupError, UnicodeError):
            pass
    try:
        return raw.decode("utf-8").rstrip("\0")
    except UnicodeDecodeError:
        return raw.decode(fallback, "replace").rstrip("\0")


def strict_utf16(raw: bytes) -> str:
    """Strict UTF-16 (little-endian unless a byte-order mark says otherwise); UTF-8 accepted
    when there is no NUL byte at all, which UTF-16 text never lacks."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    elif b"\0" in raw:
        text = raw.decode("utf-16-le")
    else:
        text = raw.decode("utf-8")
    return text.rstrip("\0")


def _looks_like_utf16le(raw: bytes) -> bool:
    odd = raw[1::2]
    return len(raw) >= 2 and odd.count(0) > len(odd) // 2 and raw[0::2].count(0) < len(odd) // 2


def require_text(text: str, what: str) -> None:
    """Refuse binary data posing as text (more than a tenth unreadable characters)."""
    unreadable = sum(1 for char in text if _unreadable(char))
    if unreadable * 10 > len(text):
        raise CaptureError(f"{what} is not readable text")


def _unreadable(char: str) -> bool:
    return char == "\ufffd" or (
        char not in "\t\n\r\f\v" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn")
    )


def printable(text: str) -> str:
    """``text`` with each unreadable character (a control character, say) as ``?``."""
    return "".join("?" if _unreadable(char) else char for char in text)


def split_lines(text: str) -> list[str]:
    """Lines split at CR, LF or CRLF only (str.splitlines also splits at form feeds and more,
    which would shift the URL/title pairs of a text/x-moz-url)."""
    return re.split(r"\r\n|\r|\n", text)
