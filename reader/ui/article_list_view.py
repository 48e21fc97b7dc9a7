"""How the article list is drawn: each row (title over a quieter line), and what an empty
list says."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from reader.library.listing import MATCH_END, MATCH_START
from reader.ui.article_list import FETCH_ROLE, META_ROLE, ROW_ROLE, ArticleListModel


class ArticleDelegate(QStyledItemDelegate):
    """Title (bold while unread) over a quieter line: site, reading time and tags, or the
    passage that matched a search with the matching words highlighted."""

    PADDING = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        # Fonts and their metrics by the view's font (and bold or not): made once, not for
        # every row at every paint (a list repaints all its rows whenever one changes).
        self._fonts: dict[tuple[str, bool], tuple[QFont, QFontMetrics]] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        title = self._font(option.font, bold=True)[1]
        meta = self._font(option.font, bold=False)[1]
        return QSize(200, title.height() + meta.height() + 3 * self.PADDING // 2 + 2)

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
        title_font, title_metrics = self._font(option.font, bold=row is None or not row.read)
        title_height = title_metrics.height()
        painter.save()
        painter.setFont(title_font)
        title_colour = text_colour.color()
        if index.data(FETCH_ROLE):  # a link without its page: greyed
            title_colour.setAlphaF(0.5)
        painter.setPen(title_colour)
        title = title_metrics.elidedText(
            index.data(Qt.ItemDataRole.DisplayRole), Qt.TextElideMode.ElideRight, area.width()
        )
        painter.drawText(QRect(area.left(), area.top(), area.width(), title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        colour = text_colour.color()
        colour.setAlphaF(0.65)
        painter.setPen(colour)
        meta_area = QRect(area.left(), area.top() + title_height + 2, area.width(),
                          area.height() - title_height - 2)
        self._paint_marked(painter, meta_area, index.data(META_ROLE) or "", option.font,
                           palette.link().color() if not selected else text_colour.color())
        painter.restore()

    def _paint_marked(self, painter: QPainter, area: QRect, text: str, font: QFont,
                      mark_colour) -> None:
        """Draw ``text`` on one line, its MATCH_START..MATCH_END parts bold in ``mark_colour``."""
        plain_colour = painter.pen().color()
        x = area.left()
        marked = False
        for part in text.replace(MATCH_END, MATCH_START).split(MATCH_START):
            part_font, metrics = self._font(font, bold=marked)
            painter.setFont(part_font)
            painter.setPen(mark_colour if marked else plain_colour)
            room = area.right() - x
            shown = metrics.elidedText(part.replace("\n", " "), Qt.TextElideMode.ElideRight, room)
            painter.drawText(QRect(x, area.top(), room, area.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, shown)
            x += metrics.horizontalAdvance(shown)
            if shown != part.replace("\n", " ") or x >= area.right():
                break
            marked = not marked

    def _font(self, font: QFont, bold: bool) -> tuple[QFont, QFontMetrics]:
        """``font``, bold or not, and its metrics."""
        key = (font.key(), bold)
        made = self._fonts.get(key)
        if made is None:
            made_font = QFont(font)
            made_font.setBold(bold)
            made = self._fonts[key] = (made_font, QFontMetrics(made_font))
        return made


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
