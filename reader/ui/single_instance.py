"""One Reader per library: a second start hands its links to the running window and exits.

The running window listens on a local socket (a Unix socket, or a named pipe on Windows) whose
name comes from the library's path, so two libraries (READER_HOME) may run side by side but one
library never has two windows writing to it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
TIMEOUT_MS = 2000


def server_name(library_path: Path) -> str:
    digest = hashlib.sha256(str(library_path.resolve()).encode()).hexdigest()[:16]
    return f"reader-{digest}"


def hand_over(library_path: Path, urls: Sequence[str]) -> bool:
    """Send ``urls`` to a Reader already running on this library; False if none is running."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(library_path))
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write(json.dumps({"urls": list(urls)}).encode() + b"\n")
    socket.waitForBytesWritten(TIMEOUT_MS)
    # Wait for the running window to confirm, so the second process only exits once it's taken.
    socket.waitForReadyRead(TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later starts; calls ``on_urls`` with the links each one hands over."""

    def __init__(self, library_path: Path, on_urls: Callable[[list[str]], None], parent=None):
        super().__init__(parent)
        self._on_urls = on_urls
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        name = server_name(library_path)
        if not self._server.listen(name):
            # A socket file left by a Reader that crashed: nobody answers on it, so reclaim it.
            QLocalServer.removeServer(name)
            if not self._server.listen(name):
                log.warning("Single-instance socket unavailable: %s", self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        try:
            message = json.loads(bytes(socket.readLine().data()))
            urls = [str(url) for url in message.get("urls", [])]
        except (ValueError, AttributeError):
            log.warning("Ignoring a malformed message from another Reader start")
            urls = []
        socket.write(b"ok\n")
        socket.flush()
        self._on_urls(urls)
