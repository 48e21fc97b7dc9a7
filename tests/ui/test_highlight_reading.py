"""Highlighting while reading, in the real window on a real library: a passage selected with the
mouse or with the keyboard's selection mode becomes a highlight drawn in its colour; its colour
and note change and come back with u; it is drawn again after a restart."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from reader.library import NewArticle, highlights, open_library
from reader.library.anchoring import Selector
from reader.settings import Settings
from reader.ui.highlight_marks import highlight_colour
from tests.ui.test_main_window import open_window

INTRO = ("The council met on Tuesday. It voted to build a tidal energy plant in the harbour. "
         "The vote was close.")
FILLER = [f"Item {n} of the minutes records routine business about parking permits and the "
          f"opening hours of the library on ward {n}." for n in range(1, 21)]
REPEATED = "The plant will open in 2028."
NOTE = "**Close** <img src=/dev/zero>"  # Markdown, and markup a tooltip must not read
LATER = f"Engineers spoke last. {REPEATED} Nobody asked about the cost."


def add_article(library, url: str = "https://example.org/harbour") -> int:
    paragraphs = [INTRO, REPEATED, *FILLER, LATER]
    body = "".join(f"<p>{p}</p>" for p in paragraphs).replace("tidal energy",
                                                              "<b>tidal</b>\n  energy")
    return library.add(NewArticle(url=url, original_url=url, title="Harbour plant approved",
                                  body_html=body, text="\n\n".join(paragraphs)))[0]


@pytest.fixture
def window(qtbot, library):
    article_id = add_article(library)
    window = open_window(qtbot, library, Settings())
    window.browser.select_article(article_id)
    window.reader_view.setFocus()
    yield window
    window.close()


def document_span(view, passage: str, occurrence: int = 0) -> tuple[int, int]:
    text = view.toPlainText()
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return start, start + len(passage)


def drag(qtbot, view, start: int, end: int) -> None:
    """Select the document's start:end with the mouse."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(start)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    points = []
    for position in (start, end):
        cursor.setPosition(position)
        points.append(view.cursorRect(cursor).center())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=points[0])
    qtbot.mouseMove(view.viewport(), points[1])
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=points[1])


def drawn(view) -> list[tuple[int, int, str, bool]]:
    """What the view draws over the text: (start, end, colour name, dotted for a note)."""
    names = {highlight_colour(name).rgba(): name for name in highlights.COLOURS}
    return [(s.cursor.selectionStart(), s.cursor.selectionEnd(),
             names.get(s.format.background().color().rgba(), "?"),
             s.format.underlineStyle() != s.format.UnderlineStyle.NoUnderline)
            for s in view.extraSelections()]


def test_a_mouse_selection_becomes_a_highlight_drawn_in_its_colour(qtbot, window, library):
    view = window.reader_view
    start, end = document_span(view, REPEATED, occurrence=1)  # the second, in the last paragraph
    drag(qtbot, view, start, end)
    assert view.textCursor().selectedText() == REPEATED
    qtbot.keyClick(view, Qt.Key.Key_Y)
    (made,) = highlights.for_article(library, view.article.id)
    assert made.quote == REPEATED and made.color == "yellow"
    assert made.start == view.article.text.index(LATER) + LATER.index(REPEATED)
    assert drawn(view) == [(start, end, "yellow", False)]
    assert not view.textCursor().hasSelection()

    # By the context menu, in a colour of its own; across markup and wrapped whitespace.
    start, end = document_span(view, "It voted to build a tidal energy plant")
    drag(qtbot, view, start, end)
    menu = window.highlighting.context_menu(view.cursorRect().center())
    (make,) = [a.menu() for a in menu.actions() if a.text() == "Highlight"]
    next(a for a in make.actions() if a.text() == "Green").trigger()
    assert [h.quote for h in highlights.for_article(library, view.article.id)] == [
        "It voted to build a tidal energy plant", REPEATED]
    assert drawn(view)[0] == (start, end, "green", False)


def test_a_selection_outside_the_article_text_is_refused_in_the_message_bar(qtbot, window):
    view = window.reader_view
    drag(qtbot, view, *document_span(view, "Harbour plant approved"))  # the title
    qtbot.keyClick(view, Qt.Key.Key_Y)
    assert "cannot be highlighted" in window.message_bar.label.text()
    assert window.message_bar.isVisible() and drawn(view) == []


def test_the_keyboard_selection_mode_makes_a_highlight(qtbot, window, library):
    view = window.reader_view
    qtbot.keyClick(view, Qt.Key.Key_V)
    assert window.highlighting.mode.active
    assert view.textCursor().position() == document_span(view, INTRO)[0]  # the body's top
    qtbot.keyClick(view, Qt.Key.Key_ParenRight)  # to the second sentence
    qtbot.keyClick(view, Qt.Key.Key_V)  # select from here
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_W)  # "It voted to"
    assert view.textCursor().selectedText() == "It voted to"
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert view.textCursor().selectedText() == "It voted "
    qtbot.keyClick(view, Qt.Key.Key_ParenRight)  # to the end of the sentence
    qtbot.keyClick(view, Qt.Key.Key_3)  # blue
    qtbot.keyClick(view, Qt.Key.Key_Y)
    sentence = "It voted to build a tidal energy plant in the harbour."
    (made,) = highlights.for_article(library, view.article.id)
    assert (made.quote, made.color) == (sentence, "blue")
    assert drawn(view) == [(*document_span(view, sentence), "blue", False)]
    assert not window.highlighting.mode.active

    # Paragraph by paragraph; Esc leaves the mode without going back to the list.
    qtbot.keyClick(view, Qt.Key.Key_V)
    qtbot.keyClick(view, Qt.Key.Key_BraceRight)
    qtbot.keyClick(view, Qt.Key.Key_V)
    qtbot.keyClick(view, Qt.Key.Key_BraceRight)
    assert view.textCursor().selectedText() == REPEATED
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not window.highlighting.mode.active and view.hasFocus()
    assert not view.textCursor().hasSelection()
    qtbot.keyClick(view, Qt.Key.Key_W)  # outside the mode, w is not a move
    assert view.textCursor().position() == document_span(view, REPEATED)[1]


def test_colour_note_and_removal_are_undone_with_u(qtbot, window, library, monkeypatch):
    view = window.reader_view
    start, end = document_span(view, "The vote was close.")
    drag(qtbot, view, start, end)
    qtbot.keyClick(view, Qt.Key.Key_Y)
    cursor = view.textCursor()
    cursor.setPosition(start + 4)  # the caret on the highlight, as a click puts it
    view.setTextCursor(cursor)

    qtbot.keyClick(view, Qt.Key.Key_C)
    assert drawn(view) == [(start, end, "green", False)]
    asked = []
    monkeypatch.setattr("reader.ui.highlight_controller.ask_for_note",
                        lambda parent, title, about, note: asked.append(about) or NOTE)
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert asked == ["The vote was close."]
    (noted,) = highlights.for_article(library, view.article.id)
    assert noted.note == NOTE and drawn(view) == [(start, end, "green", True)]
    tip = window.highlighting.note_at(view.cursorRect(cursor).center())
    assert tip == "<p style='white-space:pre-wrap'>**Close** &lt;img src=/dev/zero&gt;</p>"
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert highlights.for_article(library, view.article.id) == [] and drawn(view) == []

    qtbot.keyClick(view, Qt.Key.Key_U)  # back, with its note
    assert drawn(view) == [(start, end, "green", True)]
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert drawn(view) == [(start, end, "green", False)]
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert drawn(view) == [(start, end, "yellow", False)]
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert drawn(view) == [] and highlights.for_article(library, view.article.id) == []


def test_highlights_are_drawn_again_after_a_restart(qtbot, library):
    article_id = add_article(library)
    window = open_window(qtbot, library, Settings())
    window.browser.select_article(article_id)
    view = window.reader_view
    spans = [document_span(view, REPEATED, occurrence=1), document_span(view, "The vote")]
    for (start, end), key in zip(spans, (Qt.Key.Key_4, Qt.Key.Key_5)):
        drag(qtbot, view, start, end)
        qtbot.keyClick(view, Qt.Key.Key_V)  # the mouse's selection, taken into the mode
        qtbot.keyClick(view, key)
        qtbot.keyClick(view, Qt.Key.Key_Y)
    window.close()
    library.close()

    reopened = open_library(library.path)
    try:
        again = open_window(qtbot, reopened, Settings())
        again.browser.select_article(article_id)
        assert sorted(drawn(again.reader_view)) == sorted(
            [(*spans[0], "pink", False), (*spans[1], "purple", False)])
        again.close()
    finally:
        reopened.close()


def test_a_passage_followed_from_the_summary_is_marked_over_the_highlights(qtbot, window):
    view = window.reader_view
    highlighted = document_span(view, REPEATED, occurrence=1)
    drag(qtbot, view, *highlighted)
    qtbot.keyClick(view, Qt.Key.Key_Y)
    assert view.show_passage(FILLER[3])
    assert len(drawn(view)) == 2 and drawn(view)[0][:3] == (*highlighted, "yellow")
    qtbot.waitUntil(lambda: len(view.extraSelections()) == 1, timeout=4000)
    assert drawn(view) == [(*highlighted, "yellow", False)]


def test_a_highlight_made_elsewhere_is_drawn_and_one_of_another_article_is_not(window, library):
    view = window.reader_view
    text = view.article.text
    other = add_article(library, "https://example.org/harbour-again")
    assert other != view.article.id
    highlights.add(library, other, Selector(REPEATED))  # (as the CLI or an import would)
    assert drawn(view) == []
    _made, change = highlights.add(library, view.article.id, Selector("The vote was close."),
                                   color="pink")
    assert drawn(view) == [(*document_span(view, "The vote was close."), "pink", False)]
    assert text.index("The vote was close.") == _made.start
