"""Selecting text in the reader view with the keyboard, in the spirit of vi's visual mode.

Entered (``enter``) with a caret at the top of the visible text, or with the mouse's selection
if there is one. Moves go by word, sentence and paragraph; entering again starts selecting at
the caret, and from then on moves extend the selection. The window's highlight command makes
the selection a highlight; Esc (or leaving the view) ends the mode. Its keys are window
commands (``highlight_controller``), enabled only while the mode is on.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTextBoundaryFinder, Signal
from PySide6.QtGui import QTextCursor

from reader.ui.highlight_marks import body_start
from reader.ui.reader_view import ReaderView

WORD, SENTENCE, PARAGRAPH = "word", "sentence", "paragraph"
Move = QTextCursor.MoveOperation
# Focus lost to a menu or another window (a dialog the mode opened) is not leaving the view.
_STAYING = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)


class SelectionMode(QObject):
    active_changed = Signal(bool)

    def __init__(self, view: ReaderView, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.active = False
        self.selecting = False  # moves extend the selection from its anchor
        self._flags = view.textInteractionFlags()
        view.installEventFilter(self)

    def enter(self) -> None:
        """Start the mode; in it, start selecting at the caret."""
        if self.active:
            cursor = self.view.textCursor()
            cursor.clearSelection()
            self.view.setTextCursor(cursor)
            self.selecting = True
            return
        if self.view.article is None:
            return
        cursor = self.view.textCursor()
        self.selecting = cursor.hasSelection() and self._on_screen(cursor)
        if not self.selecting:
            cursor = self._top_of_view()
        self._flags = self.view.textInteractionFlags()
        self.view.setTextInteractionFlags(
            self._flags | Qt.TextInteractionFlag.TextSelectableByKeyboard)  # shows the caret
        self.view.setTextCursor(cursor)
        self.view.setFocus()
        self.active = True
        self.active_changed.emit(True)

    def leave(self) -> None:
        if not self.active:
            return
        self.active = self.selecting = False
        cursor = self.view.textCursor()
        cursor.clearSelection()
        self.view.setTextCursor(cursor)
        self.view.setTextInteractionFlags(self._flags)
        self.active_changed.emit(False)

    def move(self, unit: str, direction: int) -> None:
        """The caret to the next (1) or previous (-1) word, sentence or paragraph; while
        selecting, forward moves stop at the end of the word or paragraph."""
        if not self.active:
            return
        cursor = self.view.textCursor()
        keep = (QTextCursor.MoveMode.KeepAnchor if self.selecting
                else QTextCursor.MoveMode.MoveAnchor)
        if unit == SENTENCE:
            _to_sentence(cursor, direction, keep)
        else:
            start, end, step = ((Move.StartOfWord, Move.EndOfWord, Move.NextWord) if unit == WORD
                                else (Move.StartOfBlock, Move.EndOfBlock, Move.NextBlock))
            if direction < 0:
                before = cursor.position()
                cursor.movePosition(start, keep)
                if cursor.position() == before:
                    cursor.movePosition(Move.PreviousWord if unit == WORD
                                        else Move.PreviousBlock, keep)
                    cursor.movePosition(start, keep)
            elif self.selecting:
                before = cursor.position()
                cursor.movePosition(end, keep)
                if cursor.position() == before:
                    cursor.movePosition(step, keep)
                    cursor.movePosition(end, keep)
            else:
                cursor.movePosition(step, keep)
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                and event.key() == Qt.Key.Key_Escape:
            event.accept()  # Esc leaves the mode here, it does not go back to the list
            if event.type() == QEvent.Type.KeyPress:
                self.leave()
            return True
        if self.active and event.type() == QEvent.Type.FocusOut \
                and event.reason() not in _STAYING:
            self.leave()
        return False

    def _on_screen(self, cursor: QTextCursor) -> bool:
        return self.view.viewport().rect().intersects(self.view.cursorRect(cursor))

    def _top_of_view(self) -> QTextCursor:
        """A caret at the start of the first line of the article's body wholly in view."""
        cursor = self.view.cursorForPosition(QPoint(0, 0))
        if self.view.cursorRect(cursor).top() < 0:
            cursor.movePosition(Move.Down)
        cursor.movePosition(Move.StartOfLine)
        if cursor.position() < body_start(self.view.document()):
            cursor.setPosition(body_start(self.view.document()))
        return cursor


def _to_sentence(cursor: QTextCursor, direction: int, keep: QTextCursor.MoveMode) -> None:
    """To the start of the next or previous sentence (the start or end of a paragraph at the
    most: a paragraph that ends without a full stop still ends its sentence)."""
    block, position = cursor.block(), cursor.positionInBlock()
    if direction > 0 and position >= block.length() - 1 and block.next().isValid():
        cursor.setPosition(block.next().position(), keep)
        return
    if direction < 0 and position == 0 and block.previous().isValid():
        block = block.previous()
        position = block.length() - 1
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Sentence, block.text())
    finder.setPosition(position)
    found = finder.toNextBoundary() if direction > 0 else finder.toPreviousBoundary()
    cursor.setPosition(block.position() + max(found, 0), keep)
