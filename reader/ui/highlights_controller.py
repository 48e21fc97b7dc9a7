"""Highlights from the window: the pane of the shown article's highlights (shown or hidden, going
to one, its note, removing it), the library-wide Highlights list (opening the article at a
highlight), and the note on the whole article. Edits of highlights are undone with U like any
other action. The pane and the list follow the library's change events."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from reader.errors import UserError
from reader.library import Library, highlights
from reader.library.highlights import Highlight
from reader.library.state import Change
from reader.ui.browser import Browser
from reader.ui.highlights_pane import HighlightsPane
from reader.ui.library_events import LibraryEvents
from reader.ui.message_bar import MessageBar
from reader.ui.note_editor import ask_for_note

Status = Callable[[str, int], None]
NOT_FOUND = ("That highlight is not found in the article's current text (it changed since); "
             "its quote and note are kept.")


class HighlightsController(QObject):
    def __init__(self, library: Library, events: LibraryEvents, browser: Browser,
                 pane: HighlightsPane, undo_stack: list[list[Change]], message_bar: MessageBar,
                 status: Status, dialogs: QWidget):
        super().__init__(dialogs)
        self.library = library
        self.browser = browser
        self.pane = pane
        self.undo_stack = undo_stack  # the window's: U undoes these edits too
        self.message_bar = message_bar
        self.status = status
        self.dialogs = dialogs  # the parent of the note editor
        library_list = browser.highlights_view
        events.changed.connect(pane.apply)
        events.changed.connect(library_list.model().apply)
        browser.article_shown.connect(pane.show_article)
        pane.passage_wanted.connect(self.go_to)
        pane.list.opened.connect(lambda highlight: self.go_to(highlight, focus=True))
        pane.note_edit_wanted.connect(self.edit_article_note)
        library_list.opened.connect(self.open_article_at)
        for listed in (pane.list, library_list):
            listed.note_wanted.connect(self.edit_note)
            listed.remove_wanted.connect(self.remove)

    def toggle_pane(self) -> None:
        """Show the pane and go to it; from the pane, hide it and go back to reading."""
        if self.pane.isVisible() and self.pane.list.hasFocus():
            self.pane.hide()
            self.browser.reader_view.setFocus()
        else:
            self.pane.show()
            self.pane.focus_list()

    def show_library_list(self) -> None:
        sidebar = self.browser.sidebar_view
        sidebar.setCurrentIndex(sidebar.model().index(sidebar.model().row_of("highlights", "")))
        self.browser.focus_list()

    def go_to(self, highlight: Highlight, focus: bool = False) -> None:
        """Scroll the reader view to a highlight of the shown article (and read on there)."""
        if not highlight.found:
            self.status(NOT_FOUND, 6000)
        elif not self.browser.reader_view.show_highlight(highlight.id):
            self.status("That passage is not in the article as shown.", 6000)
        elif focus:
            self.browser.reader_view.setFocus()

    def open_article_at(self, highlight: Highlight) -> None:
        if not self.browser.open_highlight(highlight):
            self.status(NOT_FOUND if not highlight.found
                        else "That passage is not in the article as shown.", 6000)

    def edit_note(self, highlight: Highlight) -> None:
        note = ask_for_note(self.dialogs, "Note on the Highlight", highlight.quote,
                            highlight.note)
        if note is not None and note != highlight.note:
            self._record(lambda: highlights.edit(self.library, highlight.id, note=note),
                         "Note saved. U undoes it.")

    def remove(self, highlight: Highlight) -> None:
        self._record(lambda: highlights.remove(self.library, [highlight.id]),
                     "Highlight removed. U brings it back.")

    def edit_article_note(self) -> None:
        article_id = self.browser.shown_article
        if article_id is None:
            self.message_bar.show_message("Select an article to write a note on it.")
            return
        before = highlights.article_note(self.library, article_id)
        title = self.library.rows_by_ids([article_id])[0].title
        note = ask_for_note(self.dialogs, "Note on the Article", title, before)
        if note is None or note == before:
            return
        try:
            highlights.set_article_note(self.library, article_id, note)
        except UserError as error:  # the article went while the editor was open
            self.message_bar.show_message(str(error), error=True)
            return
        self.status("Note saved.", 4000)

    def _record(self, edit: Callable[[], Change], done: str) -> None:
        try:
            self.undo_stack.append([edit()])
        except UserError as error:  # gone meanwhile (undone, its article emptied from the bin)
            self.message_bar.show_message(str(error), error=True)
            return
        self.status(done, 5000)
