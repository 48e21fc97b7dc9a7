"""Starting the window: the Qt application, the library, the main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QMessageBox

from reader.errors import UserError
from reader.library import open_library
from reader.settings import Settings
from reader.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def run_gui(urls: Sequence[str] = ()) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Reader")
    app.setApplicationDisplayName("Reader")
    app.setDesktopFileName("reader")
    try:
        library = open_library()
    except UserError as error:
        QMessageBox.critical(None, "Reader", str(error))
        return 1
    window = MainWindow(library, Settings.load())
    window.show()
    if urls:
        window.add_links(list(urls))
    try:
        return app.exec()
    finally:
        library.close()


def main() -> int:
    """The ``reader-gui`` entry point for desktop launchers."""
    logging.basicConfig(level=logging.INFO)
    return run_gui(sys.argv[1:])
