"""A link without its page in the window: greyed in the list with its state, and opened it shows
what is known and "Fetch now"; a text from the Internet Archive says so (real widgets, real
SQLite)."""

from PySide6.QtCore import QUrl

from reader.library import pending
from reader.library.queue_rows import enqueue
from reader.ui.article_list import FETCH_ROLE, META_ROLE, ArticleListModel
from reader.ui.reader_view import ReaderView

URL = "https://gone.invalid/notes"


def test_a_link_not_fetched_yet_is_listed_greyed_with_its_state(qtbot, library):
    article_id, _ = pending.store_pending(library, pending.placeholder(
        URL, URL, title="Notes from the harbour", tags=["sea"]))
    model = ArticleListModel(library)
    [row] = [number for number in range(model.rowCount())
             if model.data(model.index(number), FETCH_ROLE)]
    index = model.index(row)
    assert model.data(index, FETCH_ROLE) == pending.PENDING
    assert model.data(index, META_ROLE).startswith("Not fetched yet · gone.invalid")

    pending.mark_failed(library, article_id, "Could not find the server gone.invalid")
    fresh = ArticleListModel(library)
    assert fresh.data(fresh.index(row), META_ROLE).startswith("Could not be fetched")


def test_opening_it_shows_what_is_known_and_fetch_now(qtbot, library):
    [(_, item)] = enqueue(library, "test", [(URL, URL, {"title": "Notes from the harbour"})])
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.show_article(library.get(item.article_id))
    shown = view.toPlainText()
    assert "Notes from the harbour" in shown and "Not fetched yet. Fetch now" in shown

    with qtbot.waitSignal(view.fetch_requested) as asked:
        view.anchorClicked.emit(QUrl(f"reader-fetch:{item.article_id}"))
    assert asked.args == [item.article_id]


def test_a_text_from_the_internet_archive_says_so(qtbot, library):
    [(_, item)] = enqueue(library, "test", [(URL, URL, {})])
    article = library.get(item.article_id)
    with library.transaction() as tx:
        pending.fill(tx, item.article_id, pending.placeholder(URL, URL, title="Kept",
                                                              text="The harbour in 1890."),
                     pending.Snapshot("https://web.archive.org/web/20190101000000/" + URL,
                                      "2019-01-01"))
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.show_article(library.get(article.id))
    shown = view.toPlainText()
    assert "from the Internet Archive, snapshot of 2019-01-01" in shown
    assert "Fetch now" not in shown and "The harbour in 1890." in shown
    assert "https://web.archive.org/web/20190101000000/" in view.toHtml()
