"""Every path Reader uses, in one place.

platformdirs gives the per-user locations; ``READER_HOME`` (or ``--home`` in the CLI, which sets
it) puts everything under one folder instead, for tests and portable installs.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Reader"
HOME_ENV = "READER_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home()
    return home if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def database_path() -> Path:
    return data_dir() / "library.sqlite3"


def settings_path() -> Path:
    return config_dir() / "settings.json"


def showing_path() -> Path:
    """The note of the article the window is laying out (see ui/showing_marker.py)."""
    return data_dir() / "showing"


def resources_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"
