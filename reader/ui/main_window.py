"""The main window: views | article list | summary over reader view.

Wiring only: it builds the widgets and hands them to the controllers that do the work (the
browser: what is listed and shown; capture; article actions with undo; summaries). The list and
the sidebar follow the library's change events (``LibraryEvents``); nothing refreshes them by
hand.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reader import paths
from reader.capture.extractor import Extractor
from reader.errors import UserError
from reader.library import Library
from reader.library.listing import SORTS
from reader.settings import Settings
from reader.ui import ui_state
from reader.ui.actions_controller import ArticleActions
from reader.ui.article_list import ArticleListModel
from reader.ui.article_list_view import ArticleDelegate, ArticleListView
from reader.ui.browser import Browser
from reader.ui.capture_controller import CaptureController
from reader.ui.batches import Batches
from reader.ui.capture_status import QUEUE_EVENTS_INTERVAL_MS, CaptureStatus
from reader.ui.command_table import window_commands
from reader.ui.commands import (
    apply_keymap,
    default_keymap,
    effective_keymap,
    install_commands,
    keymap_problems,
)
from reader.ui.export_controller import ExportController
from reader.ui.highlight_controller import HighlightController
from reader.ui.highlights_controller import HighlightsController
from reader.ui.highlights_pane import HighlightsPane
from reader.ui.highlights_view import HighlightsView
from reader.ui.library_events import LibraryEvents
from reader.ui.message_bar import MessageBar
from reader.ui.reader_view import ReaderView
from reader.ui.showing_marker import ShowingMarker
from reader.ui.sidebar import SidebarModel
from reader.ui.summary_controller import SummaryController
from reader.ui.summary_pane import SummaryPane

if TYPE_CHECKING:  # built after the first paint (see start_capture)
    from reader.capture.queue import CaptureQueue

# How long the UI thread may wait for the GIL while the capture queue's threads run Python: the default,
# 5 ms, is paid at each of the many times a paint or an event crosses into Python (measured: the
# longest stall while 1,000 links are saved 23-32 ms at 5 ms, 16-18 ms at 1 ms, same pages/s).
GIL_SWITCH_SECONDS = 0.001
PARALLEL_JOBS = 4  # saved pages, imports and re-extraction at once; links go through the queue


class MainWindow(QMainWindow):
    def __init__(self, library: Library, settings: Settings):
        super().__init__()
        self.library = library
        self.settings = settings
        self.events = LibraryEvents(library, self)
        self.capture_pool = QThreadPool(self)
        self.capture_pool.setMaxThreadCount(PARALLEL_JOBS)
        # Process-wide, set by the window as the owner of the UI thread.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_SECONDS))
        self.extractor = Extractor()
        self.queue_events = Batches(QUEUE_EVENTS_INTERVAL_MS, self)  # from the queue's threads
        self._capture_queue: CaptureQueue | None = None
        self.setWindowTitle("Reader")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self._build_widgets()
        self.reader_view.fetch_requested.connect(  # "Fetch now" on a link without its page
            lambda article_id: self.capture.add_links([library.get(article_id).url]))
        status = self.statusBar().showMessage
        self.browser = Browser(library, self.articles, self.list_view, self.highlights_view,
                               self.sidebar_view, self.search_field, self.sort_box,
                               self.reader_view, self.summary_pane,
                               ShowingMarker(paths.showing_path(), self), self)
        self.browser.title_changed.connect(
            lambda title: self.setWindowTitle(f"{title} — Reader" if title else "Reader"))
        self.article_actions = ArticleActions(library, self.browser, self.message_bar, status,
                                      self.extractor, self.capture_pool, self)
        self.capture = CaptureController(
            library, self.start_capture, self.extractor, self.capture_pool, self.browser,
            self.capture_status, self.message_bar, status,
            lambda paths: self.open_models(add=paths), self)
        self.highlighting = HighlightController(library, self.reader_view,
                                                self.article_actions.undo_stack,
                                                self.message_bar, status, self)
        self.highlights = HighlightsController(
            library, self.events, self.browser, self.highlights_pane,
            self.article_actions.undo_stack, self.message_bar, status, self)
        self.summaries = SummaryController(library, self.summary_pane, self.browser,
                                           self.message_bar, status, self)
        self.exports = ExportController(library, self.message_bar, status, self,
                                        self.capture_pool, self)
        self.queue_events.delivered.connect(self.capture.queue_events)
        # In this order: the list and counts first, then what selects in the updated list.
        for follower in (self.articles.apply, self.sidebar.apply, self.capture.library_changed,
                         self.highlighting.library_changed, self.browser.library_changed):
            self.events.changed.connect(follower)

        self.commands = window_commands(self)
        self.actions_by_id = install_commands(self, self.commands, self._keymap())
        self.highlighting.bind(self.actions_by_id)
        self._build_menus()
        self._apply_reading_style()
        saved = ui_state.restore(self, self.splitters)
        self.summary_pane.setVisible(saved.get("summary_visible", True))
        self.highlights_pane.setVisible(saved.get("highlights_visible", False))
        self._report_keymap_problems()
        self.statusBar().showMessage(f"Library: {library.path}", 8000)
        self.sidebar_view.setCurrentIndex(self.sidebar.index(0))
        if problem := self.browser.open_first_article():
            self.message_bar.show_message(problem, error=True)
        self._painted = False  # see paintEvent

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Runs once this first frame is on screen: what the frame does not need waits.
            QTimer.singleShot(0, self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self.isVisible():  # not closed meanwhile: a closed window needs no queue
            self.start_capture()

    def start_capture(self) -> CaptureQueue:
        """The capture queue, built and started after the first paint, or when first needed if
        sooner (links dropped, pasted or handed over by another start before it): its modules
        (fetching, httpx, extraction's pipeline) took a tenth of a second of the start."""
        if self._capture_queue is None:
            from reader.capture import wayback
            from reader.capture.queue import CaptureQueue

            self._capture_queue = CaptureQueue(
                self.library, self.queue_events.put, extractor=self.extractor,
                wayback=wayback.from_settings(self.settings))
            self._capture_queue.start()  # also carries on with what the last session left
            # What exists by now (modules, widgets' wrappers) lives as long as the window: frozen,
            # it is no longer walked by each full collection on the UI thread (10-16 ms for the
            # 52k objects of a started window; 80 ms measured in a test process of 130k).
            gc.freeze()
        return self._capture_queue

    capture_queue = property(start_capture)  # the queue, built if need be

    def _build_widgets(self) -> None:
        self.sidebar = SidebarModel(self.library, self)
        self.sidebar_view = QListView()
        self.sidebar_view.setObjectName("sidebar")
        self.sidebar_view.setModel(self.sidebar)
        self.sidebar_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar_view.setStyleSheet("QListView::item { padding: 5px 8px; }")

        self.search_field = QLineEdit()
        self.search_field.setObjectName("search")
        self.search_field.setPlaceholderText("Search (/)")
        self.search_field.setClearButtonEnabled(True)
        self.sort_box = QComboBox()
        self.sort_box.setObjectName("sort")
        for name, (title, _expression, _descending) in SORTS.items():
            self.sort_box.addItem(title, name)

        self.articles = ArticleListModel(self.library, self)
        self.list_view = ArticleListView()
        self.list_view.setObjectName("articleList")
        self.list_view.setModel(self.articles)
        self.list_view.setItemDelegate(ArticleDelegate(self.list_view))
        # Single selection: when the selected article leaves the list (archived from the
        # inbox), Qt selects the one after it.
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        # Lay out a long list a batch at a time after each reload (an archive at 100,000
        # articles spent 97 ms laying out every row at once on the UI thread).
        self.list_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.list_view.setBatchSize(100)
        list_column = QWidget()
        list_layout = QVBoxLayout(list_column)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(2)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_field, 1)
        search_row.addWidget(self.sort_box)
        list_layout.addLayout(search_row)
        list_layout.addWidget(self.list_view, 1)
        self.highlights_view = HighlightsView(self.library)  # the list's place for Highlights
        self.highlights_view.hide()
        list_layout.addWidget(self.highlights_view, 1)

        self.reader_view = ReaderView(self.library)
        self.summary_pane = SummaryPane(self.library, self.settings)
        reading = QSplitter(Qt.Orientation.Vertical)
        reading.addWidget(self.summary_pane)
        reading.addWidget(self.reader_view)
        self.highlights_pane = HighlightsPane(self.library)
        reading.addWidget(self.highlights_pane)
        reading.setSizes([170, 630, 180])
        # The panes are shown and hidden by keys, never dragged away: sizes saved while one was
        # hidden hold 0 for it, which would bring it back with no height.
        for pane in (self.summary_pane, self.highlights_pane):
            reading.setCollapsible(reading.indexOf(pane), False)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.sidebar_view)
        main.addWidget(list_column)
        main.addWidget(reading)
        main.setSizes([170, 340, 770])
        main.setChildrenCollapsible(False)
        self.splitters = {"main": main, "reading": reading}

        self.message_bar = MessageBar()
        self.capture_status = CaptureStatus(self.start_capture)
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
        self.browser.show_again()

    def font_step(self, step: int) -> None:
        self.settings.font_size = max(6, min(48, self.settings.font_size + step))
        self.settings.save()
        self._apply_reading_style()

    def current_article_id(self) -> int | None:
        return self.browser.current_article_id()

    def back(self) -> None:
        """Esc: stop a summary, else clear the search, else go back to the list."""
        if self.summaries.cancel():
            return
        self.browser.clear_search()
        self.browser.focus_list()

    # Capture: drops on the window, links from another start of Reader

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.capture.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        event.acceptProposedAction()
        self.capture.add_from_mime(event.mimeData())

    def add_links(self, links: list) -> None:
        self.capture.add_links(links)

    def receive_links(self, links: list[str]) -> None:
        """Links handed over by another start of Reader (a launcher, ``reader URL``)."""
        if links:
            self.capture.add_links(links)
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    # Dialogs

    def show_first_run_notice(self) -> None:
        # Imported here, not at the top: the model list, like the dialogs below, is loaded when
        # first used, not before the first paint.
        from reader.summarize.models import chosen_model_path

        try:
            model = chosen_model_path(self.settings).name
        except UserError as error:
            model = f"none ({error})"
        self.message_bar.show_message(
            f"Welcome to Reader. Summaries are written on this computer by {model}; "
            "for better ones, choose a bigger GGUF model in Settings (Ctrl+,). Press ? for keys."
        )

    def open_settings(self) -> None:
        from reader.ui.settings_dialog import SettingsDialog  # see show_first_run_notice

        dialog = SettingsDialog(self.settings, self.commands, default_keymap(), self)
        if dialog.exec():
            self.settings.save()
            self.summary_pane.forget_model()
            apply_keymap(self.actions_by_id, self._keymap())
            self._apply_reading_style()
            self._report_keymap_problems()

    def open_models(self, add: list[Path] | None = None) -> None:
        """The models view; ``add``: GGUF files dropped on the window, added to the list."""
        # Its module reads the machine's memory (psutil) and downloads models (httpx): imported
        # when first opened, not before the first paint.
        from reader.ui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self.settings, self)
        dialog.model_changed.connect(self.summary_pane.forget_model)
        for path in add or []:
            dialog.add_file(path)
        dialog.exec()

    def open_palette(self) -> None:
        from reader.ui.palette import CommandPalette  # see show_first_run_notice

        palette = CommandPalette(self.commands, self.actions_by_id, self)
        if palette.exec() and palette.chosen is not None:
            palette.chosen.trigger()

    def show_keys(self) -> None:
        from reader.ui.palette import CheatSheet  # see show_first_run_notice

        CheatSheet(self.commands, self.actions_by_id, self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.browser.save_position()
        self.events.close()
        ui_state.save(self, self.splitters, {
            "summary_visible": self.summary_pane.isVisible(),
            "highlights_visible": self.highlights_pane.isVisible()})
        self.summary_pane.cancel()
        if self._capture_queue is not None:  # closed before it was needed: nothing to stop
            self._capture_queue.stop(timeout=2)
        self.queue_events.close()  # a queue thread still ending hands nothing to the window
        self.capture_pool.waitForDone(3000)
        self.extractor.close()
        self.summary_pane.lane.waitForDone(10000)
        self.summary_pane.forget_model()
        super().closeEvent(event)
        self.browser.marker.clear()  # a clean close: whatever was shown last is safe
