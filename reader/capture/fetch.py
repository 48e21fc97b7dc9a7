"""Fetching a page over HTTP(S), within limits, with a message for every way it can fail."""

from __future__ import annotations

import functools
import re
import socket
import ssl
from dataclasses import dataclass

import httpx

from reader import __version__
from reader.errors import CaptureError

MAX_BYTES = 20_000_000
MAX_REDIRECTS = 10
TIMEOUT_SECONDS = 20.0
# Many sites serve a stripped page, or nothing, to clients that do not look like a browser.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/131.0 Safari/537.36 Reader/{__version__}"
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Leading bytes of formats that are sometimes served with a wrong HTML content type.
_NOT_HTML_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive",
}


@dataclass(frozen=True)
class Page:
    url: str  # where we ended up, after redirects
    content_type: str
    raw: bytes
    html: str


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client: making one reads the CA bundle, about 30 ms of CPU
    (holding the GIL), which per page would cost more than the requests themselves."""
    return httpx.create_ssl_context()


def fetch(url: str, timeout: float = TIMEOUT_SECONDS) -> Page:
    """Download ``url`` as an HTML page. Raises CaptureError with a user-facing reason."""
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Language": "en;q=0.8,*;q=0.5",
    }
    # A fresh client per page: no cookies carried from one site to the next.
    with httpx.Client(
        headers=headers,
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        verify=tls_context(),
    ) as client:
        try:
            with client.stream("GET", url) as response:
                _check_status(response)
                content_type = response.headers.get("content-type", "")
                _check_content_type(content_type, url)
                raw = _read_capped(response)
                final_url = str(response.url)
                charset = response.charset_encoding
        except httpx.TimeoutException as error:
            raise CaptureError(f"The server took too long to answer ({timeout:g} s): {url}") from error
        except httpx.TooManyRedirects as error:
            raise CaptureError(f"Too many redirects (more than {MAX_REDIRECTS}): {url}") from error
        except httpx.TransportError as error:
            raise CaptureError(_transport_message(error, url)) from error
    _check_magic(raw, url)
    return Page(url=final_url, content_type=content_type, raw=raw, html=decode_html(raw, charset))


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
            return raw.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", "replace")


def _check_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        reason = response.reason_phrase or "error"
        raise CaptureError(
            f"The server answered {response.status_code} {reason} for {response.url}"
        )


def _check_content_type(content_type: str, url: str) -> None:
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        raise CaptureError(f"This is not an HTML page (it is {mime}): {url}")


def _check_magic(raw: bytes, url: str) -> None:
    for magic, what in _NOT_HTML_MAGIC.items():
        if raw.startswith(magic):
            raise CaptureError(f"This is not an HTML page (it is {what}): {url}")


def _read_capped(response: httpx.Response) -> bytes:
    # iter_bytes yields decompressed data, so the cap also stops decompression bombs.
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise CaptureError(
                f"The page is larger than {MAX_BYTES / 1_000_000:g} MB; not saved: {response.url}"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _transport_message(error: httpx.TransportError, url: str) -> str:
    host = httpx.URL(url).host
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"Could not find the server {host} (check the address and your connection)."
        if isinstance(cause, ConnectionRefusedError):
            return f"The server {host} refused the connection."
        cause = cause.__cause__ or cause.__context__
    text = str(error).lower()
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return f"Could not find the server {host} (check the address and your connection)."
    if "refused" in text:
        return f"The server {host} refused the connection."
    return f"Could not fetch {url}: {error}"
