"""Each setting's choices and range are declared once, on its field, and every reader of them
(the file's checks, the prompts, the reading themes, the settings dialog) takes them from there."""

from __future__ import annotations

import dataclasses
import json

import pytest

from reader import settings as settings_module
from reader.settings import Settings, bounds, choices, clamp


def test_choices_and_ranges_are_declared_on_the_fields():
    assert list(choices("summary_style")) == ["short", "key_points", "detailed"]
    assert list(choices("reasoning_effort")) == ["low", "medium", "high"]
    assert list(choices("theme")) == ["system", "light", "dark", "sepia"]
    assert list(choices("backend")) == ["local", "server"]
    assert bounds("font_size") == (6, 48) and bounds("line_width") == (20, 200)
    for item in dataclasses.fields(Settings):
        if "choices" in item.metadata:
            assert item.default in item.metadata["choices"], item.name
        if "range" in item.metadata:
            low, high = item.metadata["range"]
            assert low <= item.default <= high, item.name


def test_the_summarizer_offers_what_the_settings_declare():
    from reader.summarize import prompt

    assert prompt.STYLES == tuple(choices("summary_style"))
    assert prompt.REASONING_EFFORTS == tuple(choices("reasoning_effort"))
    assert prompt.DEFAULT_STYLE == Settings().summary_style
    for style in prompt.STYLES:  # each style has its prompt text
        assert prompt.instruction(style)


def test_every_theme_but_the_systems_has_its_colours():
    from reader.ui import themes

    assert set(themes.THEMES) == set(choices("theme")) - {"system"}


def test_clamp_keeps_a_number_in_its_range():
    assert clamp("font_size", 100) == 48 and clamp("font_size", 1) == 6
    assert clamp("font_size", 14) == 14


@pytest.mark.parametrize("name, bad", [("summary_style", "haiku"), ("reasoning_effort", "max"),
                                       ("theme", "neon"), ("backend", "cloud"),
                                       ("font_size", 49), ("line_width", 19), ("threads", -1),
                                       ("context_limit", 100)])
def test_a_value_outside_the_declaration_falls_back_to_the_default(tmp_path, caplog, name, bad):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({name: bad}), encoding="utf-8")
    assert getattr(Settings.load(path), name) == getattr(Settings(), name)
    assert name in caplog.text


def test_a_value_the_declaration_allows_is_kept(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"summary_style": "detailed", "theme": "sepia", "font_size": 48,
                                "server_allow_plain_http_key": True}), encoding="utf-8")
    loaded = Settings.load(path)
    assert (loaded.summary_style, loaded.theme, loaded.font_size) == ("detailed", "sepia", 48)
    assert loaded.server_allow_plain_http_key is True


def test_an_undeclared_name_is_a_bug():
    with pytest.raises(KeyError):
        settings_module.choices("no_such_setting")
