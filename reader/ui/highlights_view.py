"""The library-wide Highlights view (the sidebar's "Highlights"), shown in place of the article
list: every highlight outside the bin, newest first, each with its article and date, filtered by
the window's search box. It follows the library's change events while it is listed."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from reader.library import Library, highlights
from reader.library.events import LibraryChange
from reader.library.highlights import Highlight
from reader.ui.highlight_rows import HighlightList, highlight_data, shown_date

MOST_LISTED = 1000  # the newest; a search finds the others


class HighlightsListModel(QAbstractListModel):
    """The newest ``MOST_LISTED`` highlights matching a search, and a last row saying there are
    more when there are. Empty while not listed (``stop``): nothing is read for a hidden view."""

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self.search = ""
        self.listing = False
        self._rows: list[Highlight] = []
        self._more = False
        self._articles: set[int] = set()

    def list_highlights(self, search: str) -> None:
        self.search = search
        self.listing = True
        self.reload()

    def stop(self) -> None:
        self.listing = False
        self.reload()

    def reload(self) -> None:
        rows = (highlights.listing(self._library, self.search, limit=MOST_LISTED + 1)
                if self.listing else [])
        self.beginResetModel()
        self._rows, self._more = rows[:MOST_LISTED], len(rows) > MOST_LISTED
        self._articles = {row.article_id for row in self._rows}
        self.endResetModel()

    def apply(self, change: LibraryChange) -> None:
        """Read again when highlights changed, articles went to or came from the bin (the
        counts moved), or a listed article changed (its title)."""
        if self.listing and (change.highlighted or change.counts or change.removed
                             or not self._articles.isdisjoint(change.updated)):
            self.reload()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows) + self._more

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() == len(self._rows):  # the last row, saying there are more
            return (f"The newest {MOST_LISTED:,} are listed: search to find the others."
                    if role == Qt.ItemDataRole.DisplayRole else None)
        highlight = self._rows[index.row()]
        meta = " · ".join(part for part in (highlight.article_title.strip(),
                                            shown_date(highlight.created)) if part)
        return highlight_data(highlight, meta, role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() >= len(self._rows):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class HighlightsView(HighlightList):
    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.setObjectName("highlightsView")
        self.setModel(HighlightsListModel(library, self))

    def model(self) -> HighlightsListModel:
        return super().model()

    def empty_text(self) -> str:
        search = self.model().search.strip()
        if search:
            return f"No highlight or note has “{search}”. Esc clears the search."
        return "No highlights yet. Highlight a passage while reading to find it here."
