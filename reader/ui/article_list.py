"""The article list: a Qt model over the library (its rows are drawn by article_list_view)."""

from __future__ import annotations

import html
from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from reader.library import ArticleRow, Library, pending
from reader.library.events import LibraryChange
from reader.library.listing import ListQuery

ID_ROLE = Qt.ItemDataRole.UserRole
META_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
FETCH_ROLE = Qt.ItemDataRole.UserRole + 3  # pending.PENDING/FAILED: a link without its page
FETCH_STATES = {pending.PENDING: "Not fetched yet", pending.FAILED: "Could not be fetched"}
PAGE_SIZE = 200
# A search's rows each carry the passage that matched, found in the article's text: a
# screenful at a time keeps the first paint of results short.
SEARCH_PAGE_SIZE = 50
CACHED_ROWS = 40 * PAGE_SIZE
# A change of more articles than this (an import, a burst of saves) re-reads the list's order
# once rather than placing each article on its own.
MOST_PLACED = 100
PROBES = 32  # rows whose keys are read at once while looking for where an article goes


class _Stale(Exception):
    """The list's order no longer matches the library's (a change it was not told of)."""


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
    bounded number of rows is kept, so a library of 100,000 articles opens and scrolls like one
    of ten.
    """

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self._library = library
        self._query = ListQuery()
        self._ids: list[int] = library.ids(self._query)
        # Rows kept by id, not by place: a row inserted or removed above moves the others
        # without making them stale. Only changed articles are read again.
        self._rows: OrderedDict[int, ArticleRow] = OrderedDict()
        self._unfetched: dict[int, str] = {}  # of the rows read: links without their page
        # Rows whose data a view (or anyone) asked for since the list was last read: the only
        # ones that can be on screen.
        self._shown: set[int] = set()
        # The library change being applied (else None): a selection it moves was not moved by
        # the user.
        self.applying: LibraryChange | None = None

    @property
    def query(self) -> ListQuery:
        return self._query

    def set_query(self, query: ListQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Read the list again (a new query)."""
        self.beginResetModel()
        self._rows.clear()
        self._shown.clear()
        self._ids = self._library.ids(self._query)
        self.endResetModel()

    def apply(self, change: LibraryChange) -> None:
        """Follow a change of the library with row removals, inserts, moves and redraws:
        only the changed articles are read (by id), and those around where one goes."""
        changed = change.added | change.updated
        # Only rows shown are redrawn: one never shown has nothing on screen, and a list view
        # lays out and repaints all it shows at every redraw, even of a row out of sight (a
        # burst of saves would repaint it each time).
        on_screen = {i for i in change.updated if i in self._rows} & self._shown
        for article_id in changed | change.removed:
            self._rows.pop(article_id, None)
        self.applying = change
        try:
            inserted = self._insert_at_an_end(change)
            if inserted is not None:
                listed = inserted if len(inserted) <= MOST_PLACED else set()
            elif len(changed) + len(change.removed) > MOST_PLACED:
                self.reload()
                return
            elif self._query.search:
                listed = self._apply_to_search(changed, change.removed, on_screen)
            else:
                listed = self._apply_in_order(changed, change.removed, on_screen)
        except _Stale:
            self.reload()
            return
        finally:
            self.applying = None
        # The changed rows the list shows are read now, by id: left to the next paint, each
        # would read its whole page (an undone archive: 2.5 ms at 100,000 articles).
        self._read(sorted(listed))

    def _apply_in_order(self, changed: frozenset[int], removed: frozenset[int],
                        on_screen: set[int]) -> set[int]:
        """Returns the changed articles the list shows now."""
        # Where the changed articles are, looked up once (a miss reads the whole list of ids).
        shown = self._rows_of(removed | changed)
        # The keys of the changed articles and of their neighbours, in one query: most
        # changes (a save, a flag) leave an article where it is, which the neighbours tell.
        near = {self._ids[n] for i, row in shown.items() if i in changed
                for n in (row - 1, row + 1) if 0 <= n < len(self._ids)}
        known = self._library.sort_keys(self._query, changed | near)
        keys = {i: known[i] for i in changed if i in known}
        self._remove([row for i, row in shown.items() if i not in keys])
        for article_id in sorted(keys, key=keys.get):
            row = self.row_of(article_id) if article_id in shown else None
            if row is not None and self._in_place(row, keys[article_id], known):
                self._redraw(row, article_id, on_screen)
                continue
            if row is not None:  # its place in the order changed (a new title)
                del self._ids[row]
            place = self._place(keys[article_id], known)
            if row == place:
                self._ids.insert(row, article_id)
                self._redraw(row, article_id, on_screen)
            elif row is None:
                self.beginInsertRows(QModelIndex(), place, place)
                self._ids.insert(place, article_id)
                self.endInsertRows()
            else:
                self._ids.insert(row, article_id)
                target = place if place <= row else place + 1  # Qt counts before the move
                self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target)
                del self._ids[row]
                self._ids.insert(place, article_id)
                self.endMoveRows()
        return set(keys)

    def _insert_at_an_end(self, change: LibraryChange) -> set[int] | None:
        """A change that only adds articles which all sort before the first row or after the
        last (links added, newest first, fifty to a transaction), as one block of rows: placed
        one by one, fifty took 3 ms and fifty inserts; a thousand, read again whole, 30 ms at
        100,000 articles. Returns the articles inserted, or None where it is not such a
        change."""
        if (not change.added or change.removed or change.updated - change.added
                or self._query.search or not self._ids):
            return None
        keys = self._library.sort_keys(self._query, change.added)  # those this list selects
        if not keys:
            return set()
        if not keys.keys().isdisjoint(self._ids):  # some already read (the list was reloaded)
            return None
        added = sorted(keys, key=keys.get)
        if keys[added[-1]] < self._key(0, keys):
            place = 0
        elif self._key(len(self._ids) - 1, keys) < keys[added[0]]:
            place = len(self._ids)
        else:
            return None
        self.beginInsertRows(QModelIndex(), place, place + len(added) - 1)
        self._ids[place:place] = added
        self.endInsertRows()
        return set(added)

    def _apply_to_search(self, changed: frozenset[int], removed: frozenset[int],
                         on_screen: set[int]) -> set[int]:
        """A search's order is its ranking, read again whole (it keeps at most a thousand);
        the rows that stay keep their places. Returns the changed articles it shows now."""
        order = self._library.ids(self._query)
        wanted = set(order)
        self._remove([row for i, row in self._rows_of(removed | changed).items()
                      if i not in wanted])
        rank = {article_id: number for number, article_id in enumerate(order)}
        for article_id in sorted(changed & wanted, key=rank.get):
            row = self.row_of(article_id)
            if row is not None:
                self._redraw(row, article_id, on_screen)
                continue
            place = sum(1 for i in self._ids if rank.get(i, -1) < rank[article_id])
            self.beginInsertRows(QModelIndex(), place, place)
            self._ids.insert(place, article_id)
            self.endInsertRows()
        return changed & wanted

    def _rows_of(self, ids: frozenset[int]) -> dict[int, int]:
        """Where those of ``ids`` that the list shows are."""
        rows = {i: self.row_of(i) for i in ids}
        return {i: row for i, row in rows.items() if row is not None}

    def _remove(self, rows: list[int]) -> None:
        for row in sorted(rows, reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()

    def _redraw(self, row: int, article_id: int, on_screen: set[int]) -> None:
        if article_id in on_screen:
            self.dataChanged.emit(self.index(row), self.index(row))

    def _key(self, row: int, known: dict):
        article_id = self._ids[row]
        if article_id not in known:
            known.update(self._library.sort_keys(self._query, [article_id]))
        if article_id not in known:
            raise _Stale
        return known[article_id]

    def _in_place(self, row: int, key, known: dict) -> bool:
        return ((row == 0 or self._key(row - 1, known) < key)
                and (row + 1 == len(self._ids) or key < self._key(row + 1, known)))

    def _place(self, key, known: dict) -> int:
        """Where an article with sort ``key`` goes: a search that reads, in one query a round,
        the keys of ``PROBES`` rows spread over the range left (three or four rounds in a
        list of 100,000, where halving would be seventeen queries)."""
        low, high = 0, len(self._ids)  # rows before low sort before key, from high on after
        while low < high:
            probed = range(low, high, -(-(high - low) // PROBES))
            wanted = [self._ids[n] for n in probed if self._ids[n] not in known]
            known.update(self._library.sort_keys(self._query, wanted))
            for number in probed:
                if self._key(number, known) < key:
                    low = number + 1
                else:
                    high = number
                    break
        return low

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        self._shown.add(row.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title or row.url
        if role == Qt.ItemDataRole.ToolTipRole:
            # A tooltip that looks like markup is shown as rich text: titles and URLs come
            # from web pages, so they are escaped (a title like <img src=...> stays text).
            return f"{html.escape(' '.join(row.title.split()))}<br>{html.escape(row.url)}"
        if role == META_ROLE:
            state = FETCH_STATES.get(self._unfetched.get(row.id, ""))
            return " · ".join(filter(None, (state, row.snippet or meta_line(row))))
        if role == FETCH_ROLE:
            return self._unfetched.get(row.id, pending.FETCHED)
        if role == ID_ROLE:
            return row.id
        if role == ROW_ROLE:
            return row
        return None

    def row_at(self, number: int) -> ArticleRow | None:
        article_id = self._ids[number]
        row = self._rows.get(article_id)
        if row is not None:
            self._rows.move_to_end(article_id)
            return row
        size = SEARCH_PAGE_SIZE if self._query.search else PAGE_SIZE
        start = number - number % size
        self._read(self._ids[start:start + size])
        return self._rows.get(article_id)

    def _read(self, ids: list[int]) -> None:
        if not ids:
            return
        for read in self._library.rows_by_ids(ids, self._query.search):
            self._rows[read.id] = read
            self._unfetched.pop(read.id, None)
        self._unfetched.update(pending.unfetched_ids(self._library, ids))
        while len(self._rows) > CACHED_ROWS:
            self._rows.popitem(last=False)

    def row_of(self, article_id: int) -> int | None:
        """Where an article is in the list (None: this view does not show it)."""
        try:
            return self._ids.index(article_id)
        except ValueError:
            return None
