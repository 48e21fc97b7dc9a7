"""The window, with real widgets (offscreen), a real library, the fixture site and the model."""

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication

from reader.library.grounding_store import stored_summary
from reader.settings import Settings
from reader.ui.article_list import ID_ROLE
from reader.ui.main_window import MainWindow


def open_window(qtbot, library, settings):
    window = MainWindow(library, settings)
    qtbot.addWidget(window)
    # Shortcuts reach the active window only, as on a desktop.
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.list_view.setFocus()
    return window


@pytest.fixture
def window(qtbot, library):
    window = open_window(qtbot, library, Settings())
    yield window
    window.close()


def drop(window, mime):
    """What a drag from a browser delivers: enter (which must be accepted), then the drop."""
    point, action = QPointF(400, 300), Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), action, mime, buttons, modifiers)
    QGuiApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QGuiApplication.sendEvent(window, QDropEvent(point, action, mime, buttons, modifiers))


def uri_mime(*urls):
    mime = QMimeData()
    mime.setUrls([QUrl(url) for url in urls])
    return mime


def test_first_run_shows_the_welcome_article(window):
    assert window.articles.rowCount() == 1
    assert "Welcome to Reader" in window.reader_view.toPlainText()
    assert window.list_view.currentIndex().row() == 0


@pytest.mark.slow
def test_dropped_url_is_saved_shown_and_summarised(qtbot, window, site):
    drop(window, uri_mime(site.url("news-article.html")))
    qtbot.waitUntil(lambda: window.articles.rowCount() == 2, timeout=15000)
    qtbot.waitUntil(lambda: "Kelby Sound" in window.reader_view.toPlainText(), timeout=5000)
    html = window.reader_view.toHtml()
    text = window.reader_view.toPlainText()
    assert "Maria Lindqvist" in text and "The Harbour Gazette" in text and "min read" in text
    assert "Related articles" not in text
    assert "<li" in html  # structure survives into the view, not one block of text

    qtbot.keyClick(window.list_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.summary_pane.text.toPlainText().strip() != "", timeout=120000)
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=180000)
    stored = stored_summary(window.library, window.current_article_id())
    shown = window.summary_pane.text.toPlainText()
    # Shown as its sentences, each checked against the article (flagged ones with a reason).
    assert stored and stored.text.strip() and stored.sentences
    assert all(sentence["text"] in shown for sentence in stored.sentences)
    assert "tokens in" in window.summary_pane.status.text()

    # Another article, then back: the stored summary is shown at once.
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    assert window.summary_pane.text.toPlainText() == ""
    qtbot.keyClick(window.list_view, Qt.Key.Key_K)
    assert window.summary_pane.text.toPlainText() == shown


def test_plain_text_drop_and_paste(qtbot, window, site):
    mime = QMimeData()
    mime.setText(f"have a look: {site.url('blog-post.html')} and {site.url('german-article.html')}")
    drop(window, mime)  # handed to the queue, which reports back
    qtbot.waitUntil(lambda: window.capture_status.bar.isVisibleTo(window), timeout=5000)
    assert window.capture_status.bar.format() in ("Saving 0 of 2", "Saving 1 of 2")
    qtbot.waitUntil(lambda: window.capture_queue.counts().saved == 2, timeout=15000)
    assert window.articles.rowCount() == 3

    QGuiApplication.clipboard().setText(site.url("blog-post.html") + "#top")
    qtbot.keyClick(window.list_view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Already in your library" in window.statusBar().currentMessage(),
                    timeout=10000)
    assert window.articles.rowCount() == 3
    assert "Bringing a 1987 keyboard" in window.reader_view.toPlainText()


@pytest.mark.parametrize(
    "payload, message",
    [
        ("just some words", "Not a web address"),
        ("missing.html", "404"),
        ("images/turbine.png", "not an HTML page"),
    ],
)
def test_bad_drops_show_a_message_and_change_nothing(qtbot, window, site, payload, message):
    mime = QMimeData()
    mime.setText(site.url(payload) if "." in payload else payload)
    drop(window, mime)
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10000)
    assert message in window.message_bar.label.text()
    # A link is kept (listed, saying why it has no page); what is not a link is not.
    assert window.articles.rowCount() == (1 if message == "Not a web address" else 2)
    if message != "Not a web address":
        qtbot.waitUntil(lambda: window.capture_status.failed.isVisibleTo(window), timeout=5000)
        assert window.capture_status.failed.text() == "1 failed…"
        assert not window.capture_status.bar.isVisibleTo(window)


def test_j_and_k_move_through_the_list(qtbot, window, library):
    from reader.library import NewArticle

    for n in range(3):
        url = f"https://example.org/{n}"
        library.add(NewArticle(url=url, original_url=url, title=f"Article {n}",
                               body_html="<p>x</p>", text="x"))
    window.articles.reload()
    window.list_view.setCurrentIndex(window.articles.index(0))
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    assert window.list_view.currentIndex().data(Qt.ItemDataRole.DisplayRole) == "Article 0"
    qtbot.keyClick(window.list_view, Qt.Key.Key_K)
    assert window.list_view.currentIndex().row() == 1
    assert window.current_article_id() == window.list_view.currentIndex().data(ID_ROLE)


def test_a_missing_model_is_a_message_not_a_crash(qtbot, library, tmp_path):
    window = open_window(qtbot, library, Settings(model_path=str(tmp_path / "gone.gguf")))
    qtbot.keyClick(window.list_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10000)
    assert "does not exist" in window.message_bar.label.text()
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=5000)
    assert library.summary(window.current_article_id()) is None
    assert window.summary_pane.status.text() == ""


def test_a_title_repeated_as_the_first_heading_is_shown_once(window):
    text = window.reader_view.toPlainText()
    assert text.count("Welcome to Reader") == 1


FIXTURES = __import__("pathlib").Path(__file__).parent.parent / "fixtures"


def test_dropping_an_export_file_imports_it(qtbot, window, monkeypatch):
    # Every message is noted: the import's own can be followed at once by another (its links
    # to a dead host failing) before the label is looked at again.
    messages = []
    show = window.message_bar.show_message
    monkeypatch.setattr(window.message_bar, "show_message",
                        lambda text, error=False: (messages.append(text), show(text, error)))
    drop(window, uri_mime(QUrl.fromLocalFile(str(FIXTURES / "imports" / "wallabag.json"))
                          .toString()))
    qtbot.waitUntil(lambda: any("Imported wallabag.json" in text for text in messages),
                    timeout=20000)
    qtbot.waitUntil(lambda: window.library.view_counts()["all"] > 1, timeout=5000)


def test_dropping_a_saved_page_stores_it_as_it_is(qtbot, window):
    page = FIXTURES / "drops" / "saved page.html"
    drop(window, uri_mime(QUrl.fromLocalFile(str(page)).toString()))
    qtbot.waitUntil(lambda: window.library.count() == 2, timeout=10000)
    stored = window.library.rows()[0]
    assert stored.url.startswith("file://") and window.library.raw_html(stored.id) == page.read_bytes()


def test_a_firefox_drag_of_two_links(qtbot, window, site):
    mime = QMimeData()
    pairs = f"{site.url('blog-post.html')}\nA blog\n{site.url('german-article.html')}\nNews"
    mime.setData("text/x-moz-url", pairs.encode("utf-16-le"))
    drop(window, mime)
    qtbot.waitUntil(lambda: window.library.count() == 3, timeout=15000)


def test_a_drop_of_many_links_shows_progress_and_lists_failures(qtbot, window, site):
    from reader.ui.capture_status import FailedPages

    links = [site.url(f"news-article.html?n={n}") for n in range(12)] + [site.url("gone.html")]
    mime = QMimeData()
    mime.setText("\n".join(links))
    drop(window, mime)  # handed to the queue, which reports back
    qtbot.waitUntil(lambda: window.capture_status.bar.format().endswith(" of 13"), timeout=5000)
    # 12 + the welcome + the link that failed, kept without its page
    qtbot.waitUntil(lambda: window.capture_queue.counts().saved == 12, timeout=60000)
    qtbot.waitUntil(lambda: window.articles.rowCount() == 14, timeout=10000)
    qtbot.waitUntil(lambda: window.capture_status.failed.isVisibleTo(window), timeout=10000)
    failed = FailedPages(window.capture_queue, window)
    qtbot.addWidget(failed)
    assert failed.model.rowCount() == 1
    assert failed.model.item(0, 0).text().endswith("gone.html")
    assert "404" in failed.model.item(0, 1).text()
    failed.table.selectRow(0)
    failed._apply(window.capture_queue.cancel, failed._selected())  # Dismiss
    assert failed.model.rowCount() == 0


def test_article_images_show_from_the_library(qtbot, window, site):
    from PySide6.QtGui import QImage, QTextDocument

    drop(window, uri_mime(site.url("photo-essay.html")))
    qtbot.waitUntil(lambda: window.library.count() == 2, timeout=30000)
    qtbot.waitUntil(lambda: "reader-image:" in window.reader_view.toHtml(), timeout=10000)
    source = window.reader_view.toHtml().split('src="reader-image:')[1].split('"')[0]
    image = window.reader_view.loadResource(QTextDocument.ResourceType.ImageResource,
                                            QUrl(f"reader-image:{source}"))
    assert isinstance(image, QImage) and not image.isNull()


def test_a_large_change_keeps_the_shown_article_without_laying_it_out_again(qtbot, window,
                                                                           library):
    """A large change that the list cannot take as one block of new rows (here: new articles
    and an edited one) reads the list again; the selection goes back to the article shown,
    which is laid out again only if the change touched it."""
    from reader.library import NewArticle
    from reader.ui.article_list import MOST_PLACED

    shown = window.current_article_id()
    assert shown is not None and window.browser.shown_article == shown
    url = "https://example.org/other"
    other, _ = library.add(NewArticle(url=url, original_url=url, title="Other",
                                      body_html="<p>x</p>", text="x"))
    qtbot.waitUntil(lambda: window.articles.row_of(other) is not None, timeout=5000)
    window.browser.select_article(shown)
    laid_out = []
    window.browser.article_shown.connect(laid_out.append)
    resets = []
    window.articles.modelReset.connect(lambda: resets.append(True))

    def add_many(first: int, touch: int) -> None:
        with library.transaction():
            for n in range(first, first + MOST_PLACED + 1):
                url = f"https://example.org/many/{n}"
                library.add(NewArticle(url=url, original_url=url, title=f"Many {n}",
                                       body_html="<p>x</p>", text="x"))
            library.replace_content(touch, "Edited", "<p>New text</p>", "New text")

    add_many(0, touch=other)
    qtbot.waitUntil(lambda: len(resets) == 1, timeout=5000)
    assert window.current_article_id() == shown and laid_out == []

    add_many(1000, touch=shown)
    qtbot.waitUntil(lambda: laid_out == [shown], timeout=5000)
    assert window.current_article_id() == shown
    assert "New text" in window.reader_view.toPlainText()
