"""Changing articles from the window: archive, favourite, read, tags, delete, each undoable
with u; re-extraction from the saved page; opening the original. The list and the sidebar
follow the library's change events: nothing here refreshes them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QInputDialog, QWidget

from reader.capture.extractor import Extractor
from reader.errors import UserError
from reader.library import Library
from reader.library.state import Change
from reader.ui.background import run_in_background
from reader.ui.browser import Browser
from reader.ui.message_bar import MessageBar

Status = Callable[[str, int], None]  # a passing note in the status bar, for so many ms

FLAG_WORDS = {"archived": ("Archived", "Moved back to the inbox"),
              "favourite": ("Added to favourites", "Removed from favourites"),
              "read": ("Marked read", "Marked unread")}


class ArticleActions(QObject):
    def __init__(self, library: Library, browser: Browser, message_bar: MessageBar,
                 status: Status, extractor: Extractor, pool: QThreadPool, dialogs: QWidget):
        super().__init__(dialogs)
        self.library = library
        self.browser = browser
        self.message_bar = message_bar
        self.status = status
        self.extractor = extractor
        self.pool = pool
        self.dialogs = dialogs  # the parent of the questions asked
        self.undo_stack: list[list[Change]] = []

    def toggle(self, flag: str) -> None:
        row = self.browser.current_row()
        if row is None:
            return
        value = not getattr(row, flag)
        if flag == "read":
            self.browser.read_state_chosen = True
        self.undo_stack.append([self.library.set_flag([row.id], flag, value)])
        words = FLAG_WORDS[flag]
        self.status(f"{words[0] if value else words[1]}. U undoes it.", 5000)

    def delete(self) -> None:
        article_id = self.browser.current_article_id()
        if article_id is not None:
            self.undo_stack.append([self.library.set_flag([article_id], "deleted", True)])
            self.status("Deleted. U brings it back.", 8000)

    def edit_tags(self) -> None:
        row = self.browser.current_row()
        if row is None:
            return
        text, ok = QInputDialog.getText(self.dialogs, "Tags", "Tags, separated by commas:",
                                        text=", ".join(row.tags))
        if not ok:
            return
        wanted = {tag.strip() for tag in text.split(",") if tag.strip()}
        with self.library.transaction():  # one edit, one change for the list
            changes = [self.library.tag([row.id], tag) for tag in sorted(wanted - set(row.tags))]
            changes += [self.library.tag([row.id], tag, present=False)
                        for tag in sorted(set(row.tags) - wanted)]
        if changes:
            self.undo_stack.append(changes)

    def rename_tag(self) -> None:
        target = self.browser.sidebar_target()
        if not target or target[0] != "tag":
            self.message_bar.show_message("Select a tag in the sidebar to rename it.")
            return
        new, ok = QInputDialog.getText(self.dialogs, "Rename Tag", f"New name for #{target[1]}:",
                                       text=target[1])
        if not ok:
            return
        try:
            self.undo_stack.append([self.library.rename_tag(target[1], new)])
        except UserError as error:
            self.message_bar.show_message(str(error), error=True)

    def undo(self) -> None:
        if not self.undo_stack:
            self.status("Nothing to undo.", 3000)
            return
        changes = self.undo_stack.pop()
        with self.library.transaction():
            for change in reversed(changes):
                self.library.undo(change)
        touched = [i for change in changes for i in change.article_ids]
        if touched:
            self.browser.select_article(touched[0], self.browser.list_view.currentIndex().row())
        self.status(f"Undone: {changes[0].description}.", 4000)

    def open_original(self) -> None:
        row = self.browser.current_row()
        if row is not None and row.url.startswith(("http://", "https://")):
            QDesktopServices.openUrl(QUrl(row.url))

    def re_extract(self) -> None:
        article_id = self.browser.current_article_id()
        if article_id is None:
            return

        # Loaded when used (with lxml), not before the first paint.
        from reader.capture import pipeline

        # The reader view follows the article's change (``Browser.library_changed``).
        run_in_background(
            lambda report, cancelled: pipeline.reextract(self.library, self.extractor, article_id),
            self.pool, failed=lambda message: self.message_bar.show_message(message, True))
