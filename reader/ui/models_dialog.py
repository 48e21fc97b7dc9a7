"""The models view: the embedded model, the recommended ones (downloaded here with progress,
resumable), and GGUF files the user added; choose the one that writes summaries."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from reader.errors import UserError
from reader.settings import Settings
from reader.summarize import catalogue, memory
from reader.summarize.download import download, partial_bytes
from reader.ui.background import Job, run_in_background

COLUMNS = ("Model", "Size", "Status")


class ModelsModel(QAbstractTableModel):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.settings = settings
        self.models: list[catalogue.ModelInfo] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.models = catalogue.list_models(self.settings)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.models)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.models):
            return None
        model = self.models[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (self._title(model), f"{model.size / 1e9:.1f} GB" if model.size else "",
                    status(model))[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return model.entry.description if model.entry else str(model.path)
        return None

    @staticmethod
    def _title(model: catalogue.ModelInfo) -> str:
        return f"✓ {model.name}" if model.active else model.name


def status(model: catalogue.ModelInfo) -> str:
    if model.active:
        return "in use"
    if model.present:
        return "ready"
    if model.entry is not None:
        part = partial_bytes(model.entry)
        return f"partly downloaded ({part / 1e9:.1f} GB)" if part else "not downloaded"
    return "file missing"


class ModelsDialog(QDialog):
    model_changed = Signal()

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setMinimumSize(640, 360)
        self.settings = settings
        self.download_job: Job | None = None
        self.models = ModelsModel(settings, self)
        self.table = QTableView()
        self.table.setModel(self.models)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        # Sizes and states whole ("not downloaded" was broken over two lines and cut off at the
        # row's foot); the names take the room left.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # file paths and error messages
        self.note.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.use = QPushButton("Use")
        self.use.clicked.connect(self.use_selected)
        self.fetch = QPushButton("Download")
        self.fetch.clicked.connect(self.download_selected)
        self.stop = QPushButton("Stop Download")
        self.stop.clicked.connect(lambda: self.download_job and self.download_job.cancel())
        self.stop.hide()
        add = QPushButton("Add GGUF File…")
        add.clicked.connect(self.ask_for_file)
        buttons = QHBoxLayout()
        for button in (self.use, self.fetch, self.stop, add):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.table.selectRow(0)

    def selected(self) -> catalogue.ModelInfo | None:
        row = self.table.currentIndex().row()
        return self.models.models[row] if 0 <= row < len(self.models.models) else None

    def _selection(self) -> None:
        model = self.selected()
        if model is None:
            return
        self.use.setEnabled(model.present and not model.active)
        self.fetch.setEnabled(model.entry is not None and not model.present
                              and self.download_job is None)
        text = model.entry.description if model.entry else str(model.path)
        if model.present:
            fit = memory.check(model.path, self.settings.context_limit, name=model.name)
            if fit.warning:
                text += "\n⚠ " + fit.warning
        self.note.setText(text)

    def _show(self, text: str) -> None:
        self.note.setText(text)

    def use_selected(self) -> None:
        model = self.selected()
        try:
            catalogue.use_model(model.id, self.settings)
        except UserError as error:
            self._show(str(error))
            return
        self._reload(model.id)
        self.model_changed.emit()

    def add_file(self, path: Path) -> None:
        try:
            added = catalogue.add_model(path)
        except UserError as error:
            self._show(str(error))
            return
        self._reload(added.id)

    def ask_for_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf);;All files (*)")
        if name:
            self.add_file(Path(name))

    def download_selected(self) -> None:
        model = self.selected()
        if model is None or model.entry is None or self.download_job is not None:
            return
        entry = model.entry

        def work(report, cancelled):
            return download(entry, progress=lambda done, total: report((done, total)),
                            cancelled=cancelled)

        def progress(step) -> None:
            done, total = step
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total) if total else 0)
            self.progress.setFormat(f"{entry.name}: {done / 1e9:.2f} of {total / 1e9:.2f} GB")

        def finished() -> None:
            self.download_job = None
            self.progress.hide()
            self.stop.hide()
            self._reload(entry.id)

        self.progress.show()
        self.stop.show()
        self.fetch.setEnabled(False)
        self.download_job = run_in_background(
            work, progress=progress, succeeded=lambda _path: self._show(f"{entry.name} is here."),
            failed=self._show, finished=finished)

    def _reload(self, keep_id: str) -> None:
        self.models.reload()
        for row, model in enumerate(self.models.models):
            if model.id == keep_id:
                self.table.selectRow(row)
        self._selection()

    def done(self, result: int) -> None:
        if self.download_job is not None:
            self.download_job.cancel()  # the part downloaded stays; the next try continues
        super().done(result)

