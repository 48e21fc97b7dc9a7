"""Adding to the library from the window: drops, pastes, Add URL, imports and links handed over
by another start of Reader go to the capture queue (or, for saved pages and export files, to a
short job); a single link just added is shown once saved. New articles reach the list through
the library's change events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from reader.capture import pipeline
from reader.capture.extractor import Extractor
from reader.capture.importers import detect_and_read, import_batch
from reader.capture.queue import CaptureQueue
from reader.capture.sources import decode_drop
from reader.capture.urls import canonical_url, check_url
from reader.errors import UserError
from reader.library import Library
from reader.library.events import LibraryChange
from reader.ui.background import run_in_background
from reader.ui.browser import Browser
from reader.ui.capture_status import CaptureStatus
from reader.ui.message_bar import MessageBar

Status = Callable[[str, int], None]


class CaptureController(QObject):
    def __init__(self, library: Library, queue: CaptureQueue, extractor: Extractor,
                 pool: QThreadPool, browser: Browser, capture_status: CaptureStatus,
                 message_bar: MessageBar, status: Status,
                 add_models: Callable[[list[Path]], None], dialogs: QWidget):
        super().__init__(dialogs)
        self.library = library
        self.queue = queue
        self.extractor = extractor
        self.pool = pool
        self.browser = browser
        self.capture_status = capture_status
        self.message_bar = message_bar
        self.status = status
        self.add_models = add_models  # GGUF files dropped: the models view adds them
        self.dialogs = dialogs
        self._queue_seq = 0
        self._solo_item: int | None = None  # the queue item of a single link just added
        self._to_show: int | None = None  # an article to show once the list has it

    # What the user gives

    @staticmethod
    def accepts(mime: QMimeData) -> bool:
        return (mime.hasUrls() or mime.hasText() or mime.hasHtml()
                or mime.hasFormat("text/x-moz-url"))

    def paste_links(self) -> None:
        self.add_from_mime(QGuiApplication.clipboard().mimeData())

    def add_from_mime(self, mime: QMimeData) -> None:
        """A drop or paste: links are fetched, saved pages stored, export files imported."""
        models = [Path(url.toLocalFile()) for url in mime.urls()
                  if url.isLocalFile() and url.toLocalFile().lower().endswith(".gguf")]
        if models:
            self.add_models(models)
            return
        payload = {name: bytes(mime.data(name).data()) for name in mime.formats()}
        try:
            drop = decode_drop(payload)
        except UserError as error:
            self.message_bar.show_message(str(error), error=True)
            return
        self.add_links([link.url for link in drop.links])
        for page in drop.pages:
            self._store_page(page.path, page.url)
        for path in drop.imports:
            self.import_file(path)
        notes = list(drop.problems)
        if drop.duplicates:
            notes.append(f"{drop.duplicates} repeated link(s) left out")
        if notes:
            self.message_bar.show_message("; ".join(notes), error=bool(drop.problems))

    def ask_for_url(self) -> None:
        text, ok = QInputDialog.getText(self.dialogs, "Add URL", "Address of the page to save:")
        if ok and text.strip():
            try:
                links = [check_url(text)]
            except UserError as error:
                self.message_bar.show_message(str(error), error=True)
                return
            self.add_links(links)

    def ask_for_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.dialogs, "Import from another service", str(Path.home()),
            "Exports (*.csv *.json *.zip *.html *.htm *.txt);;All files (*)")
        if name:
            self.import_file(Path(name))

    def add_links(self, links: list) -> None:
        """Queue links (or imported items) for saving; say at once what won't be fetched."""
        report = self.queue.add(links)
        if report.invalid:
            self.message_bar.show_message(
                "; ".join(reason for _text, reason in report.invalid), error=True)
        if len(links) == 1 and report.in_library:
            existing = self.library.find_by_url(canonical_url(report.in_library[0]))
            if existing is not None:
                self.status(f"Already in your library: {self.library.get(existing).title}", 6000)
                if self.browser.articles.row_of(existing) is not None:
                    self.browser.select_article(existing)
        elif report.duplicates:
            self.status(f"{len(report.in_library)} already in your library, "
                        f"{len(report.already_queued)} already on the way.", 6000)
        self._solo_item = report.queued[0] if len(links) == 1 and report.queued else None

    def import_file(self, path: Path) -> None:
        """Read an export off the UI thread, store what it carries, queue its other links."""
        def done(result) -> None:
            self.message_bar.show_message(
                f"Imported {path.name} ({result.format}): {result.added} added, "
                f"{result.duplicates} already in your library, {len(result.skipped)} skipped"
                + (f"; fetching {len(result.to_fetch)} more…" if result.to_fetch else "."))
            if result.to_fetch:
                self.add_links(result.to_fetch)

        run_in_background(
            lambda report, cancelled: import_batch(self.library, detect_and_read(path),
                                                   self.extractor),
            self.pool, succeeded=done,
            failed=lambda message: self.message_bar.show_message(message, True))

    def _store_page(self, path: Path, url: str) -> None:
        """A saved page (a dropped .html file), stored off the UI thread and then shown."""
        run_in_background(
            lambda report, cancelled: pipeline.store_saved_page(self.library, self.extractor,
                                                                path, url),
            self.pool, succeeded=lambda captured: self.show_when_listed(captured.article_id),
            failed=lambda message: self.message_bar.show_message(message, error=True))

    # What comes back

    def queue_event(self, event) -> None:
        if event.seq > self._queue_seq:
            self._queue_seq = event.seq
            self.capture_status.show_counts(event.counts)
        item = event.item
        if item is None or item.id != self._solo_item:
            return
        if item.state == "saved":
            self.status(f"{'Saved' if event.is_new else 'Already in your library'}: "
                        f"{event.title}", 6000)
            self.show_when_listed(item.article_id)
        elif item.state == "failed":
            self.message_bar.show_message(item.reason, error=True)

    def show_when_listed(self, article_id: int) -> None:
        """Select the article now if the list has it, else once its change has arrived (the
        change and this call come by different ways from other threads)."""
        if self.browser.articles.row_of(article_id) is not None:
            self.browser.select_article(article_id)
        else:
            self._to_show = article_id

    def library_changed(self, change: LibraryChange) -> None:
        if self._to_show is not None and self._to_show in change.added | change.updated:
            article_id, self._to_show = self._to_show, None
            self.browser.select_article(article_id, self.browser.list_view.currentIndex().row())
