"""What the window lists and shows: the list's query (view or tag, search, sort), or the
library's highlights in its place; the selected article, and showing it in the reader view and
the summary pane, with its reading position."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QListView

from reader.library import ArticleRow, Library
from reader.library.events import LibraryChange
from reader.library.highlights import Highlight
from reader.library.listing import ListQuery
from reader.ui.article_list import ID_ROLE, ROW_ROLE, ArticleListModel
from reader.ui.highlights_view import HighlightsView
from reader.ui.reader_view import ReaderView
from reader.ui.showing_marker import ShowingMarker
from reader.ui.sidebar import TARGET_ROLE
from reader.ui.summary_pane import SummaryPane

SEARCH_DELAY_MS = 150


class Browser(QObject):
    title_changed = Signal(str)  # the shown article's title ("" when none)
    article_shown = Signal(object)  # the shown article's id (None when none)

    def __init__(self, library: Library, articles: ArticleListModel, list_view: QListView,
                 highlights_view: HighlightsView, sidebar_view: QListView,
                 search_field: QLineEdit, sort_box: QComboBox, reader_view: ReaderView,
                 summary_pane: SummaryPane, marker: ShowingMarker, parent=None):
        super().__init__(parent)
        self.library = library
        self.marker = marker
        self.articles = articles
        self.list_view = list_view
        self.highlights_view = highlights_view  # in place of the list when Highlights is chosen
        self.sidebar_view = sidebar_view
        self.search_field = search_field
        self.sort_box = sort_box
        self.reader_view = reader_view
        self.summary_pane = summary_pane
        self.shown_article: int | None = None
        self._shown_position = 0.0  # where it was when shown (or last saved)
        self.read_state_chosen = False  # the user set read/unread on the shown article
        self._kept: tuple[int | None, int] | None = None  # the selection across a re-read
        self._new_query = False
        self._not_opened: int | None = None  # selected at start, not shown (open_first_article)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        search_field.textChanged.connect(self._search_timer.start)
        search_field.returnPressed.connect(self.focus_list)
        sort_box.currentIndexChanged.connect(
            lambda: self.set_query(replace(self.query, sort=sort_box.currentData())))
        sidebar_view.selectionModel().currentChanged.connect(self._target_chosen)
        list_view.selectionModel().currentChanged.connect(self._current_changed)
        list_view.activated.connect(lambda _index: self.open_article())
        reader_view.reached_end.connect(self._read_to_end)
        articles.modelAboutToBeReset.connect(self._keep_selection)
        articles.modelReset.connect(self._restore_selection)

    @property
    def query(self) -> ListQuery:
        return self.articles.query

    @property
    def listing_highlights(self) -> bool:
        return self.highlights_view.model().listing

    # The selection

    def current_article_id(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def current_row(self) -> ArticleRow | None:
        return self.list_view.currentIndex().data(ROW_ROLE)

    def select_article(self, article_id: int | None, fallback_row: int = 0) -> None:
        row = self.articles.row_of(article_id) if article_id is not None else None
        self.select_row(fallback_row if row is None else row)

    def open_first_article(self) -> str:
        """Select the first article; if Reader died while showing it last time, select it
        without showing it (opening it by itself would take Reader down at every start) and
        return what to tell the user."""
        crashed_on = self.marker.crashed_on()
        self.marker.clear()
        first = self.articles.index(0, 0).data(ID_ROLE)
        if crashed_on is None or crashed_on != first:
            self.select_row(0)
            return ""
        self._not_opened = first
        self.select_row(0)
        return (f"Reader closed unexpectedly while showing “{self.library.get(first).title}”, "
                "so it was not opened this time. Select it again to try.")

    def select_row(self, row: int) -> None:
        count = self.articles.rowCount()
        if count:
            self.list_view.setCurrentIndex(self.articles.index(max(0, min(row, count - 1))))
        else:
            self._current_changed(QModelIndex(), QModelIndex())

    def move(self, step: int) -> None:
        current = self.list_view.currentIndex().row()
        self.select_row(0 if current < 0 else current + step)
        self.focus_list()

    def focus_list(self) -> None:
        if self.listing_highlights:
            self.highlights_view.setFocus()
            if not self.highlights_view.currentIndex().isValid():
                self.highlights_view.select_highlight(None)
        else:
            self.list_view.setFocus()

    def open_article(self) -> None:
        if self.current_article_id() is not None:
            self.reader_view.setFocus()

    # The query

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def clear_search(self) -> None:
        if self.search_field.text():
            self.search_field.clear()
            self.run_search()

    def run_search(self) -> None:
        self._search_timer.stop()
        if self.listing_highlights:
            self.highlights_view.model().list_highlights(self.search_field.text())
            self.highlights_view.select_highlight(None)
        else:
            self.set_query(replace(self.query, search=self.search_field.text()))

    def set_query(self, query: ListQuery) -> None:
        if query == self.query:
            return
        self._new_query = True
        try:
            self.articles.set_query(query)
        finally:
            self._new_query = False
        self.select_row(0)

    def _target_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kind, name = current.data(TARGET_ROLE)
        self._list_highlights(kind == "highlights")
        search = self.search_field.text()
        if kind == "view":
            self.set_query(replace(self.query, view=name, tag=None, search=search))
        elif kind == "tag":
            self.set_query(replace(self.query, view="all", tag=name, search=search))

    def _list_highlights(self, listing: bool) -> None:
        """The library's highlights in place of the article list, or the list back."""
        model = self.highlights_view.model()
        if listing:
            model.list_highlights(self.search_field.text())
            self.highlights_view.select_highlight(None)
        elif model.listing:
            model.stop()
        self.highlights_view.setVisible(listing)
        self.list_view.setVisible(not listing)
        self.sort_box.setEnabled(not listing)

    def open_highlight(self, highlight: Highlight) -> bool:
        """Show the article of a highlight of the library-wide list, in the list of all
        articles, at the highlight; False if the highlight is not in the text shown."""
        self.search_field.clear()  # the list's search would hide it
        self.sidebar_view.setCurrentIndex(
            self.sidebar_view.model().index(self.sidebar_view.model().row_of("view", "all"), 0))
        self.select_article(highlight.article_id)
        self.reader_view.setFocus()
        return (self.shown_article == highlight.article_id and highlight.found
                and self.reader_view.show_highlight(highlight.id))

    def _keep_selection(self) -> None:
        if not self._new_query:
            self._kept = (self.current_article_id(), max(self.list_view.currentIndex().row(), 0))

    def _restore_selection(self) -> None:
        """After the list was read again for a large change (a new query selects its first
        row instead: ``set_query``)."""
        kept, self._kept = self._kept, None
        if kept is not None:
            self.select_article(*kept)

    # Showing the current article

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        applying = self.articles.applying
        if (applying is not None and current.isValid() and not previous.isValid()
                and current.data(ID_ROLE) == self.shown_article
                and self.shown_article not in applying.added | applying.updated - applying.content):
            # The list was read again for a large change (a thousand links added) and the
            # selection put back on the shown article, which did not change (or whose new body
            # ``library_changed`` lays out): laying it out again would only stall the window.
            return
        self.save_position()
        if self.reader_view.fits() and previous.isValid() and applying is None:
            # The user moved on from an article that was all on screen: it has been read.
            self._read_to_end(previous.data(ROW_ROLE))
        held, self._not_opened = self._not_opened, None
        if not current.isValid() or current.data(ID_ROLE) == held:
            self.shown_article = None
            self.reader_view.clear()
            self.summary_pane.show_article(None)
            self.title_changed.emit("")
            self.article_shown.emit(None)
            return
        self.show(current.data(ID_ROLE))

    def show(self, article_id: int, *, in_place: bool = False) -> None:
        """Show ``article_id``, where it was left (``in_place``: the shown article again, the
        text at the top of the view staying there)."""
        article = self.library.get(article_id)
        if article_id != self.shown_article:
            self.read_state_chosen = False
        self.shown_article = article_id
        self._shown_position = article.position
        self.marker.showing(article_id)
        if in_place:
            self.reader_view.show_in_place(article)
        else:
            self.reader_view.show_article(article, article.position)
        self.title_changed.emit(article.title)
        self.summary_pane.show_article(article_id)
        self.article_shown.emit(article_id)

    def show_again(self) -> None:
        """The shown article with new content or a new reading style."""
        if self.shown_article is not None:
            self.show(self.shown_article, in_place=True)

    def library_changed(self, change: LibraryChange) -> None:
        """The shown article's body changed (its pictures came in, it was extracted again)."""
        if self.shown_article in change.content:
            self.show_again()

    def save_position(self) -> None:
        """Keep where the shown article was left (a write only when that moved)."""
        position = self.reader_view.position()
        if self.shown_article is not None and position != self._shown_position:
            self.library.set_position(self.shown_article, position)
            self._shown_position = position

    def _read_to_end(self, row: ArticleRow | None = None) -> None:
        """The end of an article was reached: it is read, unless the user said otherwise."""
        row = row or self.current_row()
        if (row is not None and row.id == self.shown_article and not row.read
                and not self.read_state_chosen):
            self.library.set_flag([row.id], "read", True)

    def sidebar_target(self) -> tuple[str, str] | None:
        return self.sidebar_view.currentIndex().data(TARGET_ROLE)
