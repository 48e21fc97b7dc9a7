"""One link in, one stored article out: check, dedupe, fetch, extract, store."""

from __future__ import annotations

from dataclasses import dataclass

from reader.capture.extract import extract
from reader.capture.fetch import TIMEOUT_SECONDS, fetch
from reader.capture.urls import canonical_url, check_url
from reader.library import Library, NewArticle


@dataclass(frozen=True)
class Captured:
    article_id: int
    title: str
    is_new: bool  # False when the library already held this page


def capture_url(library: Library, text: str, timeout: float = TIMEOUT_SECONDS) -> Captured:
    """Save the page at ``text`` (a URL) in ``library``. Raises CaptureError with the reason.

    Nothing is written unless the page was fetched and an article found in it.
    """
    url = check_url(text)
    existing = library.find_by_url(canonical_url(url))
    if existing is not None:
        return Captured(existing, library.get(existing).title, is_new=False)
    page = fetch(url, timeout=timeout)
    extracted = extract(page.html, page.url)
    # Identity is where the page really lives: a short link and its target are one article.
    article_id, is_new = library.add(
        NewArticle(
            url=canonical_url(page.url),
            original_url=url,
            title=extracted.title,
            author=extracted.author,
            site=extracted.site,
            published=extracted.published,
            language=extracted.language,
            body_html=extracted.body_html,
            text=extracted.text,
            raw_html=page.raw,
            fetched_url=page.url,
            content_type=page.content_type,
        )
    )
    return Captured(article_id, extracted.title, is_new)
