"""Putting an import into the library: saved pages are stored as they are (extracted in the
extraction processes, like fetched ones), links without one are stored at once as articles
waiting for their page (``reader.library.pending``), which the capture queue (the caller's: the
window's, or ``reader import``'s) fetches; nothing is added twice."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from reader.capture.extractor import Extractor
from reader.capture.importers.items import ImportBatch, ImportedItem, Skipped
from reader.capture.pipeline import saved_article
from reader.capture.urls import canonical_url
from reader.errors import CaptureError, LibraryError
from reader.library import Library, NewArticle, highlights, pending
from reader.library.records import restore_article

log = logging.getLogger(__name__)

_WHOLE_DOCUMENT = re.compile(r"<(html|body)[\s>]", re.IGNORECASE)
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ImportResult:
    format: str
    added: int = 0
    duplicates: int = 0  # already in the library (or twice in the export)
    skipped: list[Skipped] = field(default_factory=list)  # entries of the file not imported
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason) fetches failed
    # Stored from the export's saved copy, but no article text was found in it: stored with
    # its title and an empty body, and the saved copy kept for re-extraction.
    needs_fetching: list[tuple[str, str]] = field(default_factory=list)
    # Links the export carries no page for (stored, waiting): for the capture queue
    # (``CaptureQueue.add``).
    to_fetch: list[ImportedItem] = field(default_factory=list)


def import_batch(library: Library, batch: ImportBatch, extractor: Extractor,
                 progress: Progress | None = None) -> ImportResult:
    """Store the items of ``batch``: those that carry their page with it, the others as links
    waiting for it (with what the export says of them), listed in ``to_fetch``.

    Fetches nothing; the caller queues ``to_fetch``. Extracting saved pages (in ``extractor``'s
    processes) takes a moment, so a large import belongs off the UI thread, reporting
    ``progress``. Importing the same file again adds nothing.
    """
    result = ImportResult(batch.format, skipped=list(batch.skipped))
    seen: set[str] = set()
    total = len(batch.items)
    for done, item in enumerate(batch.items, start=1):
        key = canonical_url(item.url)
        found = pending.fetch_state(library, key)
        if key in seen or found is not None:
            result.duplicates += 1
            if found and found[1] == pending.PENDING and key not in seen:
                result.to_fetch.append(item)  # never fetched: still to fetch
        elif item.record is not None:  # from Reader's own export: restored whole
            try:
                result.added += restore_article(library, item.record)[1]
            except LibraryError as error:
                result.skipped.append(Skipped(item.url, str(error)))
        elif item.html is None:
            with library.transaction():
                article_id, is_new = pending.store_pending(library, pending.placeholder(
                    key, item.url, title=item.display_title, tags=item.tags,
                    archived=item.archived, favourite=item.favourite, added=item.added,
                    text=item.excerpt))
                if is_new:
                    _keep_annotations(library, article_id, item)
            result.added += is_new
            result.to_fetch.append(item)
        else:
            article, problem = _saved_article(extractor, item, key)
            with library.transaction():
                article_id, is_new = library.add(article)
                if is_new:
                    _keep_annotations(library, article_id, item)
            result.added += is_new
            result.duplicates += not is_new
            if problem:
                result.needs_fetching.append((item.url, problem))
        seen.add(key)
        if progress:
            progress(done, total)
    return result


def _keep_annotations(library: Library, article_id: int, item: ImportedItem) -> None:
    """The user's highlights and note from the export, on the article just stored (in the
    caller's transaction, so an article never appears without them)."""
    with library.transaction() as tx:
        highlights.add_imported(tx, article_id, item.highlights)
        if item.note:
            highlights.set_article_note(library, article_id, item.note)


def _saved_article(extractor: Extractor, item: ImportedItem, key: str
                   ) -> tuple[NewArticle, str]:
    """The article from the page the service saved (the link itself may be dead by now), and
    why it has no text, if it has none."""
    # Kept as a whole document, so that re-extracting it later works as for a fetched page.
    document = _as_document(item)
    raw = document.encode("utf-8")
    try:
        return saved_article(extractor, document, item.url, item, raw_html=raw), ""
    except CaptureError as error:
        problem = str(error)
    except Exception:  # one odd saved page must not stop an import of thousands
        log.exception("Extracting the saved copy of %s failed", item.url)
        problem = f"Reader could not read the saved copy of this page: {item.url}"
    return NewArticle(
        url=key,
        original_url=item.url,
        title=item.display_title or item.url,
        body_html="",
        text="",
        site=urlsplit(item.url).hostname or "",
        tags=list(item.tags),
        archived=item.archived,
        favourite=item.favourite,
        added=item.added,
        raw_html=raw,
        content_type="text/html; charset=utf-8",
    ), problem


def _as_document(item: ImportedItem) -> str:
    """The saved page as a whole HTML document. Services save the article alone (Omnivore: one
    <div>); trafilatura finds nothing in a fragment with one element, and drops headings from
    one it does not know is all article."""
    if _WHOLE_DOCUMENT.search(item.html[:2048]):
        return item.html
    title = html.escape(item.display_title)
    return (f"<html><head><title>{title}</title></head>"
            f"<body><article>{item.html}</article></body></html>")
