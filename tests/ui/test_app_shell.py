"""First run, empty library, settings, Add URL, logging and the crash dialog."""

import logging
import logging.handlers
import shutil
import sys

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QInputDialog

from reader import logs
from reader.settings import Settings
from reader.summarize.models import embedded_model_path
from reader.ui import crash
from reader.ui.commands import Command
from reader.ui.settings_dialog import SettingsDialog
from tests.ui.test_main_window import open_window


def test_first_run_notice_names_the_model_in_use(qtbot, library):
    window = open_window(qtbot, library, Settings())
    window.show_first_run_notice()
    assert window.message_bar.isVisible()
    assert embedded_model_path().name in window.message_bar.label.text()


def test_an_empty_library_says_how_to_add(qtbot, library):
    with library.transaction() as tx:
        tx.execute("DELETE FROM articles")
    window = open_window(qtbot, library, Settings())
    assert window.articles.rowCount() == 0
    assert "Ctrl+L" in window.list_view.EMPTY_TEXT
    image = window.list_view.viewport().grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 4)
               for y in range(0, image.height(), 4)}
    assert len(colours) > 1, "the empty-state text should be painted"


def test_add_url_dialog(qtbot, library, site, monkeypatch):
    window = open_window(qtbot, library, Settings())
    monkeypatch.setattr(QInputDialog, "getText",
                        lambda *args, **kwargs: (site.url("blog-post.html"), True))
    window.actions_by_id["add-url"].trigger()
    qtbot.waitUntil(lambda: window.articles.rowCount() == 2, timeout=10000)

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("no link here", True))
    window.actions_by_id["add-url"].trigger()
    assert "Not a web address" in window.message_bar.label.text()
    assert window.articles.rowCount() == 2


def test_settings_refuse_a_file_that_is_not_a_model(qtbot, home, tmp_path):
    settings = Settings()
    dialog = SettingsDialog(settings, [Command("summarize", "Summarise", print, "Article")],
                            {"summarize": ["S"]})
    qtbot.addWidget(dialog)
    fake = tmp_path / "notes.gguf"
    fake.write_text("not a model")
    dialog.model_path.setText(str(fake))
    dialog.accept()
    assert dialog.error.isVisibleTo(dialog) and "not a GGUF" in dialog.error.text()
    assert settings.model_path == ""

    real = tmp_path / "chosen.gguf"
    shutil.copy(embedded_model_path(), real)
    dialog.model_path.setText(str(real))
    dialog.threads.setValue(3)
    dialog.accept()
    assert settings.model_path == str(real) and settings.threads == 3


def test_settings_saved_from_the_window_survive_a_restart(qtbot, library, home, monkeypatch):
    window = open_window(qtbot, library, Settings())
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: (self.context_limit.setValue(4096),
                                                              self.accept(), 1)[-1])
    window.open_settings()
    assert Settings.load().context_limit == 4096


def test_qt_warnings_and_python_logging_reach_the_log_file(home):
    tail = logs.setup_logging()
    try:
        crash.route_qt_messages()
        qWarning("a warning from Qt itself")
        logging.getLogger("reader.test").info("hello from reader")
        text = logs.log_file().read_text()
        assert "a warning from Qt itself" in text and "hello from reader" in text
        assert "hello from reader" in tail.text()
    finally:
        for handler in logging.getLogger().handlers[:]:
            if isinstance(handler, (logs.TailHandler, logging.handlers.RotatingFileHandler)):
                logging.getLogger().removeHandler(handler)
                handler.close()


def test_an_unexpected_exception_opens_the_crash_dialog(home, monkeypatch):
    shown = {}
    monkeypatch.setattr(crash, "show_crash_dialog",
                        lambda summary, details, path: shown.update(summary=summary, path=path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    tail = logs.TailHandler()
    crash.install_crash_dialog(tail, logs.log_file())
    logging.getLogger().addHandler(tail)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    finally:
        logging.getLogger().removeHandler(tail)
    assert "RuntimeError: boom" in shown["summary"]
    assert shown["path"] == logs.log_file()
    assert "Unexpected error" in tail.text()


def test_settings_choose_a_model_server(qtbot, home):
    settings = Settings()
    dialog = SettingsDialog(settings, [Command("summarize", "Summarise", print, "Article")],
                            {"summarize": ["S"]})
    qtbot.addWidget(dialog)
    dialog.backend.setCurrentIndex(1)
    dialog.accept()
    assert "address" in dialog.error.text() and settings.backend == "local"
    dialog.server_url.setText("http://127.0.0.1:8080")
    dialog.server_model.setText("gpt-oss:20b")
    dialog.accept()
    assert (settings.backend, settings.server_model) == ("server", "gpt-oss:20b")


def test_a_key_bound_twice_in_the_dialog_is_refused(qtbot, home):
    from PySide6.QtGui import QKeySequence

    settings = Settings()
    commands = [Command("summarize", "Summarise", print, "Article"),
                Command("archive", "Archive", print, "Article")]
    dialog = SettingsDialog(settings, commands, {"summarize": ["S"], "archive": ["A"]})
    qtbot.addWidget(dialog)
    dialog.key_editors["archive"].setKeySequence(QKeySequence("S"))
    dialog.accept()
    assert "S is bound to more than one command" in dialog.error.text()
    dialog.key_editors["archive"].setKeySequence(QKeySequence("E"))
    dialog.accept()
    assert settings.keys == {"archive": ["E"]}
