"""Highlighting in the reader view: the selection (made with the mouse or with the keyboard's
selection mode) becomes a highlight; the highlight under the caret or the selection changes
colour, gets a note or goes. Each edit is undoable with u. The view draws what the library's
change events say changed."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QHelpEvent, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from reader.errors import LibraryError
from reader.library import Library
from reader.library import highlights
from reader.library.events import LibraryChange
from reader.library.highlights import COLOURS
from reader.library.state import Change
from reader.ui.commands import Command
from reader.ui.highlight_marks import Mark, selector
from reader.ui.highlight_rows import COLOUR_VALUES
from reader.ui.message_bar import MessageBar
from reader.ui.note_editor import ask_for_note
from reader.ui.reader_view import ReaderView
from reader.ui.selection_mode import PARAGRAPH, SENTENCE, WORD, SelectionMode

Status = Callable[[str, int], None]
MENU = "Highlight"
NOTE_TIP_CHARS = 1000  # of a note shown when the pointer rests on its highlight


class HighlightController(QObject):
    def __init__(self, library: Library, view: ReaderView, undo_stack: list[list[Change]],
                 message_bar: MessageBar, status: Status, dialogs: QWidget):
        super().__init__(dialogs)
        self.library = library
        self.view = view
        self.undo_stack = undo_stack  # the window's: u undoes highlights as any other action
        self.message_bar = message_bar
        self.status = status
        self.dialogs = dialogs
        self.colour = COLOURS[0]  # of the next highlight made
        self.mode = SelectionMode(view, self)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(
            lambda point: self.context_menu(point).exec(view.viewport().mapToGlobal(point)))
        view.viewport().installEventFilter(self)  # a highlight's note shown as its tooltip

    def library_changed(self, change: LibraryChange) -> None:
        if self.view.article is not None and self.view.article.id in change.highlighted:
            self.view.draw_highlights()

    def highlight(self, colour: str | None = None) -> None:
        """Highlight the view's selection (and end the selection mode)."""
        article, cursor = self.view.article, self.view.textCursor()
        if article is None:
            return
        passage = (selector(self.view.document(), cursor.selectionStart(),
                            cursor.selectionEnd(), len(article.text))
                   if cursor.hasSelection() else None)
        if passage is None:
            self.status("Select a passage first: with the mouse, or V to select with keys.",
                        5000)
            return
        try:
            _highlight, change = highlights.add(self.library, article.id, passage,
                                                colour or self.colour)
        except LibraryError as error:
            self.message_bar.show_message(str(error), error=True)
            return
        self.mode.leave()
        cursor.clearSelection()
        self.view.setTextCursor(cursor)
        self._done(change, "Highlighted. N adds a note; U undoes it.")

    def choose_colour(self, colour: str) -> None:
        self.colour = colour
        self.status(f"Highlights are now {colour}.", 3000)

    def cycle_colour(self, marks: list[Mark] | None = None) -> None:
        """The next colour for the highlight under the caret or the selection."""
        marks = self._here() if marks is None else marks
        if marks:
            current = marks[0].highlight.color
            self.recolour(marks[0], COLOURS[(COLOURS.index(current) + 1) % len(COLOURS)])

    def recolour(self, mark: Mark, colour: str) -> None:
        self.colour = colour  # the next highlight takes it too
        self._done(highlights.edit(self.library, mark.highlight.id, color=colour),
                   f"Now {colour}. U undoes it.")

    def remove(self, marks: list[Mark] | None = None) -> None:
        """Remove the highlights under the caret or over the selection."""
        marks = self._here() if marks is None else marks
        if marks:
            change = highlights.remove(self.library, [mark.highlight.id for mark in marks])
            self._done(change, f"Removed {len(marks)} highlight{'s' * (len(marks) > 1)}. "
                       "U brings it back.")

    def edit_note(self, marks: list[Mark] | None = None) -> None:
        """Edit the note of the highlight under the caret or the selection."""
        marks = self._here() if marks is None else marks
        if not marks:
            return
        highlight = marks[0].highlight
        note = ask_for_note(self.dialogs, "Note on the Highlight", highlight.quote,
                            highlight.note)
        if note is not None and note != highlight.note:
            self._done(highlights.edit(self.library, highlight.id, note=note),
                       "Note saved. U undoes it.")

    def context_menu(self, point: QPoint) -> QMenu:
        """The view's menu (copy, select all) with highlighting: of the selection, and of the
        highlight under the pointer."""
        scrolled = QPoint(self.view.horizontalScrollBar().value(),
                          self.view.verticalScrollBar().value())
        menu = self.view.createStandardContextMenu(point + scrolled)  # (in the document)
        menu.addSeparator()
        if self.view.textCursor().hasSelection():
            make = menu.addMenu("Highlight")
            for colour in COLOURS:
                make.addAction(_swatch(colour), colour.capitalize(),
                               _call(self.highlight, colour))
        under = self.view.cursorForPosition(point).position()
        marks = self.view.marks_over(under, under) or self._here()
        if marks:
            recolour = menu.addMenu("Highlight Colour")
            for colour in COLOURS:
                action = recolour.addAction(_swatch(colour), colour.capitalize(),
                                            _call(self.recolour, marks[0], colour))
                action.setCheckable(True)
                action.setChecked(colour == marks[0].highlight.color)
            menu.addAction("Note on the Highlight…", _call(self.edit_note, marks))
            menu.addAction("Remove Highlight", _call(self.remove, marks))
        return menu

    def bind(self, actions: dict[str, QAction]) -> None:
        """Enable the selection mode's own keys only while it is on (elsewhere, w is just w)."""
        own = [actions[command_id] for command_id in actions
               if command_id.startswith("selection-")]

        def enable(active: bool) -> None:
            for action in own:
                action.setEnabled(active)

        enable(False)
        self.mode.active_changed.connect(enable)

    def note_at(self, point: QPoint) -> str:
        """The note of the highlight at ``point`` in the view, as a tooltip shows it: the
        user's text, escaped (never read as markup), its line breaks kept."""
        position = self.view.cursorForPosition(point).position()
        notes = [mark.highlight.note for mark in self.view.marks_over(position, position)
                 if mark.highlight.note]
        return (f"<p style='white-space:pre-wrap'>{escape(notes[0][:NOTE_TIP_CHARS])}</p>"
                if notes else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.note_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.view.viewport())
            else:
                QToolTip.hideText()
            return True
        return False

    def _here(self) -> list[Mark]:
        cursor = self.view.textCursor()
        return self.view.marks_over(cursor.selectionStart(), cursor.selectionEnd())

    def _done(self, change: Change, said: str) -> None:
        self.undo_stack.append([change])
        self.status(said, 5000)


def highlight_commands(control: HighlightController) -> list[Command]:
    mode = control.mode
    moves = [("word", WORD), ("sentence", SENTENCE), ("paragraph", PARAGRAPH)]
    return [
        Command("highlight", "Highlight the Selection", _call(control.highlight), MENU),
        Command("select-mode", "Select with Keys (Again: Start Selecting Here)", mode.enter,
                MENU),
        Command("highlight-colour", "Next Colour of the Highlight", _call(control.cycle_colour),
                MENU),
        Command("highlight-note", "Note on the Highlight…", _call(control.edit_note), MENU),
        Command("unhighlight", "Remove the Highlight", _call(control.remove), MENU),
        *(Command(f"selection-{way}-{name}", f"Selection: {way.capitalize()} {name.capitalize()}",
                  _call(mode.move, unit, step), MENU)
          for name, unit in moves for way, step in (("next", 1), ("previous", -1))),
        *(Command(f"selection-{colour}", f"Selection: Colour {colour.capitalize()}",
                  _call(control.choose_colour, colour), MENU) for colour in COLOURS),
    ]


def _call(function: Callable, *args) -> Callable[[], None]:
    """``function(*args)`` as a slot that takes nothing (Qt would pass ``checked`` on to a slot
    with a parameter to spare)."""
    return lambda: function(*args)


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(COLOUR_VALUES[colour])
    return QIcon(pixmap)
