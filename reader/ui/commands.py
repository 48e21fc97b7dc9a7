"""Named commands and their keys.

Each command is registered once (id, title, handler, menu). Its keys come from data: the
defaults in resources/keymap.json, then the user's overrides in the settings. Menus, the command
palette, the cheat sheet and the settings dialog are all built from this one registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from reader import paths


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    handler: Callable[[], None]
    menu: str  # which menu shows it


def default_keymap(path: Path | None = None) -> dict[str, list[str]]:
    """Command id -> key sequences, from the default keymap file."""
    path = path or paths.resources_dir() / "keymap.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: list(keys) for name, keys in data.items() if not name.startswith("_")}


def effective_keymap(defaults: dict[str, list[str]], overrides: dict[str, list[str]]) -> dict[str, list[str]]:
    """The defaults with the user's overrides applied (an empty list unbinds a command)."""
    return {**defaults, **overrides}


def normalised(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


def keymap_problems(keymap: dict[str, list[str]], command_ids: set[str]) -> list[str]:
    """What is wrong with a keymap, in words: keys bound twice, unknown commands, bad keys."""
    problems = []
    owners: dict[str, list[str]] = {}
    for command_id, keys in keymap.items():
        if command_id not in command_ids:
            problems.append(f"Keys are set for an unknown command {command_id!r}.")
            continue
        for key in keys:
            if not normalised(key):
                problems.append(f"{key!r} (for {command_id}) is not a key Reader understands.")
                continue
            owners.setdefault(normalised(key), []).append(command_id)
    for key, commands in owners.items():
        if len(commands) > 1:
            problems.append(f"{key} is bound to more than one command: {', '.join(commands)}.")
    return problems


def install_commands(
    window: QWidget, commands: list[Command], keymap: dict[str, list[str]]
) -> dict[str, QAction]:
    """One QAction per command on ``window``, with its keys; returns them by id."""
    actions: dict[str, QAction] = {}
    for command in commands:
        action = QAction(command.title, window)
        action.setObjectName(command.id)
        action.triggered.connect(command.handler)
        window.addAction(action)
        actions[command.id] = action
    apply_keymap(actions, keymap)
    return actions


def apply_keymap(actions: dict[str, QAction], keymap: dict[str, list[str]]) -> None:
    for command_id, action in actions.items():
        action.setShortcuts([QKeySequence(key) for key in keymap.get(command_id, [])])


def key_text(action: QAction) -> str:
    """The action's keys as the user reads them (native names, e.g. Ctrl+K)."""
    return ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()
    )
