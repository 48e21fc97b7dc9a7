"""Named commands and their keys. The keys are data (resources/keymap.json); menus are built
from the same registry, so a command has one title and one set of keys everywhere."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from reader import paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    id: str
    title: str
    handler: Callable[[], None]
    menu: str  # which menu shows it


def load_keymap(path: Path | None = None) -> dict[str, list[str]]:
    """Command id -> key sequences, from the default keymap file."""
    path = path or paths.resources_dir() / "keymap.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: list(keys) for name, keys in data.items() if not name.startswith("_")}


def install_commands(
    window: QWidget, commands: list[Command], keymap: dict[str, list[str]]
) -> dict[str, QAction]:
    """One QAction per command on ``window``, with its keys; returns them by id."""
    actions: dict[str, QAction] = {}
    for command in commands:
        action = QAction(command.title, window)
        action.setObjectName(command.id)
        action.setShortcuts([QKeySequence(key) for key in keymap.get(command.id, [])])
        action.triggered.connect(command.handler)
        window.addAction(action)
        actions[command.id] = action
    for unknown in keymap.keys() - actions.keys():
        log.warning("Keymap names an unknown command %r", unknown)
    return actions
