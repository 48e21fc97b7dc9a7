"""Summaries from the window: summarise the selected article (again), summarise every article
that has none, with the ones the model skipped and why, ask the article a question, follow a
sentence or citation to its passage in the reader view, and stop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from reader.errors import UserError
from reader.library import Library
from reader.summarize.summarizer import BatchResult
from reader.ui.browser import Browser
from reader.ui.message_bar import MessageBar
from reader.ui.summary_pane import SummaryPane

Status = Callable[[str, int], None]
SKIPPED_LISTED = 5  # titles named in the message; the rest are counted


class SummaryController(QObject):
    def __init__(self, library: Library, pane: SummaryPane, browser: Browser,
                 message_bar: MessageBar, status: Status, parent: QObject | None = None):
        super().__init__(parent)
        self.library = library
        self.pane = pane
        self.browser = browser
        self.message_bar = message_bar
        self.status = status
        pane.failed.connect(lambda message: message_bar.show_message(message, True))
        pane.batch_finished.connect(self._batch_finished)
        pane.passage_wanted.connect(self._show_passage)

    def summarize(self, again: bool = False) -> None:
        article_id = self.browser.current_article_id()
        if article_id is None:
            self.message_bar.show_message("Select an article to summarise.")
            return
        self.pane.setVisible(True)
        try:
            self.pane.summarize(article_id, again)
        except UserError as error:
            self.status(str(error), 6000)

    def summarize_all(self) -> None:
        self.pane.setVisible(True)
        try:
            self.pane.summarize_all(self.library.unsummarised_ids())
        except UserError as error:
            self.status(str(error), 6000)

    def ask(self) -> None:
        if self.browser.current_article_id() is None:
            self.message_bar.show_message("Select an article to ask about.")
            return
        self.pane.setVisible(True)
        self.pane.open_question()

    def follow(self, direction: int) -> None:
        """Show the passage of the next (1) or previous (-1) checked sentence or citation."""
        if not self.pane.isVisible() or not self.pane.text.step(direction):
            self.status("No sentence here is linked to the article.", 4000)

    def _show_passage(self, quote: str) -> None:
        if not self.browser.reader_view.show_passage(quote):
            self.status("That passage is not in the article as shown.", 6000)

    def cancel(self) -> bool:
        """Stop the summary being written; False if there was none."""
        return self.pane.cancel()

    def toggle_pane(self) -> None:
        self.pane.setVisible(not self.pane.isVisible())

    def _batch_finished(self, result: BatchResult) -> None:
        """Say which articles Summarise All skipped, and why (the model could not do them)."""
        if not result.skipped:
            return
        listed = result.skipped[:SKIPPED_LISTED]
        titles = {row.id: row.title for row in self.library.rows_by_ids([i for i, _ in listed])}
        named = [f"“{titles.get(article_id, article_id)}”: {why}" for article_id, why in listed]
        more = len(result.skipped) - len(named)
        self.message_bar.show_message(
            f"Summarise All skipped {len(result.skipped)} article"
            f"{'s' if len(result.skipped) != 1 else ''}: " + "; ".join(named)
            + (f"; and {more} more" if more > 0 else ""), error=True)
