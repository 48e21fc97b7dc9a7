"""An article Reader died while showing is not opened again by itself at the next start."""

from PySide6.QtCore import QModelIndex

from reader import paths
from reader.settings import Settings
from reader.ui.showing_marker import ON_SCREEN_MS, ShowingMarker
from tests.ui.test_main_window import open_window


def test_an_article_shown_a_moment_leaves_no_note(qtbot, library):
    window = open_window(qtbot, library, Settings())
    assert window.browser.current_article_id() == library.rows()[0].id
    assert paths.showing_path().exists()  # being laid out
    qtbot.waitUntil(lambda: not paths.showing_path().exists(), timeout=ON_SCREEN_MS * 4)
    window.close()


def test_the_article_reader_died_on_is_not_opened_at_the_next_start(qtbot, library):
    newest = library.rows()[0]
    paths.showing_path().write_text(str(newest.id))  # what a crash while showing it leaves

    window = open_window(qtbot, library, Settings())
    assert window.browser.current_article_id() == newest.id  # selected, but not shown
    assert window.browser.shown_article is None
    assert window.message_bar.isVisible()
    assert "closed unexpectedly" in window.message_bar.label.text()
    assert newest.title in window.message_bar.label.text()

    # Selecting it again opens it; once said, the next start opens it as usual.
    window.list_view.setCurrentIndex(QModelIndex())
    window.browser.select_row(0)
    assert window.browser.shown_article == newest.id
    window.close()
    window = open_window(qtbot, library, Settings())
    assert window.browser.shown_article == newest.id
    window.close()


def test_each_article_shown_replaces_the_note_whole(qtbot, tmp_path):
    marker = ShowingMarker(tmp_path / "data" / "showing")
    marker.showing(123456789)
    marker.showing(42)  # rewritten in place: nothing of the longer id is left
    assert ShowingMarker(marker.path).crashed_on() == 42
    marker.clear()
    assert not marker.path.exists()
    assert ShowingMarker(marker.path).crashed_on() is None
    marker.showing(7)  # noted again once cleared
    assert ShowingMarker(marker.path).crashed_on() == 7
    marker.clear()
