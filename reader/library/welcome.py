"""The article a new library starts with, so Reader is never empty on first run."""

from __future__ import annotations

from pathlib import Path

from reader import paths
from reader.library.images import prune_images
from reader.library.queue_rows import capturing
from reader.library.store import Library, NewArticle

WELCOME_URL = "reader:welcome"


def open_library(path: Path | None = None) -> Library:
    """The library at ``path`` (default: the data dir), with the welcome article if it is new.

    The bin is left as it is: a command run while the window is open must not empty it under
    the window's undo (see ``empty_bin``).
    """
    library = Library(path or paths.database_path())
    if library.created:
        add_welcome(library)
    return library


def empty_bin(library: Library) -> int:
    """Delete for good the articles in the bin, and the images no article shows any more
    (unless a capture is under way).
    The window does this as it starts, before anything can be deleted or undone in it, so
    what goes is only what was deleted before; returns how many articles went."""
    removed = library.purge_deleted()
    if not capturing(library):  # a queue's new images are not linked yet
        prune_images(library)
    return removed


def add_welcome(library: Library) -> int:
    import lxml.html  # only for a new library: opening one does not load lxml

    html = (paths.resources_dir() / "welcome.html").read_text(encoding="utf-8")
    document = lxml.html.fragment_fromstring(html, create_parent="div")
    title = document.findtext(".//h1") or "Welcome to Reader"
    text = "\n".join(
        line.strip() for line in document.text_content().splitlines() if line.strip()
    )
    article_id, _ = library.add(
        NewArticle(
            url=WELCOME_URL,
            original_url=WELCOME_URL,
            title=title,
            author="The Reader team",
            site="Reader",
            body_html=html,
            text=text,
        )
    )
    return article_id
