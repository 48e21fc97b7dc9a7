"""Fetching a page over HTTP(S), within limits, with a message for every way it can fail.

The limits themselves (deadline, size, redirects, where it may connect) are ``web``'s; this
module asks for a page and checks that what came is one.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from reader.capture.addresses import Reach
from reader.capture.web import MAX_REDIRECTS, USER_AGENT, Cancelled, get, tls_context
from reader.errors import CaptureError

__all__ = ["MAX_BYTES", "MAX_REDIRECTS", "TIMEOUT_SECONDS", "USER_AGENT", "Page", "StatusError",
           "decode_html", "fetch", "tls_context"]

MAX_BYTES = 20_000_000
TIMEOUT_SECONDS = 60.0  # for the whole page, headers included
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Browsers read a page labelled Latin-1, ASCII or windows-1252 as windows-1252 (the WHATWG
# Encoding standard): its bytes 0x80-0x9F are curly quotes, dashes and the euro sign, which
# Python's Latin-1 gives as control characters. The five it leaves undefined stay controls.
_AS_WINDOWS_1252 = frozenset(("iso8859-1", "ascii", "cp1252"))  # codecs.lookup() names
_WINDOWS_1252 = {code: bytes([code]).decode("cp1252", "ignore") or chr(code)
                 for code in range(0x80, 0xA0)}
# Leading bytes of formats that are sometimes served with a wrong HTML content type.
_NOT_HTML_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive",
}


class StatusError(CaptureError):
    """The server answered with an error (or a redirect without an address): ``status``."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Page:
    url: str  # where we ended up, after redirects
    content_type: str
    raw: bytes
    html: str
    # Whether the page came from this computer or its local network: only then may its images
    # be fetched from there too (pass it on to localise_images).
    local: bool = False


def fetch(url: str, timeout: float = TIMEOUT_SECONDS, *, cancelled: Cancelled = None,
          local_redirects: bool | None = None) -> Page:
    """Download ``url`` as an HTML page within ``timeout`` seconds in all; a ``cancelled`` that
    turns true ends it at once. Raises CaptureError with a user-facing reason.

    ``url`` itself may be anywhere (the user asked for it); ``local_redirects`` says whether it
    may redirect to this computer or its local network (None: only if it is there itself).
    """
    reach = Reach.for_page(local_redirects)
    response = get(url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                   max_bytes=MAX_BYTES, seconds=timeout, reach=reach, cancelled=cancelled,
                   check=lambda status, headers: _check_type(headers, url))
    if response.status >= 300:  # an error, or a redirect that gave no address
        raise StatusError(f"The server answered {response.status} {response.reason or 'error'} "
                          f"for {response.url}", response.status)
    _check_magic(response.body, url)
    return Page(url=response.url, content_type=response.headers.get("content-type", ""),
                raw=response.body, html=decode_html(response.body, response.charset),
                local=bool(reach.local))


def decode_html(raw: bytes, charset: str | None = None) -> str:
    """Text of an HTML page: charset from the HTTP header, else the page's meta tag, else UTF-8
    with a guess for pages that are not."""
    candidates = [charset] if charset else []
    meta = _META_CHARSET.search(raw[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            if codecs.lookup(name).name in _AS_WINDOWS_1252:
                return raw.decode("latin-1").translate(_WINDOWS_1252)
            return raw.decode(name)
        except (LookupError, ValueError):  # "undefined", "punycode", a NUL: no real charsets
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", "replace")


def _check_type(headers: dict[str, str], url: str) -> None:
    mime = headers.get("content-type", "").split(";")[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        raise CaptureError(f"This is not an HTML page (it is {mime[:60]}): {url}")


def _check_magic(raw: bytes, url: str) -> None:
    for magic, what in _NOT_HTML_MAGIC.items():
        if raw.startswith(magic):
            raise CaptureError(f"This is not an HTML page (it is {what}): {url}")
