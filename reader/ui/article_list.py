"""The article list: a Qt model over the library, and how one row is drawn."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from reader.library import ArticleRow, Library

ID_ROLE = Qt.ItemDataRole.UserRole
META_ROLE = Qt.ItemDataRole.UserRole + 1


def meta_line(row: ArticleRow) -> str:
    parts = [row.site or row.url, f"{row.reading_minutes} min"]
    return " · ".join(part for part in parts if part)


class ArticleListModel(QAbstractListModel):
    """Every article, newest first. ``reload`` re-reads the library after it changed."""

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self._rows: list[ArticleRow] = library.rows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title or row.url
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title}\n{row.url}"
        if role == META_ROLE:
            return meta_line(row)
        if role == ID_ROLE:
            return row.id
        return None

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._library.rows()
        self.endResetModel()

    def row_of(self, article_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.id == article_id:
                return number
        return None


class ArticleDelegate(QStyledItemDelegate):
    """Title in bold over a quieter line with the site and reading time."""

    PADDING = 8

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        title = QFontMetrics(self._title_font(option.font))
        meta = QFontMetrics(option.font)
        return QSize(200, title.height() + meta.height() + 3 * self.PADDING // 2 + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = option.state & QStyle.StateFlag.State_Selected
        palette = option.palette
        text_colour = palette.highlightedText() if selected else palette.text()
        area = option.rect.adjusted(self.PADDING, self.PADDING // 2, -self.PADDING, -self.PADDING // 2)
        title_font = self._title_font(option.font)
        title_height = QFontMetrics(title_font).height()
        painter.save()
        painter.setFont(title_font)
        painter.setPen(text_colour.color())
        title = QFontMetrics(title_font).elidedText(
            index.data(Qt.ItemDataRole.DisplayRole), Qt.TextElideMode.ElideRight, area.width()
        )
        painter.drawText(QRect(area.left(), area.top(), area.width(), title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        colour = text_colour.color()
        colour.setAlphaF(0.65)
        painter.setPen(colour)
        meta = QFontMetrics(option.font).elidedText(
            index.data(META_ROLE) or "", Qt.TextElideMode.ElideRight, area.width()
        )
        painter.drawText(QRect(area.left(), area.top() + title_height + 2, area.width(),
                               area.height() - title_height - 2),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, meta)
        painter.restore()

    @staticmethod
    def _title_font(font: QFont) -> QFont:
        bold = QFont(font)
        bold.setBold(True)
        return bold


class ArticleListView(QListView):
    """The list, which says what to do when there is nothing in it."""

    EMPTY_TEXT = "Drop links here, or press Ctrl+L to add one."

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            colour = self.palette().text().color()
            colour.setAlphaF(0.55)
            painter.setPen(colour)
            painter.drawText(self.viewport().rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.EMPTY_TEXT)
