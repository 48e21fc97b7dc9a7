"""Rendering a stored article (already sanitised HTML) for the reader view."""

from __future__ import annotations

import re
from html import escape, unescape

from reader.library import Article


_LEADING_H1 = re.compile(r"^\s*<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)


def article_html(article: Article) -> str:
    byline = " · ".join(
        escape(part)
        for part in (article.author, article.site, _date(article.published),
                     f"{article.reading_minutes} min read")
        if part
    )
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
