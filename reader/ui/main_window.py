"""The main window: views | article list | summary over reader view.

It wires widgets to the core and to commands; capture, the library and summaries live in the
core, and long work runs through ui.background.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMimeData, QModelIndex, Qt, QThreadPool, QTimer, QUrl
from PySide6.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListView,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reader.capture.fetch import decode_html
from reader.capture.images import use_stored_images
from reader.capture.importers import detect_and_read, import_batch
from reader.capture.queue import CaptureQueue, Extractor
from reader.capture.service import capture_saved_page
from reader.capture.sources import decode_drop
from reader.capture.urls import canonical_url, check_url
from reader.errors import UserError
from reader.library import Library
from reader.library.listing import SORTS
from reader.library.store import Change
from reader.settings import Settings
from reader.summarize.models import chosen_model_path
from reader.ui import ui_state
from reader.ui.article_list import ID_ROLE, ROW_ROLE, ArticleDelegate, ArticleListModel, ArticleListView
from reader.ui.background import run_in_background
from reader.ui.capture_status import CaptureStatus, QueueBridge
from reader.ui.commands import (
    Command,
    apply_keymap,
    default_keymap,
    effective_keymap,
    install_commands,
    keymap_problems,
)
from reader.ui.message_bar import MessageBar
from reader.ui.models_dialog import ModelsDialog
from reader.ui.palette import CheatSheet, CommandPalette
from reader.ui.reader_view import ReaderView
from reader.ui.settings_dialog import SettingsDialog
from reader.ui.sidebar import TARGET_ROLE, SidebarModel
from reader.ui.summary_pane import SummaryPane

log = logging.getLogger(__name__)
PARALLEL_FETCHES = 4
SEARCH_DELAY_MS = 150


class MainWindow(QMainWindow):
    def __init__(self, library: Library, settings: Settings):
        super().__init__()
        self.library = library
        self.settings = settings
        self.undo_stack: list[list[Change]] = []
        self._shown_article: int | None = None
        self._read_state_chosen = False  # the user set read/unread on the shown article
        # Short jobs (imports, saved pages, re-extraction); pages from links go through the queue.
        self.capture_pool = QThreadPool(self)
        self.capture_pool.setMaxThreadCount(PARALLEL_FETCHES)
        self.extractor = Extractor()
        self.queue_bridge = QueueBridge(self)
        self.queue_bridge.event.connect(self._queue_event)
        self.capture_queue = CaptureQueue(library, self.queue_bridge.event.emit,
                                          extractor=self.extractor)
        self._queue_seq = 0
        self._solo_item: int | None = None  # the queue item of a single link just added
        self._show_next: int | None = None  # its article, to show once the list is refreshed
        self._list_refresh = QTimer(self, singleShot=True, interval=250)
        self._list_refresh.timeout.connect(self._refresh_after_capture)

        self.setWindowTitle("Reader")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self._build_widgets()
        self.commands = self._commands()
        self.actions_by_id = install_commands(self, self.commands, self._keymap())
        self._build_menus()
        self._apply_reading_style()
        saved = ui_state.restore(self, self.splitters)
        self.summary_pane.setVisible(saved.get("summary_visible", True))
        self._report_keymap_problems()
        self.statusBar().showMessage(f"Library: {library.path}", 8000)
        self.sidebar_view.setCurrentIndex(self.sidebar.index(0))
        self._select_row(0)
        self.capture_queue.start()  # also carries on with what the last session left

    # Layout

    def _build_widgets(self) -> None:
        self.sidebar = SidebarModel(self.library, self)
        self.sidebar_view = QListView()
        self.sidebar_view.setObjectName("sidebar")
        self.sidebar_view.setModel(self.sidebar)
        self.sidebar_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar_view.setStyleSheet("QListView::item { padding: 5px 8px; }")
        self.sidebar_view.selectionModel().currentChanged.connect(self._view_changed)

        self.search_field = QLineEdit()
        self.search_field.setObjectName("search")
        self.search_field.setPlaceholderText("Search (/)")
        self.search_field.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search_field.textChanged.connect(self._search_timer.start)
        self.search_field.returnPressed.connect(self.list_view_focus)
        self.sort_box = QComboBox()
        self.sort_box.setObjectName("sort")
        for name, (title, _expression, _descending) in SORTS.items():
            self.sort_box.addItem(title, name)
        self.sort_box.currentIndexChanged.connect(self._sort_changed)

        self.articles = ArticleListModel(self.library, self)
        self.list_view = ArticleListView()
        self.list_view.setObjectName("articleList")
        self.list_view.setModel(self.articles)
        self.list_view.setItemDelegate(ArticleDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        # Lay out a long list a batch at a time after each reload (an archive at 100,000
        # articles spent 97 ms laying out every row at once on the UI thread).
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.list_view.setBatchSize(100)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)
        self.list_view.activated.connect(lambda _index: self.open_article())
        list_column = QWidget()
        list_layout = QVBoxLayout(list_column)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(2)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_field, 1)
        search_row.addWidget(self.sort_box)
        list_layout.addLayout(search_row)
        list_layout.addWidget(self.list_view, 1)

        self.reader_view = ReaderView(self.library)
        self.reader_view.reached_end.connect(self._read_to_end)
        self.summary_pane = SummaryPane(self.library, self.settings)
        self.summary_pane.failed.connect(lambda message: self.message_bar.show_message(message, True))

        reading = QSplitter(Qt.Orientation.Vertical)
        reading.addWidget(self.summary_pane)
        reading.addWidget(self.reader_view)
        reading.setSizes([170, 630])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.sidebar_view)
        main.addWidget(list_column)
        main.addWidget(reading)
        main.setSizes([170, 340, 770])
        main.setChildrenCollapsible(False)
        self.splitters = {"main": main, "reading": reading}

        self.message_bar = MessageBar()
        self.capture_status = CaptureStatus(self.capture_queue)
        self.statusBar().addPermanentWidget(self.capture_status)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(main, 1)
        self.setCentralWidget(central)
        # Drops anywhere in the window mean "add these links", not "insert text here".
        for widget in (self.sidebar_view, self.list_view, self.reader_view, self.search_field):
            widget.setAcceptDrops(False)
        self.list_view.setFocus()

    def _commands(self) -> list[Command]:
        return [
            Command("add-url", "Add URL…", self.ask_for_url, "Library"),
            Command("paste-links", "Add Links from Clipboard", self.paste_links, "Library"),
            Command("import", "Import from Another Service…", self.ask_for_import, "Library"),
            Command("search", "Search", self.focus_search, "Library"),
            Command("undo", "Undo", self.undo, "Library"),
            Command("palette", "Command Palette…", self.open_palette, "Library"),
            Command("models", "Models…", self.open_models, "Library"),
            Command("settings", "Settings…", self.open_settings, "Library"),
            Command("quit", "Quit", self.close, "Library"),
            Command("next-article", "Next Article", lambda: self._move(1), "Go"),
            Command("previous-article", "Previous Article", lambda: self._move(-1), "Go"),
            Command("first-article", "First Article", lambda: self._select_row(0), "Go"),
            Command("last-article", "Last Article",
                    lambda: self._select_row(self.articles.rowCount() - 1), "Go"),
            Command("open-article", "Read Article", self.open_article, "Go"),
            Command("page-down", "Page Down", lambda: self.reader_view.page(1), "Go"),
            Command("page-up", "Page Up", lambda: self.reader_view.page(-1), "Go"),
            Command("back", "Back to the List / Clear Search / Stop", self.back, "Go"),
            Command("summarize", "Summarise", self.summarize_current, "Article"),
            Command("summarize-again", "Summarise Again",
                    lambda: self.summarize_current(again=True), "Article"),
            Command("summarize-all", "Summarise All Unsummarised", self.summarize_all, "Library"),
            Command("toggle-summary", "Show or Hide the Summary", self.toggle_summary, "Article"),
            Command("archive", "Archive / Unarchive", lambda: self._toggle("archived"), "Article"),
            Command("favourite", "Favourite / Unfavourite",
                    lambda: self._toggle("favourite"), "Article"),
            Command("mark-read", "Mark Read / Unread", lambda: self._toggle("read"), "Article"),
            Command("tags", "Edit Tags…", self.edit_tags, "Article"),
            Command("rename-tag", "Rename Tag…", self.rename_tag, "Article"),
            Command("delete", "Delete", self.delete_current, "Article"),
            Command("open-original", "Open Original in Browser", self.open_original, "Article"),
            Command("re-extract", "Re-extract from Saved Page", self.re_extract, "Article"),
            Command("font-bigger", "Larger Text", lambda: self._font_step(1), "View"),
            Command("font-smaller", "Smaller Text", lambda: self._font_step(-1), "View"),
            Command("help", "Keys…", self.show_keys, "Help"),
        ]

    def _build_menus(self) -> None:
        menus = {}
        for command in self.commands:
            if command.menu not in menus:
                menus[command.menu] = self.menuBar().addMenu(f"&{command.menu}")
            menus[command.menu].addAction(self.actions_by_id[command.id])

    def _keymap(self) -> dict[str, list[str]]:
        return effective_keymap(default_keymap(), self.settings.keys)

    def _report_keymap_problems(self) -> None:
        problems = keymap_problems(self._keymap(), {c.id for c in self.commands})
        if problems:
            self.message_bar.show_message("Key settings: " + " ".join(problems), error=True)

    def _apply_reading_style(self) -> None:
        s = self.settings
        self.reader_view.apply_style(s.theme, s.font_family, s.font_size, s.line_width)
        if self._shown_article is not None:
            self._show(self._shown_article)

    # Navigating

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_article(self, article_id: int, fallback_row: int = 0) -> None:
        row = self.articles.row_of(article_id)
        self._select_row(fallback_row if row is None else row)

    def _select_row(self, row: int) -> None:
        count = self.articles.rowCount()
        if count:
            self.list_view.setCurrentIndex(self.articles.index(max(0, min(row, count - 1))))
        else:
            self._current_changed(QModelIndex(), QModelIndex())

    def _move(self, step: int) -> None:
        current = self.list_view.currentIndex().row()
        self._select_row(0 if current < 0 else current + step)
        self.list_view_focus()

    def list_view_focus(self) -> None:
        self.list_view.setFocus()

    def open_article(self) -> None:
        if self.current_article_id() is not None:
            self.reader_view.setFocus()

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def back(self) -> None:
        """Esc: stop a summary, else clear the search, else go back to the list."""
        if self.summary_pane.cancel():
            return
        if self.search_field.text():
            self.search_field.clear()
            self._run_search()
        self.list_view_focus()

    def _view_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kind, name = current.data(TARGET_ROLE)
        query = self.articles.query
        if kind == "view":
            query = replace(query, view=name, tag=None)
        else:
            query = replace(query, view="all", tag=name)
        self._set_query(query)

    def _run_search(self) -> None:
        self._search_timer.stop()
        self._set_query(replace(self.articles.query, search=self.search_field.text()))

    def _sort_changed(self) -> None:
        self._set_query(replace(self.articles.query, sort=self.sort_box.currentData()))

    def _set_query(self, query) -> None:
        if query == self.articles.query:
            return
        self.articles.set_query(query)
        self._select_row(0)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._save_position()
        if self.reader_view.fits() and previous.isValid():
            self._read_to_end(previous.data(ROW_ROLE))  # it was all on screen: it has been read
        if not current.isValid():
            self._shown_article = None
            self.reader_view.clear()
            self.summary_pane.show_article(None)
            self.setWindowTitle("Reader")
            return
        self._show(current.data(ID_ROLE))

    def _show(self, article_id: int) -> None:
        article = self.library.get(article_id)
        if article_id != self._shown_article:
            self._read_state_chosen = False
        self._shown_article = article_id
        self.reader_view.show_article(article, article.position)
        self.setWindowTitle(f"{article.title} — Reader")
        self.summary_pane.show_article(article_id)

    def _save_position(self) -> None:
        if self._shown_article is not None:
            self.library.set_position(self._shown_article, self.reader_view.position())

    def _read_to_end(self, row=None) -> None:
        """The end of an article was reached: it is read, unless the user said otherwise."""
        row = row or self.list_view.currentIndex().data(ROW_ROLE)
        if (row is not None and row.id == self._shown_article and not row.read
                and not self._read_state_chosen):
            self.library.set_flag([row.id], "read", True)
            if row.id == self.current_article_id():
                self._refresh(keep=row.id)

    # Changing articles (each undoable with u)

    def _toggle(self, flag: str) -> None:
        row = self.list_view.currentIndex().data(ROW_ROLE)
        if row is None:
            return
        value = not getattr(row, flag)
        if flag == "read":
            self._read_state_chosen = True
        self._record([self.library.set_flag([row.id], flag, value)])
        words = {"archived": ("Archived", "Moved back to the inbox"),
                 "favourite": ("Added to favourites", "Removed from favourites"),
                 "read": ("Marked read", "Marked unread")}[flag]
        self.statusBar().showMessage(f"{words[0] if value else words[1]}. U undoes it.", 5000)

    def delete_current(self) -> None:
        article_id = self.current_article_id()
        if article_id is not None:
            self._record([self.library.set_flag([article_id], "deleted", True)])
            self.statusBar().showMessage("Deleted. U brings it back.", 8000)

    def edit_tags(self) -> None:
        row = self.list_view.currentIndex().data(ROW_ROLE)
        if row is None:
            return
        text, ok = QInputDialog.getText(self, "Tags", "Tags, separated by commas:",
                                        text=", ".join(row.tags))
        if not ok:
            return
        wanted = {tag.strip() for tag in text.split(",") if tag.strip()}
        changes = [self.library.tag([row.id], tag) for tag in sorted(wanted - set(row.tags))]
        changes += [self.library.tag([row.id], tag, present=False)
                    for tag in sorted(set(row.tags) - wanted)]
        if changes:
            self._record(changes)

    def rename_tag(self) -> None:
        target = self.sidebar_view.currentIndex().data(TARGET_ROLE)
        if not target or target[0] != "tag":
            self.message_bar.show_message("Select a tag in the sidebar to rename it.")
            return
        new, ok = QInputDialog.getText(self, "Rename Tag", f"New name for #{target[1]}:",
                                       text=target[1])
        if ok:
            try:
                self._record([self.library.rename_tag(target[1], new)])
            except UserError as error:
                self.message_bar.show_message(str(error), error=True)

    def undo(self) -> None:
        if not self.undo_stack:
            self.statusBar().showMessage("Nothing to undo.", 3000)
            return
        changes = self.undo_stack.pop()
        for change in reversed(changes):
            self.library.undo(change)
        ids = [i for change in changes for i in [*change.before, *change.tagged]]
        self._refresh(keep=ids[0] if ids else self.current_article_id())
        self.statusBar().showMessage(f"Undone: {changes[0].description}.", 4000)

    def _record(self, changes: list[Change]) -> None:
        self.undo_stack.append(changes)
        self._refresh(keep=self.current_article_id())

    def _refresh(self, keep: int | None) -> None:
        """Re-read the list and counts after a change, staying where the user was."""
        row = max(self.list_view.currentIndex().row(), 0)
        self.articles.reload()
        self.sidebar.reload()
        if keep is not None:
            self.select_article(keep, row)
        else:
            self._select_row(row)

    def open_original(self) -> None:
        row = self.list_view.currentIndex().data(ROW_ROLE)
        if row is not None and row.url.startswith(("http://", "https://")):
            QDesktopServices.openUrl(QUrl(row.url))

    def re_extract(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            return
        raw = self.library.raw_html(article_id)
        if raw is None:
            self.message_bar.show_message("There is no saved page for this article.")
            return
        url = self.library.get(article_id).url

        def work(report, cancelled):
            found = self.extractor.extract(decode_html(raw), url)
            body = use_stored_images(self.library, article_id, found.body_html)
            self.library.replace_content(article_id, found.title, body, found.text)

        run_in_background(work, self.capture_pool,
                          succeeded=lambda _r: self._refresh(keep=article_id),
                          failed=lambda message: self.message_bar.show_message(message, True))

    # Reading style

    def _font_step(self, step: int) -> None:
        self.settings.font_size = max(6, min(48, self.settings.font_size + step))
        self.settings.save()
        self._apply_reading_style()

    def toggle_summary(self) -> None:
        self.summary_pane.setVisible(not self.summary_pane.isVisible())

    # Capture

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasText() or mime.hasHtml() or mime.hasFormat("text/x-moz-url"):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        event.acceptProposedAction()
        self.add_from_mime(event.mimeData())

    def paste_links(self) -> None:
        self.add_from_mime(QGuiApplication.clipboard().mimeData())

    def add_from_mime(self, mime: QMimeData) -> None:
        """A drop or paste: links are fetched, saved pages stored, export files imported."""
        models = [Path(url.toLocalFile()) for url in mime.urls()
                  if url.isLocalFile() and url.toLocalFile().lower().endswith(".gguf")]
        if models:
            self.open_models(add=models)
            return
        payload = {name: bytes(mime.data(name).data()) for name in mime.formats()}
        try:
            drop = decode_drop(payload)
        except UserError as error:
            self.message_bar.show_message(str(error), error=True)
            return
        self.add_links([link.url for link in drop.links])
        for page in drop.pages:
            self._capture(lambda page=page: capture_saved_page(self.library, page.path, page.url))
        for path in drop.imports:
            self.import_file(path)
        notes = list(drop.problems)
        if drop.duplicates:
            notes.append(f"{drop.duplicates} repeated link(s) left out")
        if notes:
            self.message_bar.show_message("; ".join(notes), error=bool(drop.problems))

    def add_links(self, links: list) -> None:
        """Queue links (or imported items) for saving; say at once what won't be fetched."""
        report = self.capture_queue.add(links)
        if report.invalid:
            self.message_bar.show_message(
                "; ".join(reason for _text, reason in report.invalid), error=True)
        if len(links) == 1 and report.in_library:
            existing = self.library.find_by_url(canonical_url(report.in_library[0]))
            if existing is not None:
                self.statusBar().showMessage(
                    f"Already in your library: {self.library.get(existing).title}", 6000)
                self._refresh(keep=existing)
        elif report.duplicates:
            self.statusBar().showMessage(
                f"{len(report.in_library)} already in your library, "
                f"{len(report.already_queued)} already on the way.", 6000)
        self._solo_item = report.queued[0] if len(links) == 1 and report.queued else None

    def _queue_event(self, event) -> None:
        if event.seq > self._queue_seq:
            self._queue_seq = event.seq
            self.capture_status.show_counts(event.counts)
        item = event.item
        if item is None:
            return
        if item.state == "saved":
            if item.id == self._solo_item:
                self._show_next = item.article_id
                self.statusBar().showMessage(
                    f"{'Saved' if event.is_new else 'Already in your library'}: {event.title}", 6000)
            self._list_refresh.start()
        elif item.state == "failed" and item.id == self._solo_item:
            self.message_bar.show_message(item.reason, error=True)

    def _refresh_after_capture(self) -> None:
        """New articles in the list; a single link just added is shown once saved."""
        keep, self._show_next = self._show_next or self.current_article_id(), None
        self._refresh(keep=keep)

    def _capture(self, work) -> None:
        """A short capture job (a saved page) on the pool; its article is shown when saved."""
        run_in_background(
            lambda report, cancelled: work(),
            self.capture_pool,
            succeeded=lambda captured: self._refresh(keep=captured.article_id),
            failed=lambda message: self.message_bar.show_message(message, error=True),
        )

    def ask_for_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import from another service", str(Path.home()),
            "Exports (*.csv *.json *.zip *.html *.htm *.txt);;All files (*)")
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read an export off the UI thread, store what it carries, queue its other links."""
        def work(report, cancelled):
            return import_batch(self.library, detect_and_read(path))

        def done(result) -> None:
            self.message_bar.show_message(
                f"Imported {path.name} ({result.format}): {result.added} added, "
                f"{result.duplicates} already in your library, {len(result.skipped)} skipped"
                + (f"; fetching {len(result.to_fetch)} more…" if result.to_fetch else "."))
            self._refresh(keep=self.current_article_id())
            if result.to_fetch:
                self.add_links(result.to_fetch)

        run_in_background(work, self.capture_pool, succeeded=done,
                          failed=lambda message: self.message_bar.show_message(message, True))

    def ask_for_url(self) -> None:
        text, ok = QInputDialog.getText(self, "Add URL", "Address of the page to save:")
        if ok and text.strip():
            try:
                links = [check_url(text)]
            except UserError as error:
                self.message_bar.show_message(str(error), error=True)
                return
            self.add_links(links)

    def receive_links(self, links: list[str]) -> None:
        """Links handed over by another start of Reader (a launcher, ``reader URL``)."""
        if links:
            self.add_links(links)
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    # Dialogs

    def show_first_run_notice(self) -> None:
        try:
            model = chosen_model_path(self.settings).name
        except UserError as error:
            model = f"none ({error})"
        self.message_bar.show_message(
            f"Welcome to Reader. Summaries are written on this computer by {model}; "
            "for better ones, choose a bigger GGUF model in Settings (Ctrl+,). Press ? for keys."
        )

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.commands, default_keymap(), self)
        if dialog.exec():
            self.settings.save()
            self.summary_pane.forget_model()
            apply_keymap(self.actions_by_id, self._keymap())
            self._apply_reading_style()
            self._report_keymap_problems()

    def open_models(self, add: list[Path] | None = None) -> None:
        """The models view; ``add``: GGUF files dropped on the window, added to the list."""
        dialog = ModelsDialog(self.settings, self)
        dialog.model_changed.connect(self.summary_pane.forget_model)
        for path in add or []:
            dialog.add_file(path)
        dialog.exec()

    def open_palette(self) -> None:
        palette = CommandPalette(self.commands, self.actions_by_id, self)
        if palette.exec() and palette.chosen is not None:
            palette.chosen.trigger()

    def show_keys(self) -> None:
        CheatSheet(self.commands, self.actions_by_id, self).exec()

    # Summaries

    def summarize_current(self, again: bool = False) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            self.message_bar.show_message("Select an article to summarise.")
            return
        self.summary_pane.setVisible(True)
        try:
            self.summary_pane.summarize(article_id, again)
        except UserError as error:
            self.statusBar().showMessage(str(error), 6000)

    def summarize_all(self) -> None:
        self.summary_pane.setVisible(True)
        try:
            self.summary_pane.summarize_all(self.library.unsummarised_ids())
        except UserError as error:
            self.statusBar().showMessage(str(error), 6000)

    def cancel_summary(self) -> None:
        self.summary_pane.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_position()
        ui_state.save(self, self.splitters, {"summary_visible": self.summary_pane.isVisible()})
        self.summary_pane.cancel()
        self.capture_queue.stop(timeout=2)
        self.capture_pool.waitForDone(3000)
        self.extractor.close()
        self.summary_pane.lane.waitForDone(10000)
        self.summary_pane.forget_model()
        super().closeEvent(event)

