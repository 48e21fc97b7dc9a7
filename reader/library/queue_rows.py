"""The capture queue's rows: pages still to be captured (``reader.capture.queue`` drives them).

Functions over a ``Library``, through its public transaction and query API. Each change of
state is a compare-and-set on (id, attempt, state), so a cancelled item or an outdated attempt
can never overwrite a newer decision.

Rows belong to an owner (one ``CaptureQueue``: a window, a ``reader add``) that proves it is alive
with a heartbeat in ``capture_owners``. A queue works only on its own rows; the rows of an owner
whose heartbeat stopped (it crashed, or quit) are taken over by the next queue (``adopt``).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reader.library import pending
from reader.library.images import PendingPictures, await_pictures
from reader.library.rows import marks
from reader.library.store import Library, NewArticle, Transaction, insert_articles, utc_now

QUEUED, FETCHING, EXTRACTING, SAVED, FAILED, CANCELLED = (
    "queued", "fetching", "extracting", "saved", "failed", "cancelled"
)
STATES = (QUEUED, FETCHING, EXTRACTING, SAVED, FAILED, CANCELLED)
ACTIVE = (QUEUED, FETCHING, EXTRACTING)  # still to be done
IN_FLIGHT = (FETCHING, EXTRACTING)
# What ``enqueue`` says about each page it is given.
NEW, IN_LIBRARY, ALREADY_QUEUED = "queued", "in_library", "already_queued"
LEASE_SECONDS = 60.0  # an owner silent this long is taken for dead (one on another machine)
MAX_INTERRUPTIONS = 2  # owners that may die with an item in flight before it is given up
POISON_REASON = "Reader stopped twice while saving this page"
# Pages queued per transaction: the library is one connection behind one lock, and the window
# reads it as it paints; a thousand links in one transaction would hold it for a tenth of a
# second.
ENQUEUE_BATCH = 50


@dataclass(frozen=True)
class QueueItem:
    """One page in the capture queue."""

    id: int
    url: str
    canonical_url: str
    state: str
    reason: str = ""  # why it failed
    attempts: int = 0
    added: str = ""
    updated: str = ""
    metadata: dict = field(default_factory=dict, compare=False)  # an import's title, tags...
    article_id: int | None = None  # the article it is (stored, waiting, at once)
    not_before: float = 0.0  # waiting until then (for the network, or its next try)


_ITEM_COLUMNS = (
    "id, url, canonical_url, state, reason, attempts, added, updated, metadata, article_id,"
    " not_before"
)


def _item(row: tuple) -> QueueItem:
    return QueueItem(*row[:8], metadata=json.loads(row[8] or "{}"), article_id=row[9],
                     not_before=row[10])


def _json(values: Iterable) -> str:
    return json.dumps(list(values))


# Owners


def heartbeat(library: Library, owner: str) -> None:
    """``owner``, a queue of this process, is alive (call it well within ``LEASE_SECONDS``)."""
    with library.transaction() as tx:
        tx.execute("INSERT OR REPLACE INTO capture_owners (owner, heartbeat, host, pid)"
                   " VALUES (?, ?, ?, ?)", (owner, time.time(), socket.gethostname(), os.getpid()))


def release(library: Library, owner: str) -> None:
    """``owner`` stops cleanly: its items in flight go back to the queue (not counted as
    interrupted), and all its items are left to the next queue."""
    with library.transaction() as tx:
        tx.execute("UPDATE capture_queue SET state = ?, updated = ? WHERE owner = ? AND state IN "
                   "(SELECT value FROM json_each(?))", (QUEUED, utc_now(), owner, _json(IN_FLIGHT)))
        tx.execute("DELETE FROM capture_owners WHERE owner = ?", (owner,))


def adopt(library: Library, owner: str) -> int:
    """Take over the rows of owners that are gone (no heartbeat for ``LEASE_SECONDS``, or their
    process on this machine has ended: a killed ``reader add`` run again at once). Their
    items in flight count one interruption and are queued again, or failed at the second
    (a page that brings Reader down is not tried at every start). Returns how many rows."""
    now, host = time.time(), socket.gethostname()
    with library.transaction() as tx:
        gone = [other for other, beat, on, pid in tx.execute(
                    "SELECT owner, heartbeat, host, pid FROM capture_owners WHERE owner != ?",
                    (owner,))
                if beat < now - LEASE_SECONDS or (on == host and not _running(pid))]
        tx.execute("DELETE FROM capture_owners WHERE owner IN (SELECT value FROM json_each(?))",
                   (_json(gone),))
        orphans = "owner != ? AND owner NOT IN (SELECT owner FROM capture_owners)"
        tx.execute(
            "UPDATE capture_queue SET interrupted = interrupted + 1, updated = ?,"
            " state = CASE WHEN interrupted + 1 >= ? THEN ? ELSE ? END,"
            " reason = CASE WHEN interrupted + 1 >= ? THEN ? ELSE '' END"
            f" WHERE {orphans} AND state IN (SELECT value FROM json_each(?))",
            (utc_now(), MAX_INTERRUPTIONS, FAILED, QUEUED, MAX_INTERRUPTIONS, POISON_REASON,
             owner, _json(IN_FLIGHT)))
        return tx.execute(f"UPDATE capture_queue SET owner = ? WHERE {orphans}",
                          (owner, owner)).rowcount


def capturing(library: Library) -> bool:
    """Whether some queue (in this process or another: a ``reader add``) is alive: its stored
    images are linked to their article only once all its pictures are in."""
    return library.query_one("SELECT 1 FROM capture_owners WHERE heartbeat > ? LIMIT 1",
                             (time.time() - LEASE_SECONDS,)) is not None


def _running(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end it there: the lease alone tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


# Rows


def enqueue(library: Library, owner: str, pages: Sequence[tuple[str, str, dict]]
            ) -> list[tuple[str, QueueItem | None]]:
    """Queue each (url, canonical url, metadata) for ``owner``, in transactions of
    ``ENQUEUE_BATCH`` pages. For each, in order: (NEW, item) when queued (a failed or cancelled
    row is queued again, and taken over), (IN_LIBRARY, None) or (ALREADY_QUEUED, item) (by this
    owner or another).

    A link queued is an article at once (``pending``), with what ``metadata`` says of it; a
    link whose article is waiting, or failed, is queued for it."""
    results: list[tuple[str, QueueItem | None]] = []
    for start in range(0, len(pages), ENQUEUE_BATCH):
        results += _enqueue_batch(library, owner, pages[start:start + ENQUEUE_BATCH])
    return results


def _enqueue_batch(library: Library, owner: str, pages: Sequence[tuple[str, str, dict]]
                   ) -> list[tuple[str, QueueItem | None]]:
    """One transaction, and a few statements for the whole batch: seven or so per page held
    the interpreter's lock (the window's UI thread waiting on it) for a sixth of a second a
    thousand links."""
    canonicals = list(dict.fromkeys(canonical for _, canonical, _ in pages))
    with library.transaction() as tx:
        articles = pending.fetch_states(tx, canonicals)
        items = _items_at(tx, canonicals)
        outcomes: list[tuple[str, str]] = []  # (outcome, canonical url), page by page
        chosen: dict[str, tuple[str, dict]] = {}  # canonical url -> (url, metadata) queued now
        for url, canonical, metadata in pages:
            found, item = articles.get(canonical), items.get(canonical)
            if found is not None and found[1] == pending.FETCHED:
                outcome = IN_LIBRARY
            elif canonical in chosen or (item is not None and item.state in ACTIVE):
                outcome = ALREADY_QUEUED  # a second page of one address is queued by the first
            else:
                outcome = NEW
                chosen[canonical] = (url, metadata)
            outcomes.append((outcome, canonical))
        if chosen:
            _queue(tx, owner, chosen, articles, items)
            items |= _items_at(tx, list(chosen))
    return [(outcome, None if outcome == IN_LIBRARY else items[canonical])
            for outcome, canonical in outcomes]


def _queue(tx: Transaction, owner: str, chosen: dict[str, tuple[str, dict]],
           articles: dict[str, tuple[int, str]], items: dict[str, QueueItem]) -> None:
    """Queue the ``chosen`` pages (canonical url -> (url, metadata)) for ``owner``, each for its
    article (its waiting or failed one in ``articles``, else one stored now), in a new row or in
    its row of ``items`` (not active: tried before, failed or cancelled, or saved and since
    deleted), which is tried once more."""
    unstored = [canonical for canonical in chosen if canonical not in articles]
    article_ids = {canonical: found[0] for canonical, found in articles.items()}
    placeholders = [_placeholder(canonical, *chosen[canonical]) for canonical in unstored]
    article_ids.update(zip(unstored, insert_articles(tx, placeholders, pending.PENDING)))
    now = utc_now()
    tx.executemany(
        "INSERT INTO capture_queue (url, canonical_url, state, added, updated, metadata, owner,"
        " article_id) VALUES (?,?,?,?,?,?,?,?)",
        [(url, canonical, QUEUED, now, now, json.dumps(metadata), owner, article_ids[canonical])
         for canonical, (url, metadata) in chosen.items() if canonical not in items])
    tx.executemany(
        "UPDATE capture_queue SET url = ?, state = ?, reason = '', added = ?, updated = ?,"
        " metadata = ?, article_id = ?, owner = ?, interrupted = 0, not_before = 0 WHERE id = ?",
        [(url, QUEUED, now, now, json.dumps(metadata), article_ids[canonical], owner,
          items[canonical].id)
         for canonical, (url, metadata) in chosen.items() if canonical in items])


def _placeholder(canonical: str, url: str, metadata: dict) -> NewArticle:
    """The article a link is until fetched, with what ``metadata`` (an import's) says of it."""
    return pending.placeholder(
        canonical, url, title=metadata.get("title", ""), tags=metadata.get("tags", ()),
        archived=bool(metadata.get("archived")), favourite=bool(metadata.get("favourite")),
        added=metadata.get("added", ""))


def _items_at(tx: Transaction, canonicals: list[str]) -> dict[str, QueueItem]:
    """The queue's items at ``canonicals``, by canonical url. The addresses are bound one by
    one, not read out of JSON (``json_each``), so they are compared as they were stored."""
    return {item.canonical_url: item for item in map(_item, tx.execute(
        f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE canonical_url IN ({marks(canonicals)})",
        canonicals))}


def queue_items(library: Library, owner: str, states: Sequence[str] = STATES
                ) -> list[QueueItem]:
    """``owner``'s items in ``states``, oldest first."""
    rows = library.query(
        f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE owner = ? AND state IN "
        "(SELECT value FROM json_each(?)) ORDER BY id", (owner, _json(states)))
    return [_item(row) for row in rows]


def queue_counts(library: Library, owner: str) -> dict[str, int]:
    """``owner``'s items per state (every state, zeros included)."""
    found = dict(library.query(
        "SELECT state, count(*) FROM capture_queue WHERE owner = ? GROUP BY state", (owner,)))
    return {state: found.get(state, 0) for state in STATES}


def start_attempt(library: Library, owner: str, item_id: int) -> QueueItem | None:
    """A queued item starts fetching (its attempt counted); None if it is no longer queued
    (or no longer ``owner``'s)."""
    with library.transaction() as tx:
        changed = tx.execute(
            "UPDATE capture_queue SET state = ?, attempts = attempts + 1, reason = '',"
            " updated = ? WHERE id = ? AND state = ? AND owner = ?",
            (FETCHING, utc_now(), item_id, QUEUED, owner),
        ).rowcount
        row = tx.execute(f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE id = ?",
                         (item_id,)).fetchone()
    return _item(row) if changed else None


def transition(library: Library, item: QueueItem, to_state: str, *, reason: str = "",
               article_id: int | None = None) -> bool:
    """Move ``item`` from the state it has to ``to_state``, only if the row is still in that
    state and on that attempt (False: cancelled, or retried meanwhile)."""
    with library.transaction() as tx:
        return tx.execute(
            "UPDATE capture_queue SET state = ?, reason = ?,"
            " article_id = coalesce(?, article_id), updated = ? WHERE id = ? AND attempts = ?"
            " AND state = ?",
            (to_state, reason, article_id, utc_now(), item.id, item.attempts, item.state),
        ).rowcount == 1


def item_state(library: Library, item: QueueItem) -> str | None:
    """The state of ``item``'s row, if the row is still on ``item``'s attempt (else None)."""
    row = library.query_one("SELECT state FROM capture_queue WHERE id = ? AND attempts = ?",
                            (item.id, item.attempts))
    return row[0] if row else None


def save_captured(library: Library, item: QueueItem, article: NewArticle,
                  snapshot: pending.Snapshot | None = None,
                  pictures: tuple[str, bool] | None = None) -> tuple[int, bool] | None:
    """Store the article ``item`` became (filling in its waiting article), note that its
    pictures are still to be fetched (``pictures``: the page's address and whether it came from
    this computer's network; None: it shows none) and mark the item saved, in one transaction:
    all or, if the item was cancelled (or retried) meanwhile, nothing (None). Returns (id,
    is_new: the page is new to the library)."""
    with library.transaction() as tx:
        current = tx.execute(
            "SELECT 1 FROM capture_queue WHERE id = ? AND attempts = ? AND state = ?",
            (item.id, item.attempts, item.state),
        ).fetchone()
        if current is None:
            return None
        if item.article_id is not None and pending.fill(tx, item.article_id, article, snapshot):
            article_id, is_new = item.article_id, True
        else:  # queued before links were articles at once
            article_id, is_new = library.add(article)  # joins this transaction
        if is_new and pictures is not None:
            await_pictures(tx, PendingPictures(article_id, *pictures))
        tx.execute(
            "UPDATE capture_queue SET state = ?, reason = '', article_id = ?, updated = ?"
            " WHERE id = ?",
            (SAVED, article_id, utc_now(), item.id),
        )
    return article_id, is_new


def change_states(library: Library, owner: str, ids: Sequence[int] | None,
                  from_states: Sequence[str], to_state: str) -> list[QueueItem]:
    """Move ``owner``'s items ``ids`` (None: all) that are in ``from_states`` to ``to_state``
    (reason and interruptions cleared); returns them as they are now."""
    condition = "owner = ? AND state IN (SELECT value FROM json_each(?))"
    params: list = [owner, _json(from_states)]
    if ids is not None:
        condition += " AND id IN (SELECT value FROM json_each(?))"
        params.append(_json(ids))
    with library.transaction() as tx:
        chosen = [row[0] for row in tx.execute(
            f"SELECT id FROM capture_queue WHERE {condition}", params)]
        tx.execute(
            "UPDATE capture_queue SET state = ?, reason = '', interrupted = 0, not_before = 0,"
            " updated = ? WHERE id IN (SELECT value FROM json_each(?))",
            (to_state, utc_now(), _json(chosen)))
        rows = tx.execute(
            f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE id IN "
            "(SELECT value FROM json_each(?)) ORDER BY id", (_json(chosen),)).fetchall()
    return [_item(row) for row in rows]


def clear_queue(library: Library, owner: str, states: Sequence[str]) -> int:
    """Forget ``owner``'s items in ``states``; returns how many."""
    with library.transaction() as tx:
        return tx.execute(
            "DELETE FROM capture_queue WHERE owner = ? AND state IN "
            "(SELECT value FROM json_each(?))", (owner, _json(states))).rowcount


def postpone(library: Library, item: QueueItem, seconds: float, reason: str) -> bool:
    """Put ``item`` (in flight) back in the queue, to be tried again in ``seconds`` (False: it
    was cancelled meanwhile)."""
    with library.transaction() as tx:
        return tx.execute(
            "UPDATE capture_queue SET state = ?, reason = ?, not_before = ?, updated = ?"
            " WHERE id = ? AND attempts = ? AND state = ?",
            (QUEUED, reason, time.time() + seconds, utc_now(), item.id, item.attempts,
             item.state)).rowcount == 1


def postponed(library: Library, item_id: int) -> str | None:
    """Why item ``item_id`` waits to be tried again later, if it does."""
    row = library.query_one("SELECT reason FROM capture_queue WHERE id = ? AND state = ?"
                            " AND not_before > ?", (item_id, QUEUED, time.time()))
    return row[0] if row else None


def item_owner(library: Library, item_id: int) -> str | None:
    """The queue that owns item ``item_id`` (None: no such item)."""
    row = library.query_one("SELECT owner FROM capture_queue WHERE id = ?", (item_id,))
    return row[0] if row else None
