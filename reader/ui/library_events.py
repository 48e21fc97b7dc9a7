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

from PySide6.QtCore import QObject, QThread, Signal

from reader.library import Library
from reader.library.events import LibraryChange, merged
from reader.ui.batches import Batches

DELIVERY_INTERVAL_MS = 100


class LibraryEvents(QObject):
    changed = Signal(object)  # LibraryChange

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self._delivering = False
        self._batches = Batches(DELIVERY_INTERVAL_MS, self)
        self._batches.delivered.connect(lambda changes: self._deliver(merged(changes)))
        self._unsubscribe = library.subscribe(self._heard)

    def close(self) -> None:
        """Hear no more, and deliver nothing still waiting (the window is closing; the library
        may outlive it, or not)."""
        self._unsubscribe()
        self._batches.close()

    def _heard(self, change: LibraryChange) -> None:
        if QThread.currentThread() == self.thread() and not self._delivering:
            waiting = self._batches.take_waiting()  # what came before it, first
            self._deliver(merged([*waiting, change]) if waiting else change)
        else:
            self._batches.put(change)

    def _deliver(self, change: LibraryChange) -> None:
        self._delivering = True
        try:
            self.changed.emit(change)
        finally:
            self._delivering = False
