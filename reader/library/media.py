"""What capture keeps besides articles: the images articles show, and the queue of pages still
to be captured.

Functions over a ``Library`` (still the only code that writes the database), in two parts:

- images: stored once per content (``hash`` is the sha256 of the bytes), linked to the articles
  that show them, read back by the reader view with ``image_bytes``;
- the capture queue's rows (``reader.capture.queue`` drives them): each change of state is a
  compare-and-set on (id, attempt, state), so a cancelled item or an outdated attempt can never
  overwrite a newer decision.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reader.library.store import Library, NewArticle, utc_now

# Images

_HASH = re.compile(r"^[0-9a-f]{64}$")


def store_image(library: Library, data: bytes, content_type: str) -> str:
    """Keep ``data`` (once, however many articles show it); returns its hash."""
    digest = hashlib.sha256(data).hexdigest()
    with library._lock, library._db:
        library._db.execute(
            "INSERT OR IGNORE INTO images (hash, content_type, data, size) VALUES (?,?,?,?)",
            (digest, content_type, data, len(data)),
        )
    return digest


def link_images(library: Library, article_id: int, images: Iterable[tuple[str, str]]) -> None:
    """Record that ``article_id`` shows each (url, hash) of ``images``."""
    with library._lock, library._db:
        _link_images(library, article_id, images)


def _link_images(library: Library, article_id: int, images: Iterable[tuple[str, str]]) -> None:
    library._db.executemany(
        "INSERT OR REPLACE INTO article_images (article_id, url, hash) VALUES (?,?,?)",
        [(article_id, url, digest) for url, digest in images],
    )


def image_bytes(library: Library, digest: str) -> bytes | None:
    """The stored image with this hash (None: no such image, or not a hash at all)."""
    if not _HASH.match(digest or ""):
        return None
    with library._lock:
        row = library._db.execute("SELECT data FROM images WHERE hash = ?", (digest,)).fetchone()
    return bytes(row[0]) if row else None


def image_content_type(library: Library, digest: str) -> str | None:
    if not _HASH.match(digest or ""):
        return None
    with library._lock:
        row = library._db.execute(
            "SELECT content_type FROM images WHERE hash = ?", (digest,)
        ).fetchone()
    return row[0] if row else None


def article_images(library: Library, article_id: int) -> dict[str, str]:
    """url -> hash of the images stored for ``article_id``."""
    with library._lock:
        return dict(library._db.execute(
            "SELECT url, hash FROM article_images WHERE article_id = ?", (article_id,)
        ))


def prune_images(library: Library) -> int:
    """Delete images no article shows any more (after the bin is emptied, or a capture that
    stored images and then failed). Returns how many went. Not while a queue is capturing: its
    new images are linked only once their article is stored."""
    with library._lock, library._db:
        return library._db.execute(
            "DELETE FROM images WHERE hash NOT IN (SELECT hash FROM article_images)"
        ).rowcount


# The capture queue

QUEUED, FETCHING, EXTRACTING, SAVED, FAILED, CANCELLED = (
    "queued", "fetching", "extracting", "saved", "failed", "cancelled"
)
STATES = (QUEUED, FETCHING, EXTRACTING, SAVED, FAILED, CANCELLED)
ACTIVE = (QUEUED, FETCHING, EXTRACTING)  # still to be done
# What ``enqueue`` says about each page it is given.
NEW, IN_LIBRARY, ALREADY_QUEUED = "queued", "in_library", "already_queued"


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
    article_id: int | None = None


_ITEM_COLUMNS = (
    "id, url, canonical_url, state, reason, attempts, added, updated, metadata, article_id"
)


def _item(row: tuple) -> QueueItem:
    return QueueItem(*row[:8], metadata=json.loads(row[8] or "{}"), article_id=row[9])


def enqueue(library: Library, pages: Sequence[tuple[str, str, dict]]
            ) -> list[tuple[str, QueueItem | None]]:
    """Queue each (url, canonical url, metadata), in one transaction. For each, in order:
    (NEW, item) when queued (a failed or cancelled row is queued again), (IN_LIBRARY, None) or
    (ALREADY_QUEUED, item)."""
    results: list[tuple[str, QueueItem | None]] = []
    with library._lock, library._db:
        db = library._db
        for url, canonical, metadata in pages:
            if library.find_by_url(canonical) is not None:
                results.append((IN_LIBRARY, None))
                continue
            row = db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE canonical_url = ?", (canonical,)
            ).fetchone()
            if row is not None and row[3] in ACTIVE:
                results.append((ALREADY_QUEUED, _item(row)))
                continue
            now = utc_now()
            if row is None:
                item_id = db.execute(
                    "INSERT INTO capture_queue"
                    " (url, canonical_url, state, added, updated, metadata) VALUES (?,?,?,?,?,?)",
                    (url, canonical, QUEUED, now, now, json.dumps(metadata)),
                ).lastrowid
            else:  # tried before (failed, cancelled, or saved and since deleted): once more
                item_id = row[0]
                db.execute(
                    "UPDATE capture_queue SET url = ?, state = ?, reason = '', added = ?,"
                    " updated = ?, metadata = ?, article_id = NULL WHERE id = ?",
                    (url, QUEUED, now, now, json.dumps(metadata), item_id),
                )
            results.append((NEW, _get(library, item_id)))
    return results


def queue_items(library: Library, states: Sequence[str] = STATES) -> list[QueueItem]:
    """The items in ``states``, oldest first."""
    with library._lock:
        rows = library._db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE state IN "
            "(SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(list(states)),),
        ).fetchall()
    return [_item(row) for row in rows]


def queue_counts(library: Library) -> dict[str, int]:
    """Items per state (every state, zeros included)."""
    with library._lock:
        found = dict(library._db.execute(
            "SELECT state, count(*) FROM capture_queue GROUP BY state"
        ))
    return {state: found.get(state, 0) for state in STATES}


def start_attempt(library: Library, item_id: int) -> QueueItem | None:
    """A queued item starts fetching (its attempt counted); None if it is no longer queued."""
    with library._lock, library._db:
        changed = library._db.execute(
            "UPDATE capture_queue SET state = ?, attempts = attempts + 1, reason = '',"
            " updated = ? WHERE id = ? AND state = ?",
            (FETCHING, utc_now(), item_id, QUEUED),
        ).rowcount
        return _get(library, item_id) if changed else None


def transition(library: Library, item: QueueItem, to_state: str, *, reason: str = "",
               article_id: int | None = None) -> bool:
    """Move ``item`` from the state it has to ``to_state``, only if the row is still in that
    state and on that attempt (False: cancelled, or retried meanwhile)."""
    with library._lock, library._db:
        return library._db.execute(
            "UPDATE capture_queue SET state = ?, reason = ?, article_id = ?, updated = ?"
            " WHERE id = ? AND attempts = ? AND state = ?",
            (to_state, reason, article_id, utc_now(), item.id, item.attempts, item.state),
        ).rowcount == 1


def item_state(library: Library, item: QueueItem) -> str | None:
    """The state of ``item``'s row, if the row is still on ``item``'s attempt (else None)."""
    with library._lock:
        row = library._db.execute(
            "SELECT state FROM capture_queue WHERE id = ? AND attempts = ?",
            (item.id, item.attempts),
        ).fetchone()
    return row[0] if row else None


def save_captured(library: Library, item: QueueItem, article: NewArticle,
                  images: Iterable[tuple[str, str]] = ()) -> tuple[int, bool] | None:
    """Store the article ``item`` became, link its images and mark the item saved: all or, if
    the item was cancelled (or retried) meanwhile, nothing (None). Returns (id, is_new)."""
    with library._lock:  # re-entrant: library.add takes it too
        current = library._db.execute(
            "SELECT 1 FROM capture_queue WHERE id = ? AND attempts = ? AND state = ?",
            (item.id, item.attempts, item.state),
        ).fetchone()
        if current is None:
            return None
        # library.add commits on its own; should the app die before the update below, the item
        # is queued again on the next start and finds its article already there.
        article_id, is_new = library.add(article)
        with library._db:
            if is_new:
                _link_images(library, article_id, images)
            library._db.execute(
                "UPDATE capture_queue SET state = ?, reason = '', article_id = ?, updated = ?"
                " WHERE id = ?",
                (SAVED, article_id, utc_now(), item.id),
            )
        return article_id, is_new


def change_states(library: Library, ids: Sequence[int] | None, from_states: Sequence[str],
                  to_state: str) -> list[QueueItem]:
    """Move the items ``ids`` (None: all) that are in ``from_states`` to ``to_state`` (reason
    cleared); returns them as they are now."""
    condition = "state IN (SELECT value FROM json_each(?))"
    params: list = [json.dumps(list(from_states))]
    if ids is not None:
        condition += " AND id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(ids)))
    with library._lock, library._db:
        chosen = [row[0] for row in library._db.execute(
            f"SELECT id FROM capture_queue WHERE {condition}", params
        )]
        library._db.execute(
            f"UPDATE capture_queue SET state = ?, reason = '', updated = ? WHERE {condition}",
            [to_state, utc_now(), *params],
        )
        return [_get(library, item_id) for item_id in chosen]


def clear_queue(library: Library, states: Sequence[str]) -> int:
    """Forget the items in ``states``; returns how many."""
    with library._lock, library._db:
        return library._db.execute(
            "DELETE FROM capture_queue WHERE state IN (SELECT value FROM json_each(?))",
            (json.dumps(list(states)),),
        ).rowcount


def _get(library: Library, item_id: int) -> QueueItem:
    return _item(library._db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM capture_queue WHERE id = ?", (item_id,)
    ).fetchone())
