"""The settings dialog, for the settings that exist: reading (theme, font, size, line width),
the model (file, context, threads), the keys, and where the library lives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFontComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader import paths
from reader.errors import ModelError
from reader.settings import Settings, bounds, choices
from reader.summarize import gguf
from reader.summarize.models import embedded_model_path
from reader.ui.commands import Command, keymap_problems, normalised


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, commands: list[Command],
                 defaults: dict[str, list[str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Reader Settings")
        self.setMinimumSize(620, 520)
        self.settings = settings
        self.commands = commands
        self.defaults = defaults

        tabs = QTabWidget()
        tabs.addTab(self._reading_tab(), "Reading")
        tabs.addTab(self._model_tab(), "Model")
        tabs.addTab(self._keys_tab(), "Keys")
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages that name files
        self.error.setObjectName("settingsError")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _reading_tab(self) -> QWidget:
        self.theme = _choice_box("theme", self.settings.theme)
        self.font_family = QFontComboBox()
        if self.settings.font_family:
            self.font_family.setCurrentText(self.settings.font_family)
        self.font_size = _number_box("font_size", self.settings.font_size, " pt")
        self.line_width = _number_box("line_width", self.settings.line_width, " characters (em)")
        form = QFormLayout()
        form.addRow("Theme:", self.theme)
        form.addRow("Font:", self.font_family)
        form.addRow("Size:", self.font_size)
        form.addRow("Line width:", self.line_width)
        library = _plain_label(str(paths.data_dir()))  # a folder name can hold "<img ...>"
        library.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Library:", library)
        form.addRow("", _plain_label(f"To keep the library elsewhere, start Reader with "
                                     f"{paths.HOME_ENV}=/some/folder (or reader --home)."))
        return _page(form)

    def _model_tab(self) -> QWidget:
        self.model_path = QLineEdit(self.settings.model_path)
        self.model_path.setPlaceholderText(f"Built in: {_embedded_name()}")
        self.model_path.setClearButtonEnabled(True)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_model)
        model_row = QHBoxLayout()
        model_row.setContentsMargins(0, 0, 0, 0)
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(browse)
        self.context_limit = _number_box("context_limit", self.settings.context_limit, " tokens")
        self.context_limit.setSingleStep(1024)
        self.threads = _number_box("threads", self.settings.threads)
        self.threads.setSpecialValueText("One per physical core")
        self.backend = _choice_box("backend", self.settings.backend)
        self.server_url = QLineEdit(self.settings.server_url)
        self.server_url.setPlaceholderText("http://127.0.0.1:8080  (llama.cpp server, vLLM, Ollama…)")
        self.server_model = QLineEdit(self.settings.server_model)
        self.server_model.setPlaceholderText("the model's name on the server, e.g. gpt-oss:20b")
        self.server_api_key = QLineEdit(self.settings.server_api_key)
        self.server_api_key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.server_allow_plain_http_key = QCheckBox(
            "Also over plain http to other computers (anyone on the network can read it)")
        self.server_allow_plain_http_key.setChecked(self.settings.server_allow_plain_http_key)
        self.summary_style = _choice_box("summary_style", self.settings.summary_style)
        self.summary_language = QLineEdit(self.settings.summary_language)
        self.summary_language.setPlaceholderText("the article's own language")
        self.reasoning_effort = _choice_box("reasoning_effort", self.settings.reasoning_effort)
        form = QFormLayout()
        form.addRow("Summary style:", self.summary_style)
        form.addRow("Summary language:", self.summary_language)
        form.addRow("Reasoning effort:", self.reasoning_effort)
        form.addRow("Summaries are written:", self.backend)
        form.addRow("Summary model (GGUF):", _page(model_row))
        form.addRow("Model threads:", self.threads)
        form.addRow("Server address:", self.server_url)
        form.addRow("Server model:", self.server_model)
        form.addRow("API key:", self.server_api_key)
        form.addRow("", self.server_allow_plain_http_key)
        form.addRow("Largest context:", self.context_limit)
        return _page(form)

    def _keys_tab(self) -> QWidget:
        self.keys = QTableWidget(len(self.commands), 2)
        self.keys.setHorizontalHeaderLabels(["Command", "Key"])
        self.keys.verticalHeader().hide()
        self.key_editors: dict[str, QKeySequenceEdit] = {}
        current = {**self.defaults, **self.settings.keys}
        for row, command in enumerate(self.commands):
            title = QTableWidgetItem(command.title)
            title.setFlags(title.flags() & ~title.flags().ItemIsEditable)
            self.keys.setItem(row, 0, title)
            editor = QKeySequenceEdit(QKeySequence(", ".join(current.get(command.id, [])[:1])))
            editor.setObjectName(f"key-{command.id}")
            editor.setClearButtonEnabled(True)
            self.keys.setCellWidget(row, 1, editor)
            self.key_editors[command.id] = editor
        self.keys.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.keys.horizontalHeader().setStretchLastSection(True)
        note = _plain_label("The first key of each command is shown; change it by clicking and "
                            "pressing the new key. Other default keys of a changed command are "
                            "replaced.")
        layout = QVBoxLayout()
        layout.addWidget(self.keys, 1)
        layout.addWidget(note)
        return _page(layout)

    def _choose_model(self) -> None:
        start = self.model_path.text() or str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choose a GGUF model", start, "GGUF models (*.gguf);;All files (*)"
        )
        if chosen:
            self.model_path.setText(chosen)

    def key_overrides(self) -> dict[str, list[str]]:
        """The keys that differ from the defaults, as the settings store them."""
        overrides = {}
        for command_id, editor in self.key_editors.items():
            chosen = editor.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
            default = [normalised(key) for key in self.defaults.get(command_id, [])]
            if chosen not in default[:1] and not (not chosen and not default):
                overrides[command_id] = [chosen] if chosen else []
        return overrides

    def accept(self) -> None:
        """Refuse what would break: a file that is not a model, one key for two commands."""
        problems = []
        chosen = self.model_path.text().strip()
        if self.backend.currentData() == "server" and not (
                self.server_url.text().strip() and self.server_model.text().strip()):
            problems.append("A model server needs its address and the model's name.")
        if chosen:
            try:
                gguf.read_metadata(Path(chosen).expanduser())
            except ModelError as error:
                problems.append(str(error))
        overrides = self.key_overrides()
        problems += keymap_problems({**self.defaults, **overrides},
                                    {command.id for command in self.commands})
        if problems:
            self.error.setText(" ".join(problems))
            self.error.show()
            return
        self.settings.summary_style = self.summary_style.currentData()
        self.settings.summary_language = self.summary_language.text().strip()
        self.settings.reasoning_effort = self.reasoning_effort.currentData()
        self.settings.backend = self.backend.currentData()
        self.settings.server_url = self.server_url.text().strip()
        self.settings.server_model = self.server_model.text().strip()
        self.settings.server_api_key = self.server_api_key.text().strip()
        self.settings.server_allow_plain_http_key = self.server_allow_plain_http_key.isChecked()
        self.settings.model_path = chosen
        self.settings.context_limit = self.context_limit.value()
        self.settings.threads = self.threads.value()
        self.settings.theme = self.theme.currentData()
        self.settings.font_family = self.font_family.currentFont().family()
        self.settings.font_size = self.font_size.value()
        self.settings.line_width = self.line_width.value()
        self.settings.keys = overrides
        super().accept()


def _embedded_name() -> str:
    try:
        return embedded_model_path().name
    except ModelError as error:
        return str(error)


def _choice_box(name: str, current: str) -> QComboBox:
    """A list of the values setting ``name`` may take, as the settings declare them."""
    box = QComboBox()
    for value, title in choices(name).items():
        box.addItem(title, value)
    box.setCurrentIndex(max(box.findData(current), 0))
    return box


def _number_box(name: str, current: int, suffix: str = "") -> QSpinBox:
    """A number within the bounds the settings declare for ``name``."""
    box = QSpinBox()
    box.setRange(*bounds(name))
    box.setSuffix(suffix)
    box.setValue(current)
    return box


def _page(layout) -> QWidget:
    widget = QWidget()
    widget.setLayout(layout)
    return widget


def _plain_label(text: str) -> QLabel:
    """A word-wrapped label that shows its text as it is, never as markup."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
