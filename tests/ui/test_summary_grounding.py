"""Grounded summaries in the window: a scripted engine writes a summary with one invented
sentence; the pane flags it with its reason, follows the true one to its passage in the reader
view, and shows both at once when the article is opened again."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from reader.library import NewArticle
from reader.settings import Settings
from reader.ui.summary_sentences import LINK_SCHEME, UNSUPPORTED_HINT, WARNING_COLOUR
from tests.summarize.openai_stub import OpenAIStub
from tests.summarize.test_ask import scripted
from tests.ui.test_main_window import open_window

FILLER = [f"Item {n} of the minutes records routine business about parking permits, bin "
          f"collection on ward {n} and the opening hours of the library." for n in range(1, 31)]
PASSAGE = ("Six turbines will be placed on the seabed, and the plant will power about four "
           "thousand homes from 2028.")
TRUE = "The plant will power about four thousand homes from 2028."
INVENTED = "The turbines were designed by engineers from China."


def add_long_article(library) -> int:
    """An article far longer than the reader view, the passage summarised near its end."""
    paragraphs = [*FILLER[:25], PASSAGE, *FILLER[25:]]
    url = "https://example.org/kelby-minutes"
    return library.add(NewArticle(
        url=url, original_url=url, title="Kelby council minutes",
        body_html="".join(f"<p>{p}</p>" for p in paragraphs), text="\n".join(paragraphs)))[0]


def open_on_stub(qtbot, library, stub, model: str):
    window = open_window(qtbot, library, Settings(backend="server", server_url=stub.url,
                                                  server_model=model))
    window.browser.select_row(0)
    return window


def assert_shows_passage(window, quote: str) -> None:
    """The reader view has scrolled to the passage and selected it, in view."""
    view = window.reader_view
    selected = view.textCursor().selectedText()
    assert selected.startswith(quote.split()[0]) and " ".join(selected.split()) == quote
    assert view.verticalScrollBar().value() > 0
    assert view.viewport().rect().contains(view.cursorRect(view.textCursor()).topLeft())
    assert view.extraSelections()  # marked, for a moment


def fragment_colour(pane_view, text: str) -> QColor:
    """The colour the pane draws ``text`` in (where it ends)."""
    cursor = pane_view.document().find(text)
    assert not cursor.isNull(), text
    return cursor.charFormat().foreground().color()


def test_an_invented_sentence_is_flagged_and_a_true_one_leads_to_its_passage(
        qtbot, library, monkeypatch):
    add_long_article(library)
    scripted(monkeypatch, "grounded", f"{TRUE} {INVENTED}")
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "grounded")
        qtbot.keyClick(window.list_view, Qt.Key.Key_S)
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    shown = window.summary_pane.text
    assert f"⚠ {INVENTED} (not found in the article)" in shown.toPlainText()
    assert fragment_colour(shown, INVENTED) == QColor(WARNING_COLOUR)
    assert fragment_colour(shown, TRUE) != QColor(WARNING_COLOUR)
    assert shown.document().find(INVENTED).charFormat().toolTip() == UNSUPPORTED_HINT
    assert shown.quotes == [PASSAGE]  # only the true sentence is a link
    assert window.reader_view.verticalScrollBar().value() == 0

    qtbot.keyClick(window.list_view, Qt.Key.Key_BracketRight)  # ] follows the next sentence
    assert_shows_passage(window, PASSAGE)
    assert shown.textCursor().selectedText() == TRUE  # the sentence followed, in the pane


def test_clicking_a_sentence_follows_it_and_reopening_shows_the_check_at_once(
        qtbot, library, monkeypatch):
    add_long_article(library)
    scripted(monkeypatch, "grounded", f"{TRUE} {INVENTED}")
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "grounded")
        window.summary_pane.summarize(window.current_article_id())
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
        window.close()
        asked = len(stub.requests)
        again = open_on_stub(qtbot, library, stub, "grounded")  # a new window: from the store
        assert len(stub.requests) == asked and not again.summary_pane.busy
    shown = again.summary_pane.text
    assert TRUE in shown.toPlainText() and f"⚠ {INVENTED}" in shown.toPlainText()
    shown.anchorClicked.emit(f"{LINK_SCHEME}:0")  # as a click on the sentence does
    assert_shows_passage(again, PASSAGE)


def test_model_text_is_shown_as_text_not_markup(qtbot, library, monkeypatch):
    add_long_article(library)
    scripted(monkeypatch, "hostile", '<a href="https://evil.example">Click</a> <img src=x>.')
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "hostile")
        window.summary_pane.summarize(window.current_article_id())
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    shown = window.summary_pane.text
    assert '<a href="https://evil.example">Click</a>' in shown.toPlainText()
    formats = [fragment.charFormat() for fragment in fragments(shown.document())]
    assert not any(f.isAnchor() or f.isImageFormat() for f in formats)
    qtbot.keyClick(window.list_view, Qt.Key.Key_BracketRight)  # nothing to follow: said so
    assert window.statusBar().currentMessage() == "No sentence here is linked to the article."
    assert window.reader_view.verticalScrollBar().value() == 0


def fragments(document):
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            yield iterator.fragment()
            iterator += 1
        block = block.next()
