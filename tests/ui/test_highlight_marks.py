"""Where a highlight of the plain text is in the reader view's document (title above, other
whitespace, images), and the selector a selection of the document gives the library."""

from PySide6.QtGui import QTextDocument

from reader.library import NewArticle, highlights
from reader.library.anchoring import Selector, anchor
from reader.ui.highlight_marks import body_start, find_passage, marks, selector
from reader.ui.reader_view import ReaderView

WORDS = "The tide turns twice a day"
PARAGRAPHS = [f"{WORDS}, said the first guide.", "Boats wait in the outer harbour.",
              f"{WORDS}, the second guide agreed, and the boats went out.",
              "Gulls followed them all the way to the point."]


def document(html: str) -> QTextDocument:
    made = QTextDocument()
    made.setHtml(html)
    return made


def test_of_several_places_the_one_nearest_is_chosen():
    text = f"{WORDS}. Then more. {WORDS}. And the end."
    second = text.rindex(WORDS)
    assert find_passage(text, WORDS) == (0, len(WORDS))
    assert find_passage(text, WORDS, near=second - 5) == (second, second + len(WORDS))


def test_a_passage_is_found_across_paragraphs_markup_and_images():
    made = document('<p>Title</p><p>by</p><hr/><p>Waves <i>came</i> in.</p>'
                    '<p>Then the <img src="x.png" width="8" height="8"/> tide   turned.</p>')
    text = made.toPlainText()
    start, end = find_passage(text, "Waves came in. Then the tide turned.")
    assert (start, end) == (text.index("Waves"), text.index("turned.") + len("turned."))
    assert body_start(made) == text.index("Waves")
    assert find_passage(text, "The tide never turned at all.") is None
    assert find_passage(text, "   ") is None


def test_a_long_quote_is_found_by_its_first_and_last_words():
    words = [f"word{n}" for n in range(200)]
    made = document("<p>" + " ".join(words) + "</p>")
    assert find_passage(made.toPlainText(), " ".join(words[10:150])) == (
        made.toPlainText().index("word10 "), made.toPlainText().index(" word150"))


def test_a_selection_is_a_selector_the_library_anchors_in_the_plain_text():
    text = "\n\n".join(PARAGRAPHS)
    made = document("<p>Tides</p><p>by a guide</p><hr/>"
                    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS))
    shown = made.toPlainText()
    second = shown.rindex(WORDS)
    chosen = selector(made, second - 1, second + len(WORDS), len(text))  # less the line break
    assert chosen.quote == WORDS and chosen.prefix.endswith("outer harbour.\n")
    assert abs(chosen.start - text.rindex(WORDS)) < 10  # in proportion: a hint, not the truth
    assert anchor(text, chosen) == (text.rindex(WORDS), text.rindex(WORDS) + len(WORDS))
    assert selector(made, second - 1, second, len(text)) is None  # only whitespace
    assert isinstance(chosen, Selector)


def test_each_highlight_is_drawn_where_its_own_place_is(qtbot, library):
    text = "\n\n".join(PARAGRAPHS)
    url = "https://example.org/tides"
    article_id = library.add(NewArticle(
        url=url, original_url=url, title="Tides", text=text,
        body_html="".join(f"<p>{p}</p>" for p in PARAGRAPHS)))[0]
    later = text.rindex(WORDS)
    highlights.add(library, article_id, Selector.of(text, later, later + len(WORDS)))
    highlights.add(library, article_id, Selector.of(text, 0, len(WORDS)), color="blue")
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.show_article(library.get(article_id))
    shown = view.toPlainText()
    assert [(m.start, m.highlight.color) for m in view.marks] == [
        (shown.index(WORDS), "blue"), (shown.rindex(WORDS), "yellow")]



def test_a_highlight_not_found_in_the_text_is_not_drawn(qtbot, library):
    text = "\n\n".join(PARAGRAPHS)
    url = "https://example.org/tides"
    article_id = library.add(NewArticle(url=url, original_url=url, title="Tides", text=text,
                                        body_html="<p>Another text altogether now.</p>"))[0]
    highlights.add(library, article_id, Selector.of(text, 0, len(WORDS)))
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.show_article(library.get(article_id))
    assert view.marks == [] and view.extraSelections() == []
    assert marks(view.document(), highlights.for_article(library, article_id), 0) == []
