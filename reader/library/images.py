"""The images articles show, stored once per content (``hash`` is the sha256 of the bytes),
linked to the articles that show them, and read back by the reader view with ``image_bytes``.

Functions over a ``Library``, through its public transaction and query API.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reader.library.store import Library, Transaction

# The address of a stored image in an article's HTML: ``reader-image:<hash>``. Here, with the
# images, so the reader view and exports read it without importing capture (httpx, lxml).
SCHEME = "reader-image"
_HASH = re.compile(r"^[0-9a-f]{64}$")


def store_image(library: Library, data: bytes, content_type: str) -> str:
    """Keep ``data`` (once, however many articles show it); returns its hash."""
    digest = hashlib.sha256(data).hexdigest()
    with library.transaction() as tx:
        tx.execute(
            "INSERT OR IGNORE INTO images (hash, content_type, data, size) VALUES (?,?,?,?)",
            (digest, content_type, data, len(data)),
        )
    return digest


def link_images(library: Library, article_id: int, images: Iterable[tuple[str, str]]) -> None:
    """Record that ``article_id`` shows each (url, hash) of ``images`` (joins a transaction
    already open, so an article and its image links can be stored together)."""
    with library.transaction() as tx:
        tx.executemany(
            "INSERT OR REPLACE INTO article_images (article_id, url, hash) VALUES (?,?,?)",
            [(article_id, url, digest) for url, digest in images],
        )


@dataclass(frozen=True)
class PendingPictures:
    """An article stored before its pictures: its body points at them on the web."""

    article_id: int
    page_url: str  # where the page was (the pictures' Referer)
    local: bool  # the page came from this computer or its network


def await_pictures(tx: Transaction, pictures: PendingPictures) -> None:
    """Note, with the article's own transaction, that its pictures are still to be fetched."""
    tx.execute("INSERT OR REPLACE INTO pictures_pending (article_id, page_url, local)"
               " VALUES (?,?,?)", (pictures.article_id, pictures.page_url, pictures.local))


def pending_pictures(library: Library) -> list[PendingPictures]:
    """The articles whose pictures are still to be fetched, oldest first."""
    return [PendingPictures(article_id, page_url, bool(local)) for article_id, page_url, local
            in library.query("SELECT article_id, page_url, local FROM pictures_pending"
                             " ORDER BY article_id")]


def pictures_to_fetch(library: Library, article_id: int) -> str | None:
    """The body of ``article_id`` as it is now, if its pictures are still to be fetched."""
    row = library.query_one(
        "SELECT body_html FROM articles JOIN pictures_pending ON article_id = id WHERE id = ?",
        (article_id,))
    return row[0] if row else None


def fill_pictures(library: Library, article_id: int, was: str, body_html: str,
                  images: Iterable[tuple[str, str]]) -> bool:
    """The article's pictures are in: its body becomes ``body_html`` (pointing at the stored
    ``images``, each (url, hash)), in one transaction, unless its body is no longer ``was``
    (extracted again meanwhile): False, and nothing changes."""
    with library.transaction() as tx:
        if not tx.execute("UPDATE articles SET body_html = ? WHERE id = ? AND body_html = ?",
                          (body_html, article_id, was)).rowcount:
            return False
        link_images(library, article_id, images)
        tx.execute("DELETE FROM pictures_pending WHERE article_id = ?", (article_id,))
        tx.record(content=[article_id])
    return True


def drop_pending_pictures(library: Library, article_id: int) -> None:
    """Nothing is left to fetch for ``article_id`` (its body shows no picture on the web)."""
    with library.transaction() as tx:
        tx.execute("DELETE FROM pictures_pending WHERE article_id = ?", (article_id,))


def image_bytes(library: Library, digest: str) -> bytes | None:
    """The stored image with this hash (None: no such image, or not a hash at all)."""
    if not _HASH.match(digest or ""):
        return None
    row = library.query_one("SELECT data FROM images WHERE hash = ?", (digest,))
    return bytes(row[0]) if row else None


def article_images(library: Library, article_id: int) -> dict[str, str]:
    """url -> hash of the images stored for ``article_id``."""
    return dict(library.query(
        "SELECT url, hash FROM article_images WHERE article_id = ?", (article_id,)))


def prune_images(library: Library) -> int:
    """Delete images no article shows any more (after the bin is emptied, or a capture that
    stored images and then failed). Returns how many went. Not while a queue is capturing: its
    new images are linked only once all the pictures of their article are in."""
    with library.transaction() as tx:
        return tx.execute(
            "DELETE FROM images WHERE hash NOT IN (SELECT hash FROM article_images)"
        ).rowcount
