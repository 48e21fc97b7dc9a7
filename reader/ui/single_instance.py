"""One Reader per library: a second start hands its links to the running window and exits.

The running window listens on a local socket whose name comes from the library's path, so two
libraries (READER_HOME) may run side by side but one library never has two windows writing to
it. On Unix the socket lives in a folder only the user can enter: ``$XDG_RUNTIME_DIR/reader``,
else ``reader-<uid>`` in the temp folder, made 0700 and checked to be the user's (a folder in
shared /tmp that someone else made first is refused). Every message is bounded and answered;
something on the socket that does not answer as Reader does is a squatter: Reader says so and
starts on its own.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
TIMEOUT_MS = 2000
MAX_MESSAGE = 1_000_000  # bytes of links one start may hand over
REPLY = b"ok\n"
SQUATTED = "Another program holds Reader's socket ({}); links opened later will start a " \
           "second window instead of reaching this one."


class Handover(enum.Enum):
    HANDED = "handed"  # a running Reader took the links
    NOBODY = "nobody"  # no Reader is running on this library
    SQUATTED = "squatted"  # something else holds the socket (or its folder)


class InsecureFolder(Exception):
    """The socket's folder is not the user's own."""


def server_name(library_path: Path) -> str:
    """The socket's path (a pipe's name on Windows); InsecureFolder if its folder is not ours."""
    digest = hashlib.sha256(str(library_path.resolve()).encode()).hexdigest()[:16]
    if sys.platform == "win32":  # named pipes: per-session, no folder to check
        return f"reader-{digest}"
    return str(_private_folder() / f"{digest}.sock")


def _private_folder() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    folder = (Path(runtime) / "reader" if runtime and Path(runtime).is_dir()
              else Path(tempfile.gettempdir()) / f"reader-{os.getuid()}")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as error:
        raise InsecureFolder(f"{folder}: {error.strerror}") from error
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise InsecureFolder(f"{folder} is not a folder only this user can enter")
    return folder


def hand_over(library_path: Path, urls: Sequence[str]) -> tuple[Handover, str]:
    """Send ``urls`` to a Reader already running on this library: (what happened, the socket)."""
    try:
        name = server_name(library_path)
    except InsecureFolder as error:
        return Handover.SQUATTED, str(error)
    if sys.platform != "win32" and _owner(name) not in (None, os.getuid()):
        return Handover.SQUATTED, name  # not ours: it is told nothing
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(TIMEOUT_MS):
        return Handover.NOBODY, name
    message = json.dumps({"urls": list(urls)}).encode() + b"\n"
    if len(message) > MAX_MESSAGE:
        log.warning("Too many links to hand over (%d bytes); sending none", len(message))
        message = b'{"urls": []}\n'
    socket.write(message)
    socket.waitForBytesWritten(TIMEOUT_MS)
    # The running window confirms, so this start only exits once the links are taken; anything
    # else on the socket is not a Reader.
    reply = b""
    while len(reply) < len(REPLY) and socket.waitForReadyRead(TIMEOUT_MS):
        reply += bytes(socket.read(len(REPLY) - len(reply)).data())
    socket.abort()
    return (Handover.HANDED if reply == REPLY else Handover.SQUATTED), name


def _owner(path: str) -> int | None:
    try:
        return os.lstat(path).st_uid
    except OSError:
        return None


class InstanceServer(QObject):
    """Listens for later starts; calls ``on_urls`` with the links each one hands over.
    ``problem`` says why it could not listen (None when it does)."""

    def __init__(self, library_path: Path, on_urls: Callable[[list[str]], None], parent=None):
        super().__init__(parent)
        self._on_urls = on_urls
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.problem: str | None = None
        try:
            name = server_name(library_path)
        except InsecureFolder as error:
            self.problem = SQUATTED.format(error)
            return
        if not self._server.listen(name):
            # A socket file left by a Reader that crashed (hand_over found nobody on it).
            QLocalServer.removeServer(name)
            if not self._server.listen(name):
                self.problem = f"Links opened later cannot reach this window: " \
                               f"{self._server.errorString()}"
        self._server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.setReadBufferSize(MAX_MESSAGE + 1)
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_MESSAGE:
                log.warning("Dropping an over-long message on Reader's socket")
                socket.abort()
            return
        line = bytes(socket.readLine(MAX_MESSAGE + 1).data())
        try:
            message = json.loads(line)
            urls = [str(url) for url in message["urls"]]
        except (ValueError, KeyError, TypeError) as error:
            log.warning("Ignoring a malformed message on Reader's socket: %s", error)
            socket.abort()
            return
        socket.write(REPLY)
        socket.flush()
        self._on_urls(urls)
