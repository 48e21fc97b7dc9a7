"""The reader view finds a passage of the article's plain text in the shown document, whose
markup and whitespace differ, scrolls to it and marks it, without counting as reading on."""

import dataclasses

from reader.ui.reader_view import ReaderView
from tests.ui.test_summary_grounding import FILLER, add_long_article

# In the document the passage is split by markup and wrapped over lines, unlike the plain text.
MARKED_UP = ("<p>The council <b>voted</b> on\n   Tuesday to build a tidal energy plant in the "
             "harbour, after a long debate about the cost.</p>")
QUOTE = ("The council voted on Tuesday to build a tidal energy plant in the harbour, after a "
         "long debate about the cost.")


def open_view(qtbot, library, body_html: str) -> ReaderView:
    article_id = add_long_article(library)
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    view.show_article(dataclasses.replace(library.get(article_id), body_html=body_html))
    return view


def test_a_passage_is_found_across_markup_and_whitespace(qtbot, library):
    paragraphs = "".join(f"<p>{p}</p>" for p in FILLER)
    view = open_view(qtbot, library, paragraphs + MARKED_UP)
    ends: list[bool] = []
    view.reached_end.connect(lambda: ends.append(True))
    assert view.show_passage(QUOTE)
    assert " ".join(view.textCursor().selectedText().split()) == QUOTE
    assert view.verticalScrollBar().value() > 0 and not ends
    (mark,) = view.extraSelections()
    assert mark.cursor.selectedText() == view.textCursor().selectedText()


def test_a_passage_the_article_lacks_is_not_shown(qtbot, library):
    view = open_view(qtbot, library, "".join(f"<p>{p}</p>" for p in FILLER))
    assert not view.show_passage("The mayor resigned in protest over the plant.")
    assert view.verticalScrollBar().value() == 0 and not view.extraSelections()
