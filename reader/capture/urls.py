"""Recognising, checking and normalising the web addresses users hand us."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reader.errors import CaptureError

SUPPORTED_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only track where a click came from; they never change the page.
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|ref_src)$")
_ENDS = re.compile(r"^[\x00-\x20\s]+|[\x00-\x20\s]+$")  # control characters and spaces
_TABS_AND_BREAKS = re.compile(r"[\t\r\n]")
_URL_IN_TEXT = re.compile(r"""\b(?:https?://|www\.)[^\s<>"'`]+""", re.IGNORECASE)


def check_url(text: str) -> str:
    """Return ``text`` as a web address we can fetch, or raise CaptureError saying why not."""
    # As a browser (and ``urlsplit``) reads an address: control characters and spaces at its
    # ends, and tabs and line breaks within it, are not part of it ("\x01https://..." from a
    # drop was accepted, then kept with its control character).
    candidate = _TABS_AND_BREAKS.sub("", _ENDS.sub("", text))
    if candidate.lower().startswith("www."):
        candidate = "https://" + candidate
    try:
        parts = urlsplit(candidate)
    except ValueError:  # "https://[oops": an unclosed IPv6 bracket
        raise CaptureError(f"Not a web address: {_shorten(text)}") from None
    if parts.scheme and parts.scheme.lower() not in SUPPORTED_SCHEMES and parts.netloc:
        raise CaptureError(
            f"Reader saves web pages (http and https); {parts.scheme}: links are not supported: "
            f"{_shorten(text)}"
        )
    if parts.scheme.lower() not in SUPPORTED_SCHEMES or not parts.hostname:
        raise CaptureError(f"Not a web address: {_shorten(text)}")
    try:
        parts.port  # noqa: B018 -- raises on a port that is not a number in range
    except ValueError:
        raise CaptureError(f"Not a web address (bad port): {_shorten(text)}") from None
    return candidate


def canonical_url(url: str) -> str:
    """The form of ``url`` that identifies an article: two links to one page give one article.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not _TRACKING_PARAMS.match(k)]
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def urls_in_text(text: str) -> list[str]:
    """Web addresses in free text (a paste, a text/uri-list), in order, without repeats.

    Lines of a text/uri-list starting with ``#`` are comments. Trailing punctuation that ends a
    sentence is not part of the address.
    """
    found: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in _URL_IN_TEXT.findall(line):
            url = _trim_trailing_punctuation(match)
            if url not in found:
                found.append(url)
    return found


def _trim_trailing_punctuation(url: str) -> str:
    """Drop what ends the sentence around a link, but keep a bracket the link itself opened
    (``https://en.wikipedia.org/wiki/Foo_(bar)``)."""
    pairs = {")": "(", "]": "[", "}": "{"}
    while url:
        last = url[-1]
        if last in ".,;:!?'\"":
            url = url[:-1]
        elif last in pairs and url.count(last) > url.count(pairs[last]):
            url = url[:-1]
        else:
            break
    return url


def _shorten(text: str, limit: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
