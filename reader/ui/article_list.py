"""The article list: a Qt model over the library, and how one row is drawn."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from reader.library import ArticleRow, Library
from reader.library.listing import MATCH_END, MATCH_START, ListQuery

ID_ROLE = Qt.ItemDataRole.UserRole
META_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE_SIZE = 200
CACHED_PAGES = 40


def meta_line(row: ArticleRow) -> str:
    parts = [
        "★" if row.favourite else "",
        row.site or row.url,
        f"{row.reading_minutes} min",
        " ".join(f"#{tag}" for tag in row.tags),
    ]
    return " · ".join(part for part in parts if part)


class ArticleListModel(QAbstractListModel):
    """The articles a ``ListQuery`` selects, read from SQLite a page at a time as they are shown.

    Only their ids are read up front, in order; rows are fetched by id in pages of
    ``PAGE_SIZE`` when the view asks for them (any page costs the same, wherever it is), and a
    bounded number of pages is kept, so a library of 100,000 articles opens and scrolls like one
    of ten.
    """

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self._query = ListQuery()
        self._ids: list[int] = library.ids(self._query)
        self._pages: OrderedDict[int, list[ArticleRow]] = OrderedDict()

    @property
    def query(self) -> ListQuery:
        return self._query

    def set_query(self, query: ListQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Re-read after the library changed."""
        self.beginResetModel()
        self._pages.clear()
        self._ids = self._library.ids(self._query)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title or row.url
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title}\n{row.url}"
        if role == META_ROLE:
            return row.snippet or meta_line(row)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return None

    def row_at(self, number: int) -> ArticleRow | None:
        page_number, offset = divmod(number, PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is None:
            start = page_number * PAGE_SIZE
            page = self._library.rows_by_ids(self._ids[start:start + PAGE_SIZE],
                                             self._query.search)
            self._pages[page_number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[offset] if offset < len(page) else None

    def row_of(self, article_id: int) -> int | None:
        """Where an article is in the list (None: this view does not show it)."""
        try:
            return self._ids.index(article_id)
        except ValueError:
            return None


class ArticleDelegate(QStyledItemDelegate):
    """Title (bold while unread) over a quieter line: site, reading time and tags, or the
    passage that matched a search with the matching words highlighted."""

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
        row = index.data(ROW_ROLE)
        title_font = self._title_font(option.font, bold=row is None or not row.read)
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
        meta_area = QRect(area.left(), area.top() + title_height + 2, area.width(),
                          area.height() - title_height - 2)
        self._paint_marked(painter, meta_area, index.data(META_ROLE) or "", option.font,
                           palette.link().color() if not selected else text_colour.color())
        painter.restore()

    @staticmethod
    def _paint_marked(painter: QPainter, area: QRect, text: str, font: QFont, mark_colour) -> None:
        """Draw ``text`` on one line, its MATCH_START..MATCH_END parts bold in ``mark_colour``."""
        plain_colour = painter.pen().color()
        bold = QFont(font)
        bold.setBold(True)
        x = area.left()
        marked = False
        for part in text.replace(MATCH_END, MATCH_START).split(MATCH_START):
            painter.setFont(bold if marked else font)
            painter.setPen(mark_colour if marked else plain_colour)
            metrics = QFontMetrics(painter.font())
            room = area.right() - x
            shown = metrics.elidedText(part.replace("\n", " "), Qt.TextElideMode.ElideRight, room)
            painter.drawText(QRect(x, area.top(), room, area.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, shown)
            x += metrics.horizontalAdvance(shown)
            if shown != part.replace("\n", " ") or x >= area.right():
                break
            marked = not marked

    @staticmethod
    def _title_font(font: QFont, bold: bool = True) -> QFont:
        title = QFont(font)
        title.setBold(bold)
        return title


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
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            colour = self.palette().text().color()
            colour.setAlphaF(0.55)
            painter.setPen(colour)
            painter.drawText(self.viewport().rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.empty_text())
