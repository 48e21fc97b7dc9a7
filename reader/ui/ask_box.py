"""The box a question about the article is typed in."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLineEdit

from reader.summarize.ask import MAX_QUESTION_CHARS

SENDING_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class QuestionBox(QLineEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("questionBox")
        self.setPlaceholderText("Ask the article a question, then press Enter")
        self.setMaxLength(MAX_QUESTION_CHARS)
        self.hide()

    def event(self, event: QEvent) -> bool:
        # Enter sends the question: it is not the window's shortcut (Read Article) while typing.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in SENDING_KEYS:
            event.accept()
            return True
        return super().event(event)
