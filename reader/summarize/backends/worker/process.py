"""Starting, talking to and stopping the model's worker process: the parent's end of its pipe."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import types
from contextlib import contextmanager
from pathlib import Path

from reader.errors import ModelError
from reader.summarize.backends.worker.child import serve

log = logging.getLogger(__name__)

# How long a child asked to exit (idle, closing) has before it is killed.
STOP_GRACE = 2.0
STDERR_TAIL_BYTES = 4000


class WorkerBug(RuntimeError):
    """An unexpected exception in the model process: a bug, with the child's traceback."""


def failure(kind: str, value: str) -> Exception:
    if kind == "error":
        return ModelError(value)
    return WorkerBug(f"The model process failed:\n{value}")


class ChildDied(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Child:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process, connection, stderr_path: Path):
        self.process = process
        self.connection = connection
        self.stderr_path = stderr_path
        self.stopped_on_purpose = False  # by stop(): its end is no crash

    @classmethod
    def start(cls, path: Path, context_limit: int, threads: int, options: dict) -> Child:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        handle, stderr_name = tempfile.mkstemp(prefix="reader-model-", suffix=".log")
        os.close(handle)
        process = context.Process(
            target=serve,
            args=(child_end, str(path), context_limit, threads, options, stderr_name),
            name="reader-model",
            daemon=True,  # never outlives Reader
        )
        with _main_module_hidden():
            process.start()
        child_end.close()  # so that the child's death reads as the end of the pipe here
        log.info("Started the model process %d for %s", process.pid, path.name)
        return cls(process, parent_end, Path(stderr_name))

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.is_alive()

    def send(self, message: tuple) -> None:
        try:
            self.connection.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
            raise ChildDied(self.death()) from None

    def receive(self, request: int, timeout: float | None):
        """The next answer to ``request`` as ``(kind, value)``, or None if none came in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                if not self.connection.poll(left):
                    return None
                kind, answered, value = self.connection.recv()
            except (EOFError, ConnectionResetError, OSError):
                raise ChildDied(self.death()) from None
            if kind == "log":
                level, name, text = value
                logging.getLogger(name).log(level, "%s", text)
            elif answered == request:
                return kind, value
            # else: the end of an earlier request (a cancel that crossed its end); dropped

    def reason(self) -> str:
        return _exit_reason(self.process.exitcode)

    def stop(self, kill: bool = False) -> None:
        self.stopped_on_purpose = True
        if self.process.is_alive() and not kill:
            try:
                self.connection.send(("stop", 0))
            except (BrokenPipeError, OSError):
                pass
            self.process.join(STOP_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(STOP_GRACE)
        self.connection.close()
        self.stderr_path.unlink(missing_ok=True)

    def death(self) -> str:
        """Why the process ended (waiting for it to end), with its last words logged."""
        self.process.join(STOP_GRACE)
        if self.process.is_alive():  # closed its pipe but runs on: not to be trusted
            self.process.kill()
            self.process.join(STOP_GRACE)
        reason = self.reason()
        tail = _tail(self.stderr_path)
        if tail:
            log.error("The model process stopped (%s); its last output:\n%s", reason, tail)
        else:
            log.error("The model process stopped (%s)", reason)
        return reason


@contextmanager
def _main_module_hidden():
    """Keep the child from running Reader's main script again while it starts.

    A spawned child imports the parent's ``__main__`` script (as ``__mp_main__``) before it
    calls its target. For ``reader-gui`` that script imports the whole window: 85 MB of Qt and
    a second of start-up in a process that only needs llama.cpp. ``serve`` lives in a module of
    its own, so the child needs nothing from ``__main__``: while the child's start-up data is
    gathered (inside ``Process.start``), ``__main__`` is a blank module, which multiprocessing
    skips.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            return f"killed by signal {number}"
        reason = f"killed by signal {number} ({name})"
        if number == signal.SIGKILL:
            reason += ", perhaps because the computer ran out of memory"
        return reason
    return f"it exited with status {exitcode}"


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - STDERR_TAIL_BYTES))
            return file.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
