"""Benchmark 4: how long the real window's event loop stalls while Reader works.

A probe timer asks to run every 5 ms; each tick notes the time, and a stall is how much later than
5 ms after the previous tick it ran. The window is the real ``MainWindow`` on a fresh library
(Qt's offscreen platform), doing what a user does:

- idle (the reference): nothing asked of it;
- a summary streams in: ``SummaryController.summarize`` on the news fixture's article (~1,200
  prompt tokens), the model loaded on the way as on a first summary, then a second summary with the model warm;
- 1,000 links are added at once: ``add_links`` with URLs of distinct pages on a local server (a
  separate process), until the capture queue has finished and the list has been refreshed.
  ``add_links`` only hands them over (they are checked and stored off the UI thread), and the
  list and the progress bar follow the queue at most ten times a second: the target is one
  frame (16 ms), as for archiving.

A watchdog thread notes where the UI thread's Python was whenever a tick is over 12 ms late, so
that the report can say what the stalls were made of.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import Row, percentile
from bench.pages import serve_in_subprocess

GROUP = "4. UI responsiveness"
INTERVAL = 0.005
TARGET_MS = 50.0
# Adding links (issue 14): the UI thread only hands them over, so no stall may cost a frame.
ADDING_TARGET_MS = 16.0
LINKS, QUICK_LINKS = 1000, 150
IDLE_SECONDS = 5.0
WATCH_LATE = 0.012


class Probe:
    """Ticks of a 5 ms timer on the UI thread, and a watchdog that samples the UI thread's
    stack while a tick is overdue."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(int(INTERVAL * 1000))
        self.timer.timeout.connect(self._tick)
        self.ticks: list[float] = []
        self.stacks: Counter[str] = Counter()
        self.others: Counter[str] = Counter()
        self._done = threading.Event()

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.stacks.clear()
        self.others.clear()
        self._done.clear()
        self.timer.start()
        threading.Thread(target=self._watch, daemon=True).start()

    def stop(self) -> None:
        self.timer.stop()
        self._done.set()

    def _watch(self) -> None:
        main = threading.main_thread().ident
        while not self._done.wait(0.005):
            if time.perf_counter() - self.ticks[-1] > WATCH_LATE:
                frames = sys._current_frames()
                frame = frames.get(main)
                if frame is not None:
                    self.stacks[_where(frame)] += 1
                # What the other threads were running meanwhile (one of them may hold the GIL).
                me = threading.get_ident()
                for ident, other in frames.items():
                    if ident not in (main, me):
                        self.others[_where(other)] += 1

    def lateness_ms(self) -> list[float]:
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:])]
        return [max(0.0, gap - INTERVAL) * 1000 for gap in gaps]

    def summary(self) -> dict:
        late = self.lateness_ms() or [0.0]
        return {"max_ms": max(late), "p99_ms": percentile(late, 0.99),
                "over_50ms": sum(1 for x in late if x > 50), "ticks": len(late),
                "stall_stacks": [f"{count}× {stack}" for stack, count in self.stacks.most_common(6)],
                "other_threads": [f"{count}× {stack}" for stack, count in self.others.most_common(8)]}


def _where(frame) -> str:
    """The UI thread's innermost frames, Reader's and the benchmark's, innermost last."""
    frames = traceback.extract_stack(frame)
    keep = [f for f in frames if "/reader/" in f.filename or "/bench/" in f.filename][-4:]
    inner = frames[-1]
    names = [f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in keep]
    if inner not in keep:
        names.append(f"{Path(inner.filename).stem}.{inner.name}:{inner.lineno}")
    return " > ".join(names)


def run_until(predicate, timeout: float) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(lambda: (predicate() or time.monotonic() > deadline) and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    return predicate()


def _news_article():
    from bench import textgen
    from reader.capture.extract import extract
    from reader.library import NewArticle

    html = (textgen.FIXTURE_PAGES / "news-article.html").read_text(encoding="utf-8")
    found = extract(html, "https://example.org/news/kelby")
    return NewArticle(url="https://example.org/news/kelby", original_url="https://example.org/news/kelby",
                      title=found.title, body_html=found.body_html, text=found.text,
                      site=found.site, author=found.author)


def run(quick: bool) -> list[Row]:
    from PySide6.QtWidgets import QApplication

    home = Path(tempfile.mkdtemp(prefix="reader-bench-ui-"))
    os.environ["READER_HOME"] = str(home)
    from reader.library import open_library
    from reader.settings import Settings
    from reader.ui.main_window import MainWindow

    _app = QApplication.instance() or QApplication([])  # must outlive the window
    library = open_library()
    article_id, _ = library.add(_news_article())
    window = MainWindow(library, Settings.load())
    window.show()
    run_until(lambda: False, 1.0)  # settle: first paint, queue thread, timers
    probe = Probe()

    probe.start()
    run_until(lambda: False, IDLE_SECONDS / (2 if quick else 1))
    probe.stop()
    idle = probe.summary()

    summaries = []
    for again in (False, True):
        window.browser.select_article(article_id)
        run_until(lambda: False, 0.3)
        failures: list[str] = []
        window.summary_pane.failed.connect(failures.append)
        probe.start()
        started = time.perf_counter()
        window.summaries.summarize(again=again)
        finished = run_until(lambda: window.summary_pane.job is None, 600)
        seconds = time.perf_counter() - started
        probe.stop()
        window.summary_pane.failed.disconnect(failures.append)
        summaries.append({**probe.summary(), "seconds": seconds, "finished": finished,
                          "failures": failures, "model_loaded": not again,
                          "text": window.summary_pane.text.toPlainText()[:160]})
    window.summary_pane.forget_model()

    count = QUICK_LINKS if quick else LINKS
    with serve_in_subprocess(count, seed=3) as urls:
        # Progress as the window hears it (the queue's events, on the UI thread): asking the
        # queue itself would take its lock on the UI thread, which the window never does.
        latest = {"seq": -1, "counts": None}

        def heard(events) -> None:
            event = max(events, key=lambda event: event.seq)
            if event.seq > latest["seq"]:
                latest.update(seq=event.seq, counts=event.counts)

        window.queue_events.delivered.connect(heard)
        probe.start()
        started = time.perf_counter()
        window.add_links(urls)
        add_call = time.perf_counter() - started

        def done() -> bool:
            counts = latest["counts"]
            return counts is not None and counts.active == 0

        run_until(lambda: time.perf_counter() - started > 1 and done(), 900)
        run_until(lambda: False, 0.5)  # the last change reaching the list
        seconds = time.perf_counter() - started
        probe.stop()
        counts = window.capture_queue.counts()
    adding = {**probe.summary(), "seconds": seconds, "add_links_call_s": add_call,
              "saved": counts.saved, "failed": counts.failed, "listed": window.articles.rowCount()}
    window.close()
    library.close()
    shutil.rmtree(home, ignore_errors=True)

    def row(figure: str, measured: dict, note: str, target: float = TARGET_MS) -> Row:
        return Row(GROUP, figure, "ms", measured["max_ms"], idle["max_ms"], "idle window, same probe",
                   better="lower", target=target, target_on_value=True,
                   note=f"{note}; p99 {measured['p99_ms']:.1f} ms, {measured['over_50ms']} ticks over 50 ms",
                   detail=measured)

    first, warm = summaries
    return [
        row("longest stall, summary streaming (model loading first)", first,
            f"{first['seconds']:.1f} s" + (f"; FAILED: {first['failures']}" if first["failures"] else "")),
        row("longest stall, summary streaming (model warm)", warm, f"{warm['seconds']:.1f} s"),
        row(f"longest stall, adding {count} links", adding,
            f"{adding['saved']} saved, {adding['failed']} failed in {seconds:.0f} s "
            f"({adding['saved'] / seconds:.1f} pages/s); add_links() itself took "
            f"{add_call * 1000:.1f} ms", target=ADDING_TARGET_MS),
        Row(GROUP, "idle window (reference)", "ms", idle["max_ms"], idle["max_ms"], "itself",
            better="lower", note=f"p99 {idle['p99_ms']:.1f} ms over {idle['ticks']} ticks", detail=idle),
    ]
