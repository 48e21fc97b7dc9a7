"""The library-wide Highlights view: the sidebar's "Highlights" in place of the article list,
every highlight newest first, searched with the window's search box, following the library's
changes, opening an article at its highlight, and there again after a restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from reader.library import highlights, open_library
from reader.settings import Settings
from reader.ui import highlights_view
from reader.ui.highlight_rows import HIGHLIGHT_ROLE, LINES_ROLE
from reader.ui.highlights_view import HighlightsListModel
from tests.ui.test_highlights_pane import QUOTES, add_article, highlight, press
from tests.ui.test_main_window import open_window


def listed(model) -> list[str]:
    return [model.index(row).data() for row in range(model.rowCount())]


@pytest.fixture
def marked(library) -> dict[str, int]:
    """Two articles with highlights made in this order: turbines, seals (with a note),
    lighthouse (in the second article)."""
    harbour = add_article(library, "Harbour")
    coast = add_article(library, "Coast", {40: QUOTES[130]})
    highlight(library, harbour, QUOTES[12])
    highlight(library, harbour, QUOTES[70], note="Count them in spring", color="blue")
    highlight(library, coast, QUOTES[130])
    return {"harbour": harbour, "coast": coast}


def test_every_highlight_newest_first_searched_and_following_changes(qtmodeltester, library,
                                                                     marked):
    model = HighlightsListModel(library)
    assert listed(model) == []  # nothing read until it is listed
    model.list_highlights("")
    qtmodeltester.check(model)
    library.subscribe(model.apply)
    assert listed(model) == [QUOTES[130], QUOTES[70], QUOTES[12]]
    assert model.index(0).data(LINES_ROLE)[0][0].startswith("Coast · ")
    assert model.index(1).data(LINES_ROLE)[1] == ("Count them in spring", True)

    model.list_highlights("spring")  # words of a note
    assert listed(model) == [QUOTES[70]]
    model.list_highlights("lighthouse")  # words of a quote
    assert listed(model) == [QUOTES[130]]
    model.list_highlights("")

    library.set_flag([marked["coast"]], "deleted", True)  # in the bin: not listed
    assert listed(model) == [QUOTES[70], QUOTES[12]]
    seals = model.index(0).data(HIGHLIGHT_ROLE)
    highlights.edit(library, seals.id, note="Counted: 14")
    assert model.index(0).data(LINES_ROLE)[1] == ("Counted: 14", True)
    highlights.remove(library, [seals.id])
    assert listed(model) == [QUOTES[12]]
    qtmodeltester.check(model)

    model.stop()  # not shown: not read, not followed
    highlight(library, marked["harbour"], QUOTES[130])
    assert listed(model) == []


def test_the_newest_are_listed_and_a_last_row_says_there_are_more(qtmodeltester, library,
                                                                  marked, monkeypatch):
    monkeypatch.setattr(highlights_view, "MOST_LISTED", 2)
    model = HighlightsListModel(library)
    model.list_highlights("")
    qtmodeltester.check(model)
    assert listed(model)[:2] == [QUOTES[130], QUOTES[70]]
    assert listed(model)[2] == "The newest 2 are listed: search to find the others."
    assert not model.flags(model.index(2)) & Qt.ItemFlag.ItemIsSelectable
    model.list_highlights("turbines")
    assert listed(model) == [QUOTES[12]]


def choose_highlights(qtbot, window):
    """G H: the sidebar's Highlights, listed in place of the articles."""
    window.list_view.setFocus()
    press(qtbot, Qt.Key.Key_G)
    press(qtbot, Qt.Key.Key_H)
    assert window.sidebar_view.currentIndex().data() == "Highlights"
    assert window.highlights_view.isVisible() and not window.list_view.isVisible()
    return window.highlights_view.model()


def test_the_sidebars_highlights_searched_and_opened_at_the_passage(qtbot, library, marked):
    window = open_window(qtbot, library, Settings())
    shown_before = window.browser.shown_article
    model = choose_highlights(qtbot, window)
    assert listed(model) == [QUOTES[130], QUOTES[70], QUOTES[12]]
    assert window.highlights_view.hasFocus() and window.highlights_view.currentIndex().row() == 0
    assert not window.sort_box.isEnabled()

    window.search_field.setText("seals")  # the article list's own search box
    qtbot.waitUntil(lambda: listed(model) == [QUOTES[70]])
    assert window.browser.shown_article == shown_before  # the article list was not searched
    window.browser.focus_list()
    press(qtbot, Qt.Key.Key_Return)

    # The harbour article, selected in All, shown at the seals' passage.
    assert window.sidebar_view.currentIndex().data().startswith("All")
    assert window.list_view.isVisible() and not window.highlights_view.isVisible()
    assert window.search_field.text() == ""
    assert window.browser.current_article_id() == marked["harbour"]
    reader = window.reader_view
    assert reader.hasFocus() and reader.textCursor().selectedText() == QUOTES[70]
    assert reader.verticalScrollBar().value() > 0
    window.close()


def test_back_to_a_view_lists_its_articles_with_the_search(qtbot, library, marked):
    window = open_window(qtbot, library, Settings())
    choose_highlights(qtbot, window)
    window.search_field.setText("Coast")
    qtbot.waitUntil(lambda: listed(window.highlights_view.model()) == [])
    window.sidebar_view.setCurrentIndex(window.sidebar.index(window.sidebar.row_of("view", "all")))
    assert window.articles.rowCount() == 1 and window.browser.current_article_id() == marked[
        "coast"]
    assert window.highlights_view.model().listing is False
    window.close()


def test_highlights_and_notes_are_there_after_a_restart(qtbot, library, marked, home):
    window = open_window(qtbot, library, Settings())
    seals = highlights.for_article(library, marked["harbour"])[1]
    highlights.edit(library, seals.id, note="Kept for later")
    highlights.set_article_note(library, marked["harbour"], "An article to read again")
    window.close()
    library.close()

    library = open_library()
    window = open_window(qtbot, library, Settings())
    model = choose_highlights(qtbot, window)
    assert listed(model) == [QUOTES[130], QUOTES[70], QUOTES[12]]
    assert model.index(1).data(LINES_ROLE)[1] == ("Kept for later", True)
    window.browser.select_article(marked["harbour"])
    pane = window.highlights_pane
    assert [pane.model.index(row).data() for row in range(pane.model.rowCount())] == [
        QUOTES[12], QUOTES[70]]
    assert pane.note.text() == "An article to read again"
    window.close()
    library.close()


def test_a_quote_or_note_of_markup_is_shown_as_text(library):
    """Tooltips are read as rich text when they look so: the whole quote and note are escaped
    (the rows themselves are painted as text)."""
    hostile = "Big news <img src=/dev/zero> & <b>more</b>"
    article = add_article(library, "Hostile", {5: hostile})
    highlight(library, article, hostile, note="<i>mine</i>")
    model = HighlightsListModel(library)
    model.list_highlights("")
    document = QTextDocument()
    document.setHtml(model.index(0).data(Qt.ItemDataRole.ToolTipRole))
    assert document.toPlainText() == f"{hostile}\n\n<i>mine</i>"
    assert model.index(0).data() == hostile
