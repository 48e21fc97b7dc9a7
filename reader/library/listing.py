"""Which articles a list shows, in which order: views, tags, search and sort, as SQL.

Kept apart from the store so the rules for a view live in one place, shared by the window's
lazy list, the counts in the sidebar and the CLI.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import total_ordering

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
SEARCH_LIMIT = 1000
# Marks around matched words in search snippets; the list paints them highlighted.
MATCH_START, MATCH_END = "\x02", "\x03"
_TERM = re.compile(r"\w+", re.UNICODE)
# SQLite's NOCASE folds ASCII letters only.
_NOCASE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class ListQuery:
    view: str = "inbox"
    tag: str | None = None
    search: str = ""
    sort: str = "added"

    def source(self) -> tuple[str, list]:
        """FROM and WHERE (with their parameters) for the articles this query selects.

        A search starts from the full-text index and keeps its ``SEARCH_LIMIT`` best matches:
        ranking every article that has a common word ("the") costs seconds on a large library,
        and nobody reads past the first thousand results of a search."""
        where, params = self.where()
        match = fts_query(self.search)
        if not match:
            return f"articles AS a WHERE {where}", params
        return (f"(SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? "
                f"ORDER BY rank LIMIT {SEARCH_LIMIT}) AS hits "
                f"JOIN articles AS a ON a.id = hits.rowid WHERE {where}", [match, *params])

    def where(self) -> tuple[str, list]:
        """The view and tag conditions on ``a`` (the articles table), with their parameters."""
        clauses = ["a.deleted = 0", _VIEW_FILTERS[self.view]]
        params: list = []
        if self.tag:
            clauses.append(
                "a.id IN (SELECT article_id FROM article_tags JOIN tags ON tags.id = tag_id "
                "WHERE tags.name = ?)"
            )
            params.append(self.tag)
        return " AND ".join(clauses), params

    def order_by(self) -> str:
        """Best match first when searching; otherwise the chosen sort."""
        if fts_query(self.search):
            return "hits.rank, a.id DESC"
        _title, expression, descending = SORTS[self.sort]
        direction = "DESC" if descending else "ASC"
        return f"{expression} {direction}, a.id {direction}"

    def sort_value(self) -> str:
        """The SQL value this query sorts by (without a search)."""
        return SORTS[self.sort][1]

    def sort_key(self, value, article_id: int):
        """A key that compares as ``order_by`` sorts an article whose ``sort_value`` is
        ``value``: its collation applied, a descending sort compared the other way round.
        (Python compares strings by code point, as SQLite's BINARY compares UTF-8 bytes.)"""
        _title, expression, descending = SORTS[self.sort]
        if expression.endswith("COLLATE NOCASE"):
            value = value.translate(_NOCASE)
        return _Descending((value, article_id)) if descending else (value, article_id)


@total_ordering
class _Descending:
    __slots__ = ("key",)

    def __init__(self, key: tuple):
        self.key = key

    def __eq__(self, other) -> bool:
        return self.key == other.key

    def __lt__(self, other) -> bool:
        return self.key > other.key


def fts_query(text: str) -> str:
    """A safe FTS5 query from what the user typed: every word must appear; the last one may be
    a prefix (results update as you type). Operators and quotes typed by the user are words."""
    terms = _TERM.findall(text)
    if not terms:
        return ""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


SNIPPET_WORDS = 14


def snippet(text: str, search: str) -> str:
    """The passage of ``text`` around the first word that matches ``search`` (as the index
    matches: any case, no accents, the last word as a prefix), matches marked.

    Done here rather than by FTS5's snippet(): asking the index for a few hundred given rows
    re-runs the match once per row, which for a common word took seconds."""
    raw = _TERM.findall(search)
    if not raw:
        return ""
    *whole, prefix = [_folded(term) for term in raw]

    def matches(word: str) -> bool:
        folded = _folded(word)
        return folded in whole or folded.startswith(prefix)

    # Most matches are spelled as typed: find the first with one regular expression and fold
    # only the words around it; folding every word of a long article is what costs.
    typed = re.compile("|".join([*(rf"\b{re.escape(t)}\b" for t in raw[:-1]),
                                 rf"\b{re.escape(raw[-1])}"]), re.IGNORECASE)
    hit = typed.search(text)
    begin, end = (max(0, hit.start() - 400), hit.end() + 800) if hit else (0, len(text))
    words = list(_TERM.finditer(text, begin, end))
    first = next((n for n, word in enumerate(words) if matches(word.group())), None)
    if first is None:
        return ""
    start = max(0, first - SNIPPET_WORDS // 3)
    parts = ["…" if start or begin else ""]
    for word in words[start:start + SNIPPET_WORDS]:
        parts.append(f"{MATCH_START}{word.group()}{MATCH_END}" if matches(word.group())
                     else word.group())
    if start + SNIPPET_WORDS < len(words) or end < len(text):
        parts.append("…")
    return " ".join(part for part in parts if part)


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
