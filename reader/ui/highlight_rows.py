"""How a highlight is shown in a list (the article's highlights pane, the library-wide
Highlights view): its colour as a bar at the left, its quote, then quieter lines (its note, the
article and the date). Drawn with QPainter, so a quote or note is never read as markup."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from reader.library.highlights import Highlight
from reader.ui.article_list_view import paint_empty_message

HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole  # the row's Highlight (None for a section title)
LINES_ROLE = Qt.ItemDataRole.UserRole + 1  # the quieter lines under the quote: (text, italic)
# Each colour a highlight may have (reader.library.highlights.COLOURS), as drawn.
COLOUR_VALUES = {"yellow": QColor("#f6d32d"), "green": QColor("#57e389"),
                 "blue": QColor("#62a0ea"), "pink": QColor("#f66151"),
                 "purple": QColor("#c061cb")}
SHOWN_CHARS = 400  # of a quote or note on one line: the rest would be elided anyway


def one_line(text: str) -> str:
    """``text`` cut to what one line can show, its line breaks and runs of spaces as one."""
    return " ".join(text[:SHOWN_CHARS].split())


def shown_date(created: str) -> str:
    """The day a highlight was made, in local time ("" if the stored date is not one)."""
    try:
        return datetime.fromisoformat(created).astimezone().strftime("%-d %b %Y")
    except ValueError:
        return ""


def tooltip(highlight: Highlight) -> str:
    """The whole quote and note, escaped: Qt reads tooltips as rich text when they look so."""
    parts = [html.escape(highlight.quote[:4 * SHOWN_CHARS])]
    if highlight.note:
        parts.append(f"<i>{html.escape(highlight.note[:4 * SHOWN_CHARS])}</i>")
    return "<p style='white-space: pre-wrap'>" + "<br><br>".join(parts) + "</p>"


def highlight_data(highlight: Highlight, meta: str, role: int):
    """What a model shows for a highlight's row: the quote, then ``meta`` (where it is from, if
    the list says), then its note in italics."""
    if role == Qt.ItemDataRole.DisplayRole:
        return one_line(highlight.quote)
    if role == HIGHLIGHT_ROLE:
        return highlight
    if role == LINES_ROLE:
        return [line for line in ((meta, False), (one_line(highlight.note), True)) if line[0]]
    if role == Qt.ItemDataRole.ToolTipRole:
        return tooltip(highlight)
    if role == Qt.ItemDataRole.AccessibleTextRole:
        return " ".join([highlight.quote[:SHOWN_CHARS], meta, highlight.note[:SHOWN_CHARS]])
    return None


class HighlightDelegate(QStyledItemDelegate):
    """A highlight as its colour bar, the quote and its quieter lines; a row without a
    highlight is a section title."""

    PADDING = 8
    BAR = 4

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        line = QFontMetrics(option.font).height()
        if index.data(HIGHLIGHT_ROLE) is None:
            return QSize(200, line + 2 * self.PADDING)
        lines = 1 + len(index.data(LINES_ROLE) or [])
        return QSize(200, lines * (line + 2) + 3 * self.PADDING // 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        highlight = index.data(HIGHLIGHT_ROLE)
        selected = option.state & QStyle.StateFlag.State_Selected
        text = (option.palette.highlightedText() if selected else option.palette.text()).color()
        muted = QColor(text)
        muted.setAlphaF(0.65)
        painter.save()
        area = option.rect.adjusted(self.PADDING, 3 * self.PADDING // 4, -self.PADDING,
                                    -self.PADDING // 2)
        if highlight is None:
            bold = QFont(option.font)
            bold.setBold(True)
            self._line(painter, area.adjusted(0, self.PADDING // 2, 0, 0), bold, muted,
                       index.data() or "")
            painter.restore()
            return
        colour = COLOUR_VALUES.get(highlight.color, COLOUR_VALUES["yellow"])
        painter.fillRect(QRect(area.left(), area.top() + 1, self.BAR, area.height() - 2),
                         colour)
        area.setLeft(area.left() + self.BAR + self.PADDING)
        height = QFontMetrics(option.font).height() + 2
        quote_colour = QColor(text)
        if not highlight.found:
            quote_colour.setAlphaF(0.8)
        self._line(painter, area, option.font, quote_colour, index.data() or "")
        for number, (line, italic) in enumerate(index.data(LINES_ROLE) or [], start=1):
            font = QFont(option.font)
            font.setItalic(italic)
            self._line(painter, area.adjusted(0, number * height, 0, 0), font, muted, line)
        painter.restore()

    @staticmethod
    def _line(painter: QPainter, area: QRect, font: QFont, colour: QColor, text: str) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        shown = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, shown)


class HighlightList(QListView):
    """A list of highlights, keys included: Enter (or a double click) opens the highlight, N
    edits its note, Delete removes it. These keys are the list's own while it has the focus,
    whatever the window binds them to. The current highlight stays current when the list is
    read again."""

    opened = Signal(object)  # the Highlight
    note_wanted = Signal(object)
    remove_wanted = Signal(object)
    EMPTY_TEXT = ""

    KEYS = {Qt.Key.Key_N: "note_wanted", Qt.Key.Key_Delete: "remove_wanted",
            Qt.Key.Key_Backspace: "remove_wanted"}
    OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, *KEYS)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(HighlightDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.activated.connect(self._activated)
        self._kept: tuple[int, int] | None = None  # (highlight id, row) across a reset

    def setModel(self, model) -> None:
        super().setModel(model)
        model.modelAboutToBeReset.connect(self._keep_current)
        model.modelReset.connect(self._restore_current)

    def current_highlight(self) -> Highlight | None:
        return self.currentIndex().data(HIGHLIGHT_ROLE)

    def select_highlight(self, highlight_id: int | None, fallback_row: int = 0) -> None:
        """Make that highlight current; if it is not listed, the one now at ``fallback_row``
        (or the last before it)."""
        model = self.model()
        listed = {row: model.index(row, 0).data(HIGHLIGHT_ROLE) for row in range(model.rowCount())}
        rows = [row for row, highlight in listed.items() if highlight is not None]
        chosen = ([row for row in rows if listed[row].id == highlight_id]
                  or [row for row in rows if row >= fallback_row] or rows[-1:])
        if chosen:
            self.setCurrentIndex(model.index(chosen[0], 0))

    def _keep_current(self) -> None:
        highlight = self.current_highlight()
        self._kept = (highlight.id, self.currentIndex().row()) if highlight else None

    def _restore_current(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            self.select_highlight(*kept)

    def _activated(self, index: QModelIndex) -> None:
        highlight = index.data(HIGHLIGHT_ROLE)
        if highlight is not None:
            self.opened.emit(highlight)

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and event.key() in self.OWN_KEYS and not event.modifiers()
                & ~Qt.KeyboardModifier.KeypadModifier):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        signal = self.KEYS.get(Qt.Key(event.key()))
        if signal is not None and not event.modifiers():
            if (highlight := self.current_highlight()) is not None:
                getattr(self, signal).emit(highlight)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        paint_empty_message(self, self.empty_text())

    def empty_text(self) -> str:
        return self.EMPTY_TEXT
