"""Cancelling a request to a model server at once, even while the server is silent."""

from __future__ import annotations

import socket
import threading

# How often the watcher looks at the caller's flag when it is not set.
CANCEL_POLL_SECONDS = 0.1


class Hangup:
    """Shuts the request's socket when ``cancelled`` is set.

    A read blocked on a silent server then returns at once (closing a socket from another thread
    would not wake it), and the server sees the client leave and stops generating. The socket is
    caught through httpcore's ``trace`` extension as soon as it is connected, so this works while
    waiting for the response headers too; a connect in progress finishes (or times out) first.
    """

    def __init__(self, cancelled: threading.Event | None):
        self._cancelled = cancelled
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        if cancelled is not None:
            threading.Thread(target=self._watch, name="remote-model-hangup", daemon=True).start()

    def trace(self, event: str, info: dict) -> None:
        if self._cancelled is not None and event == "connection.connect_tcp.complete":
            with self._lock:
                self._socket = info["return_value"].get_extra_info("socket")
            if self._cancelled.is_set():
                self._shut()

    def _watch(self) -> None:
        while not self._stopped.is_set():
            if self._cancelled.wait(CANCEL_POLL_SECONDS):
                self._shut()
                return

    def _shut(self) -> None:
        with self._lock:
            if self._socket is not None and not self._stopped.is_set():
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:  # already closed
                    pass

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
