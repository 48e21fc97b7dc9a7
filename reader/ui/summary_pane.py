"""The summary pane: an article's stored summary, each sentence checked against the article,
and the questions asked about it; or a new summary or answer streaming from the model.

The model is loaded on first use and kept; generation runs on a lane of one thread, so there
is one summary, answer or batch of summaries at a time and the window never waits for the model.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.errors import UserError
from reader.library import Library, grounding_store
from reader.settings import Settings
from reader.summarize import prompt
from reader.summarize.ask import Answer, ask_and_store
from reader.summarize.summarizer import (
    BatchResult,
    grounded_summary,
    summarize_and_store,
    summarize_batch,
)
from reader.ui.ask_box import QuestionBox
from reader.ui.background import Job, run_in_background
from reader.ui.summary_sentences import GroundedView

if TYPE_CHECKING:
    from reader.summarize.backends.base import ChatModel


class SummaryPane(QWidget):
    failed = Signal(str)
    batch_finished = Signal(object)  # the BatchResult of a Summarise All: done, skipped and why
    passage_wanted = Signal(str)  # a quote of the article to show: a sentence or citation followed

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
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # a server's words may reach it
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.reasoning_toggle = QToolButton()
        self.reasoning_toggle.setText("Reasoning")
        self.reasoning_toggle.setCheckable(True)
        self.reasoning_toggle.setToolTip("What the model thought before it answered")
        self.reasoning_toggle.hide()
        self.text = GroundedView()
        self.text.setPlaceholderText("Press S to summarise this article, Q to ask it a question.")
        self.text.passage_wanted.connect(self.passage_wanted)
        self.question = QuestionBox()
        self.question.returnPressed.connect(self._ask_typed)
        self.reasoning = QPlainTextEdit()
        self.reasoning.setObjectName("reasoningView")
        self.reasoning.setReadOnly(True)
        self.reasoning.hide()
        self.reasoning_toggle.toggled.connect(self.reasoning.setVisible)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Summary</b>"))
        # The status takes the room the title leaves, so that it wraps only when that is too
        # narrow ("Summarising a long article: part 2 of 6, reading 42 %…").
        header.addWidget(self.status, 1)
        header.addWidget(self.reasoning_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.addLayout(header)
        layout.addWidget(self.reasoning)
        layout.addWidget(self.text)
        layout.addWidget(self.question)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def show_article(self, article_id: int | None) -> None:
        self._shown_article = article_id
        if self.busy and article_id == self._job_article:
            return  # the running summary keeps streaming in
        self._show_stored(article_id)
        self.reasoning.clear()
        self.reasoning_toggle.setChecked(False)
        self.reasoning_toggle.hide()
        if not self.busy:
            self.status.setText("")

    def _show_stored(self, article_id: int | None, at_latest_answer: bool = False) -> None:
        if article_id is None:
            self.text.show_grounded(None, [])
            return
        self.text.show_grounded(grounded_summary(self.library, article_id),
                                grounding_store.conversation(self.library, article_id),
                                at_latest_answer)

    def forget_model(self) -> None:
        """After the model settings changed (or on quitting): the next summary loads the model
        now chosen; the old one's worker process ends."""
        model, self._model = self._model, None
        if model is not None:
            model.close()

    def _loaded_model(self, report) -> ChatModel:
        if self._model is None:
            # Here, not at the top: the backends import llama_cpp (numpy, jinja2) and httpx,
            # a quarter of a second the window's first paint does not need.
            from reader.summarize.backends.factory import open_model

            self._model = open_model(self.settings, warn=lambda text: report(("warning", text)))
        return self._model

    def _options(self) -> dict:
        return {"style": self.settings.summary_style,
                "language": self.settings.summary_language or None}

    def summarize(self, article_id: int, again: bool = False) -> None:
        """Summarise an article; one that has a summary keeps it unless ``again``."""
        if self.busy:
            raise UserError("A summary is being written; press Esc to stop it first.")
        # Here, not at the top: the factory loads the memory probe (psutil) and the model list,
        # which the first paint does not need.
        from reader.summarize.backends.factory import model_name

        if not again and self.library.summary(article_id, model_name(self.settings),
                                              prompt.version(**self._options())):
            raise UserError("This article has a summary from this model; Shift+S writes a new one.")
        self.text.clear()
        self.reasoning.clear()
        self.status.setText("Loading the model…" if self._model is None else "Summarising…")
        self._job_article = article_id
        started = time.monotonic()
        pieces = 0
        doing = ""  # a long article's step: its part being read, or the parts being combined

        def work(report, cancelled):
            model = self._loaded_model(report)
            for piece in summarize_and_store(
                self.library, article_id, model, cancelled, **self._options(),
                progress=lambda part, parts: report(("part", part, parts)),
                reasoning=lambda text: report(("reasoning", text)),
                reading=lambda done, total: report(("reading", done, total)),
            ):
                report(piece)
            return model.name

        def on_report(message) -> None:
            nonlocal pieces, doing
            if isinstance(message, tuple) and message[0] == "warning":
                self.failed.emit(message[1])
                return
            if self._shown_article != article_id:
                return
            if isinstance(message, tuple) and message[0] == "part":
                _, part, parts = message
                step = f"part {part} of {parts}" if part <= parts else "combining the parts"
                doing = f"Summarising a long article: {step}"
                self.status.setText(f"{doing}…")
            elif isinstance(message, tuple) and message[0] == "reading":
                self.status.setText(reading_status(*message[1:], doing, "Summarising…"))
            elif isinstance(message, tuple):
                self._add_reasoning(message[1])
            else:
                pieces += 1
                self.text.append_text(message)
                rate = pieces / max(time.monotonic() - started, 1e-3)
                self.status.setText(f"Summarising… {pieces} tokens, {rate:.0f}/s")

        def on_success(model_name: str) -> None:
            seconds = time.monotonic() - started
            stopped = self.job is not None and self.job.cancelled.is_set()
            if self._shown_article == article_id:
                self.status.setText(
                    "Stopped" if stopped else f"{model_name} · {pieces} tokens in {seconds:.1f} s"
                )
                if not stopped:  # now with each sentence checked against the article
                    self._show_stored(article_id)

        self._start(work, on_report, on_success)

    def _add_reasoning(self, text: str) -> None:
        self.reasoning_toggle.show()
        self.reasoning.moveCursor(self.reasoning.textCursor().MoveOperation.End)
        self.reasoning.insertPlainText(text)

    def open_question(self) -> None:
        """Show the question box, ready to type in."""
        self.question.show()
        self.question.setFocus()

    def _ask_typed(self) -> None:
        try:
            if self._shown_article is None:
                raise UserError("Select an article to ask about.")
            self.ask(self._shown_article, self.question.text())
        except UserError as error:
            self.failed.emit(str(error))
        else:
            self.question.clear()

    def ask(self, article_id: int, question: str) -> None:
        """Ask about the article, going on from its conversation; the answer streams in."""
        if self.busy:
            raise UserError("The model is busy; press Esc to stop it first.")
        if not question.strip():
            raise UserError("Ask a question about the article.")
        self.text.begin_answer(" ".join(question.split()))
        self.reasoning.clear()
        self.status.setText("Loading the model…" if self._model is None else "Answering…")
        self._job_article = article_id

        def work(report, cancelled) -> Answer | None:
            return ask_and_store(self.library, article_id, question, self._loaded_model(report),
                                 cancelled, reasoning=lambda text: report(("reasoning", text)),
                                 pieces=report,
                                 reading=lambda done, total: report(("reading", done, total)))

        def on_report(message) -> None:
            if isinstance(message, tuple) and message[0] == "warning":
                self.failed.emit(message[1])
            elif self._shown_article != article_id:
                return
            elif isinstance(message, tuple) and message[0] == "reading":
                self.status.setText(reading_status(*message[1:], "", "Answering…"))
            elif isinstance(message, tuple):
                self._add_reasoning(message[1])
            else:
                self.status.setText("Answering…")
                self.text.append_text(message)

        def on_success(answer: Answer | None) -> None:
            if self._shown_article != article_id:
                return
            self.status.setText("Stopped" if answer is None else f"Answered by {answer.model}")
            if answer is not None:  # the answer as kept, its citations linked
                self._show_stored(article_id, at_latest_answer=True)

        self._start(work, on_report, on_success)

    def summarize_all(self, article_ids: list[int]) -> None:
        """Summarise each article in turn; stopping keeps those done, so it can resume. Those
        the model can't do are skipped, and said so: in the status, and in ``batch_finished``."""
        if self.busy:
            raise UserError("A summary is being written; press Esc to stop it first.")
        if not article_ids:
            raise UserError("Every article has a summary.")
        self._job_article = None

        doing = ""  # the article being summarised: "Summarising all: 3 of 10"

        def work(report, cancelled) -> BatchResult:
            model = self._loaded_model(report)
            return summarize_batch(
                self.library, article_ids, model, cancelled, **self._options(),
                starting=lambda number, count: report(("batch", number, count)),
                finished=lambda article_id, why: report(("finished", article_id, why)),
                reading=lambda done, total: report(("reading", done, total)),
            )

        def on_report(message) -> None:
            nonlocal doing
            if message[0] == "warning":
                self.failed.emit(message[1])
            elif message[0] == "batch":
                doing = f"Summarising all: {message[1]} of {message[2]}"
                self.status.setText(f"{doing}…")
            elif message[0] == "reading":
                self.status.setText(reading_status(*message[1:], doing, f"{doing}…"))
            elif message[0] == "finished" and message[2] is None:
                if message[1] == self._shown_article:
                    self.show_article(message[1])

        def on_success(result: BatchResult) -> None:
            self.status.setText(batch_status(result))
            self.batch_finished.emit(result)

        self._start(work, on_report, on_success)

    def _start(self, work, on_report, on_success) -> None:
        def on_failure(message: str) -> None:
            self.status.setText("")
            self.failed.emit(message)

        def on_finished() -> None:
            self.job = None
            self._job_article = None

        self.job = run_in_background(work, self.lane, progress=on_report, succeeded=on_success,
                                     failed=on_failure, finished=on_finished)

    def cancel(self) -> bool:
        """Stop the summary being written; False if there was none."""
        if self.job is None:
            return False
        self.job.cancel()
        return True


def reading_status(done: int, total: int, doing: str, writing: str) -> str:
    """The status while the model reads its prompt (``done`` of ``total`` tokens): ``doing``
    and how far it has read ("Summarising all: 3 of 10, reading 42 %…"), or with no ``doing``,
    "Reading the article… 42 %"; once it has read it all, ``doing…`` or ``writing``."""
    if doing:
        return f"{doing}, reading {done * 100 // total} %…" if done < total else f"{doing}…"
    return f"Reading the article… {done * 100 // total} %" if done < total else writing


def batch_status(result: BatchResult) -> str:
    """What a Summarise All did, in a line: how many summarised, how many skipped and why."""
    done = f"Summarised {len(result.done)} article{'s' if len(result.done) != 1 else ''}"
    if result.stopped:
        done = f"Stopped after {len(result.done)}; S on the list resumes"
    if not result.skipped:
        return done
    reasons = sorted({why for _, why in result.skipped})
    why = reasons[0] if len(reasons) == 1 else f"{reasons[0]} and {len(reasons) - 1} more reasons"
    return f"{done}; {len(result.skipped)} skipped ({why})"
