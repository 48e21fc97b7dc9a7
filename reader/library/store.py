"""Articles in SQLite: add, look up, list, and keep their summaries."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reader.errors import LibraryError
from reader.library.events import Announcer, ChangeRecorder, LibraryChange, Listener
from reader.library.listing import (
    MATCH_END,
    MATCH_START,
    VIEWS,
    ListQuery,
    fts_query,
    snippet,
)
from reader.library.schema import migrate

WORDS_PER_MINUTE = 230


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class NewArticle:
    """An article ready to be stored, as capture produces it."""

    url: str
    original_url: str
    title: str
    body_html: str
    text: str
    author: str = ""
    site: str = ""
    published: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    archived: bool = False
    favourite: bool = False
    added: str = ""  # ISO 8601; empty: now. Imports keep the date the user first saved it.
    # The page as fetched; None for articles that had no page (the welcome article).
    raw_html: bytes | None = None
    fetched_url: str = ""
    content_type: str = ""


@dataclass(frozen=True)
class ArticleRow:
    """What lists show and ``reader list --json`` prints."""

    id: int
    url: str
    title: str
    author: str
    site: str
    published: str
    added: str
    word_count: int
    tags: list[str]
    archived: bool
    favourite: bool
    read: bool = False
    snippet: str = ""  # the matching passage, when the row comes from a search

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / WORDS_PER_MINUTE))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "author": self.author,
            "site": self.site,
            "published": self.published,
            "added": self.added,
            "word_count": self.word_count,
            "reading_minutes": self.reading_minutes,
            "tags": self.tags,
            "archived": self.archived,
            "favourite": self.favourite,
            "read": self.read,
        }


@dataclass(frozen=True)
class Article(ArticleRow):
    """One article with its content."""

    language: str = ""
    body_html: str = ""
    text: str = ""
    position: float = 0.0  # how far it has been read, 0..1

    def as_dict(self) -> dict:
        return {**super().as_dict(), "language": self.language, "text": self.text}


_ROW_COLUMNS = (
    "a.id, a.url, a.title, a.author, a.site, a.published, a.added, a.word_count, a.archived, "
    "a.favourite, a.read, "
    "(SELECT group_concat(tags.name, char(31)) FROM article_tags "
    " JOIN tags ON tags.id = article_tags.tag_id WHERE article_tags.article_id = a.id)"
)
FLAGS = ("archived", "favourite", "read", "deleted")


@dataclass(frozen=True)
class Change:
    """What an action changed, so that undo can put it back."""

    description: str
    flag: str = ""
    before: dict[int, bool] = field(default_factory=dict)
    tag: str = ""
    tagged: dict[int, bool] = field(default_factory=dict)  # had the tag before (for tag edits)
    renamed_from: str = ""


class Transaction:
    """One write to the library: statements run in one SQLite transaction, and what they change
    is recorded so it is announced once, after the commit (see ``Library.transaction``)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._recorder = ChangeRecorder()

    def execute(self, sql: str, params: Iterable = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Iterable[Iterable]) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def record(self, *, added: Iterable[int] = (), updated: Iterable[int] = (),
               removed: Iterable[int] = (), counts: bool = False) -> None:
        """Note what this transaction changes, for the listeners."""
        self._recorder.record(added=added, updated=updated, removed=removed, counts=counts)

    def change(self) -> LibraryChange:
        return self._recorder.change()


class Library:
    """The library in one SQLite file (WAL mode), safe to call from several threads.

    One connection, guarded by a lock: SQLite allows one writer at a time anyway, and the
    statements here are short.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        try:
            self._db.execute("PRAGMA busy_timeout = 5000")
            self._db.execute("PRAGMA foreign_keys = ON")
            self.created = migrate(self._db) == 0
            self._db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise LibraryError(f"Cannot open the library at {path}: {error}") from error
        except LibraryError:
            self._db.close()
            raise
        self._lock = threading.RLock()
        self._announcer = Announcer()
        self._transaction: Transaction | None = None  # the one open, held by the lock's owner

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # The API the library's own modules write and read through

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear of every committed change (on the thread that wrote); returns unsubscribe."""
        return self._announcer.subscribe(listener)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Statements that commit together (or not at all), announced after the commit. A
        transaction opened inside another (same thread) joins it."""
        with self._lock:
            if self._transaction is not None:
                yield self._transaction
                return
            transaction = self._transaction = Transaction(self._db)
            try:
                with self._db:
                    yield transaction
            finally:
                self._transaction = None
        change = transaction.change()
        if change:
            self._announcer.announce(change)

    def query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Rows of a read-only statement."""
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def query_one(self, sql: str, params: Iterable = ()) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchone()

    # Writing

    def add(self, article: NewArticle) -> tuple[int, bool]:
        """Store ``article``; return its id and whether it is new (False: the URL was there)."""
        with self._lock, self._db:
            existing = self.find_by_url(article.url)
            if existing is not None:
                return existing, False
            cursor = self._db.execute(
                "INSERT INTO articles (url, original_url, title, author, site, published, language,"
                " added, word_count, body_html, text, archived, favourite)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.url,
                    article.original_url,
                    article.title,
                    article.author,
                    article.site,
                    article.published,
                    article.language,
                    article.added or utc_now(),
                    len(article.text.split()),
                    article.body_html,
                    article.text,
                    article.archived,
                    article.favourite,
                ),
            )
            article_id = cursor.lastrowid
            if article.raw_html is not None:
                self._db.execute(
                    "INSERT INTO pages (article_id, fetched_url, content_type, fetched, html) "
                    "VALUES (?,?,?,?,?)",
                    (
                        article_id,
                        article.fetched_url or article.url,
                        article.content_type,
                        utc_now(),
                        article.raw_html,
                    ),
                )
            for tag in article.tags:
                self._db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
                self._db.execute(
                    "INSERT INTO article_tags (article_id, tag_id) "
                    "SELECT ?, id FROM tags WHERE name = ?",
                    (article_id, tag),
                )
            return article_id, True

    def save_summary(self, article_id: int, model: str, prompt_version: str, text: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO summaries (article_id, model, prompt_version, text, created)"
                " VALUES (?,?,?,?,?)",
                (article_id, model, prompt_version, text, utc_now()),
            )

    # Reading

    def find_by_url(self, canonical_url: str) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM articles WHERE url = ?", (canonical_url,)
            ).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        """Articles in the library (not counting the bin)."""
        with self._lock:
            return self._db.execute("SELECT count(*) FROM articles WHERE deleted = 0").fetchone()[0]

    def rows(self, query: ListQuery = ListQuery(view="all")) -> list[ArticleRow]:
        """Every article ``query`` selects, in its order."""
        return self.page(query, 0, -1)

    def count_matching(self, query: ListQuery) -> int:
        source, params = query.source()
        with self._lock:
            return self._db.execute(f"SELECT count(*) FROM {source}", params).fetchone()[0]

    def ids(self, query: ListQuery) -> list[int]:
        """The ids of every article ``query`` selects, in its order: a few bytes an article,
        so a list of 100,000 can know its order and length and read rows only as shown."""
        source, params = query.source()
        with self._lock:
            return [row[0] for row in self._db.execute(
                f"SELECT a.id FROM {source} ORDER BY {query.order_by()}", params)]

    def rows_by_ids(self, ids: list[int], search: str = "") -> list[ArticleRow]:
        """The rows of ``ids``, in that order; with ``search``, each with its matching passage."""
        if not ids:
            return []
        text = "a.text" if fts_query(search) else "''"
        with self._lock:
            found = {row[0]: row for row in self._db.execute(
                f"SELECT {_ROW_COLUMNS}, {text} FROM articles AS a WHERE a.id IN ({_marks(ids)})",
                ids)}
        return [self._row((*found[i][:12], snippet(found[i][12], search) if search else ""))
                for i in ids if i in found]

    def page(self, query: ListQuery, offset: int, limit: int) -> list[ArticleRow]:
        """Rows ``offset`` to ``offset + limit`` of ``query`` (limit -1: to the end)."""
        ids = self.ids(query)
        return self.rows_by_ids(ids[offset:] if limit < 0 else ids[offset:offset + limit],
                                query.search)

    def view_counts(self) -> dict[str, int]:
        """Articles in each view, in one pass over the table (this runs after every change)."""
        with self._lock:
            row = self._db.execute(
                "SELECT coalesce(sum(archived = 0), 0), coalesce(sum(favourite = 1), 0), "
                "coalesce(sum(archived = 1), 0), count(*) FROM articles WHERE deleted = 0"
            ).fetchone()
        return dict(zip(VIEWS, row))

    def tag_counts(self) -> list[tuple[str, int]]:
        with self._lock:
            return self._db.execute(
                "SELECT tags.name, count(a.id) FROM tags "
                "JOIN article_tags ON article_tags.tag_id = tags.id "
                "JOIN articles AS a ON a.id = article_tags.article_id AND a.deleted = 0 "
                "GROUP BY tags.id ORDER BY tags.name COLLATE NOCASE"
            ).fetchall()

    def get(self, article_id: int) -> Article:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ROW_COLUMNS}, '', a.language, a.body_html, a.text, a.position "
                "FROM articles AS a WHERE a.id = ?",
                (article_id,),
            ).fetchone()
        if row is None:
            raise LibraryError(f"There is no article {article_id} in the library.")
        return Article(**vars(self._row(row[:13])), language=row[13], body_html=row[14],
                       text=row[15], position=row[16])

    # Reading state, tags and undo

    def set_flag(self, ids: list[int], flag: str, value: bool) -> Change:
        """Set archived/favourite/read/deleted on ``ids``; the Change undoes it."""
        if flag not in FLAGS:
            raise ValueError(flag)
        with self._lock, self._db:
            before = {
                article_id: bool(state)
                for article_id, state in self._db.execute(
                    f"SELECT id, {flag} FROM articles WHERE id IN ({_marks(ids)})", ids
                )
            }
            self._db.execute(
                f"UPDATE articles SET {flag} = ? WHERE id IN ({_marks(ids)})", [value, *ids]
            )
        return Change(f"{flag} {'on' if value else 'off'}", flag=flag, before=before)

    def set_position(self, article_id: int, position: float) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE articles SET position = ? WHERE id = ?",
                             (max(0.0, min(1.0, position)), article_id))

    def tag(self, ids: list[int], name: str, present: bool = True) -> Change:
        """Add (or with ``present=False`` remove) tag ``name`` on ``ids``."""
        name = name.strip()
        if not name:
            raise LibraryError("A tag needs a name.")
        with self._lock, self._db:
            self._db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
            tag_id = self._db.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
            had = {
                article_id: self._db.execute(
                    "SELECT 1 FROM article_tags WHERE article_id = ? AND tag_id = ?",
                    (article_id, tag_id),
                ).fetchone() is not None
                for article_id in ids
            }
            self._set_tag(ids, tag_id, present)
        return Change(f"tag {name}", tag=name, tagged=had)

    def rename_tag(self, old: str, new: str) -> Change:
        new = new.strip()
        with self._lock, self._db:
            if not new:
                raise LibraryError("A tag needs a name.")
            if self._db.execute("SELECT 1 FROM tags WHERE name = ?", (old,)).fetchone() is None:
                raise LibraryError(f"There is no tag {old!r}.")
            target = self._db.execute("SELECT id FROM tags WHERE name = ?", (new,)).fetchone()
            if target and new.lower() != old.lower():
                raise LibraryError(f"There is already a tag {new!r}.")
            self._db.execute("UPDATE tags SET name = ? WHERE name = ?", (new, old))
        return Change(f"rename tag {old}", tag=new, renamed_from=old)

    def undo(self, change: Change) -> None:
        if change.flag:
            with self._lock, self._db:
                for article_id, state in change.before.items():
                    self._db.execute(f"UPDATE articles SET {change.flag} = ? WHERE id = ?",
                                     (state, article_id))
        elif change.renamed_from:
            self.rename_tag(change.tag, change.renamed_from)
        elif change.tag:
            with self._lock, self._db:
                tag_id = self._db.execute(
                    "SELECT id FROM tags WHERE name = ?", (change.tag,)
                ).fetchone()[0]
                for article_id, had in change.tagged.items():
                    self._set_tag([article_id], tag_id, had)

    def purge_deleted(self) -> int:
        """Empty the bin; returns how many articles went."""
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM articles WHERE deleted = 1").rowcount
            self._db.execute(
                "DELETE FROM tags WHERE id NOT IN (SELECT DISTINCT tag_id FROM article_tags)"
            )
        return removed

    def unsummarised_ids(self) -> list[int]:
        """Articles (not in the bin) with no summary yet, newest first."""
        with self._lock:
            return [row[0] for row in self._db.execute(
                "SELECT id FROM articles WHERE deleted = 0 AND text != '' AND id NOT IN "
                "(SELECT article_id FROM summaries) ORDER BY added DESC, id DESC")]

    def replace_content(self, article_id: int, title: str, body_html: str, text: str) -> None:
        """New extraction of an article (from its stored page). Its summaries were of the old
        text, so they go."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM summaries WHERE article_id = ?", (article_id,))
            self._db.execute(
                "UPDATE articles SET title = ?, body_html = ?, text = ?, word_count = ? "
                "WHERE id = ?",
                (title, body_html, text, len(text.split()), article_id),
            )

    def _set_tag(self, ids: list[int], tag_id: int, present: bool) -> None:
        if present:
            self._db.executemany(
                "INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)",
                [(article_id, tag_id) for article_id in ids],
            )
        else:
            self._db.execute(
                f"DELETE FROM article_tags WHERE tag_id = ? AND article_id IN ({_marks(ids)})",
                [tag_id, *ids],
            )

    def raw_html(self, article_id: int) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT html FROM pages WHERE article_id = ?", (article_id,)
            ).fetchone()
        return row[0] if row else None

    def summary(self, article_id: int, model: str | None = None,
                prompt_version: str | None = None) -> str | None:
        """The newest stored summary of the article, if any (by that model and prompt, if
        given: a summary is kept per model, prompt version, style and language)."""
        sql = "SELECT text FROM summaries WHERE article_id = ?"
        params: list = [article_id]
        if model is not None:
            sql += " AND model = ?"
            params.append(model)
        if prompt_version is not None:
            sql += " AND prompt_version = ?"
            params.append(prompt_version)
        with self._lock:
            row = self._db.execute(
                sql + " ORDER BY created DESC, rowid DESC LIMIT 1", params
            ).fetchone()
        return row[0] if row else None

    def search(self, text: str, limit: int = 50) -> list[ArticleRow]:
        """Articles matching what the user typed, best match first, with snippets."""
        match = fts_query(text)
        if not match:
            return []
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ROW_COLUMNS}, snippet(articles_fts, 3, '{MATCH_START}', "
                f"'{MATCH_END}', '…', 14) FROM articles_fts "
                "JOIN articles AS a ON a.id = articles_fts.rowid "
                "WHERE articles_fts MATCH ? AND a.deleted = 0 ORDER BY rank LIMIT ?",
                (match, limit),
            ).fetchall()
        return [self._row(row) for row in rows]

    @staticmethod
    def _row(row: tuple) -> ArticleRow:
        return ArticleRow(
            id=row[0],
            url=row[1],
            title=row[2],
            author=row[3],
            site=row[4],
            published=row[5],
            added=row[6],
            word_count=row[7],
            archived=bool(row[8]),
            favourite=bool(row[9]),
            read=bool(row[10]),
            tags=sorted(row[11].split("\x1f"), key=str.lower) if row[11] else [],
            snippet=row[12] or "",
        )


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))
