"""The highlights pane: the shown article's note, then its highlights in reading order, those no
longer found in its text listed apart. It follows the library's change events; what the keys
do (go to a highlight, edit its note, remove it) is the ``HighlightsController``'s."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from reader.library import Library, highlights
from reader.library.events import LibraryChange
from reader.library.highlights import Highlight
from reader.ui.highlight_rows import HIGHLIGHT_ROLE, HighlightList, highlight_data

NOT_FOUND_TITLE = "Not found in the current text"
NOTE_LINES = 4  # of the article's note shown above the list; the editor has all of it


class ArticleHighlightsModel(QAbstractListModel):
    """One article's highlights: those found in its text in reading order, then a section
    title and those not found."""

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self.article_id: int | None = None
        self._rows: list[Highlight | str] = []

    def show_article(self, article_id: int | None) -> None:
        self.article_id = article_id
        self.reload()

    def reload(self) -> None:
        listed = (highlights.for_article(self._library, self.article_id)
                  if self.article_id is not None else [])
        found = [highlight for highlight in listed if highlight.found]
        lost = listed[len(found):]  # for_article lists those not found last
        self.beginResetModel()
        self._rows = [*found, *([NOT_FOUND_TITLE, *lost] if lost else [])]
        self.endResetModel()

    def highlight_count(self) -> int:
        return sum(isinstance(row, Highlight) for row in self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if isinstance(row, str):  # the section title
            return row if role in (Qt.ItemDataRole.DisplayRole,
                                   Qt.ItemDataRole.AccessibleTextRole) else None
        return highlight_data(row, "", role)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.data(HIGHLIGHT_ROLE) is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ArticleHighlightList(HighlightList):
    def empty_text(self) -> str:
        if self.model().article_id is None:
            return ""
        return "No highlights in this article yet."


class HighlightsPane(QWidget):
    passage_wanted = Signal(object)  # the Highlight selected: show it in the reader view
    note_edit_wanted = Signal()  # "Edit Note…" of the article

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.setObjectName("highlightsPane")
        self.library = library
        self.model = ArticleHighlightsModel(library, self)
        self.list = ArticleHighlightList()
        self.list.setObjectName("articleHighlights")
        self.list.setModel(self.model)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        title = QLabel("Highlights")
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.count = QLabel()
        self.count.setObjectName("highlightCount")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QLabel()
        self.note.setObjectName("articleNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # the user's Markdown, as written
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_button = QToolButton()
        self.note_button.setText("Edit Note…")
        self.note_button.setToolTip("A note on the whole article (Markdown)")
        self.note_button.clicked.connect(self.note_edit_wanted)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.count)
        header.addStretch(1)
        header.addWidget(self.note_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.addLayout(header)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        self._show_note()

    @property
    def article_id(self) -> int | None:
        return self.model.article_id

    def show_article(self, article_id: int | None) -> None:
        self.model.show_article(article_id)
        self._show_note()

    def apply(self, change: LibraryChange) -> None:
        if self.article_id is not None and self.article_id in change.highlighted:
            self.model.reload()
            self._show_note()

    def focus_list(self) -> None:
        if not self.list.currentIndex().isValid():
            self.list.select_highlight(None)  # the first
        self.list.setFocus()

    def _show_note(self) -> None:
        note = (highlights.article_note(self.library, self.article_id)
                if self.article_id is not None else "")
        lines = note.splitlines()
        shown = "\n".join(line[:200] for line in lines[:NOTE_LINES])
        self.note.setText(shown + (" …" if len(lines) > NOTE_LINES else ""))
        self.note.setVisible(bool(note))
        self.note_button.setEnabled(self.article_id is not None)
        count = self.model.highlight_count()
        self.count.setText(f"({count})" if count else "")

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        highlight = current.data(HIGHLIGHT_ROLE)
        if highlight is not None and self.list.hasFocus():
            self.passage_wanted.emit(highlight)
