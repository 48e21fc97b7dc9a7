"""The main window: article list | summary over reader view. Holds no logic of its own beyond
wiring: capture, library and summaries live in the core."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QMimeData, QModelIndex, Qt, QThreadPool
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader import paths
from reader.capture.service import Captured, capture_url
from reader.capture.sources import links_from_mime
from reader.capture.urls import check_url
from reader.errors import UserError
from reader.library import Library
from reader.settings import Settings
from reader.summarize.local import LocalModel
from reader.summarize.models import chosen_model_path
from reader.summarize.summarizer import summarize_and_store
from reader.ui.article_list import ID_ROLE, ArticleDelegate, ArticleListModel, ArticleListView
from reader.ui.article_view import article_html
from reader.ui.background import Job, run_in_background
from reader.ui.commands import Command, install_commands, load_keymap
from reader.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)
PARALLEL_FETCHES = 4


class MessageBar(QFrame):
    """A one-line notice above the content: errors stay until dismissed, news until replaced."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, error: bool = False) -> None:
        colours = ("#fbe3e4", "#8a1f11") if error else ("#e8f1fb", "#1c3d66")
        self.setStyleSheet(
            f"#messageBar {{ background: {colours[0]}; border-bottom: 1px solid {colours[1]}; }}"
            f"#messageBar QLabel {{ color: {colours[1]}; }}"
        )
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, library: Library, settings: Settings):
        super().__init__()
        self.library = library
        self.settings = settings
        self._model: LocalModel | None = None
        self._summary_job: Job | None = None
        self._summary_article: int | None = None
        self._pending_captures = 0
        self.capture_pool = QThreadPool(self)
        self.capture_pool.setMaxThreadCount(PARALLEL_FETCHES)
        # One generation at a time: the model is one big resource and llama.cpp is not reentrant.
        self.model_lane = QThreadPool(self)
        self.model_lane.setMaxThreadCount(1)

        self.setWindowTitle("Reader")
        self.setAcceptDrops(True)
        self.resize(1200, 780)
        self._build_widgets()
        self.actions_by_id = install_commands(self, self._commands(), load_keymap())
        self._build_menus()
        self.statusBar().showMessage(f"Library: {library.path}", 8000)
        if self.articles.rowCount():
            self.list_view.setCurrentIndex(self.articles.index(0))

    # Layout

    def _build_widgets(self) -> None:
        self.articles = ArticleListModel(self.library, self)
        self.list_view = ArticleListView()
        self.list_view.setObjectName("articleList")
        self.list_view.setModel(self.articles)
        self.list_view.setItemDelegate(ArticleDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        self.list_view.selectionModel().currentChanged.connect(self._current_changed)

        self.reader_view = QTextBrowser()
        self.reader_view.setObjectName("readerView")
        self.reader_view.setOpenExternalLinks(True)
        self.reader_view.document().setDefaultStyleSheet(
            (paths.resources_dir() / "reader.css").read_text(encoding="utf-8")
        )
        self.reader_view.document().setDocumentMargin(24)

        self.summary_title = QLabel("<b>Summary</b>")
        self.summary_status = QLabel()
        self.summary_status.setObjectName("summaryStatus")
        self.summary_view = QPlainTextEdit()
        self.summary_view.setObjectName("summaryView")
        self.summary_view.setReadOnly(True)
        self.summary_view.setPlaceholderText("Press S to summarise this article.")
        summary_pane = QWidget()
        summary_layout = QVBoxLayout(summary_pane)
        summary_layout.setContentsMargins(8, 6, 8, 0)
        header = QHBoxLayout()
        header.addWidget(self.summary_title)
        header.addStretch(1)
        header.addWidget(self.summary_status)
        summary_layout.addLayout(header)
        summary_layout.addWidget(self.summary_view)

        reading = QSplitter(Qt.Orientation.Vertical)
        reading.addWidget(summary_pane)
        reading.addWidget(self.reader_view)
        reading.setSizes([180, 600])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.list_view)
        main.addWidget(reading)
        main.setSizes([340, 860])
        main.setChildrenCollapsible(False)

        self.message_bar = MessageBar()
        # Kept apart from the status bar's passing messages, which would hide it.
        self.capture_progress = QLabel()
        self.capture_progress.setObjectName("captureProgress")
        self.capture_progress.hide()
        self.statusBar().addPermanentWidget(self.capture_progress)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(main, 1)
        self.setCentralWidget(central)
        # Drops anywhere in the window mean "add these links", not "insert text here".
        for widget in (self.list_view, self.reader_view, self.summary_view):
            widget.setAcceptDrops(False)
        self.list_view.setFocus()

    def _commands(self) -> list[Command]:
        return [
            Command("add-url", "Add URL…", self.ask_for_url, "Library"),
            Command("paste-links", "Add Links from Clipboard", self.paste_links, "Library"),
            Command("settings", "Settings…", self.open_settings, "Library"),
            Command("quit", "Quit", self.close, "Library"),
            Command("next-article", "Next Article", lambda: self._move(1), "Article"),
            Command("previous-article", "Previous Article", lambda: self._move(-1), "Article"),
            Command("summarize", "Summarise", self.summarize_current, "Article"),
            Command("cancel", "Stop Summarising", self.cancel_summary, "Article"),
        ]

    def _build_menus(self) -> None:
        menus = {}
        for command in self._commands():
            if command.menu not in menus:
                menus[command.menu] = self.menuBar().addMenu(f"&{command.menu}")
            menus[command.menu].addAction(self.actions_by_id[command.id])

    # Articles

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def select_article(self, article_id: int) -> None:
        row = self.articles.row_of(article_id)
        if row is not None:
            self.list_view.setCurrentIndex(self.articles.index(row))

    def _move(self, step: int) -> None:
        count = self.articles.rowCount()
        if not count:
            return
        current = self.list_view.currentIndex().row()
        target = 0 if current < 0 else max(0, min(count - 1, current + step))
        self.list_view.setCurrentIndex(self.articles.index(target))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.reader_view.clear()
            self.summary_view.clear()
            return
        article = self.library.get(current.data(ID_ROLE))
        self.reader_view.setHtml(article_html(article))
        self.setWindowTitle(f"{article.title} — Reader")
        if self._summary_job is not None and self._summary_article == article.id:
            return  # the running summary keeps streaming into the pane
        self.summary_view.setPlainText(self.library.summary(article.id) or "")
        self.summary_status.setText("")

    # Capture

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        event.acceptProposedAction()
        self.add_from_mime(event.mimeData())

    def paste_links(self) -> None:
        self.add_from_mime(QGuiApplication.clipboard().mimeData())

    def add_from_mime(self, mime: QMimeData) -> None:
        payload = {name: bytes(mime.data(name).data()) for name in mime.formats()}
        try:
            links = links_from_mime(payload)
        except UserError as error:
            self.message_bar.show_message(str(error), error=True)
            return
        self.add_links(links)

    def add_links(self, links: list[str]) -> None:
        for link in links:
            self._pending_captures += 1
            run_in_background(
                lambda report, cancelled, link=link: capture_url(self.library, link),
                self.capture_pool,
                succeeded=self._captured,
                failed=lambda message: self.message_bar.show_message(message, error=True),
                finished=self._capture_finished,
            )
        self._show_capture_progress()

    def _captured(self, captured: Captured) -> None:
        if captured.is_new:
            self.articles.reload()
            self.statusBar().showMessage(f"Saved: {captured.title}", 6000)
        else:
            self.statusBar().showMessage(f"Already in your library: {captured.title}", 6000)
        self.select_article(captured.article_id)

    def _capture_finished(self) -> None:
        self._pending_captures -= 1
        self._show_capture_progress()

    def _show_capture_progress(self) -> None:
        count = self._pending_captures
        self.capture_progress.setText(f"Fetching {count} page{'s' if count > 1 else ''}…")
        self.capture_progress.setVisible(count > 0)

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

    def show_first_run_notice(self) -> None:
        try:
            model = chosen_model_path(self.settings).name
        except UserError as error:
            model = f"none ({error})"
        self.message_bar.show_message(
            f"Welcome to Reader. Summaries are written on this computer by {model}; "
            "for better ones, choose a bigger GGUF model in Settings (Ctrl+,)."
        )

    def open_settings(self) -> None:
        bindings = [
            (action.text(), ", ".join(key.toString() for key in action.shortcuts()))
            for action in self.actions_by_id.values()
        ]
        dialog = SettingsDialog(self.settings, bindings, self)
        if dialog.exec():
            self.settings.save()
            self._model = None  # the next summary loads the model now chosen

    # Summaries

    def summarize_current(self) -> None:
        article_id = self.current_article_id()
        if article_id is None:
            self.message_bar.show_message("Select an article to summarise.")
            return
        if self._summary_job is not None:
            self.message_bar.show_message("A summary is being written; press Esc to stop it first.")
            return
        self.summary_view.clear()
        self.summary_status.setText("Loading the model…" if self._model is None else "Summarising…")
        self._summary_article = article_id
        started = time.monotonic()
        pieces = 0

        def work(report, cancelled):
            if self._model is None:
                path = chosen_model_path(self.settings)
                self._model = LocalModel(path, self.settings.context_limit, self.settings.threads)
            for piece in summarize_and_store(self.library, article_id, self._model, cancelled):
                report(piece)
            return self._model.name

        def on_piece(piece: str) -> None:
            nonlocal pieces
            pieces += 1
            if self.current_article_id() == article_id:
                self.summary_view.moveCursor(self.summary_view.textCursor().MoveOperation.End)
                self.summary_view.insertPlainText(piece)
                rate = pieces / max(time.monotonic() - started, 1e-3)
                self.summary_status.setText(f"Summarising… {pieces} tokens, {rate:.0f}/s")

        def on_done(model_name: str) -> None:
            seconds = time.monotonic() - started
            stopped = self._summary_job is not None and self._summary_job.cancelled.is_set()
            text = "Stopped" if stopped else f"{model_name} · {pieces} tokens in {seconds:.1f} s"
            if self.current_article_id() == article_id:
                self.summary_status.setText(text)

        def on_failed(message: str) -> None:
            self.summary_status.setText("")
            self.message_bar.show_message(message, error=True)

        self._summary_job = run_in_background(
            work, self.model_lane, progress=on_piece, succeeded=on_done, failed=on_failed,
            finished=self._summary_finished,
        )

    def cancel_summary(self) -> None:
        if self._summary_job is not None:
            self._summary_job.cancel()

    def _summary_finished(self) -> None:
        self._summary_job = None
        self._summary_article = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_summary()
        self.capture_pool.waitForDone(3000)
        self.model_lane.waitForDone(10000)
        super().closeEvent(event)
