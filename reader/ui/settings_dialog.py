"""The settings dialog, for the settings that exist: the model, its context and threads, and
where the library lives (shown; moved with READER_HOME). Keys are listed as they are bound."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader import paths
from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize import gguf
from reader.summarize.models import embedded_model_path


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, key_bindings: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Reader Settings")
        self.setMinimumWidth(560)
        self.settings = settings

        self.model_path = QLineEdit(settings.model_path)
        self.model_path.setPlaceholderText(f"Built in: {_embedded_name()}")
        self.model_path.setClearButtonEnabled(True)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_model)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(browse)
        self.context_limit = QSpinBox()
        self.context_limit.setRange(512, 262144)
        self.context_limit.setSingleStep(1024)
        self.context_limit.setSuffix(" tokens")
        self.context_limit.setValue(settings.context_limit)
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("One per physical core")
        self.threads.setValue(settings.threads)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("Summary model (GGUF):", _wrap(model_row))
        form.addRow("Largest context:", self.context_limit)
        form.addRow("Model threads:", self.threads)
        library = QLabel(
            f"{paths.data_dir()}<br><small>To keep the library elsewhere, start Reader with "
            f"{paths.HOME_ENV}=/some/folder (or <code>reader --home</code>).</small>"
        )
        library.setWordWrap(True)
        form.addRow("Library:", library)

        keys = QTableWidget(len(key_bindings), 2)
        keys.setHorizontalHeaderLabels(["Command", "Keys"])
        keys.verticalHeader().hide()
        keys.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (title, shortcut) in enumerate(key_bindings):
            keys.setItem(row, 0, QTableWidgetItem(title))
            keys.setItem(row, 1, QTableWidgetItem(shortcut))
        keys.horizontalHeader().setStretchLastSection(True)
        keys.resizeColumnToContents(0)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("Keys:"))
        layout.addWidget(keys, 1)
        layout.addWidget(buttons)

    def _choose_model(self) -> None:
        start = self.model_path.text() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF model", start, "GGUF models (*.gguf);;All files (*)"
        )
        if chosen:
            self.model_path.setText(chosen)

    def accept(self) -> None:
        """Check the model before keeping it: a typo should not surface at the next summary."""
        chosen = self.model_path.text().strip()
        if chosen:
            try:
                gguf.read_metadata(Path(chosen).expanduser())
            except ModelError as error:
                self.error.setText(str(error))
                self.error.show()
                return
        self.settings.model_path = chosen
        self.settings.context_limit = self.context_limit.value()
        self.settings.threads = self.threads.value()
        super().accept()


def _embedded_name() -> str:
    try:
        return embedded_model_path().name
    except ModelError as error:
        return str(error)


def _wrap(layout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
