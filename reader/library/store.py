"""Articles in SQLite: add, look up, list, and keep their summaries."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reader.errors import LibraryError
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
        }


@dataclass(frozen=True)
class Article(ArticleRow):
    """One article with its content."""

    language: str = ""
    body_html: str = ""
    text: str = ""

    def as_dict(self) -> dict:
        return {**super().as_dict(), "language": self.language, "text": self.text}


_ROW_COLUMNS = "id, url, title, author, site, published, added, word_count, archived, favourite"


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

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
        with self._lock:
            return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def rows(self) -> list[ArticleRow]:
        """Every article, newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ROW_COLUMNS} FROM articles ORDER BY added DESC, id DESC"
            ).fetchall()
            tags = self._tags_by_article()
        return [self._row(r, tags.get(r[0], [])) for r in rows]

    def get(self, article_id: int) -> Article:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ROW_COLUMNS}, language, body_html, text FROM articles WHERE id = ?",
                (article_id,),
            ).fetchone()
            if row is None:
                raise LibraryError(f"There is no article {article_id} in the library.")
            tags = self._tags_by_article(article_id).get(article_id, [])
        return Article(
            **vars(self._row(row[:10], tags)),
            language=row[10],
            body_html=row[11],
            text=row[12],
        )

    def raw_html(self, article_id: int) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT html FROM pages WHERE article_id = ?", (article_id,)
            ).fetchone()
        return row[0] if row else None

    def summary(self, article_id: int) -> str | None:
        """The newest stored summary of the article, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT text FROM summaries WHERE article_id = ? "
                "ORDER BY created DESC, rowid DESC LIMIT 1",
                (article_id,),
            ).fetchone()
        return row[0] if row else None

    def search_ids(self, query: str) -> list[int]:
        """Article ids matching an FTS5 query, best first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rank",
                (query,),
            ).fetchall()
        return [r[0] for r in rows]

    def _tags_by_article(self, article_id: int | None = None) -> dict[int, list[str]]:
        sql = (
            "SELECT article_tags.article_id, tags.name FROM article_tags "
            "JOIN tags ON tags.id = article_tags.tag_id"
        )
        params: tuple = ()
        if article_id is not None:
            sql += " WHERE article_tags.article_id = ?"
            params = (article_id,)
        result: dict[int, list[str]] = {}
        for aid, name in self._db.execute(sql + " ORDER BY tags.name", params):
            result.setdefault(aid, []).append(name)
        return result

    @staticmethod
    def _row(row: tuple, tags: list[str]) -> ArticleRow:
        return ArticleRow(
            id=row[0],
            url=row[1],
            title=row[2],
            author=row[3],
            site=row[4],
            published=row[5],
            added=row[6],
            word_count=row[7],
            tags=tags,
            archived=bool(row[8]),
            favourite=bool(row[9]),
        )
