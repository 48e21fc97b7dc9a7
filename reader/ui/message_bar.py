"""A one-line notice above the content: errors stay until dismissed, news until replaced."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.label = QLabel()
        # Messages carry outside text (a page's title, a server's answer, a file name): text,
        # never markup Qt would render (an <img src=...> in it would make Qt read that file).
        self.label.setTextFormat(Qt.TextFormat.PlainText)
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
