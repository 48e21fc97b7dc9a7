"""Which articles a list shows, in which order: views, tags, search and sort, as SQL.

Kept apart from the store so the rules for a view live in one place, shared by the window's
lazy list, the counts in the sidebar and the CLI.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, total_ordering

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
# A search with more matches than this is not ranked (see ``ListQuery.source``): bm25 costs about
# 1.4 µs a match, so ranking this many takes under 10 ms.
RANKED_MATCHES = 5000
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

    def source(self, ranked: bool = True) -> tuple[str, list]:
        """FROM and WHERE (with their parameters) for the articles this query selects.

        A search starts from the full-text index and keeps ``SEARCH_LIMIT`` matches: nobody
        reads past the first thousand results of a search. ``ranked``: its best matches (by
        bm25), for a search with at most ``RANKED_MATCHES`` matches (``probe`` tells). Otherwise
        its words are too common to rank by (bm25 visits every match: "the" in 100,000
        articles took 250 ms): it keeps the newest matches in the view (the index reads them
        newest saved first, and stops at the limit), which ``order_by`` puts in the list's own
        order."""
        where, params = self.where()
        match = fts_query(self.search)
        if not match:
            return f"articles AS a WHERE {where}", params
        # Each match's view is read from the index on (id, flags), not from its article's row
        # (schema.py, ``_VIEW_BY_ID``).
        in_view = "JOIN articles AS a INDEXED BY articles_id_view ON a.id ="
        if ranked:
            return (f"(SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? "
                    f"ORDER BY rank LIMIT {SEARCH_LIMIT}) AS hits "
                    f"{in_view} hits.rowid WHERE {where}", [match, *params])
        return (f"(SELECT articles_fts.rowid FROM articles_fts "
                f"{in_view} articles_fts.rowid "
                f"WHERE articles_fts MATCH ? AND {where} "
                f"ORDER BY articles_fts.rowid DESC LIMIT {SEARCH_LIMIT}) AS hits "
                f"JOIN articles AS a ON a.id = hits.rowid WHERE 1", [match, *params])

    def probe(self) -> tuple[str, list] | None:
        """SQL for whether this query's search can be ranked: it counts the matches up to one
        more than ``RANKED_MATCHES`` (the index stops there). None: no search."""
        match = fts_query(self.search)
        if not match:
            return None
        return ("SELECT count(*) <= ? FROM (SELECT rowid FROM articles_fts "
                "WHERE articles_fts MATCH ? LIMIT ?)", [RANKED_MATCHES, match, RANKED_MATCHES + 1])

    def where(self, by_id: bool = False) -> tuple[str, list]:
        """The view and tag conditions on ``a`` (the articles table), with their parameters.

        ``by_id``: for a few articles looked up by id, each checked for the tag by its own
        link (the tag's list of articles is read whole otherwise: 2 ms at 100,000 articles,
        against 0.01 ms; the list of the whole view reads it faster so)."""
        clauses = ["a.deleted = 0", _VIEW_FILTERS[self.view]]
        params: list = []
        if self.tag:
            links = "FROM article_tags JOIN tags ON tags.id = tag_id WHERE tags.name = ?"
            clauses.append(f"EXISTS (SELECT 1 {links} AND article_id = a.id)" if by_id
                           else f"a.id IN (SELECT article_id {links})")
            params.append(self.tag)
        return " AND ".join(clauses), params

    def order_by(self, ranked: bool = True) -> str:
        """Best match first when searching ``ranked`` (see ``source``); otherwise the chosen
        sort."""
        if ranked and fts_query(self.search):
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
    a prefix (results update as you type) once it has two letters (the index keeps prefixes
    of two and three: one letter begins most words). Operators and quotes typed by the user are
    words."""
    terms = _TERM.findall(text)
    if not terms:
        return ""
    quoted = [f'"{term}"' for term in terms]
    if len(terms[-1]) > 1:
        quoted[-1] += "*"
    return " ".join(quoted)


SNIPPET_WORDS = 14


def snippet(text: str, search: str) -> str:
    """The passage of ``text`` around a word that matches ``search`` (as the index matches:
    any case, no accents, the last word as a prefix as ``fts_query`` says; the first spelled as
    searched, see ``_SearchWords.first_match``), matches marked.

    Done here rather than by FTS5's snippet(): asking the index for a few hundred given rows
    re-runs the match once per row, which for a common word took seconds."""
    words = _search_words(search)
    if words is None:
        return ""
    at = words.first_match(text)
    if at is None:
        return ""
    # Room for the words shown before it: the first word read there may be cut, so it is not.
    begin = max(0, at - 100)
    found: list[re.Match] = []
    first = None
    for word in _TERM.finditer(text, begin):  # up to one word past the passage
        if begin and word.start() == begin:
            continue
        if first is None and word.start() >= at:
            first = len(found)
        found.append(word)
        if first is not None and len(found) > max(0, first - SNIPPET_WORDS // 3) + SNIPPET_WORDS:
            break
    start = max(0, first - SNIPPET_WORDS // 3)
    parts = ["…" if start or begin else ""]
    for word in found[start:start + SNIPPET_WORDS]:
        parts.append(f"{MATCH_START}{word.group()}{MATCH_END}" if words.matches(word.group())
                     else word.group())
    if len(found) > start + SNIPPET_WORDS:
        parts.append("…")
    return " ".join(part for part in parts if part)


class _SearchWords:
    """The words of a search as ``snippet`` looks for them, worked out once for all the rows
    of a list."""

    def __init__(self, typed: list[str], prefix: bool):
        self.whole = {_folded(term) for term in typed}
        self.prefix = _folded(typed[-1]) if prefix else None
        self.folded = self.whole | {self.prefix} - {None}
        self.ascii = all(spelling.isascii() for spelling in self.folded)
        # Spelled as typed, or as folded, in any case: one expression finds those.
        self.spellings = {spelling for term in typed for spelling in (term.lower(), _folded(term))}
        patterns = [rf"\b(?:{re.escape(term)}|{re.escape(_folded(term))})" for term in typed]
        patterns = [rf"{pattern}\b" for pattern in patterns[:-1]] + [
            patterns[-1] + ("" if prefix else r"\b")]
        self.spelled = re.compile("|".join(patterns), re.IGNORECASE)

    def matches(self, word: str) -> bool:
        folded = _folded(word)
        return folded in self.whole or (self.prefix is not None and folded.startswith(self.prefix))

    def first_match(self, text: str) -> int | None:
        """Where the first word of ``text`` spelled as searched (in any case, as typed or
        without accents) starts; failing that, the first word that matches at all (spelled
        with other accents); None: none.

        The expression is started where the lower-cased text first has one of the spellings: a
        plain find, where a case-blind expression run over a whole article costs more than the
        rest. Folding every word of a long article costs more still: only a text with no word
        spelled as searched, whose folded letters have one of the spellings, is folded, and
        only its words with letters beyond ASCII."""
        lowered = text.lower()
        found = [at for at in map(lowered.find, self.spellings) if at >= 0]
        if len(lowered) != len(text):  # a letter lower-cased into two: places differ
            found = [0]
        hit = self.spelled.search(text, min(found)) if found else None
        if hit:
            return hit.start()
        if self.ascii and not any(map(_ascii_folded(text).__contains__, self.folded)):
            return None  # (the index matched elsewhere: the title, the site)
        return next((word.start() for word in _TERM.finditer(text)
                     if not word.group().isascii() and self.matches(word.group())), None)


@lru_cache(maxsize=8)
def _search_words(search: str) -> _SearchWords | None:
    typed = _TERM.findall(search)
    return _SearchWords(typed, fts_query(search).endswith("*")) if typed else None


def _ascii_folded(text: str) -> str:
    """``text`` folded as ``_folded`` folds a word, then without what is not ASCII: wherever a
    word of it folds to an ASCII spelling, this has that spelling (a quick way to know it has
    none)."""
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()


def _folded(word: str) -> str:
    if word.isascii():  # most words: nothing to decompose, and lower() is casefold() here
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
