"""The library's change announcements as a Qt signal, delivered on the UI thread.

The library tells its listeners on the thread that wrote. A change written on the UI thread (an
archive, a tag) is delivered there and then, so the list has followed it when the action
returns; one written elsewhere (the capture queue, an import, a summary) is queued to the UI
thread, merged with any other still waiting so that a burst of saves is one delivery. A change
written while one is being delivered (a view marking an article read as the selection moves) is
queued too: models never hear of a change in the middle of applying another.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal

from reader.library import Library
from reader.library.events import ChangeRecorder, LibraryChange


class LibraryEvents(QObject):
    changed = Signal(object)  # LibraryChange
    _queued = Signal()

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self._waiting: ChangeRecorder | None = None
        self._waiting_lock = threading.Lock()
        self._delivering = False
        self._queued.connect(self._deliver_waiting, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = library.subscribe(self._heard)

    def close(self) -> None:
        """Hear no more (the window is closing; the library may outlive it)."""
        self._unsubscribe()

    def _heard(self, change: LibraryChange) -> None:
        if QThread.currentThread() == self.thread() and not self._delivering:
            self._deliver(change)
            return
        with self._waiting_lock:
            first = self._waiting is None
            if first:
                self._waiting = ChangeRecorder()
            self._waiting.record(added=change.added, updated=change.updated,
                                 removed=change.removed, counts=change.counts,
                                 highlighted=change.highlighted)
        if first:
            self._queued.emit()

    def _deliver_waiting(self) -> None:
        with self._waiting_lock:
            waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._deliver(waiting.change())

    def _deliver(self, change: LibraryChange) -> None:
        self._delivering = True
        try:
            self.changed.emit(change)
        finally:
            self._delivering = False
