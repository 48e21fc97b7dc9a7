"""The highlights pane of the shown article, in the real window over a real library: listed in
reading order, those no longer in the text apart, followed to the reader view, notes edited in
the note editor, removed and brought back with U, all by keyboard."""

from __future__ import annotations

import html

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from reader.library import NewArticle, highlights
from reader.library.anchoring import Selector
from reader.settings import Settings
from reader.ui.highlight_rows import HIGHLIGHT_ROLE, LINES_ROLE
from reader.ui.highlights_pane import NOT_FOUND_TITLE
from reader.ui.main_window import MainWindow
from reader.ui.note_editor import NoteEditor
from tests.ui.test_main_window import open_window

QUOTES = {12: "The turbines turn with every tide.",
          70: "Seals sleep on the old pier at dusk.",
          130: "Nobody remembers who built the lighthouse."}
HOSTILE = "<img src=/dev/zero> <b>bold</b>"


def paragraphs(quotes: dict[int, str] = QUOTES) -> list[str]:
    return [quotes.get(n, f"Paragraph {n} tells of the harbour and the boats in it.")
            for n in range(150)]


def add_article(library, title: str = "Harbour", quotes: dict[int, str] = QUOTES) -> int:
    url = f"https://example.org/{title.lower()}"
    lines = paragraphs(quotes)
    return library.add(NewArticle(
        url=url, original_url=url, title=title, site="Example",
        body_html="".join(f"<p>{html.escape(line)}</p>" for line in lines),
        text="\n\n".join(lines)))[0]


def highlight(library, article_id: int, quote: str, note: str = "", color: str = "yellow"):
    return highlights.add(library, article_id, Selector(quote), color, note, exact=True)[0]


def answer_note_editor(text: str | None) -> list[str]:
    """Have the next note editor answered: ``text`` saved, or closed unsaved (None). Returns
    the texts it was opened with."""
    opened = []

    def answer() -> None:
        editor = QApplication.activeModalWidget()
        if not isinstance(editor, NoteEditor):
            QTimer.singleShot(10, answer)
            return
        opened.append(editor.editor.toPlainText())
        if text is None:
            editor.reject()
        else:
            editor.editor.setPlainText(text)
            editor.accept()

    QTimer.singleShot(0, answer)
    return opened


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key to the focused widget. (Offscreen, a closed dialog does not hand the window its
    activation back, as a desktop does: it is asked for again.)"""
    if QApplication.focusWidget() is None:
        window = next(widget for widget in QApplication.topLevelWidgets()
                      if isinstance(widget, MainWindow) and widget.isVisible())
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def listed(pane) -> list[str]:
    return [pane.model.index(row).data() for row in range(pane.model.rowCount())]


@pytest.fixture
def article(library) -> int:
    return add_article(library)


@pytest.fixture
def window(qtbot, library, article):
    window = open_window(qtbot, library, Settings())
    window.browser.select_article(article)
    yield window
    window.close()


def open_pane(qtbot, window):
    """Shift+H: the pane shown, its list focused."""
    press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    pane = window.highlights_pane
    assert pane.isVisible() and pane.list.hasFocus()
    return pane


def test_listed_in_reading_order_those_not_found_apart(qtbot, qtmodeltester, window, library,
                                                       article):
    last = highlight(library, article, QUOTES[130], note="Ask at the museum")
    first = highlight(library, article, QUOTES[12], color="green")
    middle = highlight(library, article, QUOTES[70])
    pane = open_pane(qtbot, window)
    qtmodeltester.check(pane.model)
    assert listed(pane) == [QUOTES[12], QUOTES[70], QUOTES[130]]
    assert pane.count.text() == "(3)"
    assert pane.model.index(2).data(LINES_ROLE) == [("Ask at the museum", True)]

    # The seals' paragraph is gone from a later version of the page: kept, listed apart.
    text = paragraphs({12: QUOTES[12], 130: QUOTES[130]})
    library.replace_content(article, "Harbour", "".join(f"<p>{line}</p>" for line in text),
                            "\n\n".join(text))
    assert listed(pane) == [QUOTES[12], QUOTES[130], NOT_FOUND_TITLE, QUOTES[70]]
    assert [pane.model.index(row).data(HIGHLIGHT_ROLE).id for row in (0, 1, 3)] == [
        first.id, last.id, middle.id]
    title = pane.model.index(2)
    assert not title.flags() & Qt.ItemFlag.ItemIsSelectable
    qtmodeltester.check(pane.model)

    # Another article shows its own (none), and this one's come back with it.
    window.browser.select_row(window.articles.row_of(article) + 1)
    assert listed(pane) == [] and pane.count.text() == ""
    window.browser.select_article(article)
    assert len(listed(pane)) == 4


def test_selecting_a_highlight_scrolls_the_reader_to_it_enter_goes_there(qtbot, window,
                                                                          library, article):
    for quote in QUOTES.values():
        highlight(library, article, quote)
    pane = open_pane(qtbot, window)
    reader = window.reader_view
    bar = reader.verticalScrollBar()
    assert bar.maximum() > 0 and pane.list.currentIndex().row() == 0
    press(qtbot, Qt.Key.Key_Down)  # the seals, far down the article
    assert reader.textCursor().selectedText() == QUOTES[70]
    seals = bar.value()
    assert seals > 0
    press(qtbot, Qt.Key.Key_Down)
    assert reader.textCursor().selectedText() == QUOTES[130] and bar.value() > seals
    assert pane.list.hasFocus()  # moving through the list stays in it
    at_lighthouse = bar.value()
    bar.setValue(0)
    press(qtbot, Qt.Key.Key_Return)  # not the window's Return (Read Article): to the passage
    assert reader.hasFocus() and bar.value() == at_lighthouse


def test_n_edits_a_highlights_note_u_undoes_it(qtbot, window, library, article):
    made = highlight(library, article, QUOTES[12], note="first thought")
    pane = open_pane(qtbot, window)
    opened = answer_note_editor(f"**Tides** {HOSTILE}")
    press(qtbot, Qt.Key.Key_N)
    assert opened == ["first thought"]
    assert highlights.get(library, made.id).note == f"**Tides** {HOSTILE}"
    assert pane.model.index(0).data(LINES_ROLE) == [(f"**Tides** {HOSTILE}", True)]

    answer_note_editor(None)  # closed without saving: nothing changes
    press(qtbot, Qt.Key.Key_N)
    assert highlights.get(library, made.id).note == f"**Tides** {HOSTILE}"

    press(qtbot, Qt.Key.Key_U)
    assert highlights.get(library, made.id).note == "first thought"
    assert pane.model.index(0).data(LINES_ROLE) == [("first thought", True)]


def test_delete_removes_a_highlight_u_brings_it_back(qtbot, window, library, article):
    kept = highlight(library, article, QUOTES[12])
    removed = highlight(library, article, QUOTES[70], note="seals")
    pane = open_pane(qtbot, window)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Delete)
    assert [h.id for h in highlights.for_article(library, article)] == [kept.id]
    assert listed(pane) == [QUOTES[12]]
    assert pane.list.current_highlight().id == kept.id  # the one before it is current now

    window.activateWindow()
    press(qtbot, Qt.Key.Key_U)
    assert highlights.for_article(library, article) == [kept, removed]
    assert listed(pane) == [QUOTES[12], QUOTES[70]]


def test_the_articles_note_edited_with_shift_n(qtbot, window, library, article):
    pane = window.highlights_pane
    assert not pane.note.isVisible()
    opened = answer_note_editor(f"Read again in spring.\n{HOSTILE}")
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert opened == [""]
    assert highlights.article_note(library, article) == f"Read again in spring.\n{HOSTILE}"
    window.highlights_pane.show()
    assert pane.note.text() == f"Read again in spring.\n{HOSTILE}"
    assert pane.note.textFormat() == Qt.TextFormat.PlainText

    # Its "Edit Note…" button opens the same editor with the note as it is.
    opened = answer_note_editor("")
    pane.note_button.click()
    assert opened == [f"Read again in spring.\n{HOSTILE}"]
    assert highlights.article_note(library, article) == "" and not pane.note.isVisible()


def test_shift_h_from_the_pane_hides_it_and_it_stays_hidden_after_restart(qtbot, library,
                                                                          article):
    window = open_window(qtbot, library, Settings())
    assert not window.highlights_pane.isVisible()
    open_pane(qtbot, window)
    window.close()
    window = open_window(qtbot, library, Settings())
    assert window.highlights_pane.isVisible()  # remembered
    window.highlights_pane.focus_list()
    press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.ShiftModifier)
    assert not window.highlights_pane.isVisible() and window.reader_view.hasFocus()
    window.close()


def test_a_quote_said_twice_is_followed_to_the_place_highlighted(qtbot, library):
    twice = add_article(library, "Twice", {**QUOTES, 120: QUOTES[12]})
    later = library.get(twice).text.rindex(QUOTES[12])
    second = highlights.add(library, twice, Selector(QUOTES[12], start=later))[0]
    assert second.start == later
    window = open_window(qtbot, library, Settings())
    window.browser.select_article(twice)
    pane = open_pane(qtbot, window)
    press(qtbot, Qt.Key.Key_Return)
    cursor = window.reader_view.textCursor()
    first = window.reader_view.toPlainText().index(QUOTES[12])
    assert cursor.selectedText() == QUOTES[12] and cursor.selectionStart() > first
    assert pane.list.current_highlight() == second
    window.close()


def test_a_pane_hidden_at_the_last_close_opens_with_room_after_a_restart(qtbot, library,
                                                                           article):
    """The splitter's sizes are saved with the hidden pane at 0: showing it after a restart
    must still give it room, not a pane of no height."""
    window = open_window(qtbot, library, Settings())
    window.close()  # the pane hidden: saved as 0 high
    window = open_window(qtbot, library, Settings())
    pane = open_pane(qtbot, window)
    qtbot.waitUntil(lambda: pane.height() >= pane.minimumSizeHint().height() > 0)
    window.close()
