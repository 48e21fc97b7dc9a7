"""An article's pictures, kept in the library, so that reading never touches the network.

After extraction, ``localise_images`` downloads each ``<img src>`` of the article (absolute
http(s) only, at most ``MAX_IMAGES`` addresses, each at most ``MAX_IMAGE_BYTES``, served as an
image and looking like one), stores it once per content (sha256), and points the ``<img>`` at
``reader-image:<hash>``, which the reader view answers from the library with ``image_bytes``.
An image that cannot be kept costs the article nothing: the ``<img>`` gives way to its alt text
(or goes, if it has none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import lxml.html

from reader.capture.fetch import MAX_REDIRECTS, USER_AGENT, tls_context
from reader.library import Library
from reader.library.images import article_images, image_bytes, store_image

__all__ = [
    "SCHEME",
    "LocalImages",
    "image_bytes",
    "image_url",
    "localise_images",
    "use_stored_images",
]

log = logging.getLogger(__name__)

SCHEME = "reader-image"
MAX_IMAGES = 50  # image addresses tried per article; the rest are left out
MAX_IMAGE_BYTES = 5_000_000
TIMEOUT_SECONDS = 20.0
# Some servers send images as untyped bytes; those are kept only if the bytes are an image.
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")
# Leading bytes of the formats the reader view can show, and their content types.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

Slot = Callable[[str], AbstractContextManager]  # url -> a context that holds a request slot


@dataclass
class LocalImages:
    """An article body with its images made local."""

    body_html: str
    images: list[tuple[str, str]] = field(default_factory=list)  # (url, hash), each url once
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why it was left out)


class _Unusable(Exception):
    """Why one image is not kept."""


def image_url(digest: str) -> str:
    """The address an ``<img>`` uses for a stored image."""
    return f"{SCHEME}:{digest}"


def localise_images(
    library: Library,
    body_html: str,
    page_url: str,
    *,
    slot: Slot = lambda url: nullcontext(),
    cancelled: Callable[[], bool] = lambda: False,
    timeout: float = TIMEOUT_SECONDS,
    max_images: int = MAX_IMAGES,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> LocalImages:
    """Download and store the images of ``body_html`` (the article at ``page_url``); return the
    body pointing at the stored copies.

    Each download runs inside ``slot(url)`` (the capture queue's per-host limit). Images are
    stored as they arrive; ``cancelled()`` stops the downloads early (the rest are left out).
    """
    if "<img" not in body_html:
        return LocalImages(body_html)
    fragment = lxml.html.fragment_fromstring(body_html, create_parent="div")
    stored: dict[str, str | None] = {}  # url -> hash, None when it could not be kept
    result = LocalImages(body_html="")
    headers = {
        "User-Agent": USER_AGENT,
        # What the reader view can show (not AVIF), for servers that choose by what we accept.
        "Accept": "image/webp,image/png,image/jpeg,image/gif,image/svg+xml,image/*;q=0.5",
        "Referer": page_url,  # some image hosts refuse requests from elsewhere
    }
    with httpx.Client(headers=headers, timeout=httpx.Timeout(timeout), follow_redirects=True,
                      max_redirects=MAX_REDIRECTS, verify=tls_context()) as client:
        for img in list(fragment.iter("img")):
            url = (img.get("src") or "").strip()  # extraction keeps only http(s) addresses
            if url and url not in stored:
                try:
                    if len(stored) >= max_images:
                        raise _Unusable(f"more than {max_images} images in the article")
                    if cancelled():
                        raise _Unusable("capture cancelled")
                    with slot(url):
                        content_type, data = _download(client, url, max_bytes)
                    stored[url] = store_image(library, data, content_type)
                    result.images.append((url, stored[url]))
                except _Unusable as error:
                    stored[url] = None
                    result.skipped.append((url, str(error)))
                    log.info("Image left out of %s: %s (%s)", page_url, url, error)
            if stored.get(url):
                img.set("src", image_url(stored[url]))
            else:
                _leave_out(img)
    result.body_html = _serialise(fragment)
    return result


def use_stored_images(library: Library, article_id: int, body_html: str) -> str:
    """``body_html`` (a new extraction of a stored page) pointing at the images stored for the
    article when it was captured, without the network; others give way to their alt text."""
    known = article_images(library, article_id)
    fragment = lxml.html.fragment_fromstring(body_html, create_parent="div")
    for img in list(fragment.iter("img")):
        digest = known.get((img.get("src") or "").strip())
        if digest:
            img.set("src", image_url(digest))
        else:
            _leave_out(img)
    return _serialise(fragment)


def _download(client: httpx.Client, url: str, max_bytes: int) -> tuple[str, bytes]:
    """(content type, bytes) of the image at ``url``; _Unusable says why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise _Unusable("not a web address")
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise _Unusable(f"the server answered {response.status_code}")
            declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not (declared.startswith("image/") or declared in _UNTYPED):
                raise _Unusable(f"not an image (it is {declared})")
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise _Unusable(f"larger than {max_bytes / 1_000_000:g} MB")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise _Unusable(f"larger than {max_bytes / 1_000_000:g} MB")
    except httpx.HTTPError as error:
        raise _Unusable(f"could not be fetched ({error.__class__.__name__})") from error
    except httpx.InvalidURL as error:
        raise _Unusable("not a valid address") from error
    content_type = _sniff(bytes(data[:1024]), declared)
    if content_type is None:
        raise _Unusable(f"the bytes are not an image the reader can show (served as {declared})")
    return content_type, bytes(data)


def _sniff(head: bytes, declared: str) -> str | None:
    """The image type the leading bytes show (PNG, JPEG, GIF, WebP; SVG when served as SVG),
    None if they show none of those."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if declared == "image/svg+xml" and b"<svg" in head.lower() and head.lstrip().startswith(b"<"):
        return "image/svg+xml"  # drawn by Qt's SVG renderer: no scripts, no fetching
    return None


def _leave_out(img) -> None:
    """Replace an image that was not kept by its alt text (or nothing), keeping what follows."""
    alt = " ".join((img.get("alt") or "").split())
    if alt:
        placeholder = lxml.html.Element("span", {"class": "image-missing"})
        placeholder.text = f"[{alt}]"
        placeholder.tail = img.tail
        img.getparent().replace(img, placeholder)
    else:
        img.drop_tree()  # keeps the text after it


def _serialise(fragment) -> str:
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)
    return (fragment.text or "") + inner
