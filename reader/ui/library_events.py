"""The library's change announcements as a Qt signal, delivered on the UI thread.

The library tells its listeners on the thread that wrote. A change written on the UI thread (an
archive, a tag) is delivered there and then, so the list has followed it when the action
returns; one written elsewhere (the capture queue, an import, a summary) is queued to the UI
thread, merged with any other still waiting. Such deliveries come at most once per
``DELIVERY_INTERVAL_MS`` (the first at once, what follows within it merged into one at its end):
a queue saving dozens of pages a second costs the list one update a tenth of a second, not
one per page. A change written while one is being delivered (a view marking an article read
as the selection moves) is queued too: models never hear of a change in the middle of applying
another.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal

from reader.library import Library
from reader.library.events import LibraryChange, merged

DELIVERY_INTERVAL_MS = 100


class LibraryEvents(QObject):
    changed = Signal(object)  # LibraryChange
    _queued = Signal()

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self._waiting: list[LibraryChange] = []
        self._waiting_lock = threading.Lock()
        self._delivering = False
        self._queued.connect(self._deliver_waiting, Qt.ConnectionType.QueuedConnection)
        # Running while the last queued delivery is too recent for another.
        self._resting = QTimer(self)
        self._resting.setSingleShot(True)
        self._resting.setInterval(DELIVERY_INTERVAL_MS)
        self._resting.timeout.connect(self._deliver_waiting)
        self._unsubscribe = library.subscribe(self._heard)

    def close(self) -> None:
        """Hear no more, and deliver nothing still waiting (the window is closing; the library
        may outlive it, or not)."""
        self._unsubscribe()
        self._resting.stop()
        with self._waiting_lock:
            self._waiting = []

    def _heard(self, change: LibraryChange) -> None:
        if QThread.currentThread() == self.thread() and not self._delivering:
            with self._waiting_lock:  # what came before it, first: the order matters
                waiting, self._waiting = self._waiting, []
            self._deliver(merged([*waiting, change]) if waiting else change)
            return
        with self._waiting_lock:
            first = not self._waiting
            self._waiting.append(change)
        if first:
            self._queued.emit()

    def _deliver_waiting(self) -> None:
        if self._resting.isActive():
            return  # its end delivers what is waiting then
        with self._waiting_lock:
            waiting, self._waiting = self._waiting, []
        if waiting:
            self._resting.start()
            self._deliver(merged(waiting))

    def _deliver(self, change: LibraryChange) -> None:
        self._delivering = True
        try:
            self.changed.emit(change)
        finally:
            self._delivering = False

