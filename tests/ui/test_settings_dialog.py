"""The settings dialog offers the choices and ranges the settings declare, and no others."""

from __future__ import annotations

from reader.settings import Settings, bounds, choices
from reader.ui.commands import Command
from reader.ui.settings_dialog import SettingsDialog


def open_dialog(qtbot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings, [Command("summarize", "Summarise", print, "Article")],
                            {"summarize": ["S"]})
    qtbot.addWidget(dialog)
    return dialog


def test_each_list_is_the_settings_choices_with_their_titles(qtbot, home):
    settings = Settings(summary_style="key_points", theme="sepia", reasoning_effort="high",
                        backend="server")
    dialog = open_dialog(qtbot, settings)
    for name in ("summary_style", "theme", "reasoning_effort", "backend"):
        box = getattr(dialog, name)
        offered = {box.itemData(i): box.itemText(i) for i in range(box.count())}
        assert offered == choices(name), name
        assert box.currentData() == getattr(settings, name), name


def test_each_number_is_held_to_the_settings_range(qtbot, home):
    dialog = open_dialog(qtbot, Settings())
    for name in ("font_size", "line_width", "context_limit", "threads"):
        box = getattr(dialog, name)
        assert (box.minimum(), box.maximum()) == bounds(name), name


def test_a_key_over_plain_http_is_allowed_only_when_ticked(qtbot, home):
    settings = Settings()
    dialog = open_dialog(qtbot, settings)
    assert not dialog.server_allow_plain_http_key.isChecked()
    dialog.server_allow_plain_http_key.setChecked(True)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    assert settings.server_allow_plain_http_key and settings.theme == "dark"
