"""Rendering a stored article (already sanitised HTML) for the reader view."""

from __future__ import annotations

import re
from html import escape, unescape

from reader.library import Article
from reader.library.pending import PENDING, FetchStatus

FETCH_SCHEME = "reader-fetch"  # a link in the article that asks for its page: reader-fetch:ID

_LEADING_H1 = re.compile(r"^\s*<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)


def article_html(article: Article, status: FetchStatus = FetchStatus()) -> str:
    """The article, saying where its text came from (the Internet Archive), or that it has
    none yet (with a "Fetch now" link)."""
    byline = " · ".join(
        escape(part)
        for part in (article.author, article.site, _date(article.published),
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
        f"{_without_repeated_title(article.body_html, article.title)}"
    )


def _without_repeated_title(body_html: str, title: str) -> str:
    """The body, less a leading <h1> that only repeats the title shown above it."""
    match = _LEADING_H1.match(body_html)
    if match and unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() == title.strip():
        return body_html[match.end():]
    return body_html


def _date(published: str) -> str:
    return published[:10]
