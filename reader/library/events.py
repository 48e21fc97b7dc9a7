"""What changed in the library, told to whoever listens: the window's list and sidebar follow
these instead of re-reading everything after each action.

Qt-free on purpose: the UI adapts a listener to a signal (the announcement comes on the thread
that wrote, after the commit), the CLI and tests can listen with a plain function.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LibraryChange:
    """Articles added, updated (state, tags, text) or removed by one committed transaction,
    whether the counts of views or tags moved, the articles whose highlights or notes changed
    (nothing else of them need be read again), and those whose body changed (extracted again,
    or their pictures came in: a reader view showing one lays it out again)."""

    added: frozenset[int] = frozenset()
    updated: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    counts: bool = False
    highlighted: frozenset[int] = frozenset()
    content: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.counts
                    or self.highlighted or self.content)


class ChangeRecorder:
    """Collects what one transaction changed; ``change()`` is the sum."""

    def __init__(self) -> None:
        self._added: set[int] = set()
        self._updated: set[int] = set()
        self._removed: set[int] = set()
        self._counts = False
        self._highlighted: set[int] = set()
        self._content: set[int] = set()

    def record(self, *, added: Iterable[int] = (), updated: Iterable[int] = (),
               removed: Iterable[int] = (), counts: bool = False,
               highlighted: Iterable[int] = (), content: Iterable[int] = ()) -> None:
        self._added.update(added)
        self._updated.update(updated)
        self._removed.update(removed)
        self._counts = self._counts or counts
        self._highlighted.update(highlighted)
        self._content.update(content)

    def change(self) -> LibraryChange:
        removed = frozenset(self._removed)
        added = frozenset(self._added - removed)
        return LibraryChange(added, frozenset(self._updated - added - removed), removed,
                             self._counts, frozenset(self._highlighted),
                             frozenset(self._content - removed))


def merged(changes: list[LibraryChange]) -> LibraryChange:
    """One change saying what ``changes``, in their order, did: an article added and then
    removed is removed, and one removed and then added is added (SQLite gives a new article
    the id of the last one deleted, so both happen within one delivery)."""
    added: set[int] = set()
    updated: set[int] = set()
    removed: set[int] = set()
    for change in changes:
        removed = (removed - change.added - change.updated) | change.removed
        added = (added - change.removed) | change.added
        updated = (updated - change.removed) | change.updated
    content = frozenset().union(*(change.content for change in changes)) - removed
    return LibraryChange(frozenset(added), frozenset(updated - added), frozenset(removed),
                         any(change.counts for change in changes),
                         frozenset().union(*(change.highlighted for change in changes)), content)


Listener = Callable[[LibraryChange], None]


class Announcer:
    """Listeners of one library; a failing listener is logged and never stops the others."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every change from now on; returns the way to stop."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def announce(self, change: LibraryChange) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:
                log.exception("A library change listener failed")
