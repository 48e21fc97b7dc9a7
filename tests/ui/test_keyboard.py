"""Reading by keyboard: keys driven with qtbot on real widgets over a real library."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from reader.library import NewArticle
from reader.settings import Settings
from reader.ui.article_list import PAGE_SIZE, ArticleListModel
from reader.ui.palette import KEYS_ROLE, CheatSheet, CommandPalette, fuzzy_score
from reader.ui.sidebar import SidebarModel
from tests.ui.test_main_window import open_window

LONG_TEXT = "\n".join(f"Paragraph {n} about tidal turbines and harbour life." for n in range(300))


def add_articles(library, count, text="short text", year=2026):
    """``count`` articles added in ``year`` (2026: before the welcome article; 2027: after)."""
    ids = []
    for n in range(count):
        url = f"https://example.org/{year}/{n}"
        article_id, _ = library.add(NewArticle(
            url=url, original_url=url, title=f"Article {n:03}", site="Example",
            added=f"{year}-01-01T{n // 3600:02}:{n // 60 % 60:02}:{n % 60:02}+00:00",
            body_html="".join(f"<p>{line}</p>" for line in text.splitlines()), text=text))
        ids.append(article_id)
    return ids


@pytest.fixture
def window(qtbot, library):
    add_articles(library, 5)
    window = open_window(qtbot, library, Settings())
    yield window
    window.close()


def key(qtbot, window, name, modifier=Qt.KeyboardModifier.NoModifier):
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, name, modifier)


def current_title(window):
    return window.list_view.currentIndex().data(Qt.ItemDataRole.DisplayRole)


def test_j_k_top_and_bottom(qtbot, window):
    assert current_title(window) == "Welcome to Reader"
    key(qtbot, window, Qt.Key.Key_J)
    key(qtbot, window, Qt.Key.Key_J)
    assert current_title(window) == "Article 003"
    key(qtbot, window, Qt.Key.Key_K)
    assert current_title(window) == "Article 004"
    key(qtbot, window, Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert current_title(window) == "Article 000"
    key(qtbot, window, Qt.Key.Key_G)
    key(qtbot, window, Qt.Key.Key_G)
    assert current_title(window) == "Welcome to Reader"


def test_enter_space_and_escape(qtbot, window, library):
    add_articles(library, 1, LONG_TEXT, year=2027)  # newest: first in the list
    window.browser.select_row(0)
    assert current_title(window) == "Article 000"
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.reader_view.hasFocus()
    bar = window.reader_view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    key(qtbot, window, Qt.Key.Key_Space)
    assert bar.value() > 0
    first_page = bar.value()
    key(qtbot, window, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert bar.value() < first_page
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.list_view.hasFocus()


def test_archive_favourite_delete_each_undone(qtbot, window, library):
    key(qtbot, window, Qt.Key.Key_J)
    article = window.current_article_id()
    inbox = library.view_counts()["inbox"]
    key(qtbot, window, Qt.Key.Key_A)
    assert library.get(article).archived and library.view_counts()["inbox"] == inbox - 1
    assert window.articles.row_of(article) is None  # left the inbox view
    key(qtbot, window, Qt.Key.Key_U)
    assert not library.get(article).archived and window.current_article_id() == article

    key(qtbot, window, Qt.Key.Key_F)
    assert library.get(article).favourite
    assert "★" in window.list_view.currentIndex().data(Qt.ItemDataRole.UserRole + 1)
    key(qtbot, window, Qt.Key.Key_U)
    assert not library.get(article).favourite

    key(qtbot, window, Qt.Key.Key_D)
    assert library.count() == 5  # six before, one in the bin
    key(qtbot, window, Qt.Key.Key_U)
    assert library.count() == 6 and window.current_article_id() == article

    key(qtbot, window, Qt.Key.Key_M)
    assert library.get(article).read
    key(qtbot, window, Qt.Key.Key_U)
    assert not library.get(article).read


def test_search_filters_as_you_type_and_escape_clears(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Slash)
    assert window.search_field.hasFocus()
    qtbot.keyClicks(window.search_field, "welc")
    qtbot.waitUntil(lambda: window.articles.rowCount() == 1, timeout=3000)
    snippet = window.list_view.model().index(0).data(Qt.ItemDataRole.UserRole + 1)
    assert "\x02" in snippet  # the matched word is marked for highlighting
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.search_field.text() == "" and window.articles.rowCount() == 6
    assert window.list_view.hasFocus()


def test_tags_filter_through_the_sidebar(qtbot, window, library, monkeypatch):
    key(qtbot, window, Qt.Key.Key_J)
    article = window.current_article_id()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("energy, harbour", True))
    key(qtbot, window, Qt.Key.Key_T)
    assert library.get(article).tags == ["energy", "harbour"]
    row = window.sidebar.row_of("tag", "energy")
    window.sidebar_view.setCurrentIndex(window.sidebar.index(row))
    assert window.articles.rowCount() == 1 and window.current_article_id() == article
    key(qtbot, window, Qt.Key.Key_U)
    assert library.get(article).tags == []  # one undo takes back the whole edit


@pytest.mark.parametrize("points", [None, 13])  # the style's font, and a desktop's larger one
def test_the_keys_sheet_shows_every_command_whole_without_scrolling_sideways(qtbot, window,
                                                                             points):
    sheet = CheatSheet(window.commands, window.actions_by_id, window)
    qtbot.addWidget(sheet)
    if points:
        font = sheet.font()
        font.setPointSize(points)
        sheet.setFont(font)
    with qtbot.waitExposed(sheet):
        sheet.show()
    table = sheet.table
    assert table.model().rowCount() == len(window.commands)
    assert table.horizontalScrollBar().maximum() == 0, "the menus' column is out of sight"
    for column in range(3):  # each column as wide as its longest text
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)


def test_the_palette_shows_each_commands_keys_at_the_rows_right_end(qtbot, window):
    palette = CommandPalette(window.commands, window.actions_by_id, window)
    qtbot.addWidget(palette)
    with qtbot.waitExposed(palette):
        palette.show()
    second = palette.filter.index(1, 0)  # not selected: drawn on the list's own background
    assert second.data() == "Add Links from Clipboard" and second.data(KEYS_ROLE) == "Ctrl+V"
    assert second.data(Qt.ItemDataRole.AccessibleTextRole) == "Add Links from Clipboard, Ctrl+V"
    row = palette.list.visualRect(second)
    image = palette.list.viewport().grab().toImage()
    background = image.pixelColor(row.center().x(), row.top() + 1)
    right_end = [image.pixelColor(x, y) for x in range(row.right() - row.width() // 6, row.right())
                 for y in range(row.top(), row.bottom())]
    assert any(color != background for color in right_end), "no keys drawn at the right end"


def test_palette_finds_and_runs_a_command(qtbot, window, library):
    key(qtbot, window, Qt.Key.Key_J)
    article = window.current_article_id()
    palette = CommandPalette(window.commands, window.actions_by_id, window)
    qtbot.addWidget(palette)
    with qtbot.waitActive(palette):  # as exec() makes it: the window's own keys are off
        palette.show()
        palette.activateWindow()
    qtbot.keyClicks(palette.search, "archv")
    assert palette.list.currentIndex().data().startswith("Archive / Unarchive")
    assert palette.list.currentIndex().data(KEYS_ROLE) == "A"  # shown at the row's right end
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    palette.chosen.trigger()
    assert library.get(article).archived


def test_fuzzy_score_prefers_word_starts():
    assert fuzzy_score("arc", "Archive / Unarchive") > fuzzy_score("arc", "Search")
    assert fuzzy_score("xyz", "Archive") is None


def test_a_rebinding_takes_effect_and_conflicts_are_reported(qtbot, library):
    add_articles(library, 2)
    window = open_window(qtbot, library, Settings(keys={"archive": ["E"]}))
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    article = window.current_article_id()
    qtbot.keyClick(window.list_view, Qt.Key.Key_A)
    assert library.view_counts()["archive"] == 0  # a is no longer archive
    article = window.current_article_id()
    qtbot.keyClick(window.list_view, Qt.Key.Key_E)
    assert library.get(article).archived
    window.close()

    clash = open_window(qtbot, library, Settings(keys={"archive": ["J"]}))
    assert clash.message_bar.isVisible()
    assert "J is bound to more than one command" in clash.message_bar.label.text()


def test_font_size_keys_persist(qtbot, window, home):
    size = window.settings.font_size
    key(qtbot, window, Qt.Key.Key_Plus)
    assert window.settings.font_size == size + 1
    assert Settings.load().font_size == size + 1
    key(qtbot, window, Qt.Key.Key_Minus)
    assert Settings.load().font_size == size


def test_reading_position_is_restored_and_the_end_marks_read(qtbot, window, library):
    long_id = add_articles(library, 1, LONG_TEXT, year=2027)[0]
    window.browser.select_article(long_id)
    assert window.current_article_id() == long_id
    bar = window.reader_view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    key(qtbot, window, Qt.Key.Key_J)
    assert library.get(long_id).position == pytest.approx(0.5, abs=0.02)
    key(qtbot, window, Qt.Key.Key_K)
    assert window.current_article_id() == long_id
    assert bar.value() == pytest.approx(bar.maximum() / 2, abs=bar.maximum() * 0.02 + 1)
    assert not library.get(long_id).read
    bar.setValue(bar.maximum())
    assert library.get(long_id).read


def test_window_state_survives_a_restart(qtbot, library, home):
    window = open_window(qtbot, library, Settings())
    window.resize(720, 520)
    window.splitters["main"].setSizes([150, 200, 370])
    sizes = window.splitters["main"].sizes()
    window.actions_by_id["toggle-summary"].trigger()
    window.close()
    again = open_window(qtbot, library, Settings())
    assert again.size().width() == 720
    assert again.splitters["main"].sizes() == sizes
    assert not again.summary_pane.isVisibleTo(again)


def test_list_and_sidebar_models_pass_the_model_tester(qtmodeltester, library):
    add_articles(library, 450)
    model = ArticleListModel(library)
    qtmodeltester.check(model)
    qtmodeltester.check(SidebarModel(library))


def test_the_list_reads_only_the_pages_it_shows(qtbot, library, monkeypatch):
    add_articles(library, 1200)
    window = open_window(qtbot, library, Settings())
    assert window.articles.rowCount() == 1201
    reads = []
    original = window.library.rows_by_ids
    monkeypatch.setattr(window.library, "rows_by_ids",
                        lambda ids, search="": reads.append(len(ids)) or original(ids, search))
    window.browser.select_row(window.articles.rowCount() - 1)
    assert 0 < len(reads) <= 3 and max(reads) <= PAGE_SIZE
    assert window.list_view.currentIndex().data(Qt.ItemDataRole.DisplayRole) == "Article 000"
    window.close()


def test_the_reader_view_never_loads_remote_resources(window):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    # A picture on the web is one still to come: a blank of the view's own in its place.
    image = window.reader_view.loadResource(
        QTextDocument.ResourceType.ImageResource, QUrl("https://tracker.example/pixel.png"))
    assert image.width() == image.height() == 1 and image.pixelColor(0, 0).alpha() == 0
    assert window.reader_view.loadResource(
        QTextDocument.ResourceType.StyleSheetResource, QUrl("https://tracker.example/a.css")) is None


def test_an_empty_search_says_so(qtbot, window):
    key(qtbot, window, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search_field, "zeppelin")
    qtbot.waitUntil(lambda: window.articles.rowCount() == 0, timeout=3000)
    assert window.list_view.empty_text() == "No articles match “zeppelin”. Esc clears the search."
