"""Logging: a file in the log dir for everything, and the last lines in memory for the crash
dialog, so a user can send what happened without hunting for files."""

from __future__ import annotations

import collections
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from reader import paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
VERBOSE_ENV = "READER_VERBOSE"  # set by ``reader --verbose``: worker processes log to stderr too


class TailHandler(logging.Handler):
    """Keeps the last ``size`` formatted records."""

    def __init__(self, size: int = 200):
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=size)
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


def log_file() -> Path:
    return paths.log_dir() / "reader.log"


def setup_logging(level: int = logging.INFO) -> TailHandler:
    """Send all logging to the log file (rotated) and the in-memory tail; returns the tail."""
    root = logging.getLogger()
    root.setLevel(level)
    tail = TailHandler()
    root.addHandler(tail)
    try:
        log_file().parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("No log file (%s); logging to memory only", error)
    else:
        to_file.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(to_file)
    return tail


def setup_worker_logging() -> None:
    """In a worker process: warnings to the log file (appended; the main process rotates it),
    and to stderr only under ``reader --verbose``. Unconfigured, Python would print every
    library warning ("empty link") on the user's terminal."""
    from reader.terminal import PlainTextStream

    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    try:
        log_file().parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(log_file(), encoding="utf-8")
    except OSError:
        root.addHandler(logging.NullHandler())
    else:
        to_file.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(to_file)
    if os.environ.get(VERBOSE_ENV):  # page text is in these messages: no terminal control
        root.addHandler(logging.StreamHandler(PlainTextStream(sys.stderr)))


def setup_cli_logging(verbose: bool) -> None:
    """The ``reader`` command logs to the file, not the terminal: libraries (trafilatura) warn
    about every odd page. ``--verbose`` shows the log on stderr too, workers' included."""
    setup_logging(logging.INFO)
    if verbose:
        os.environ[VERBOSE_ENV] = "1"  # read by worker processes as they start
        to_terminal = logging.StreamHandler(sys.stderr)
        to_terminal.setFormatter(logging.Formatter("reader: %(levelname)s: %(message)s"))
        logging.getLogger().addHandler(to_terminal)
