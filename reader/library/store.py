"""Articles in SQLite: the connection, transactions, adding and reading articles and their
summaries. Reading state, tags and undo are in ``state``; rows and dataclasses in ``rows``."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from reader.errors import LibraryError
from reader.library import state
from reader.library.highlights import reanchor
from reader.library.events import Announcer, ChangeRecorder, LibraryChange, Listener
from reader.library.listing import VIEWS, ListQuery, fts_query, snippet
from reader.library.rows import (
    ROW_COLUMNS,
    Article,
    ArticleRow,
    NewArticle,
    article_row,
    marks,
    newest_summary_query,
    utc_now,
)
from reader.library.schema import migrate
from reader.library.state import Change

__all__ = ["Article", "ArticleRow", "Change", "Library", "NewArticle", "Transaction",
           "insert_articles", "utc_now"]


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
               removed: Iterable[int] = (), counts: bool = False,
               highlighted: Iterable[int] = (), content: Iterable[int] = ()) -> None:
        """Note what this transaction changes, for the listeners."""
        self._recorder.record(added=added, updated=updated, removed=removed, counts=counts,
                              highlighted=highlighted, content=content)

    def change(self) -> LibraryChange:
        return self._recorder.change()


def insert_articles(tx: Transaction, articles: Sequence[NewArticle], fetch_state: str = ""
                    ) -> list[int]:
    """Store ``articles`` (each at its own address, none in the library yet) with their tags, in
    ``tx``, and announce them; returns their ids, in order. One statement for them all, not
    several each: the capture queue stores links fifty at a time (``fetch_state``: ``pending``)."""
    if not articles:
        return []
    now = utc_now()
    tx.executemany(
        "INSERT INTO articles (url, original_url, title, author, site, published, language,"
        " added, word_count, body_html, text, archived, favourite, fetch_state)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(article.url, article.original_url, article.title, article.author, article.site,
          article.published, article.language, article.added or now, len(article.text.split()),
          article.body_html, article.text, article.archived, article.favourite, fetch_state)
         for article in articles])
    urls = [article.url for article in articles]
    ids = dict(tx.execute(f"SELECT url, id FROM articles WHERE url IN ({marks(urls)})", urls))
    tags = [(ids[article.url], name) for article in articles for name in article.tags]
    tx.executemany("INSERT OR IGNORE INTO tags (name) VALUES (?)", [(name,) for _, name in tags])
    tx.executemany("INSERT INTO article_tags (article_id, tag_id) SELECT ?, id FROM tags"
                   " WHERE name = ?", tags)
    tx.record(added=ids.values(), counts=True)
    return [ids[url] for url in urls]


class Library:
    """The library in one SQLite file (WAL mode), safe to call from several threads.

    One connection for writing, guarded by a lock: SQLite allows one writer at a time anyway.
    Every write goes through ``transaction``, so listeners hear of it once it is committed.
    The thread that opened the library (the window's UI thread) reads on a connection of its
    own, outside its own transactions: in WAL mode a reader never waits for a writer, and
    storing a captured page (its text indexed) can hold the writer for tens of milliseconds.
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
            # In WAL mode NORMAL cannot corrupt the file (a power cut may lose the last
            # commits, not the library); FULL waits for the disk on every commit, which is
            # most of an archive's time on the UI thread.
            self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise LibraryError(f"Cannot open the library at {path}: {error}") from error
        except LibraryError:
            self._db.close()
            raise
        self._lock = threading.RLock()
        self._announcer = Announcer()
        self._transaction: Transaction | None = None  # the one open, held by the lock's owner
        self._writer: int | None = None  # the thread in that transaction
        self._opener = threading.get_ident()
        self._reads = sqlite3.connect(path, check_same_thread=False)  # the opener's only
        self._reads.execute("PRAGMA busy_timeout = 5000")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._reads.close()

    def interrupt(self) -> None:
        """Stop the statement running now (from another thread): it fails with
        ``sqlite3.OperationalError``. For callers that bound how long a query may take."""
        self._db.interrupt()
        self._reads.interrupt()

    # Transactions, listeners and plain queries

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
            self._writer = threading.get_ident()
            try:
                with self._db:
                    yield transaction
            finally:
                self._transaction = self._writer = None
        change = transaction.change()
        if change:
            self._announcer.announce(change)

    def query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """Rows of a read-only statement."""
        if self._reading_apart():
            return self._reads.execute(sql, tuple(params)).fetchall()
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def query_one(self, sql: str, params: Iterable = ()) -> tuple | None:
        if self._reading_apart():
            return self._reads.execute(sql, tuple(params)).fetchone()
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchone()

    def _reading_apart(self) -> bool:
        """Whether this read goes to the opener's connection (not inside its own write)."""
        me = threading.get_ident()
        return me == self._opener and self._writer != me

    # Writing

    def add(self, article: NewArticle, fetch_state: str = "") -> tuple[int, bool]:
        """Store ``article``; return its id and whether it is new (False: the URL was there).
        (``fetch_state``: see ``insert_articles``.)"""
        with self.transaction() as tx:
            existing = self.find_by_url(article.url)
            if existing is not None:
                return existing, False
            article_id = insert_articles(tx, [article], fetch_state)[0]
            if article.raw_html is not None:
                tx.execute(
                    "INSERT INTO pages (article_id, fetched_url, content_type, fetched, html) "
                    "VALUES (?,?,?,?,?)",
                    (article_id, article.fetched_url or article.url, article.content_type,
                     utc_now(), article.raw_html),
                )
            return article_id, True

    def save_summary(self, article_id: int, model: str, prompt_version: str, text: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO summaries (article_id, model, prompt_version, text, created)"
                " VALUES (?,?,?,?,?)",
                (article_id, model, prompt_version, text, utc_now()),
            )
            tx.record(updated=[article_id])

    def set_position(self, article_id: int, position: float) -> None:
        """How far the article has been read. Announced to no one: only the reader view that
        set it shows it, and it changes with every article left."""
        with self.transaction() as tx:
            tx.execute("UPDATE articles SET position = ? WHERE id = ?",
                       (max(0.0, min(1.0, position)), article_id))

    def replace_content(self, article_id: int, title: str, body_html: str, text: str) -> None:
        """New extraction of an article (from its stored page). Its summaries were of the old
        text, so they go; its highlights are found again in the new one."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM summaries WHERE article_id = ?", (article_id,))
            tx.execute(
                "UPDATE articles SET title = ?, body_html = ?, text = ?, word_count = ? "
                "WHERE id = ?",
                (title, body_html, text, len(text.split()), article_id),
            )
            reanchor(tx, article_id, text)
            tx.record(updated=[article_id], content=[article_id])

    # Reading state, tags and undo (each undoable: see ``state``)

    def set_flag(self, ids: list[int], flag: str, value: bool) -> Change:
        """Set archived/favourite/read/deleted on ``ids``; the Change undoes it."""
        with self.transaction() as tx:
            return state.set_flag(tx, ids, flag, value)

    def tag(self, ids: list[int], name: str, present: bool = True) -> Change:
        """Add (or with ``present=False`` remove) tag ``name`` on ``ids``."""
        with self.transaction() as tx:
            return state.tag(tx, ids, name, present)

    def rename_tag(self, old: str, new: str) -> Change:
        with self.transaction() as tx:
            return state.rename_tag(tx, old, new)

    def undo(self, change: Change) -> None:
        with self.transaction() as tx:
            state.undo(tx, change)

    def purge_deleted(self) -> int:
        """Empty the bin; returns how many articles went."""
        with self.transaction() as tx:
            return state.purge_deleted(tx)

    # Reading

    def find_by_url(self, canonical_url: str) -> int | None:
        row = self.query_one("SELECT id FROM articles WHERE url = ?", (canonical_url,))
        return row[0] if row else None

    def count(self) -> int:
        """Articles in the library (not counting the bin)."""
        return self.view_counts()["all"]

    def view_counts(self) -> dict[str, int]:
        """Articles in each view, as kept by the schema's triggers (no article is read)."""
        counts = dict(self.query("SELECT view, articles FROM view_counts"))
        return {view: counts.get(view, 0) for view in VIEWS}

    def tag_counts(self) -> list[tuple[str, int]]:
        """Tags with articles outside the bin, by name, with how many (kept by triggers)."""
        return self.query("SELECT name, articles FROM tags WHERE articles > 0 "
                          "ORDER BY name COLLATE NOCASE")

    def rows(self, query: ListQuery = ListQuery(view="all")) -> list[ArticleRow]:
        """Every article ``query`` selects, in its order."""
        return self.page(query, 0, -1)

    def count_matching(self, query: ListQuery) -> int:
        source, params = query.source(self._ranked(query))
        return self.query_one(f"SELECT count(*) FROM {source}", params)[0]

    def ids(self, query: ListQuery) -> list[int]:
        """The ids of every article ``query`` selects, in its order: a few bytes an article,
        so a list of 100,000 can know its order and length and read rows only as shown."""
        ranked = self._ranked(query)
        source, params = query.source(ranked)
        return [row[0] for row in self.query(
            f"SELECT a.id FROM {source} ORDER BY {query.order_by(ranked)}", params)]

    def _ranked(self, query: ListQuery) -> bool:
        """Whether the search of ``query`` has few enough matches to rank (see
        ``ListQuery.source``)."""
        probe = query.probe()
        return probe is None or bool(self.query_one(*probe)[0])

    def sort_keys(self, query: ListQuery, ids: Iterable[int]) -> dict[int, tuple]:
        """For those of ``ids`` that ``query`` (without its search) selects, the key that
        places each in its order (see ``ListQuery.sort_key``): a list can put a changed
        article in its place without reading the others."""
        ids = list(ids)
        if not ids:
            return {}
        where, params = query.where(by_id=True)
        # NOT INDEXED: each id looked up by rowid; for two ids or more SQLite would otherwise
        # scan the view's index (8 ms at 100,000 articles, against 0.05 ms).
        return {row[0]: query.sort_key(row[1], row[0]) for row in self.query(
            f"SELECT a.id, {query.sort_value()} FROM articles AS a NOT INDEXED "
            f"WHERE {where} AND a.id IN ({marks(ids)})", [*params, *ids])}

    def rows_by_ids(self, ids: list[int], search: str = "") -> list[ArticleRow]:
        """The rows of ``ids``, in that order; with ``search``, each with its matching passage."""
        if not ids:
            return []
        text = "a.text" if fts_query(search) else "''"
        found = {row[0]: row for row in self.query(
            f"SELECT {ROW_COLUMNS}, {text} FROM articles AS a WHERE a.id IN ({marks(ids)})", ids)}
        return [article_row((*found[i][:12], snippet(found[i][12], search) if search else ""))
                for i in ids if i in found]

    def page(self, query: ListQuery, offset: int, limit: int) -> list[ArticleRow]:
        """Rows ``offset`` to ``offset + limit`` of ``query`` (limit -1: to the end)."""
        ids = self.ids(query)
        return self.rows_by_ids(ids[offset:] if limit < 0 else ids[offset:offset + limit],
                                query.search)

    def get(self, article_id: int) -> Article:
        row = self.query_one(
            f"SELECT {ROW_COLUMNS}, '', a.language, a.body_html, a.text, a.position "
            "FROM articles AS a WHERE a.id = ?", (article_id,))
        if row is None:
            raise LibraryError(f"There is no article {article_id} in the library.")
        return Article(**vars(article_row(row[:13])), language=row[13], body_html=row[14],
                       text=row[15], position=row[16])

    def unsummarised_ids(self) -> list[int]:
        """Articles (not in the bin) with no summary yet, newest first."""
        return [row[0] for row in self.query(
            "SELECT id FROM articles WHERE deleted = 0 AND text != '' AND id NOT IN "
            "(SELECT article_id FROM summaries) ORDER BY added DESC, id DESC")]

    def raw_html(self, article_id: int) -> bytes | None:
        row = self.query_one("SELECT html FROM pages WHERE article_id = ?", (article_id,))
        return row[0] if row else None

    def summary(self, article_id: int, model: str | None = None,
                prompt_version: str | None = None) -> str | None:
        """The newest stored summary of the article, if any (by that model and prompt, if
        given: a summary is kept per model, prompt version, style and language)."""
        row = self.query_one(*newest_summary_query("text", article_id, model, prompt_version))
        return row[0] if row else None

    def search(self, text: str, limit: int = 50) -> list[ArticleRow]:
        """Articles matching what the user typed, as the list finds them in the view of
        every article (best match first, unless its words are too common to rank by), with
        snippets."""
        query = ListQuery(view="all", search=text)
        return self.rows_by_ids(self.ids(query)[:limit], text) if fts_query(text) else []
