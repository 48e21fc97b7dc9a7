"""Capture in the window: an article saved in the background is shown once the list has it,
whichever comes first (the queue's word or the library's change); one already there is shown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QMimeData

from reader.library import NewArticle
from reader.settings import Settings
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
    assert window.current_article_id() == known
    assert window.statusBar().currentMessage() == "Already in your library: Known"
    window.close()
