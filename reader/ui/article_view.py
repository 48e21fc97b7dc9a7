"""Rendering a stored article (already sanitised HTML) for the reader view."""

from __future__ import annotations

from html import escape

from reader.library import Article


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
        f"{article.body_html}"
    )


def _date(published: str) -> str:
    return published[:10]
