"""Commands are registered once and keys are data: the window's command table, the default
keymap file, the user's overrides, and the problems a keymap can have."""

from __future__ import annotations

from reader.settings import Settings
from reader.ui.commands import default_keymap, effective_keymap, key_text, keymap_problems
from tests.ui.test_main_window import open_window


def test_every_command_has_one_id_a_menu_and_its_default_keys(qtbot, library):
    window = open_window(qtbot, library, Settings())
    ids = [command.id for command in window.commands]
    assert len(ids) == len(set(ids))
    keymap = default_keymap()
    assert keymap_problems(keymap, set(ids)) == []  # every bound id is a command, no clashes
    in_menus = {action.objectName() for menu_action in window.menuBar().actions()
                for action in menu_action.menu().actions()}
    assert in_menus == set(ids)
    assert key_text(window.actions_by_id["archive"]) == "A"
    assert key_text(window.actions_by_id["first-article"]) == "G, G"
    window.close()


def test_overrides_replace_or_unbind_and_problems_are_named():
    defaults = {"archive": ["A"], "favourite": ["F"]}
    assert effective_keymap(defaults, {"archive": []}) == {"archive": [], "favourite": ["F"]}
    problems = keymap_problems({"archive": ["F"], "favourite": ["F"], "fly": ["X"],
                                "undo": ["Ctrl+Shift+Alt+Meta+Nope"]},
                               {"archive", "favourite", "undo"})
    assert "Keys are set for an unknown command 'fly'." in problems
    assert "F is bound to more than one command: archive, favourite." in problems
    assert any("is not a key Reader understands" in problem for problem in problems)
