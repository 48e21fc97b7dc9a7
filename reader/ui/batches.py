"""What other threads hand to the UI thread, delivered there in batches.

A thread that emits a Qt signal per item wakes the UI thread once per item: the capture queue's
three events a page, at 130 pages a second, were 400 wake-ups a second, each waiting its turn for
the interpreter and for a core against the threads producing them. ``Batches`` keeps what
arrives in a list and asks the UI thread once for all of it: the first item at once, then at most
once per interval (what arrives within it comes, in order, at its end).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal


class Batches(QObject):
    """``put`` from any thread; ``delivered`` (a list, in the order put) on this object's thread."""

    delivered = Signal(list)
    _queued = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._waiting: list = []
        self._closed = False
        self._lock = threading.Lock()
        self._queued.connect(self._deliver_waiting, Qt.ConnectionType.QueuedConnection)
        # Running while the last delivery is too recent for another.
        self._resting = QTimer(self)
        self._resting.setSingleShot(True)
        self._resting.setInterval(interval_ms)
        self._resting.timeout.connect(self._deliver_waiting)

    def put(self, item) -> None:
        with self._lock:  # as close() sets it: nothing put is left waiting after it
            if self._closed:
                return
            first = not self._waiting
            self._waiting.append(item)
        if first:
            self._queued.emit()

    def take_waiting(self) -> list:
        """What is waiting, taken now (for a caller on this object's thread that must deliver
        it before something of its own: the order matters)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        return waiting

    def close(self) -> None:
        """Deliver nothing still waiting, nor anything put later."""
        with self._lock:
            self._closed = True
            self._waiting = []
        self._resting.stop()

    def _deliver_waiting(self) -> None:
        if self._resting.isActive():
            return  # its end delivers what is waiting then
        waiting = self.take_waiting()
        if waiting:
            self._resting.start()
            self.delivered.emit(waiting)
