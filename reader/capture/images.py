"""An article's pictures, kept in the library, so that reading never touches the network.

Once the article is stored (``capture.pictures``), ``localise_images`` downloads each
``<img src>`` of the article (absolute http(s) only, at most ``MAX_IMAGES`` addresses, each at
most ``MAX_IMAGE_BYTES`` within ``TIMEOUT_SECONDS`` and all of them within ``PICTURES_TIMEOUTS``
times that, served as an image and whose bytes are a raster image of at most ``MAX_PIXELS``),
stores it once per content (sha256), and points the ``<img>`` at ``reader-image:<hash>``, which
the reader view answers from the library with ``image_bytes``.
An image that cannot be kept costs the article nothing: the ``<img>`` gives way to its alt text
(or goes, if it has none).

SVG is refused: drawing it can take unbounded time and memory (nested ``<use>``) and reach
other files (``<image href>``), and the reader view draws on the UI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import lxml.html

from reader.capture.addresses import Reach, host_is_local
from reader.capture.raster import MAX_PIXELS, pixel_size, raster_type
from reader.capture.web import Cancelled, DownloadError, get
from reader.library import Library
from reader.library.images import SCHEME, article_images, image_bytes, store_image

__all__ = [
    "SCHEME",
    "LocalImages",
    "image_bytes",
    "image_url",
    "localise_images",
    "shows_pictures",
    "use_stored_images",
]

log = logging.getLogger(__name__)

MAX_IMAGES = 50  # image addresses tried per article; the rest are left out
MAX_IMAGE_BYTES = 5_000_000
TIMEOUT_SECONDS = 60.0  # for each image, headers included
# All the pictures of an article within this many timeouts: the article is stored once they are
# in, and a server that answers but trickles each picture held it for a timeout a picture (fifty
# minutes for an article of fifty). The pictures past it are left out, as the ones that fail.
PICTURES_TIMEOUTS = 2
# What the reader view can show (not AVIF, not SVG), for servers that choose by what we accept.
_ACCEPT = "image/webp,image/png,image/jpeg,image/gif,image/*;q=0.5"
# Some servers send images as untyped bytes; those are kept only if the bytes are an image.
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream")

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


def shows_pictures(body_html: str) -> bool:
    """Whether an article's body has pictures (on the web, or stored already)."""
    return "<img" in body_html


def localise_images(
    library: Library,
    body_html: str,
    page_url: str,
    *,
    slot: Slot = lambda url: nullcontext(),
    cancelled: Cancelled = None,
    timeout: float = TIMEOUT_SECONDS,
    budget: float | None = None,
    local: bool | None = None,
    max_images: int = MAX_IMAGES,
    max_bytes: int = MAX_IMAGE_BYTES,
) -> LocalImages:
    """Download and store the images of ``body_html`` (the article at ``page_url``); return the
    body pointing at the stored copies (those it pointed at already stay).

    Each download runs inside ``slot(url)`` (the capture queue's per-host limit), within
    ``timeout`` seconds, and all of them within ``budget`` seconds (None: ``PICTURES_TIMEOUTS``
    times ``timeout``). Images are stored as they arrive; ``cancelled`` (a callable or an Event)
    ends the download under way at once and leaves the rest out.

    ``local``: whether the page came from this computer or its local network (``Page.local``),
    the only case where its images may be fetched from there. None: decided by looking up the
    page's host now (a name may resolve otherwise than when the page was fetched, so pass
    ``Page.local`` when there is one).
    """
    if not shows_pictures(body_html):
        return LocalImages(body_html)
    fragment = lxml.html.fragment_fromstring(body_html, create_parent="div")
    if local is None:
        local = host_is_local(urlsplit(page_url).hostname or "")
    stored: dict[str, str | None] = {}  # url -> hash, None when it could not be kept
    # server -> why it failed: its other pictures are not waited for (each download may take
    # ``timeout``: twenty pictures on a server that never answers took twenty times that)
    unreachable: dict[str, str] = {}
    result = LocalImages(body_html="")
    budget = PICTURES_TIMEOUTS * timeout if budget is None else budget
    deadline = time.monotonic() + budget
    for img in list(fragment.iter("img")):
        url = (img.get("src") or "").strip()  # extraction keeps only http(s) addresses
        if url.startswith(f"{SCHEME}:"):
            continue
        if url and url not in stored:
            server = urlsplit(url).netloc
            try:
                if len(stored) >= max_images:
                    raise _Unusable(f"more than {max_images} images in the article")
                if server in unreachable:
                    raise _Unusable(f"its server failed for an earlier picture: "
                                    f"{unreachable[server]}")
                with slot(url):
                    content_type, data = _download_within(deadline, budget, url, page_url,
                                                          max_bytes, timeout, local, cancelled)
                stored[url] = store_image(library, data, content_type)
                result.images.append((url, stored[url]))
            except _Unusable as error:
                stored[url] = None
                result.skipped.append((url, str(error)))
                log.info("Image left out of %s: %s (%s)", page_url, url, error)
                if getattr(error.__cause__, "unreachable", False):
                    unreachable[server] = str(error)
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


def _download_within(deadline: float, budget: float, url: str, page_url: str, max_bytes: int,
                     timeout: float, local: bool, cancelled: Cancelled) -> tuple[str, bytes]:
    """``_download``, its ``timeout`` cut short at ``deadline``: when the article's pictures
    have had their ``budget`` of seconds."""
    over = _Unusable(f"the article's pictures took longer than {budget:g} s in all")
    left = deadline - time.monotonic()  # (after waiting for the request slot)
    if left <= 0:
        raise over
    try:
        return _download(url, page_url, max_bytes, min(timeout, left), local, cancelled)
    except _Unusable:
        if time.monotonic() >= deadline:
            raise over from None
        raise


def _download(url: str, page_url: str, max_bytes: int, timeout: float, local: bool,
              cancelled: Cancelled) -> tuple[str, bytes]:
    """(content type, bytes) of the image at ``url``; _Unusable says why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise _Unusable("not a web address")
    try:
        response = get(url, accept=_ACCEPT, max_bytes=max_bytes, seconds=timeout,
                       reach=Reach(local), cancelled=cancelled, check=_check_type,
                       headers={"Referer": page_url})  # some image hosts refuse others
    except DownloadError as error:
        raise _Unusable(error.reason) from error
    if response.status >= 300:
        raise _Unusable(f"the server answered {response.status}")
    content_type = raster_type(response.body)
    if content_type is None:
        what = ("an SVG drawing" if _looks_like_svg(response.body)
                else "not an image the reader can show")
        raise _Unusable(f"the bytes are {what} (served as {response.mime or 'nothing'})")
    size = pixel_size(response.body)
    if size is None:
        raise _Unusable("its size in pixels cannot be read")
    if size[0] * size[1] > MAX_PIXELS:
        raise _Unusable(f"larger than {MAX_PIXELS // 1_000_000} megapixels ({size[0]}x{size[1]})")
    return content_type, response.body


def _check_type(status: int, headers: dict[str, str]) -> None:
    declared = headers.get("content-type", "").split(";")[0].strip().lower()
    if not (declared.startswith("image/") or declared in _UNTYPED):
        raise _Unusable(f"not an image (it is {declared[:60]})")


def _looks_like_svg(data: bytes) -> bool:
    return b"<svg" in data[:4096].lower()


def _leave_out(img) -> None:
    """Replace an image that was not kept by its alt text (or nothing), keeping what follows.
    An alt text that is only the picture's file name or a number (forum software writes the
    address's last part there: "460", "stomp-character.gif") describes nothing: left out too."""
    alt = " ".join((img.get("alt") or "").split())
    if alt and _describes(alt, img.get("src") or ""):
        placeholder = lxml.html.Element("span", {"class": "image-missing"})
        placeholder.text = f"[{alt}]"
        placeholder.tail = img.tail
        img.getparent().replace(img, placeholder)
    else:
        img.drop_tree()  # keeps the text after it


def _describes(alt: str, address: str) -> bool:
    """Whether ``alt`` says something about the picture at ``address``."""
    file_name = unquote(urlsplit(address).path.rstrip("/").rsplit("/", 1)[-1])
    return any(character.isalpha() for character in alt) and alt != file_name


def _serialise(fragment) -> str:
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)
    return (fragment.text or "") + inner
