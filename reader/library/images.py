"""The images articles show, stored once per content (``hash`` is the sha256 of the bytes),
linked to the articles that show them, and read back by the reader view with ``image_bytes``.

Functions over a ``Library``, through its public transaction and query API.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from reader.library.store import Library

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
    new images are linked only once their article is stored."""
    with library.transaction() as tx:
        return tx.execute(
            "DELETE FROM images WHERE hash NOT IN (SELECT hash FROM article_images)"
        ).rowcount
