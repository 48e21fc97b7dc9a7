"""The summary pane: shows an article's stored summary, or streams a new one from the model.

The model is loaded on first use and kept; generation runs on a lane of one thread, so there
is one summary at a time and the window never waits for the model.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from reader.errors import UserError
from reader.library import Library
from reader.settings import Settings
from reader.summarize.backends import open_model
from reader.summarize.summarizer import ChatModel, summarize_and_store
from reader.ui.background import Job, run_in_background


class SummaryPane(QWidget):
    failed = Signal(str)

    def __init__(self, library: Library, settings: Settings, parent=None):
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self._model: ChatModel | None = None
        self.job: Job | None = None
        self._job_article: int | None = None
        self._shown_article: int | None = None
        # One generation at a time: the model is one big resource and llama.cpp is not reentrant.
        self.lane = QThreadPool(self)
        self.lane.setMaxThreadCount(1)

        self.status = QLabel()
        self.status.setObjectName("summaryStatus")
        self.text = QPlainTextEdit()
        self.text.setObjectName("summaryView")
        self.text.setReadOnly(True)
        self.text.setAcceptDrops(False)
        self.text.setPlaceholderText("Press S to summarise this article.")
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Summary</b>"))
        header.addStretch(1)
        header.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.addLayout(header)
        layout.addWidget(self.text)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def show_article(self, article_id: int | None) -> None:
        self._shown_article = article_id
        if self.busy and article_id == self._job_article:
            return  # the running summary keeps streaming in
        self.text.setPlainText(self.library.summary(article_id) or "" if article_id else "")
        self.status.setText("")

    def forget_model(self) -> None:
        """After the model settings changed: the next summary loads the model now chosen."""
        self._model = None

    def summarize(self, article_id: int, on_done: Callable[[], None] | None = None) -> None:
        if self.busy:
            raise UserError("A summary is being written; press Esc to stop it first.")
        self.text.clear()
        self.status.setText("Loading the model…" if self._model is None else "Summarising…")
        self._job_article = article_id
        started = time.monotonic()
        pieces = 0

        def work(report, cancelled):
            if self._model is None:
                self._model = open_model(self.settings)
            for piece in summarize_and_store(self.library, article_id, self._model, cancelled):
                report(piece)
            return self._model.name

        def on_piece(piece: str) -> None:
            nonlocal pieces
            pieces += 1
            if self._shown_article == article_id:
                self.text.moveCursor(self.text.textCursor().MoveOperation.End)
                self.text.insertPlainText(piece)
                rate = pieces / max(time.monotonic() - started, 1e-3)
                self.status.setText(f"Summarising… {pieces} tokens, {rate:.0f}/s")

        def on_success(model_name: str) -> None:
            seconds = time.monotonic() - started
            stopped = self.job is not None and self.job.cancelled.is_set()
            if self._shown_article == article_id:
                self.status.setText(
                    "Stopped" if stopped else f"{model_name} · {pieces} tokens in {seconds:.1f} s"
                )
            if on_done:
                on_done()

        def on_failure(message: str) -> None:
            self.status.setText("")
            self.failed.emit(message)

        def on_finished() -> None:
            self.job = None
            self._job_article = None

        self.job = run_in_background(work, self.lane, progress=on_piece, succeeded=on_success,
                                     failed=on_failure, finished=on_finished)

    def cancel(self) -> bool:
        """Stop the summary being written; False if there was none."""
        if self.job is None:
            return False
        self.job.cancel()
        return True
