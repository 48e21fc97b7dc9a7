"""Logging: a file in the log dir for everything, and the last lines in memory for the crash
dialog, so a user can send what happened without hunting for files."""

from __future__ import annotations

import collections
import logging
import logging.handlers
from pathlib import Path

from reader import paths

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
