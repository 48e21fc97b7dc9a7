"""Window geometry and splitter sizes, kept apart from the settings (they are not choices a
user makes in a dialog) in the config dir."""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow, QSplitter

from reader import paths
from reader.files import write_atomically

log = logging.getLogger(__name__)


def _path():
    return paths.config_dir() / "window.json"


def save(window: QMainWindow, splitters: dict[str, QSplitter], extra: dict) -> None:
    state = {
        "geometry": bytes(window.saveGeometry().toBase64()).decode(),
        "splitters": {name: s.sizes() for name, s in splitters.items()},
        **extra,
    }
    try:
        write_atomically(_path(), json.dumps(state, indent=2))
    except OSError as error:
        log.warning("Could not save the window's state: %s", error)


def restore(window: QMainWindow, splitters: dict[str, QSplitter]) -> dict:
    """Put the window back as it was; returns the rest of what was saved (empty if nothing)."""
    try:
        state = json.loads(_path().read_text(encoding="utf-8"))
        window.restoreGeometry(QByteArray.fromBase64(state.pop("geometry").encode()))
        for name, sizes in state.pop("splitters", {}).items():
            if name in splitters and all(isinstance(size, int) for size in sizes):
                splitters[name].setSizes(sizes)
        return state
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        log.warning("Ignoring the saved window state: %s", error)
        return {}
