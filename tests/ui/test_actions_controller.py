"""Article actions in the window: what the user sees after archive, tags, rename, undo and
re-extraction, with the list following the library's changes (no re-read of the list)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from reader.library import NewArticle
from reader.settings import Settings
from tests.ui.test_keyboard import add_articles, current_title
from tests.ui.test_main_window import FIXTURES, open_window


@pytest.fixture
def window(qtbot, library):
    add_articles(library, 5)
    window = open_window(qtbot, library, Settings())
    yield window
    window.close()


def test_archiving_selects_the_next_and_undo_brings_it_back_selected(window, monkeypatch):
    window.browser.select_row(2)
    archived, following = window.current_article_id(), window.articles.index(3).data(
        Qt.ItemDataRole.UserRole)
    monkeypatch.setattr(window.library, "ids", lambda query: pytest.fail("the list re-read"))
    window.actions_by_id["archive"].trigger()
    assert window.current_article_id() == following
    assert window.sidebar.index(0).data() == "Inbox  (5)"
    window.actions_by_id["undo"].trigger()
    assert window.current_article_id() == archived and window.articles.rowCount() == 6
    assert window.sidebar.index(0).data() == "Inbox  (6)"


def test_a_tag_edit_is_one_change_and_one_undo(window, monkeypatch):
    window.browser.select_row(1)
    article = window.current_article_id()
    heard = []
    window.events.changed.connect(heard.append)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("energy, food, harbour", True))
    window.actions_by_id["tags"].trigger()
    assert len(heard) == 1 and window.library.get(article).tags == ["energy", "food", "harbour"]
    assert "#energy #food #harbour" in window.list_view.currentIndex().data(
        Qt.ItemDataRole.UserRole + 1)
    assert window.sidebar.row_of("tag", "food") is not None
    window.actions_by_id["undo"].trigger()
    assert window.library.get(article).tags == [] and window.sidebar.row_of("tag", "food") is None


def test_renaming_the_selected_tag(window, monkeypatch):
    window.library.tag([window.current_article_id()], "energy")
    window.sidebar_view.setCurrentIndex(window.sidebar.index(window.sidebar.row_of("tag", "energy")))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("power", True))
    window.actions_by_id["rename-tag"].trigger()
    assert window.sidebar.row_of("tag", "power") is not None
    window.actions_by_id["undo"].trigger()
    assert window.sidebar.row_of("tag", "energy") is not None
    assert window.sidebar.row_of("tag", "power") is None


def test_nothing_to_undo_says_so(window):
    window.actions_by_id["undo"].trigger()
    assert window.statusBar().currentMessage() == "Nothing to undo."


def test_re_extraction_shows_the_new_text(qtbot, window):
    url = "https://example.org/news"
    page = (FIXTURES / "pages" / "news-article.html").read_bytes()
    article = window.library.add(NewArticle(url=url, original_url=url, title="Old title",
                                            body_html="<p>old text</p>", text="old text",
                                            raw_html=page, added="2030-01-01T00:00:00+00:00"))[0]
    window.browser.select_article(article)
    assert "old text" in window.reader_view.toPlainText()
    window.actions_by_id["re-extract"].trigger()
    qtbot.waitUntil(lambda: "Kelby Sound" in window.reader_view.toPlainText()
                    or window.message_bar.isVisible(), timeout=30000)
    assert not window.message_bar.isVisible(), window.message_bar.label.text()
    assert current_title(window) == window.library.get(article).title != "Old title"
