"""The command palette (type to find any command, Enter runs it) and the `?` cheat sheet,
both generated from the command registry."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeyEvent, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
)

from reader.ui.commands import Command, key_text

_OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Escape)
ACTION_ROLE = Qt.ItemDataRole.UserRole
KEYS_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS_GAP = 24  # pixels at least between a command's name and its keys


def fuzzy_score(pattern: str, text: str) -> int | None:
    """How well ``pattern`` matches ``text`` as a subsequence (higher is better), or None.

    Consecutive letters and letters at word starts score more, so "arc" finds "Archive" before
    "Mark Read / Unread" and "sm" finds "Summarise" quickly."""
    pattern, text = pattern.lower(), text.lower()
    score, position, previous = 0, 0, -2
    for char in pattern:
        found = text.find(char, position)
        if found < 0:
            return None
        score += 1
        if found == previous + 1:
            score += 3
        if found == 0 or not text[found - 1].isalnum():
            score += 5
        previous, position = found, found + 1
    return score - len(text) // 10


class _FuzzyFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.pattern = ""

    def set_pattern(self, pattern: str) -> None:
        self.pattern = pattern.strip()
        self.invalidate()
        self.sort(0, Qt.SortOrder.DescendingOrder)

    def _score(self, index: QModelIndex) -> int:
        if not self.pattern:
            return 0
        return fuzzy_score(self.pattern, index.data()) or 0

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        index = self.sourceModel().index(row, 0, parent)
        return not self.pattern or fuzzy_score(self.pattern, index.data()) is not None

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        if self._score(left) != self._score(right):
            return self._score(left) < self._score(right)
        return left.row() > right.row()  # equal scores keep the registry's order


class _KeysAtTheRight(QStyledItemDelegate):
    """A command's name, and its keys at the row's right end in the muted colour of a hint, as
    palettes and menus show them (not run on after the name, where they read as part of it)."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        keys = index.data(KEYS_ROLE)
        if not keys:
            return
        selected = option.state & QStyle.StateFlag.State_Selected
        role = (QPalette.ColorRole.HighlightedText if selected
                else QPalette.ColorRole.PlaceholderText)
        painter.save()
        painter.setPen(option.palette.color(role))
        painter.setFont(option.font)
        text_area = option.rect.adjusted(0, 0, -option.fontMetrics.averageCharWidth(), 0)
        painter.drawText(text_area, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         keys)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        keys = index.data(KEYS_ROLE)
        if keys:
            size.setWidth(size.width() + KEYS_GAP + option.fontMetrics.horizontalAdvance(keys))
        return size


class CommandPalette(QDialog):
    def __init__(self, commands: list[Command], actions: dict[str, QAction], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Commands")
        self.setMinimumSize(460, 360)
        self.chosen: QAction | None = None
        source = QStandardItemModel(self)
        for command in commands:
            action = actions[command.id]
            keys = key_text(action)
            item = QStandardItem(command.title)
            item.setData(action, ACTION_ROLE)
            item.setData(keys, KEYS_ROLE)
            item.setData(f"{command.title}, {keys}" if keys else command.title,
                         Qt.ItemDataRole.AccessibleTextRole)  # what a screen reader says
            item.setEditable(False)
            source.appendRow(item)
        self.filter = _FuzzyFilter(self)
        self.filter.setSourceModel(source)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type a command…")
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._run_current)
        self.search.installEventFilter(self)
        self.list = QListView()
        self.list.setModel(self.filter)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setItemDelegate(_KeysAtTheRight(self.list))
        self.list.activated.connect(lambda _index: self._run_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.filter.set_pattern(text)
        self.list.setCurrentIndex(self.filter.index(0, 0))

    def eventFilter(self, watched, event) -> bool:
        # The keys the palette uses are its own, whatever the window binds them to.
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in _OWN_KEYS:
            event.accept()
            return True
        # Up and Down move through the list while typing goes on in the search field.
        if isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(event.key())
            if step:
                row = max(0, min(self.filter.rowCount() - 1, self.list.currentIndex().row() + step))
                self.list.setCurrentIndex(self.filter.index(row, 0))
                return True
        return super().eventFilter(watched, event)

    def _run_current(self) -> None:
        index = self.list.currentIndex()
        if index.isValid():
            self.chosen = index.data(ACTION_ROLE)
            self.accept()


class CheatSheet(QDialog):
    """Every command with its keys, by menu."""

    def __init__(self, commands: list[Command], actions: dict[str, QAction], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keys")
        self.setMinimumSize(520, 560)
        model = QStandardItemModel(0, 3, self)
        model.setHorizontalHeaderLabels(["Keys", "Command", "Menu"])
        for command in sorted(commands, key=lambda c: c.menu):
            row = [QStandardItem(key_text(actions[command.id])), QStandardItem(command.title),
                   QStandardItem(command.menu)]
            for item in row:
                item.setEditable(False)
            model.appendRow(row)
        self.table = QTableView()
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # commands take the rest
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def showEvent(self, event) -> None:
        """Made as wide as its columns need, so that no command's name is cut off or scrolled to
        (at its minimum width, in the fonts of a Linux desktop, the menus' column was out of
        sight): measured here, once the style sheet's fonts are in."""
        super().showEvent(event)
        columns = sum(max(self.table.sizeHintForColumn(column),
                          self.table.horizontalHeader().sectionSizeHint(column))
                      for column in range(self.table.model().columnCount()))
        margins = self.layout().contentsMargins()
        needed = (columns + self.table.verticalScrollBar().sizeHint().width()
                  + 2 * self.table.frameWidth() + margins.left() + margins.right())
        screen = self.screen().availableGeometry().width()
        if needed > self.width():
            self.resize(min(needed, screen), self.height())
