"""Library → Export… writes the library off the UI thread, with progress and Stop."""

import json

from reader.export import FORMATS
from reader.library import NewArticle
from reader.settings import Settings
from tests.ui.test_main_window import open_window


def _articles(library, count):
    for number in range(count):
        url = f"https://news.example/{number}"
        library.add(NewArticle(url=url, original_url=url, title=f"Story {number}",
                               body_html=f"<p>Text {number}</p>", text=f"Text {number}",
                               tags=["energy"] if number % 2 else []))


def test_the_window_exports_the_whole_library_with_progress(qtbot, library, tmp_path):
    _articles(library, 30)
    window = open_window(qtbot, library, Settings())
    assert "export" in window.actions_by_id  # in the menus, the palette and the keys
    seen = []
    job = window.exports.export_to("json", tmp_path / "library.json")
    job.progress.connect(seen.append)
    with qtbot.waitSignal(job.finished, timeout=30000):
        pass
    exported = json.loads((tmp_path / "library.json").read_text(encoding="utf-8"))
    text = json.dumps(exported)
    assert all(f"Story {number}" in text for number in range(30))
    assert seen and seen[-1] == 31  # the welcome article too
    assert "Exported 31 articles" in window.statusBar().currentMessage()
    window.close()


def test_stopping_an_export_says_so(qtbot, library, tmp_path):
    _articles(library, 400)
    window = open_window(qtbot, library, Settings())
    job = window.exports.export_to("markdown", tmp_path / "notes")
    job.progress.connect(job.cancel)  # Stop pressed as the first article is written
    with qtbot.waitSignal(job.finished, timeout=30000):
        pass
    assert window.message_bar.isVisible()
    assert "Export stopped" in window.message_bar.label.text()
    assert len(list((tmp_path / "notes").glob("*.md"))) < 400
    window.close()


def test_every_format_is_offered():
    from reader.export import TITLES

    assert set(TITLES) == set(FORMATS)
