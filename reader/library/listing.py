"""Which articles a list shows, in which order: views, tags, search and sort, as SQL.

Kept apart from the store so the rules for a view live in one place, shared by the window's
lazy list, the counts in the sidebar and the CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VIEWS = ("inbox", "favourites", "archive", "all")
VIEW_TITLES = {"inbox": "Inbox", "favourites": "Favourites", "archive": "Archive", "all": "All"}
_VIEW_FILTERS = {
    "inbox": "a.archived = 0",
    "favourites": "a.favourite = 1",
    "archive": "a.archived = 1",
    "all": "1",
}
SORTS = {
    # name: (title, SQL expression, natural direction is descending)
    "added": ("Date added", "a.added", True),
    "published": ("Date published", "a.published", True),
    "title": ("Title", "a.title COLLATE NOCASE", False),
    "site": ("Site", "a.site COLLATE NOCASE", False),
    "reading_time": ("Reading time", "a.word_count", False),
}
# Marks around matched words in search snippets; the list paints them highlighted.
MATCH_START, MATCH_END = "\x02", "\x03"
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class ListQuery:
    view: str = "inbox"
    tag: str | None = None
    search: str = ""
    sort: str = "added"

    def where(self) -> tuple[str, list]:
        clauses = ["a.deleted = 0", _VIEW_FILTERS[self.view]]
        params: list = []
        if self.tag:
            clauses.append(
                "a.id IN (SELECT article_id FROM article_tags JOIN tags ON tags.id = tag_id "
                "WHERE tags.name = ?)"
            )
            params.append(self.tag)
        match = fts_query(self.search)
        if match:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(match)
        return " AND ".join(clauses), params

    def order_by(self) -> str:
        _title, expression, descending = SORTS[self.sort]
        direction = "DESC" if descending else "ASC"
        return f"{expression} {direction}, a.id {direction}"


def fts_query(text: str) -> str:
    """A safe FTS5 query from what the user typed: every word must appear; the last one may be
    a prefix (results update as you type). Operators and quotes typed by the user are words."""
    terms = _TERM.findall(text)
    if not terms:
        return ""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)
