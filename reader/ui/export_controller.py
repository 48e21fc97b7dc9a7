"""Library → Export…: the format and the place chosen in dialogs, the export written off the UI
thread (reader.export, the same code as ``reader export``) with progress and Stop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog, QInputDialog, QProgressDialog, QWidget

from reader.export import TITLES, export, selected_ids, writes_folder
from reader.library import Library
from reader.ui.background import Job, run_in_background
from reader.ui.message_bar import MessageBar

SUFFIXES = {"json": ".json", "bookmarks": ".html", "csv": ".csv"}


class ExportController(QObject):
    def __init__(self, library: Library, message_bar: MessageBar,
                 status: Callable[[str, int], None], dialogs: QWidget, pool: QThreadPool,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.library = library
        self.message_bar = message_bar
        self.status = status
        self.dialogs = dialogs
        self.pool = pool
        self.job: Job | None = None

    def ask_for_export(self) -> None:
        titles = list(TITLES.values())
        title, ok = QInputDialog.getItem(self.dialogs, "Export the Library",
                                         "Export every article as:", titles, 0, False)
        if not ok:
            return
        format_name = list(TITLES)[titles.index(title)]
        if writes_folder(format_name):
            name = QFileDialog.getExistingDirectory(self.dialogs, "Export into folder",
                                                    str(Path.home()))
        else:
            suffix = SUFFIXES[format_name]
            name, _ = QFileDialog.getSaveFileName(
                self.dialogs, "Export to file", str(Path.home() / f"reader-library{suffix}"),
                f"{format_name} (*{suffix})")
        if name:
            self.export_to(format_name, Path(name))

    def export_to(self, format_name: str, output: Path) -> Job:
        """Write the whole library (not the bin) to ``output`` in the background."""
        ids = selected_ids(self.library, "all")
        dialog = QProgressDialog(f"Exporting {len(ids)} articles…", "Stop", 0, max(1, len(ids)),
                                 self.dialogs)
        dialog.setWindowTitle("Export")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)  # a small library is done before it would show

        def done(result) -> None:
            self.status(f"Exported {result.articles} articles to {result.path}", 10000)

        def work(report, cancelled):
            return export(self.library, format_name, output, ids,
                          progress=lambda count, total: report(count),
                          cancelled=cancelled.is_set)

        self.job = run_in_background(
            work, self.pool, progress=dialog.setValue, succeeded=done,
            failed=lambda message: self.message_bar.show_message(message, error=True),
            finished=dialog.close)
        dialog.canceled.connect(self.job.cancel)
        return self.job
