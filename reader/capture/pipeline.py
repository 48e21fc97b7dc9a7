"""The one path from a link, a saved page or an imported item to a stored article.

    link ─> check, dedupe by canonical URL ─> fetch (gone: the Internet Archive's copy) ─┐
    saved page (a dropped .html file, an import's copy) ┴─> extract (worker process)
        ─> dedupe by the page's own address ─> store (one transaction)
        ─> its pictures fetched and filled in (``capture.pictures``)

Extraction runs only in the ``Extractor``'s worker processes, never in a thread of this one
(lxml in threads corrupts its heap). Links are run by ``reader.capture.queue`` (the window's and
``reader add``'s alike), which adds limits, cancelling and the queue row's state; a saved page
has nothing to fetch or throttle, so its callers store it with ``store_saved_page``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.capture.extractor import Extractor
from reader.capture.fetch import MAX_BYTES, Page, decode_html, fetch
from reader.capture.images import shows_pictures, use_stored_images
from reader.capture.urls import canonical_url
from reader.capture.wayback import Wayback, is_gone, is_parked
from reader.errors import CaptureError
from reader.library import Library, NewArticle, pending

if TYPE_CHECKING:  # importers import this module; extraction runs in the workers
    from reader.capture.extract import Extracted
    from reader.capture.importers.items import ImportedItem

# The queue's part in a link's capture (see ``capture_link``).
Advance = Callable[[], bool]  # the page is in: go on to extracting (False: stop here)
CarryOn = Callable[[], bool]  # still wanted (not cancelled, not stopping)
# The page is ready to keep: the queue stores it (with others: ``capture.storing``), with the
# Internet Archive's snapshot it came from, if so, and, if it shows pictures, (the page's address,
# whether it came from this computer's network) for fetching them after.
Store = Callable[[NewArticle, "pending.Snapshot | None", "tuple[str, bool] | None"], None]


@dataclass(frozen=True)
class Captured:
    article_id: int
    title: str
    is_new: bool  # False when the library already held this page


def capture_link(library: Library, extractor: Extractor, url: str,
                 imported: ImportedItem | None = None, *, timeout: float,
                 fetched: Callable[[], None], extracting: Advance,
                 carry_on: CarryOn, store: Store, waiting: int | None = None,
                 wayback: Wayback | None = None) -> Captured | None:
    """Fetch the page at ``url`` (checked), extract it and hand it to ``store`` (for
    ``waiting``, the article the link already is). A page that is gone is taken from
    ``wayback`` if it has it. Returns the article already kept for the page, if there is one
    (None: handed to ``store``, or stopped along the way: cancelled). Raises CaptureError with
    the reason.

    The caller holds ``url``'s request slot when calling: ``fetched`` lets it go once the page
    is in (or found in the library). The article's pictures are fetched once it is stored, so
    that it can be read meanwhile (``capture.pictures``).
    """
    def cancelled() -> bool:
        return not carry_on()

    gone: CaptureError | None = None
    page = snapshot = None
    try:
        existing = _kept(library, url, waiting)
        if existing is None:
            page = fetch(url, timeout=timeout, cancelled=cancelled)
            if wayback is not None and is_parked(page):
                gone = CaptureError(f"The domain of {url} is parked (for sale or expired): "
                                    "the page is gone.")
    except CaptureError as error:
        if wayback is None or not is_gone(error):
            raise
        gone = error
    finally:
        fetched()
    if existing is not None:
        return _found(library, existing, waiting)
    if gone is not None:
        page, snapshot = _rescued(wayback, url, imported, gone, timeout, cancelled)
    if not extracting():
        return None
    extracted = extractor.extract(page.html, page.url)
    if not carry_on():
        return None
    # Identity is where the page really lives: a short link and its target are one article.
    existing = _kept(library, page.url, waiting)
    if existing is not None:
        return _found(library, existing, waiting)
    article = new_article(extracted, page.url, url, imported, raw_html=page.raw,
                          fetched_url=page.url, content_type=page.content_type)
    store(article, snapshot, (page.url, page.local) if shows_pictures(article.body_html) else None)
    return None


def _kept(library: Library, url: str, waiting: int | None) -> int | None:
    """The article already kept for ``url``, other than the one waiting for it."""
    existing = library.find_by_url(canonical_url(url))
    return None if existing == waiting else existing


def _rescued(wayback: Wayback, url: str, imported: ImportedItem | None, gone: CaptureError,
             timeout: float, cancelled: Callable[[], bool]
             ) -> tuple[Page, pending.Snapshot]:
    """The Internet Archive's copy of the page at ``url``, which is ``gone``; raises ``gone``
    (with why there is no copy) if there is none."""
    try:
        rescued = wayback.rescue(url, imported.added if imported else "", timeout=timeout,
                                 cancelled=cancelled)
    except CaptureError as error:
        raise CaptureError(f"{gone} The Internet Archive could not be asked: {error}") from gone
    if rescued is None:
        raise CaptureError(f"{gone} The Internet Archive has no copy of it.") from gone
    return rescued


def saved_article(extractor: Extractor, html: str, url: str,
                  imported: ImportedItem | None = None, *, raw_html: bytes) -> NewArticle:
    """The article in a saved page (raises CaptureError if there is none)."""
    return new_article(extractor.extract(html, url), url, url, imported, raw_html=raw_html,
                       fetched_url=url)


def read_saved_page(path: Path) -> bytes:
    """A page saved to disk, within the size a fetched page may have. Raises CaptureError."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CaptureError(
                f"{path.name} is larger than {MAX_BYTES / 1_000_000:g} MB; not saved.")
        return path.read_bytes()
    except OSError as error:
        raise CaptureError(f"Cannot read {path}: {error.strerror or error}") from error


def store_saved_page(library: Library, extractor: Extractor, path: Path, url: str) -> Captured:
    """Store a page saved to disk (a dropped .html file) as it is, with ``url`` as its origin."""
    raw = read_saved_page(path)
    existing = library.find_by_url(canonical_url(url))
    if existing is not None:
        return _found(library, existing)
    article = saved_article(extractor, decode_html(raw), url, raw_html=raw)
    article_id, is_new = library.add(article)
    return Captured(article_id, article.title, is_new)


def reextract(library: Library, extractor: Extractor, article_id: int) -> Captured:
    """Extract an article again from its stored page (after extraction improved); its images
    stay the stored ones. Raises CaptureError when there is no stored page or no article in it."""
    raw = library.raw_html(article_id)
    if raw is None:
        raise CaptureError("There is no saved page for this article.")
    found = extractor.extract(decode_html(raw), library.get(article_id).url)
    body = use_stored_images(library, article_id, found.body_html)
    library.replace_content(article_id, found.title, body, found.text)
    return Captured(article_id, found.title, is_new=False)


def new_article(
    extracted: Extracted,
    page_url: str,
    original_url: str,
    imported: ImportedItem | None = None,
    *,
    raw_html: bytes,
    fetched_url: str = "",
    content_type: str = "text/html; charset=utf-8",
) -> NewArticle:
    """What to store: the extracted article, with an imported item's metadata if there is one.

    Its identity is where the page really lives (``page_url``, after redirects): a short link
    and its target are one article.
    """
    return NewArticle(
        url=canonical_url(page_url),
        original_url=original_url,
        title=(imported.display_title if imported else "") or extracted.title,
        author=extracted.author,
        site=extracted.site,
        published=extracted.published,
        language=extracted.language,
        body_html=extracted.body_html,
        text=extracted.text,
        tags=list(imported.tags) if imported else [],
        archived=imported.archived if imported else False,
        favourite=imported.favourite if imported else False,
        added=imported.added if imported else "",
        raw_html=raw_html,
        fetched_url=fetched_url,
        content_type=content_type,
    )


def _found(library: Library, article_id: int, waiting: int | None = None) -> Captured:
    """The page was in the library already: the article waiting for it is not needed."""
    if waiting is not None:
        pending.discard(library, waiting)
    return Captured(article_id, library.get(article_id).title, is_new=False)
