"""The worker process's side: load the model on first use, answer requests until told to stop,
and end when Reader does."""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ModelError
from reader.processes import die_with_parent

if TYPE_CHECKING:
    from reader.summarize.backends.local import LocalModel

# Pieces of an answer are sent together, at most this often, after the first FIRST_PIECES.
BATCH_SECONDS = 0.03
FIRST_PIECES = 8


class _ParentGone(BaseException):
    """Reader closed its end of the pipe (it exited or crashed): the child ends too."""


class _CancelFlag:
    """What ``LocalModel.stream_chat`` checks between tokens: a cancel message on the pipe."""

    def __init__(self, connection, request: int):
        self._connection = connection
        self._request = request
        self._set = False

    def is_set(self) -> bool:
        while not self._set and self._connection.poll():
            try:
                kind, request, *_ = self._connection.recv()
            except EOFError:
                raise _ParentGone from None
            if kind == "stop":
                raise _ParentGone
            if kind == "cancel" and request == self._request:
                self._set = True
        return self._set


class _PipeLogHandler(logging.Handler):
    def __init__(self, connection):
        super().__init__(logging.INFO)
        self._connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._connection.send(("log", 0, (record.levelno, record.name, self.format(record))))
        except Exception:  # logging must never end the worker
            pass


def serve(connection, path: str, context_limit: int, threads: int, options: dict,
           stderr_path: str) -> None:
    """The child process: load the model on first use, then answer requests until told to stop."""
    die_with_parent()  # even while the model computes, reading no pipe
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for Reader to handle
    _redirect_stderr(stderr_path)
    faulthandler.enable()  # a crash writes the Python stack to stderr, for the log
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(connection)]
    root.setLevel(logging.INFO)

    # Here, not at the top: the parent imports this module to name the child's function, and
    # llama_cpp (numpy, jinja2) there would hold the window's interpreter lock ~100 ms.
    from reader.summarize.backends.local import LocalModel

    model: LocalModel | None = None
    failure: tuple[str, str] | None = None  # what every request is answered with, if no model
    try:
        model = LocalModel(Path(path), context_limit, threads, **options)
    except ModelError as error:  # the file went away since the parent looked at it
        failure = ("error", str(error))
    except Exception:
        failure = ("bug", traceback.format_exc())
    try:
        _answer_requests(connection, model, failure)
    except (_ParentGone, EOFError, OSError):  # Reader has gone: so does its model
        return


def _answer_requests(connection, model: LocalModel | None, failure: tuple[str, str] | None) -> None:
    while True:
        kind, request, *args = connection.recv()
        if kind == "stop":
            return
        if kind == "cancel":  # for a request that has ended already
            continue
        if model is None:
            connection.send((failure[0], request, failure[1]))
            continue
        try:
            if kind == "call":
                method, call_args = args
                connection.send(("result", request, getattr(model, method)(*call_args)))
            elif kind == "stream":
                method, call_args, tells_reading = args
                cancelled = _CancelFlag(connection, request)
                told = {"reading": _reading_sender(connection, request)} if tells_reading else {}
                _send_in_batches(connection, request,
                                 getattr(model, method)(*call_args, cancelled, **told))
                connection.send(("done", request, None))
            else:
                raise ValueError(f"unknown request {kind!r}")
        except ModelError as error:
            connection.send(("error", request, str(error)))
        except (BrokenPipeError, EOFError):  # Reader has gone: so does the child
            raise
        except Exception:  # a bug: raised in Reader with its traceback; the child lives on
            connection.send(("bug", request, traceback.format_exc()))


def _reading_sender(connection, request: int):
    """``reading(done, total)`` for a stream: it tells Reader how much of the prompt is read."""
    return lambda done, total: connection.send(("reading", request, (done, total)))


def _send_in_batches(connection, request: int, pieces) -> None:
    """Send the first pieces as they come (the output parser waits for the first words before it
    shows anything), then what came in at most every ``BATCH_SECONDS``: each message wakes Reader's
    process, which on a busy machine takes a core from the model's threads."""
    waiting: list[str] = []
    sent_at = 0.0
    for count, piece in enumerate(pieces):
        waiting.append(piece)
        now = time.monotonic()
        if count < FIRST_PIECES or now - sent_at >= BATCH_SECONDS:
            connection.send(("piece", request, "".join(waiting)))
            waiting.clear()
            sent_at = now
    if waiting:
        connection.send(("piece", request, "".join(waiting)))


def _redirect_stderr(path: str) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    os.dup2(handle, 2)
    os.close(handle)
