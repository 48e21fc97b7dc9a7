"""Starting the window: hand over to a running Reader, or set up logging, the library and the
main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from reader import paths
from reader.errors import UserError
from reader.library import open_library
from reader.logs import log_file, setup_logging
from reader.settings import Settings
from reader.ui.crash import install_crash_dialog, route_qt_messages
from reader.ui.main_window import MainWindow
from reader.ui.single_instance import InstanceServer, hand_over

log = logging.getLogger(__name__)


def run_gui(urls: Sequence[str] = ()) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Reader")
    app.setApplicationDisplayName("Reader")
    app.setDesktopFileName("io.github.reader_app.Reader")
    # The rendered sizes, not the SVG: no image plugin needed (the frozen app ships none).
    icon = QIcon()
    for png in sorted((paths.resources_dir() / "icons").glob("reader-*.png")):
        icon.addFile(str(png))
    app.setWindowIcon(icon)
    library_path = paths.database_path()
    if hand_over(library_path, urls):
        print(f"Reader is already running; handed it {len(urls)} link(s).")
        return 0
    tail = setup_logging()
    route_qt_messages()
    install_crash_dialog(tail, log_file())
    try:
        library = open_library(library_path)
    except UserError as error:
        QMessageBox.critical(None, "Reader", str(error))
        return 1
    window = MainWindow(library, Settings.load())
    InstanceServer(library_path, window.receive_links, window)
    window.show()
    if library.created:
        window.show_first_run_notice()
    if urls:
        window.add_links(list(urls))
    try:
        return app.exec()
    finally:
        library.close()
