"""Starts Reader's window as ``reader`` does (``reader.ui.app.run_gui``, on the library in
READER_HOME) and reports, as JSON lines on stdout:

1. at its first paint: ``{"painted": seconds since this process started}``;
2. then ``{"rss_mb": ...}``, its memory at that paint (psutil, the probe's own, is imported
   after the first line: it is not Reader's start);
3. with ``--keys``: the time ``j`` (next article, near the top), ``G`` (last article: the
   list's last page read from SQLite), ``k``, ``a`` (archive) and ``u`` (undo it) take in the
   window, painting included, and the memory then.

Then it exits at once (no teardown). The suite measures the wall time from starting this process
to reading line 1: that is the cold start.
"""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def say(data: dict) -> None:
    print(json.dumps(data), flush=True)


class FirstPaint(QObject):
    def __init__(self, app: QApplication, keys: bool):
        super().__init__()
        self.app = app
        self.keys = keys
        self.seen = False

    def eventFilter(self, watched, event) -> bool:
        if (not self.seen and event.type() == QEvent.Type.Paint
                and hasattr(watched, "window") and isinstance(watched.window(), QMainWindow)):
            self.seen = True
            QTimer.singleShot(0, self.painted)  # once this paint (the whole frame) is done
        return False

    def painted(self) -> None:
        say({"painted": time.perf_counter() - STARTED})
        say({"rss_mb": rss_mb()})
        if self.keys:
            window = next(w for w in self.app.topLevelWidgets() if isinstance(w, QMainWindow))
            self.app.processEvents()
            timings = {"rows": window.articles.rowCount()}
            # j, G and k move in the list; a archives the article shown and u undoes it: the
            # list follows each change (a row removed, then put back) and the sidebar reads its
            # kept counts.
            for key, command in (("j", "next-article"), ("G", "last-article"),
                                 ("k", "previous-article"), ("a", "archive"), ("u", "undo")):
                started, cpu = time.perf_counter(), time.thread_time()
                window.actions_by_id[command].trigger()
                # Delivers the posted events, the paint of what changed among them, as after a
                # real key press (a forced repaint() of the whole window cost 7-9 ms more).
                self.app.processEvents()
                timings[f"{key}_s"] = time.perf_counter() - started
                # The UI thread's own CPU time: the same work, less what a busy machine adds.
                timings[f"{key}_cpu_s"] = time.thread_time() - cpu
            timings["rss_mb"] = rss_mb()
            say(timings)
        sys.stdout.flush()
        os._exit(0)


def main() -> None:
    app = QApplication(sys.argv[:1])
    watcher = FirstPaint(app, "--keys" in sys.argv)
    app.installEventFilter(watcher)
    from reader.ui.app import run_gui

    run_gui()


if __name__ == "__main__":
    main()
