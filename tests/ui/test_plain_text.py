"""Outside text is text: no label of the window or its dialogs, tooltip of the list or message box
renders a page's title, a server's answer or a file name as rich text (Qt would load an
``<img src=/dev/zero>`` in it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt, QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from reader.errors import UserError
from reader.library import NewArticle
from reader.settings import Settings
from reader.ui import crash
from reader.ui.commands import Command
from reader.ui.models_dialog import ModelsDialog
from reader.ui.settings_dialog import SettingsDialog
from tests.ui.test_main_window import open_window

HOSTILE = "Big news <img src=/dev/zero> & <b>more</b>"
HOSTILE_NAME = "Big news <img src=x.png> & <i>more"  # the same, as a file name (no "/")

# Labels allowed to be rich: fixed text of our own, never anything from outside.
RICH_ALLOWED = {
    "<b>Summary</b>": "the summary pane's heading, a constant",
}


def add_hostile(library) -> int:
    url = "https://example.org/<script>"
    return library.add(NewArticle(url=url, original_url=url, title=HOSTILE,
                                  body_html="<p>x</p>", text="x"))[0]


def shown_text(text: str) -> str:
    """What Qt shows for ``text`` where it guesses the format (tooltips, auto labels)."""
    if not GuiQt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_no_label_of_the_window_is_left_rich(qtbot, library):
    add_hostile(library)
    window = open_window(qtbot, library, Settings())
    window.message_bar.show_message(HOSTILE, error=True)
    rich = [label.text() for label in window.findChildren(QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText
            and label.text() not in RICH_ALLOWED]
    assert rich == []
    window.close()


def rich_labels(widget) -> list[str]:
    """The labels of ``widget`` that Qt would read as markup (Qt's own form labels, "Theme:", are
    plain text whatever their format)."""
    return [label.text() for label in widget.findChildren(QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText
            and GuiQt.mightBeRichText(label.text())]


def test_the_models_dialog_shows_a_file_name_as_text(qtbot, home, tmp_path):
    junk = tmp_path / f"{HOSTILE_NAME}.gguf"
    junk.write_text("not a model")
    dialog = ModelsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.add_file(junk)
    assert HOSTILE_NAME in dialog.note.text()
    assert rich_labels(dialog) == []


def test_the_settings_dialog_shows_paths_and_errors_as_text(qtbot, home, tmp_path, monkeypatch):
    monkeypatch.setenv("READER_HOME", str(tmp_path / HOSTILE_NAME))
    junk = tmp_path / f"{HOSTILE_NAME}.gguf"
    junk.write_text("not a model")
    dialog = SettingsDialog(Settings(), [Command("summarize", "Summarise", print, "Article")],
                            {"summarize": ["S"]})
    qtbot.addWidget(dialog)
    dialog.model_path.setText(str(junk))
    dialog.accept()
    shown = [label.text() for label in dialog.findChildren(QLabel)]
    assert str(tmp_path / HOSTILE_NAME) in shown  # the library folder
    assert HOSTILE_NAME in dialog.error.text()
    assert rich_labels(dialog) == []


def test_the_lists_tooltip_shows_a_title_as_text(qtbot, library):
    add_hostile(library)
    window = open_window(qtbot, library, Settings())
    row = window.articles.row_of(window.library.find_by_url("https://example.org/<script>"))
    tip = window.articles.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert shown_text(tip) == f"{HOSTILE}\nhttps://example.org/<script>"
    window.close()


def test_the_unsafe_path_really_was_unsafe():
    """Unescaped, the same tooltip would have been read as markup (the image tag vanishes)."""
    assert GuiQt.mightBeRichText(f"{HOSTILE}\nurl")
    assert "<img" not in shown_text(HOSTILE)


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes shown, caught instead of run; the static helpers go through one too."""
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    return shown


def test_message_boxes_show_errors_as_text(qtbot, boxes, monkeypatch):
    monkeypatch.setattr(crash.sys, "excepthook", crash.sys.excepthook)
    crash.install_crash_dialog(crash.TailHandler(), crash.Path("/tmp/reader.log"))
    try:
        raise UserError(HOSTILE)
    except UserError as error:
        crash.sys.excepthook(type(error), error, error.__traceback__)
    crash.show_crash_dialog(HOSTILE, "details", crash.Path("/tmp/reader.log"))
    assert len(boxes) == 2
    for box in boxes:
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert HOSTILE in box.text() + box.informativeText()


def test_no_static_message_box_helper_is_used():
    """QMessageBox.critical/warning/information/question guess the format of their text and
    cannot be told otherwise: Reader makes its boxes with ``crash.text_box``."""
    import re
    from pathlib import Path

    import reader.ui

    calls = [f"{path.name}: {match.group()}" for path in Path(reader.ui.__file__).parent.glob("*.py")
             for match in re.finditer(r"QMessageBox\.(critical|warning|information|question)\(",
                                      path.read_text(encoding="utf-8"))]
    assert calls == []
