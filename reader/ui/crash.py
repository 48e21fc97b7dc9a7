"""What happens on a bug: Qt's own messages go to our log, and an unexpected exception opens a
dialog with the log's last lines and where the full log is, instead of vanishing silently."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from reader.errors import UserError
from reader.logs import TailHandler

log = logging.getLogger("reader.crash")
qt_log = logging.getLogger("qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def route_qt_messages() -> None:
    def handler(kind: QtMsgType, context, message: str) -> None:
        qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def install_crash_dialog(tail: TailHandler, log_path: Path) -> None:
    def excepthook(kind, value, trace) -> None:
        if isinstance(value, UserError):  # a user error that escaped: a message, not a crash
            box = text_box(QMessageBox.Icon.Warning, "Reader", str(value))
            box.exec()
            return
        log.critical("Unexpected error", exc_info=(kind, value, trace))
        show_crash_dialog("".join(traceback.format_exception_only(kind, value)).strip(),
                          tail.text(), log_path)

    sys.excepthook = excepthook


def show_crash_dialog(summary: str, details: str, log_path: Path) -> None:
    box = text_box(QMessageBox.Icon.Critical, "Reader: something went wrong",
                    "Reader ran into a problem it did not expect. Your library is safe.")
    box.setInformativeText(
        f"{summary}\n\nThe full log is in {log_path}. Please include it if you report this."
    )
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def text_box(icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A message box that shows its text as text: errors quote pages, servers and file names
    (QMessageBox's static helpers guess rich text, and would render markup in them)."""
    box = QMessageBox(QApplication.activeWindow())
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    return box
