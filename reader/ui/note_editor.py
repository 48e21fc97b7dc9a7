"""The small editor of a note (Markdown text) on a highlight or on a whole article."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reader.library.highlights import MAX_NOTE_CHARS
from reader.ui.highlight_rows import one_line


class NoteEditor(QDialog):
    """``about``: what the note is on (a quote, a title), shown as plain text above it."""

    def __init__(self, title: str, about: str, note: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("noteEditor")
        self.resize(480, 300)
        heading = QLabel(one_line(about))
        heading.setTextFormat(Qt.TextFormat.PlainText)  # a page's words
        heading.setWordWrap(True)
        self.editor = QPlainTextEdit(note)
        self.editor.setObjectName("noteText")
        self.editor.setPlaceholderText("A note, in Markdown. Ctrl+Enter saves it.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):  # Enter alone starts a new line
            QShortcut(QKeySequence(key), self, self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.editor.setFocus()

    def note(self) -> str:
        return self.editor.toPlainText().strip()[:MAX_NOTE_CHARS]


def ask_for_note(parent: QWidget, title: str, about: str, note: str) -> str | None:
    """The note as edited, or None if the editor was closed without saving."""
    editor = NoteEditor(title, about, note, parent)
    return editor.note() if editor.exec() else None
