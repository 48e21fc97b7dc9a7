"""The list's rows as drawn: the delegate keeps its laid-out texts, which must never show a
row as it was, nor grow without bound."""

from __future__ import annotations

from PySide6.QtWidgets import QListView

from reader.library import NewArticle
from reader.ui.article_list import ArticleListModel
from reader.ui.article_list_view import ArticleDelegate


def add(library, serial: int, title: str) -> int:
    url = f"https://example.org/{serial}"
    return library.add(NewArticle(url=url, original_url=url, title=title, body_html="<p>x</p>",
                                  text="tidal energy " * 300, site="example.org"))[0]


def show_list(qtbot, library, delegate: ArticleDelegate) -> QListView:
    view = QListView()
    qtbot.addWidget(view)
    model = ArticleListModel(library, view)
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.resize(320, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_changed_title_is_drawn_as_a_fresh_delegate_draws_it(qtbot, library):
    article = add(library, 1, "A title long enough to be cut short at the right edge of the list")
    kept = ArticleDelegate()
    view = show_list(qtbot, library, kept)
    before = view.viewport().grab().toImage()
    library.replace_content(article, "Another title", "<p>x</p>", "tidal energy " * 300)
    view.model().apply(library_change(article))
    after = view.viewport().grab().toImage()
    assert after != before
    fresh = show_list(qtbot, library, ArticleDelegate())
    assert fresh.viewport().grab().toImage() == after


def test_a_title_with_a_line_break_is_drawn_on_one_line(qtbot, library, tmp_path):
    from reader.library import open_library

    add(library, 1, "Harbour news\nand the ferry timetable")
    delegate = ArticleDelegate()
    first = show_list(qtbot, library, delegate)  # held: qtbot keeps no reference to it
    broken = first.viewport().grab().toImage()
    other = open_library(tmp_path / "other.sqlite3")  # with its own welcome article, as this one
    add(other, 1, "Harbour news and the ferry timetable")
    other_delegate = ArticleDelegate()
    view = show_list(qtbot, other, other_delegate)
    assert view.viewport().grab().toImage() == broken
    other.close()


def test_the_laid_out_texts_kept_are_bounded(qtbot, library):
    for serial in range(40):
        add(library, serial, f"Title number {serial}")
    delegate = ArticleDelegate()
    delegate.KEPT_TEXTS = 10
    view = show_list(qtbot, library, delegate)
    for row in range(0, 40, 5):  # scrolled through: every row drawn at least once
        view.scrollTo(view.model().index(row))
        view.viewport().grab()
    assert len(delegate._texts) == 10


def library_change(article_id: int):
    from reader.library.events import LibraryChange

    return LibraryChange(updated=frozenset({article_id}))
