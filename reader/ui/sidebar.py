"""The sidebar: the library's views, with counts, its highlights, and its tags, with counts, as
a Qt list model."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from reader.library import Library
from reader.library.events import LibraryChange
from reader.library.listing import VIEW_TITLES, VIEWS

# A row's target: ("view", name), ("highlights", "") or ("tag", name).
TARGET_ROLE = Qt.ItemDataRole.UserRole
HIGHLIGHTS = ("highlights", "", 0)  # not counted: its list says how many it shows


class SidebarModel(QAbstractListModel):
    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self._rows: list[tuple[str, str, int]] = []
        self.reload()

    def reload(self) -> None:
        """Read the counts again (kept by the library: no article is read). Views stay; tags
        that appear or go are inserted or removed, so the selected row keeps its place."""
        counts = self._library.view_counts()
        rows = [("view", view, counts[view]) for view in VIEWS]
        rows.append(HIGHLIGHTS)
        rows += [("tag", name, count) for name, count in self._library.tag_counts()]
        targets = {row[:2] for row in rows}
        for number in reversed(range(len(self._rows))):
            if self._rows[number][:2] not in targets:
                self.beginRemoveRows(QModelIndex(), number, number)
                del self._rows[number]
                self.endRemoveRows()
        kept = {row[:2] for row in self._rows}
        for number, row in enumerate(rows):
            if row[:2] not in kept:  # both lists are in the same order: it goes at ``number``
                self.beginInsertRows(QModelIndex(), number, number)
                self._rows.insert(number, row)
                self.endInsertRows()
        # Only the counts that moved are redrawn (an archive: two views, a tag or two), each on
        # its own: the view repaints a single row, and the whole list for a range.
        moved = [number for number, (was, now) in enumerate(zip(self._rows, rows)) if was != now]
        self._rows = rows
        for number in moved:
            self.dataChanged.emit(self.index(number), self.index(number))

    def apply(self, change: LibraryChange) -> None:
        if change.counts:
            self.reload()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        kind, name, count = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "highlights":
                return "Highlights"
            label = VIEW_TITLES[name] if kind == "view" else f"# {name}"
            return f"{label}  ({count})"
        if role == TARGET_ROLE:
            return (kind, name)
        return None

    def row_of(self, kind: str, name: str) -> int | None:
        for number, row in enumerate(self._rows):
            if row[:2] == (kind, name):
                return number
        return None
