"""Links kept as articles before their page is fetched, and where a fetched text came from.

A link given to Reader (imported, pasted, ``reader add``) is an article at once, with what is
known of it (its address, the export's title, tags, state and date), marked ``PENDING``; the
capture queue fills the same article in once the page is in (``fill``), or marks it ``FAILED``
with the reason (``mark_failed``): nothing the user brought is lost because a page is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from reader.library.highlights import reanchor
from reader.library.rows import marks
from reader.library.store import Library, NewArticle, Transaction, utc_now

FETCHED, PENDING, FAILED = "", "pending", "failed"


@dataclass(frozen=True)
class FetchStatus:
    """Whether an article's page was fetched, and from where."""

    state: str = FETCHED  # FETCHED, PENDING or FAILED
    reason: str = ""  # why the last try failed
    archive_url: str = ""  # the Internet Archive snapshot the text is from, if it is
    archive_date: str = ""  # that snapshot's date (YYYY-MM-DD)


@dataclass(frozen=True)
class Snapshot:
    """An Internet Archive snapshot a text was taken from."""

    url: str  # to show the user (the archive's own page of it)
    date: str  # YYYY-MM-DD


def placeholder(url: str, original_url: str, *, title: str = "", tags: Iterable[str] = (),
                archived: bool = False, favourite: bool = False, added: str = "",
                text: str = "") -> NewArticle:
    """The article a link is until its page is fetched: what the export (or the user) said."""
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())
    return NewArticle(url=url, original_url=original_url, title=title or original_url,
                      body_html=paragraphs, text=text, site=urlsplit(url).hostname or "",
                      tags=list(tags), archived=archived, favourite=favourite, added=added)


def store_pending(library: Library, article: NewArticle) -> tuple[int, bool]:
    """Store ``article`` (a ``placeholder``) marked not fetched yet, unless its address is in
    the library already. Returns (id, is_new)."""
    return library.add(article, fetch_state=PENDING)


def fetch_state(library: Library, url: str) -> tuple[int, str] | None:
    """(id, fetch state) of the article at canonical ``url``, if there is one."""
    return library.query_one("SELECT id, fetch_state FROM articles WHERE url = ?", (url,))


def fetch_states(tx: Transaction, urls: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Of the canonical ``urls`` (at most a few hundred), those with an article: url -> (id,
    fetch state), as ``tx`` sees them."""
    return {url: (article_id, state) for article_id, url, state in tx.execute(
        f"SELECT id, url, fetch_state FROM articles WHERE url IN ({marks(urls)})", urls)}


def fill(tx: Transaction, article_id: int, article: NewArticle,
         snapshot: Snapshot | None = None) -> bool:
    """Put the fetched ``article`` into the waiting article ``article_id`` (in ``tx``), at the
    address the page really has (after redirects); its tags, state and date stay as the user
    had them. False if it is no longer waiting."""
    filled = tx.execute(
        "UPDATE articles SET url = ?, original_url = ?, title = ?, author = ?, site = ?,"
        " published = ?, language = ?, word_count = ?, body_html = ?, text = ?, fetch_state = ?,"
        " fetch_reason = '', archive_url = ?, archive_date = ? WHERE id = ? AND fetch_state != ?",
        (article.url, article.original_url, article.title, article.author, article.site,
         article.published, article.language, len(article.text.split()), article.body_html, article.text, FETCHED,
         snapshot.url if snapshot else "", snapshot.date if snapshot else "", article_id,
         FETCHED)).rowcount == 1
    if filled and article.raw_html is not None:
        tx.execute("INSERT OR REPLACE INTO pages (article_id, fetched_url, content_type, fetched,"
                   " html) VALUES (?,?,?,?,?)",
                   (article_id, article.fetched_url or article.url, article.content_type,
                    utc_now(), article.raw_html))
    if filled:
        reanchor(tx, article_id, article.text)
        tx.record(updated=[article_id], content=[article_id])
    return filled


def mark_failed(library: Library, article_id: int, reason: str) -> None:
    """The waiting article ``article_id`` could not be fetched: it stays, saying why."""
    with library.transaction() as tx:
        if tx.execute("UPDATE articles SET fetch_state = ?, fetch_reason = ? WHERE id = ?"
                      " AND fetch_state != ?", (FAILED, reason, article_id, FETCHED)).rowcount:
            tx.record(updated=[article_id])


def discard(library: Library, article_id: int) -> None:
    """Remove the waiting article ``article_id``: its link led to an article already kept."""
    with library.transaction() as tx:
        if tx.execute("DELETE FROM articles WHERE id = ? AND fetch_state != ?",
                      (article_id, FETCHED)).rowcount:
            tx.record(removed=[article_id], counts=True)


def fetch_status(library: Library, article_id: int) -> FetchStatus:
    row = library.query_one("SELECT fetch_state, fetch_reason, archive_url, archive_date"
                            " FROM articles WHERE id = ?", (article_id,))
    return FetchStatus(*row) if row else FetchStatus()


def unfetched_ids(library: Library, ids: Iterable[int]) -> dict[int, str]:
    """Of ``ids``, those not fetched (yet): id -> state. For views drawing many rows."""
    return dict(library.query(
        "SELECT id, fetch_state FROM articles WHERE fetch_state != ? AND id IN "
        "(SELECT value FROM json_each(?))", (FETCHED, _json_ids(ids))))


def _json_ids(ids: Iterable[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"

