"""Adding to the library from the window: drops, pastes, Add URL, imports and links handed over
by another start of Reader go to the capture queue (or, for saved pages and export files, to a
short job); a single link just added is shown once saved. Links are handed over, never checked
or stored on the UI thread. New articles reach the list through the library's change events."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from reader.capture.urls import canonical_url, check_url
from reader.errors import UserError
from reader.library import Library
from reader.library.events import LibraryChange
from reader.ui.background import run_in_background
from reader.ui.message_bar import MessageBar

if TYPE_CHECKING:  # the capture modules load where they are used, not before the first paint
    from reader.capture.extractor import Extractor
    from reader.capture.queue import AddReport, CaptureQueue, QueueEvent
    from reader.ui.browser import Browser
    from reader.ui.capture_status import CaptureStatus

Status = Callable[[str, int], None]


class CaptureController(QObject):
    def __init__(self, library: Library, queue: Callable[[], CaptureQueue], extractor: Extractor,
                 pool: QThreadPool, browser: Browser, capture_status: CaptureStatus,
                 message_bar: MessageBar, status: Status,
                 add_models: Callable[[list[Path]], None], dialogs: QWidget):
        super().__init__(dialogs)
        self.library = library
        self.queue = queue  # builds the queue if the window has not yet (before its first paint)
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
        self._adding = 0  # links handed to the queue, their report not yet back
        # Items saved or failed meanwhile: the queue may finish a link before its report is back.
        self._finished_early: dict[int, QueueEvent] = {}
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
        from reader.capture.sources import decode_drop  # see the TYPE_CHECKING imports

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
        """Hand links (or imported items) to the capture queue. Checking, deduplicating and
        storing them happens off the UI thread (a thousand links take a tenth of a second);
        what won't be fetched is said when the queue's report comes back."""
        self._adding += 1
        queue = self.queue()  # here: the UI thread builds it, if nothing has yet
        run_in_background(lambda report, cancelled: self._queue_links(queue, links), self.pool,
                          succeeded=lambda added: self._links_added(len(links), *added),
                          failed=lambda message: self.message_bar.show_message(message, True),
                          finished=self._add_finished)

    def _queue_links(self, queue: CaptureQueue, links: list
                     ) -> tuple[AddReport, tuple[int, str] | None]:
        """Off the UI thread: queue ``links``; for a single link already saved, its article
        (id, title)."""
        report = queue.add(links)
        if len(links) != 1 or not report.in_library:
            return report, None
        existing = self.library.find_by_url(canonical_url(report.in_library[0]))
        return report, None if existing is None else (existing, self.library.get(existing).title)

    def _links_added(self, count: int, report: AddReport, known: tuple[int, str] | None) -> None:
        if report.invalid:
            self.message_bar.show_message(
                "; ".join(reason for _text, reason in report.invalid), error=True)
        if known is not None:
            self.status(f"Already in your library: {known[1]}", 6000)
            if self.browser.articles.row_of(known[0]) is not None:
                self.browser.select_article(known[0])
        elif report.duplicates:
            self.status(f"{len(report.in_library)} already in your library, "
                        f"{len(report.already_queued)} already on the way.", 6000)
        self._solo_item = report.queued[0] if count == 1 and report.queued else None
        finished = self._finished_early.get(self._solo_item)
        if finished is not None:  # saved (or failed) before its report came back
            self._solo_item_finished(finished)

    def _add_finished(self) -> None:
        self._adding -= 1
        if not self._adding:
            self._finished_early.clear()

    def import_file(self, path: Path) -> None:
        """Read an export off the UI thread, store what it carries, queue its other links."""
        from reader.capture.importers import detect_and_read, import_batch  # see TYPE_CHECKING

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
        from reader.capture import pipeline  # see the TYPE_CHECKING imports

        run_in_background(
            lambda report, cancelled: pipeline.store_saved_page(self.library, self.extractor,
                                                                path, url),
            self.pool, succeeded=lambda captured: self.show_when_listed(captured.article_id),
            failed=lambda message: self.message_bar.show_message(message, error=True))

    # What comes back

    def queue_events(self, events: list[QueueEvent]) -> None:
        """The queue's events since the last batch, in the order they were sent."""
        latest = max(events, key=lambda event: event.seq)
        if latest.seq > self._queue_seq:
            self._queue_seq = latest.seq
            self.capture_status.show_counts(latest.counts)
        for event in events:
            item = event.item
            if item is None or item.state not in ("saved", "failed"):
                continue
            if item.id == self._solo_item:
                self._solo_item_finished(event)
            elif self._adding:  # it may be the single link whose report is on its way
                self._finished_early[item.id] = event

    def _solo_item_finished(self, event: QueueEvent) -> None:
        item = event.item
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
