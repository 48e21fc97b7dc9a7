"""The article list model follows the library's changes row by row: after any sequence of
adds, flag changes, tags, re-extractions, deletes, undos and purges its rows are the ones a
fresh read gives, in the same order, without re-reading the list; Qt's model tester watches
every insert, removal, move and redraw."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt

from reader.library import Library, NewArticle
from reader.library.listing import SORTS, VIEWS, ListQuery
from reader.ui.article_list import ID_ROLE, MOST_PLACED, ROW_ROLE, ArticleListModel

WORDS = ["tidal", "harbour", "bread", "Zeta", "alpha", "Äpfel", "éclair", "zoo", "Mid"]


def add(library: Library, rng: random.Random, serial: int) -> int:
    url = f"https://example.org/{serial}"
    title = " ".join(rng.choices(WORDS, k=2))
    return library.add(NewArticle(
        url=url, original_url=url, title=title, body_html="<p>x</p>",
        text=" ".join(rng.choices(WORDS, k=rng.randint(1, 40))), site=rng.choice(WORDS),
        published=f"2025-0{rng.randint(1, 9)}-01",
        added=f"2026-01-0{rng.randint(1, 9)}T00:00:00+00:00",  # ties sort by id
        archived=rng.random() < 0.3, favourite=rng.random() < 0.3))[0]


def step(library: Library, rng: random.Random, serial: int, undo: list) -> None:
    """One random change, as the window, the queue or an import would make it."""
    ids = [row[0] for row in library.query("SELECT id FROM articles")]
    some = rng.sample(ids, min(len(ids), rng.randint(1, 3))) if ids else []
    action = rng.choice(["add", "add", "flag", "flag", "tag", "retitle", "undo", "purge"])
    if action == "add" or not some:
        add(library, rng, serial)
    elif action == "flag":
        flag = rng.choice(["archived", "favourite", "read", "deleted"])
        undo.append(library.set_flag(some, flag, rng.random() < 0.5))
    elif action == "tag":
        undo.append(library.tag(some, rng.choice(["energy", "food"]), rng.random() < 0.7))
    elif action == "retitle":  # a re-extraction: a new title and length move it in some sorts
        library.replace_content(some[0], " ".join(rng.choices(WORDS, k=2)), "<p>y</p>",
                                " ".join(rng.choices(WORDS, k=rng.randint(1, 40))))
    elif action == "undo" and undo:
        library.undo(undo.pop())
    elif action == "purge":
        library.purge_deleted()
        undo.clear()


def listed(model: ArticleListModel) -> list[int]:
    return [model.index(row).data(ID_ROLE) for row in range(model.rowCount())]


def shown_rows(model: ArticleListModel) -> list:
    return [model.index(row).data(ROW_ROLE) for row in range(model.rowCount())]


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("view, tag", [(view, None) for view in VIEWS] + [("all", "energy")])
def test_the_list_follows_every_change_without_reading_it_again(
        qtmodeltester, library, monkeypatch, view, tag, sort):
    rng = random.Random(f"{view}{tag}{sort}")
    for serial in range(30):
        add(library, rng, 1000 + serial)
    query = ListQuery(view=view, tag=tag, sort=sort)
    model = ArticleListModel(library)
    model.set_query(query)
    qtmodeltester.check(model)  # stays attached: checks every change from here on
    library.subscribe(model.apply)
    read_whole = []
    original_ids = library.ids
    monkeypatch.setattr(library, "ids", lambda q: read_whole.append(q) or original_ids(q))
    undo: list = []
    for serial in range(120):
        step(library, rng, serial, undo)
        fresh = library.rows_by_ids(original_ids(query))
        assert shown_rows(model) == fresh, f"after step {serial}"  # order and every field
    assert read_whole == []


def test_a_search_follows_changes_too(qtmodeltester, library):
    rng = random.Random(7)
    for serial in range(40):
        add(library, rng, serial)
    query = ListQuery(view="inbox", search="tidal")
    model = ArticleListModel(library)
    model.set_query(query)
    qtmodeltester.check(model)
    library.subscribe(model.apply)
    undo: list = []
    for serial in range(80):
        step(library, rng, 100 + serial, undo)
        assert set(listed(model)) == set(library.ids(query))


def test_an_added_article_appears_in_its_place_and_an_archived_one_leaves(library):
    model = ArticleListModel(library)
    library.subscribe(model.apply)
    inserted, removed = [], []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda parent, first, last: removed.append((first, last)))
    old = library.add(NewArticle(url="https://e.org/old", original_url="https://e.org/old",
                                 title="Old", body_html="", text="x",
                                 added="2001-01-01T00:00:00+00:00"))[0]
    assert inserted == [(1, 1)] and listed(model)[1] == old  # below the welcome article
    library.set_flag([old], "archived", True)
    assert removed == [(1, 1)] and old not in listed(model)


def test_a_favourite_is_redrawn_in_place(library):
    model = ArticleListModel(library)
    library.subscribe(model.apply)
    article = listed(model)[0]
    redrawn = []
    model.dataChanged.connect(lambda first, last: redrawn.append((first.row(), last.row())))
    model.modelReset.connect(lambda: redrawn.append("reset"))
    library.set_flag([article], "favourite", True)
    assert redrawn == [(0, 0)]
    assert "★" in model.index(0).data(Qt.ItemDataRole.UserRole + 1)



def test_only_rows_shown_are_redrawn(library):
    """A list view lays out and repaints everything it shows at any redraw: a burst of saves
    out of sight must not repaint it at each save. What is not shown is read when it is."""
    rng = random.Random(5)
    for serial in range(6):
        add(library, rng, serial)
    model = ArticleListModel(library)
    library.subscribe(model.apply)
    top = model.index(0).data(ID_ROLE)  # shown
    unseen = library.ids(model.query)[-1]
    redrawn = []
    model.dataChanged.connect(lambda first, last: redrawn.append((first.row(), last.row())))
    library.set_flag([unseen], "favourite", True)
    library.set_flag([top], "favourite", True)
    assert redrawn == [(0, 0)]
    last = model.index(model.rowCount() - 1)
    assert last.data(ID_ROLE) == unseen and "★" in last.data(Qt.ItemDataRole.UserRole + 1)

def test_a_large_change_reads_the_list_once(library):
    """Articles that go in among the others (by title, on both sides of the welcome article):
    the list is read again, once."""
    model = ArticleListModel(library)
    model.set_query(ListQuery(sort="title"))
    library.subscribe(model.apply)
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    with library.transaction():
        for n in range(MOST_PLACED + 1):
            library.add(NewArticle(url=f"https://e.org/{n}", original_url=f"https://e.org/{n}",
                                   title=f"{'AZ'[n % 2]}{n}", body_html="", text="x"))
    assert resets == [True] and model.rowCount() == MOST_PLACED + 2
    assert listed(model) == library.ids(model.query)


@pytest.mark.parametrize("count", [1000, 50])  # a whole import merged, and one transaction
def test_links_added_newest_first_are_one_block_of_rows(qtmodeltester, library, count):
    """The usual large change (links dropped or imported, the newest first): one insert at the
    top, without reading the list again, the selection kept on its article."""
    from PySide6.QtCore import QItemSelectionModel

    model = ArticleListModel(library)
    library.subscribe(model.apply)
    qtmodeltester.check(model)
    selection = QItemSelectionModel(model)
    welcome = model.index(0).data(ID_ROLE)
    selection.setCurrentIndex(model.index(0), QItemSelectionModel.SelectionFlag.NoUpdate)
    inserted, resets = [], []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))
    with library.transaction():
        for n in range(count):
            library.add(NewArticle(url=f"https://e.org/{n}", original_url=f"https://e.org/{n}",
                                   title=f"Link {n}", body_html="", text="x",
                                   added=f"2030-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00"))
    assert resets == [] and inserted == [(0, count - 1)]
    assert listed(model) == library.ids(model.query)
    assert selection.currentIndex().data(ID_ROLE) == welcome
    assert model.index(0).data() == f"Link {count - 1}"
