"""Rendering a stored article (already sanitised HTML) for the reader view."""

from __future__ import annotations

import re
from html import escape, unescape

from reader.library import Article
from reader.library.pending import PENDING, FetchStatus

FETCH_SCHEME = "reader-fetch"  # a link in the article that asks for its page: reader-fetch:ID

_LEADING_H1 = re.compile(r"^\s*<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
# Images between blocks (a page's <figure>, whose wrapper sanitising leaves out): Qt's rich text
# would put them at the end of the line before. (The sanitiser's serialiser escapes ">" in
# attribute values, so a tag ends at the first ">".)
_IMAGES_BETWEEN_BLOCKS = re.compile(
    r"(^|</(?:p|h[1-6]|ul|ol|dl|blockquote|pre|table|div|section|figure)>)(\s*)"
    r"(<img\b[^>]*>(?:\s*<img\b[^>]*>)*)", re.IGNORECASE)


def article_html(article: Article, status: FetchStatus = FetchStatus()) -> str:
    """The article, saying where its text came from (the Internet Archive), or that it has
    none yet (with a "Fetch now" link)."""
    # (A site that signs its own articles is named once, not "Escalon · Escalon".)
    site = "" if article.site.casefold() == article.author.casefold() else article.site
    byline = " · ".join(
        escape(part)
        for part in (article.author, site, _date(article.published),
                     f"{article.reading_minutes} min read")
        if part
    )
    if status.archive_url:
        byline += (f' · <a href="{escape(status.archive_url, quote=True)}">from the Internet '
                   f"Archive, snapshot of {escape(status.archive_date)}</a>")
    if status.state:
        said = ("Not fetched yet." if status.state == PENDING
                else f"Could not be fetched: {status.reason}")
        byline += (f'</p><p class="fetch-state">{escape(said)} '
                   f'<a href="{FETCH_SCHEME}:{article.id}">Fetch now</a>')
    source = ""
    if article.url.startswith(("http://", "https://")):
        source = f'<p class="source"><a href="{escape(article.url, quote=True)}">{escape(article.url)}</a></p>'
    return (
        f'<h1 class="title">{escape(article.title)}</h1>'
        f'<p class="byline">{byline}</p>{source}<hr/>'
        f"{_images_as_blocks(_without_repeated_title(article.body_html, article.title))}"
    )


def _without_repeated_title(body_html: str, title: str) -> str:
    """The body, less a leading <h1> that only repeats the title shown above it."""
    match = _LEADING_H1.match(body_html)
    if match and unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() == title.strip():
        return body_html[match.end():]
    return body_html


def _images_as_blocks(body_html: str) -> str:
    """Each image that stands between blocks in a paragraph of its own (its own line)."""
    return _IMAGES_BETWEEN_BLOCKS.sub(r'\1\2<p class="figure">\3</p>', body_html)


def _date(published: str) -> str:
    return published[:10]
