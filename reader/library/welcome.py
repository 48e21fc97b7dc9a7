"""The article a new library starts with, so Reader is never empty on first run."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from reader import paths
from reader.library.store import Library, NewArticle

WELCOME_URL = "reader:welcome"


def open_library(path: Path | None = None) -> Library:
    """The library at ``path`` (default: the data dir), with the welcome article if it is new.

    Articles deleted in the last session (kept until now so undo could restore them) go.
    """
    library = Library(path or paths.database_path())
    if library.created:
        add_welcome(library)
    else:
        library.purge_deleted()
    return library


def add_welcome(library: Library) -> int:
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
