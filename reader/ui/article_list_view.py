"""How the article list is drawn: each row (title over a quieter line), and what an empty
list says."""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QStaticText, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from reader.library.listing import MATCH_END, MATCH_START
from reader.ui.article_list import FETCH_ROLE, META_ROLE, ROW_ROLE, ArticleListModel


class _Font(NamedTuple):
    font: QFont
    metrics: QFontMetrics
    key: str  # the font's QFont.key(), which is built anew at every call


class ArticleDelegate(QStyledItemDelegate):
    """Title (bold while unread) over a quieter line: site, reading time and tags, or the
    passage that matched a search with the matching words highlighted."""

    PADDING = 8
    KEPT_TEXTS = 2000  # laid-out texts kept: several screens of rows

    def __init__(self, parent=None):
        super().__init__(parent)
        # Fonts and their metrics by the view's font (and bold or not): made once, not for
        # every row at every paint (a list repaints all its rows whenever one changes).
        self._fonts: dict[str, tuple[_Font, _Font]] = {}  # plain and bold, by the view's font
        # Texts elided and laid out, by (text, font, room): a list repaints every row it shows
        # whenever one changes (ten times a second while pages are saved), and eliding and
        # shaping were most of a row's paint.
        self._texts: OrderedDict[tuple, tuple[QStaticText, str, int]] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        plain, bold = self._fonts_of(option.font)
        return QSize(200, bold.metrics.height() + plain.metrics.height() + 3 * self.PADDING // 2 + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        # The view's option says selected or hovered, which is all the background needs (the
        # model has no font, colour or icon roles for initStyleOption to read).
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = option.state & QStyle.StateFlag.State_Selected
        palette = option.palette
        text_colour = palette.highlightedText() if selected else palette.text()
        area = option.rect.adjusted(self.PADDING, self.PADDING // 2, -self.PADDING, -self.PADDING // 2)
        row = index.data(ROW_ROLE)
        fonts = self._fonts_of(option.font)
        title_font = fonts[row is None or not row.read]
        title_height = title_font.metrics.height()
        painter.save()
        painter.setFont(title_font.font)
        title_colour = text_colour.color()
        if index.data(FETCH_ROLE):  # a link without its page: greyed
            title_colour.setAlphaF(0.5)
        painter.setPen(title_colour)
        # On one line, as the line under it (a title with a line break drew two, overlapping).
        one_line = (index.data(Qt.ItemDataRole.DisplayRole) or "").replace("\n", " ")
        title = self._laid_out(one_line, title_font, area.width())[0]
        painter.drawStaticText(area.topLeft(), title)
        colour = text_colour.color()
        colour.setAlphaF(0.65)
        painter.setPen(colour)
        meta_area = QRect(area.left(), area.top() + title_height + 2, area.width(),
                          area.height() - title_height - 2)
        self._paint_marked(painter, meta_area, index.data(META_ROLE) or "", fonts,
                           palette.link().color() if not selected else text_colour.color())
        painter.restore()

    def _paint_marked(self, painter: QPainter, area: QRect, text: str,
                      fonts: tuple[_Font, _Font], mark_colour) -> None:
        """Draw ``text`` on one line, its MATCH_START..MATCH_END parts bold in ``mark_colour``."""
        plain_colour = painter.pen().color()
        x = area.left()
        marked = False
        for part in text.replace(MATCH_END, MATCH_START).split(MATCH_START):
            part_font = fonts[marked]
            painter.setFont(part_font.font)
            painter.setPen(mark_colour if marked else plain_colour)
            room = area.right() - x
            one_line = part.replace("\n", " ")
            laid_out, shown, advance = self._laid_out(one_line, part_font, room)
            painter.drawStaticText(QPoint(x, area.top()), laid_out)
            x += advance
            if shown != one_line or x >= area.right():
                break
            marked = not marked

    def _laid_out(self, text: str, font: _Font, room: int) -> tuple[QStaticText, str, int]:
        """``text`` elided to ``room`` pixels and laid out in ``font``; the text shown, and
        its width."""
        key = (text, font.key, room)
        made = self._texts.get(key)
        if made is not None:
            self._texts.move_to_end(key)
            return made
        shown = font.metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
        laid_out = QStaticText(shown)
        laid_out.setTextFormat(Qt.TextFormat.PlainText)
        laid_out.prepare(QTransform(), font.font)
        made = self._texts[key] = (laid_out, shown, font.metrics.horizontalAdvance(shown))
        if len(self._texts) > self.KEPT_TEXTS:
            self._texts.popitem(last=False)
        return made

    def _fonts_of(self, font: QFont) -> tuple[_Font, _Font]:
        """``font`` plain and bold, each with its metrics."""
        made = self._fonts.get(font.key())
        if made is None:
            made = self._fonts[font.key()] = (self._made(font, False), self._made(font, True))
        return made

    @staticmethod
    def _made(font: QFont, bold: bool) -> _Font:
        made = QFont(font)
        made.setBold(bold)
        return _Font(made, QFontMetrics(made), made.key())


class ArticleListView(QListView):
    """The list, which says what to do when there is nothing in it."""

    EMPTY_TEXT = "Drop links here, or press Ctrl+L to add one."
    NO_MATCH_TEXT = "No articles match “{}”. Esc clears the search."

    def empty_text(self) -> str:
        model = self.model()
        query = model.query if isinstance(model, ArticleListModel) else None
        if query is not None and query.search.strip():
            return self.NO_MATCH_TEXT.format(query.search.strip())
        if query is not None and (query.tag or query.view != "inbox"):
            return "Nothing here yet."
        return self.EMPTY_TEXT

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        paint_empty_message(self, self.empty_text())


def paint_empty_message(view: QAbstractItemView, text: str) -> None:
    """What an empty list says (what to do next), quietly, in the middle of ``view``."""
    if view.model() is None or view.model().rowCount() > 0:
        return
    painter = QPainter(view.viewport())
    colour = view.palette().text().color()
    colour.setAlphaF(0.55)
    painter.setPen(colour)
    painter.drawText(view.viewport().rect().adjusted(16, 16, -16, -16),
                     Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
