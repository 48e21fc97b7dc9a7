"""Capture in the window: links are handed to the queue and stored off the UI thread; an
article saved in the background is shown once the list has it, whichever comes first (the
queue's word or the library's change); one already there is shown. The queue itself is built
after the window's first paint, or sooner when links come before it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData

from reader.capture.queue import CaptureQueue
from reader.library import NewArticle
from reader.settings import Settings
from reader.ui.main_window import MainWindow
from tests.ui.test_main_window import open_window


def test_an_article_is_shown_when_its_change_arrives_after_the_word(qtbot, library):
    window = open_window(qtbot, library, Settings())
    url = "https://example.org/later"
    new = NewArticle(url=url, original_url=url, title="Later", body_html="<p>x</p>", text="x",
                     added="2030-01-01T00:00:00+00:00")
    saved = []
    writer = threading.Thread(target=lambda: saved.append(library.add(new)[0]))
    writer.start()
    writer.join()
    window.capture.show_when_listed(saved[0])  # the queue's word, before the change arrived
    assert window.articles.row_of(saved[0]) is None
    qtbot.waitUntil(lambda: window.current_article_id() == saved[0], timeout=3000)
    window.close()


def test_a_pasted_link_already_saved_is_shown(qtbot, library):
    window = open_window(qtbot, library, Settings())
    url = "https://example.org/known"
    known = library.add(NewArticle(url=url, original_url=url, title="Known", body_html="",
                                   text="x", added="2001-01-01T00:00:00+00:00"))[0]
    assert window.current_article_id() != known
    mime = QMimeData()
    mime.setText(url)
    window.capture.add_from_mime(mime)
    qtbot.waitUntil(lambda: window.current_article_id() == known, timeout=5000)
    assert window.statusBar().currentMessage() == "Already in your library: Known"
    window.close()


def test_links_are_stored_off_the_ui_thread_and_still_arrive(qtbot, library, site):
    window = open_window(qtbot, library, Settings())
    writers = []  # the threads that stored new articles (a link is an article once queued)
    library.subscribe(lambda change: change.added and writers.append(threading.current_thread()))
    listed = window.articles.rowCount()
    window.add_links([site.url("blog-post.html"), site.url("german-article.html"), "no link"])
    # Handed over only: nothing was stored on this thread (a change written here would be
    # in the list already; the background job may have stored them by now), and the bad
    # entry's message comes with the queue's report.
    assert threading.main_thread() not in writers and window.articles.rowCount() == listed
    assert not window.message_bar.isVisible()
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=5000)
    assert "Not a web address" in window.message_bar.label.text()
    qtbot.waitUntil(lambda: window.capture_queue.counts().saved == 2, timeout=15000)
    qtbot.waitUntil(lambda: window.articles.rowCount() == listed + 2, timeout=5000)
    assert writers and threading.main_thread() not in writers

    # A single link is shown once saved.
    window.add_links([site.url("news-article.html")])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Saved: "),
                    timeout=15000)
    qtbot.waitUntil(lambda: library.get(window.current_article_id()).url.endswith(
        "news-article.html"), timeout=5000)
    window.close()


def test_links_given_before_the_first_paint_are_saved(qtbot, library, site):
    # The queue is built after the first paint; a link given sooner (a drop in the first
    # frame, one handed over by another start) builds it then, even in a window never shown.
    window = MainWindow(library, Settings())
    qtbot.addWidget(window)
    assert window._capture_queue is None
    window.add_links([site.url("blog-post.html")])
    qtbot.waitUntil(lambda: window.capture_queue.counts().saved == 1, timeout=15000)
    assert not window.isVisible()
    window.close()


def test_the_first_paint_starts_the_queue_on_the_last_sessions_links(qtbot, library, site):
    left = CaptureQueue(library)
    left.add([site.url("blog-post.html"), site.url("news-article.html")])
    left.stop()  # never started: both links are left for the next queue
    window = open_window(qtbot, library, Settings())  # shown: painted
    qtbot.waitUntil(lambda: window._capture_queue is not None, timeout=3000)
    qtbot.waitUntil(lambda: window.capture_queue.counts().saved == 2, timeout=15000)
    window.close()


def test_a_window_closed_before_its_first_paint_builds_no_queue(qtbot, library):
    window = MainWindow(library, Settings())
    qtbot.addWidget(window)
    window.close()
    assert window._capture_queue is None
