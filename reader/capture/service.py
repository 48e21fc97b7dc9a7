"""One link in, one stored article out: check, dedupe, fetch, extract, store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reader.capture.extract import Extracted, extract
from reader.capture.images import localise_images
from reader.capture.fetch import MAX_BYTES, TIMEOUT_SECONDS, decode_html, fetch
from reader.capture.urls import canonical_url, check_url
from reader.errors import CaptureError
from reader.library import Library, NewArticle
from reader.library.media import link_images

if TYPE_CHECKING:
    from reader.capture.importers import ImportedItem


@dataclass(frozen=True)
class Captured:
    article_id: int
    title: str
    is_new: bool  # False when the library already held this page


def capture_url(library: Library, text: str, timeout: float = TIMEOUT_SECONDS,
                item: ImportedItem | None = None) -> Captured:
    """Save the page at ``text`` (a URL), with its images, in ``library``. Raises CaptureError
    with the reason.

    ``item``, for a link from another service's export, carries what the user had there (tags,
    state, date saved, title). Nothing is written unless the page was fetched and an article
    found in it. (The window saves through capture.queue; this is the one-page path.)
    """
    url = check_url(text)
    existing = library.find_by_url(canonical_url(url))
    if existing is not None:
        return Captured(existing, library.get(existing).title, is_new=False)
    page = fetch(url, timeout=timeout)
    extracted = extract(page.html, page.url)
    local = localise_images(library, extracted.body_html, page.url, timeout=timeout)
    article = new_article(replace(extracted, body_html=local.body_html), page.url, url, item,
                          raw_html=page.raw, fetched_url=page.url,
                          content_type=page.content_type)
    article_id, is_new = library.add(article)
    if is_new:
        link_images(library, article_id, local.images)
    return Captured(article_id, article.title, is_new)


def article_from_page(page_html: str, page_url: str, original_url: str,
                      item: ImportedItem | None = None, **page) -> NewArticle:
    """The article in ``page_html`` (raises CaptureError if there is none); see new_article."""
    return new_article(extract(page_html, page_url), page_url, original_url, item, **page)


def new_article(
    extracted: Extracted,
    page_url: str,
    original_url: str,
    item: ImportedItem | None = None,
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
        title=(item.display_title if item else "") or extracted.title,
        author=extracted.author,
        site=extracted.site,
        published=extracted.published,
        language=extracted.language,
        body_html=extracted.body_html,
        text=extracted.text,
        tags=list(item.tags) if item else [],
        archived=item.archived if item else False,
        favourite=item.favourite if item else False,
        added=item.added if item else "",
        raw_html=raw_html,
        fetched_url=fetched_url,
        content_type=content_type,
    )


def capture_saved_page(library: Library, path: Path, url: str) -> Captured:
    """Store a page saved to disk (a dropped .html file) as it is, with ``url`` as its origin."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CaptureError(f"{path.name} is larger than {MAX_BYTES / 1_000_000:g} MB; not saved.")
        raw = path.read_bytes()
    except OSError as error:
        raise CaptureError(f"Cannot read {path}: {error.strerror or error}") from error
    existing = library.find_by_url(canonical_url(url))
    if existing is not None:
        return Captured(existing, library.get(existing).title, is_new=False)
    article = article_from_page(decode_html(raw), url, url, raw_html=raw, fetched_url=url)
    article_id, is_new = library.add(article)
    return Captured(article_id, article.title, is_new)
