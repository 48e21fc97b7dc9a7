"""The capture queue in the window: a progress bar with counts, cancel, and the failed pages
with their reasons (retry or dismiss). Events from the queue's threads reach the UI thread in
batches, at most ``QUEUE_EVENTS_INTERVAL_MS`` apart (``reader.ui.batches``): the bar shows the
latest counts of each (a progress bar repaints itself at every new value: a thousand saves
would be thousands of paints)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the queue is built after the first paint (MainWindow.start_capture)
    from reader.capture.queue import CaptureQueue, Counts

ITEM_ROLE = Qt.ItemDataRole.UserRole
QUEUE_EVENTS_INTERVAL_MS = 100


class CaptureStatus(QWidget):
    """Progress of the current batch; hidden when nothing is being saved and nothing failed."""

    def __init__(self, queue: Callable[[], CaptureQueue], parent=None):
        super().__init__(parent)
        self.queue = queue  # builds it if need be (shown only once the queue has sent counts)
        self.bar = QProgressBar()
        self.bar.setObjectName("captureProgress")
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop saving the pages still waiting")
        self.cancel.clicked.connect(lambda: self.queue().cancel())
        self.failed = QPushButton()
        self.failed.setObjectName("captureFailed")
        self.failed.clicked.connect(self.show_failed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        layout.addWidget(self.failed)
        self.setVisible(False)  # until the queue has something to show

    def show_counts(self, counts: Counts) -> None:
        total = counts.total - counts.cancelled
        done = counts.saved + counts.failed
        busy = counts.active > 0
        self.bar.setVisible(busy)
        self.cancel.setVisible(busy)
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"Saving {done} of {total}")
        self.failed.setText(f"{counts.failed} failed…")
        self.failed.setVisible(counts.failed > 0)
        self.setVisible(busy or counts.failed > 0)

    def show_failed(self) -> None:
        FailedPages(self.queue(), self.window()).exec()


class FailedPages(QDialog):
    """The pages that could not be saved, each with the reason; retry or dismiss them."""

    def __init__(self, queue: CaptureQueue, parent=None):
        super().__init__(parent)
        self.queue = queue
        self.setWindowTitle("Pages not saved")
        self.setMinimumSize(720, 360)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Page", "Why"])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        retry = buttons.addButton("Retry", QDialogButtonBox.ButtonRole.ActionRole)
        retry_all = buttons.addButton("Retry All", QDialogButtonBox.ButtonRole.ActionRole)
        dismiss = buttons.addButton("Dismiss", QDialogButtonBox.ButtonRole.ActionRole)
        retry.clicked.connect(lambda: self._apply(self.queue.retry, self._selected()))
        retry_all.clicked.connect(lambda: self._apply(self.queue.retry, None))
        dismiss.clicked.connect(lambda: self._apply(self.queue.cancel, self._selected()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for item in self.queue.snapshot().failed:
            page = QStandardItem(item.url)
            page.setData(item.id, ITEM_ROLE)
            self.model.appendRow([page, QStandardItem(item.reason)])
        self.table.resizeColumnToContents(0)

    def _selected(self) -> list[int]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.model.item(row, 0).data(ITEM_ROLE) for row in sorted(rows)]

    def _apply(self, action, ids: list[int] | None) -> None:
        if ids is None or ids:
            action(ids)
        self.reload()
