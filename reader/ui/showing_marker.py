"""A note on disk of the article being laid out, kept until it has been on screen a moment.

If Reader dies while showing an article (a page that crashes or exhausts Qt's layout), that
article must not be opened again by itself at the next start, or Reader would die at every
start. The note is a few bytes, written without fsync: a crash of the process keeps it, and a
power cut losing it only loses this protection once.

It is written before the article is laid out, so on the UI thread, and kept cheap: the file
stays open while it exists and each article shown rewrites it in place (a few µs, where
truncating it or making it again took 0.25 ms of each key that shows an article).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

ON_SCREEN_MS = 1500  # laid out and painted by then: the article is safe to open again
# Every note the same length (an id, then spaces), so one rewrite in place replaces it whole.
NOTE_BYTES = 20


class ShowingMarker(QObject):
    def __init__(self, path: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self._file: int | None = None  # the note, open while it exists
        self._clear = QTimer(self, singleShot=True, interval=ON_SCREEN_MS)
        self._clear.timeout.connect(self.clear)

    def crashed_on(self) -> int | None:
        """The article Reader was showing when it last died (None: it did not die so)."""
        try:
            return int(self.path.read_text(encoding="ascii"))
        except (OSError, ValueError):
            return None

    def showing(self, article_id: int) -> None:
        note = str(article_id).ljust(NOTE_BYTES).encode("ascii")
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
            os.pwrite(self._file, note, 0)
        except OSError as error:
            log.warning("Cannot note the article being shown: %s", error)
            return
        self._clear.start()

    def clear(self) -> None:
        self._clear.stop()
        if self._file is not None:
            os.close(self._file)
            self._file = None
        self.path.unlink(missing_ok=True)
