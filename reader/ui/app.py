"""Starting the window: hand over to a running Reader, or set up logging, the library and the
main window; and stopping it when asked by a signal."""

from __future__ import annotations

import logging
import signal
import socket
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from reader import paths
from reader.errors import UserError
from reader.library import empty_bin, open_library
from reader.logs import log_file, setup_logging
from reader.settings import Settings
from reader.ui.crash import install_crash_dialog, route_qt_messages, text_box
from reader.ui.main_window import MainWindow
from reader.ui.single_instance import SQUATTED, Handover, InstanceServer, hand_over

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
    handover, socket_name = hand_over(library_path, urls)
    if handover is Handover.HANDED:
        print(f"Reader is already running; handed it {len(urls)} link(s).")
        return 0
    tail = setup_logging()
    route_qt_messages()
    install_crash_dialog(tail, log_file())
    try:
        library = open_library(library_path)
        empty_bin(library)
    except UserError as error:
        text_box(QMessageBox.Icon.Critical, "Reader", str(error)).exec()
        return 1
    window = MainWindow(library, Settings.load())
    problem = (SQUATTED.format(socket_name) if handover is Handover.SQUATTED
               else InstanceServer(library_path, window.receive_links, window).problem)
    SignalCloser(window)
    window.show()
    if library.created:
        window.show_first_run_notice()
    if problem:
        log.warning(problem)
        window.message_bar.show_message(problem, error=True)
    if urls:
        window.add_links(list(urls))
    try:
        return app.exec()
    finally:
        library.close()


class SignalCloser(QObject):
    """SIGTERM, SIGINT and SIGHUP close the window as its close button does (state saved,
    workers stopped). Python runs signal handlers only between bytecodes, never while Qt's event
    loop waits; so the signal's number is written to a socket Qt watches, which wakes it."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self._window = window
        self._receive, self._send = socket.socketpair()
        for end in (self._receive, self._send):
            end.setblocking(False)
        signal.set_wakeup_fd(self._send.fileno())
        for name in ("SIGTERM", "SIGINT", "SIGHUP"):  # no SIGHUP on Windows
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), lambda *_: None)  # the wakeup byte acts
        self._notifier = QSocketNotifier(self._receive.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._close)

    def _close(self) -> None:
        self._receive.recv(64)
        log.info("Asked to stop by a signal; closing the window")
        self._window.close()
