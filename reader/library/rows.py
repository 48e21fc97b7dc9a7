"""What the library hands out and takes in: articles as capture makes them, as lists show them,
and whole; and how a row of SQL becomes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

WORDS_PER_MINUTE = 230

# The columns of an ``ArticleRow`` (``a`` is the articles table), tags joined by char(31).
ROW_COLUMNS = (
    "a.id, a.url, a.title, a.author, a.site, a.published, a.added, a.word_count, a.archived, "
    "a.favourite, a.read, "
    "(SELECT group_concat(tags.name, char(31)) FROM article_tags "
    " JOIN tags ON tags.id = article_tags.tag_id WHERE article_tags.article_id = a.id)"
)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def newest_summary_query(columns: str, article_id: int, model: str | None,
                         prompt_version: str | None) -> tuple[str, list]:
    """SQL and parameters for ``columns`` of the newest summary of an article (by that model
    and prompt version, where given)."""
    sql = f"SELECT {columns} FROM summaries WHERE article_id = ?"
    params: list = [article_id]
    for column, value in (("model", model), ("prompt_version", prompt_version)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return sql + " ORDER BY created DESC, rowid DESC LIMIT 1", params


def marks(values: list) -> str:
    """``?`` placeholders for ``values``."""
    return ", ".join("?" * len(values))


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


def article_row(row: tuple) -> ArticleRow:
    """An ``ArticleRow`` from ``ROW_COLUMNS`` and a snippet."""
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
