"""The local model in a worker process, so that a crash in native code cannot take Reader down.

llama.cpp is C++: a bad model file, a bug or the computer running out of memory can end the
process it runs in with a signal, and no ``try`` catches that. ``WorkerModel`` has
``LocalModel``'s interface (``count_tokens``, ``tokenize``, ``build_prompt``, ``stream_chat``,
``stream_tokens``), but the ``LocalModel`` that answers lives in a child process, started with the
``spawn`` method (no forked copy of the window's threads and Qt state). A crash there is reported
as ``ModelError("The model stopped: killed by signal 11 (SIGSEGV).")`` and the next request starts
a fresh child.

- The model is loaded in the child on the first request and kept warm; after ``idle_unload``
  seconds without a request the child exits, giving its memory back, and the next request starts
  it again (and waits for the load).
- One request at a time: requests from several threads wait their turn.
- Streaming: each piece is sent over a pipe as soon as llama.cpp writes it.
- Cancelling (the caller's ``threading.Event``) sends a cancel message, which the child reads
  between tokens; a child that does not answer within ``CANCEL_GRACE`` seconds (busy reading a
  long prompt, or hung) is killed.
- Token counts go through the child too. Measured with the tiny model: a round trip on the pipe
  costs about 0.13 ms, while tokenizing 4 KB of text costs 1.6 ms either way; a vocabulary-only
  llama.cpp in the window's process would save nothing worth having and bring llama.cpp back
  into it (25 MB, and 1.7 s to import it the first time).
- ``ModelError`` in the child comes back with the same message. Any other exception there is a
  bug: it is raised here as ``WorkerBug`` with the child's traceback, and the child lives on.
  A missing or non-GGUF file is refused here, before any child starts, by the same check
  ``LocalModel`` makes.
- What the child logs arrives in this process's logging, under the same logger names; what it
  writes to stderr (llama.cpp's own messages, a Python stack if it crashes) is kept in a
  temporary file and logged when it crashes.
"""

from __future__ import annotations

import faulthandler
import itertools
import logging
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.errors import ModelError
from reader.summarize import gguf
from reader.summarize.local import LocalModel, physical_cores

log = logging.getLogger(__name__)

IDLE_UNLOAD_SECONDS = 600.0
# How long a child may take to stop generating once asked to, before it is killed.
CANCEL_GRACE = 2.0
# How often the parent looks at the caller's cancel flag while waiting for the child.
POLL_SECONDS = 0.05
# How long a child asked to exit (idle, closing) has before it is killed.
STOP_GRACE = 2.0
STDERR_TAIL_BYTES = 4000


class WorkerModel:
    """A GGUF model run by llama.cpp in a child process; the same interface as ``LocalModel``."""

    def __init__(
        self,
        path: Path,
        context_limit: int = 8192,
        threads: int = 0,
        idle_unload: float | None = IDLE_UNLOAD_SECONDS,
        metadata: dict[str, object] | None = None,
        **options,
    ):
        """``options`` go to the ``LocalModel`` in the child (``reasoning_effort="low"``);
        ``metadata``: the GGUF header, when the caller has read it already."""
        self.path = Path(path)
        self.name = self.path.name
        # Read now, so a missing or broken file fails here, before any process starts.
        self.metadata = gguf.read_metadata(self.path) if metadata is None else metadata
        trained = gguf.trained_context(self.metadata) or context_limit
        self.context_size = min(trained, context_limit)  # as LocalModel decides it
        self.context_limit = context_limit
        self.threads = threads or physical_cores()
        self.options = options
        for name, value in options.items():  # model.reasoning_effort, as LocalModel has it
            setattr(self, name, value)
        self._idle_unload = idle_unload
        self._lock = threading.Lock()  # one request at a time
        self._owner: int | None = None  # the thread holding the lock
        self._child: _Child | None = None
        self._ids = itertools.count(1)
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._last_used = time.monotonic()

    # -- the model's interface: LocalModel's, each call answered by the child -------------------

    def count_tokens(self, text: str) -> int:
        return self._call("count_tokens", text)

    def tokenize(self, text: str) -> list[int]:
        return self._call("tokenize", text)

    def build_prompt(self, data: str, instruction: str):
        return self._call("build_prompt", data, instruction)

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]:
        """The model's answer to ``messages``, as text pieces while the child generates them."""
        return self._stream("stream_chat", (messages, max_tokens), cancelled)

    def stream_tokens(
        self, ids: list[int], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]:
        """The model's continuation of the prompt ``ids``, as text pieces."""
        return self._stream("stream_tokens", (ids, max_tokens), cancelled)

    # -- the worker's life ----------------------------------------------------------------------

    @property
    def idle_unload(self) -> float | None:
        """Seconds without a request after which the child exits; None: it stays."""
        return self._idle_unload

    @idle_unload.setter
    def idle_unload(self, seconds: float | None) -> None:
        self._idle_unload = seconds
        self._arm_idle_timer()

    @property
    def pid(self) -> int | None:
        """The child's process id while one runs (for tests and diagnostics)."""
        child = self._child
        return child.pid if child is not None and child.alive() else None

    def close(self) -> None:
        """Stop the child now (the next request starts a new one)."""
        self._cancel_idle_timer()
        if self._lock.acquire(timeout=STOP_GRACE):
            try:
                self._discard_child()
            finally:
                self._lock.release()
        else:  # a request is running: end it the hard way
            self._discard_child(kill=True)

    def __enter__(self) -> WorkerModel:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- inside -----------------------------------------------------------------------------------

    @contextmanager
    def _turn(self):
        if self._owner == threading.get_ident():
            raise RuntimeError("This thread is still reading an answer from the model; finish or "
                               "close that stream before asking the model something else.")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None
                self._last_used = time.monotonic()
                if self._child is not None:
                    self._arm_idle_timer(restart=False)

    def _running_child(self) -> _Child:
        child = self._child
        if child is not None and not child.alive():
            log.warning("The model process had stopped (%s); starting it again", child.death())
            self._discard_child()
            child = None
        if child is None:
            try:
                child = self._child = _Child.start(
                    self.path, self.context_limit, self.threads, self.options)
            except OSError as error:  # no memory or processes left to start one
                raise ModelError(f"Reader could not start the model process: {error}") from error
        return child

    def _call(self, method: str, *args):
        """``LocalModel.method(*args)`` in the child, and what it returns."""
        with self._turn():
            child = self._running_child()
            request = next(self._ids)
            try:
                child.send(("call", request, method, args))
                message = None
                while message is None:
                    message = child.receive(request, None)
            except _ChildDied as died:
                on_purpose = child.stopped_on_purpose  # closed from another thread
                self._discard_child()
                if on_purpose:
                    raise ModelError("The model was closed before it answered.") from None
                raise ModelError(f"The model stopped: {died.reason}.") from None
        answer, value = message
        if answer in ("error", "bug"):
            raise _failure(answer, value)
        return value

    def _stream(self, method: str, args: tuple, cancelled: threading.Event | None) -> Iterator[str]:
        """The pieces ``LocalModel.method(*args, cancelled)`` yields in the child, as they come."""
        if _is_set(cancelled):
            return
        with self._turn():
            child = self._running_child()
            request = next(self._ids)
            cancel_sent: float | None = None
            finished = False
            try:
                child.send(("stream", request, method, args))
                while True:
                    if cancel_sent is None and _is_set(cancelled):
                        child.send(("cancel", request))
                        cancel_sent = time.monotonic()
                    if cancel_sent is not None and time.monotonic() - cancel_sent > CANCEL_GRACE:
                        log.warning("The model did not stop within %g s of being asked; killing it",
                                    CANCEL_GRACE)
                        finished = True
                        self._discard_child(kill=True)
                        return
                    message = child.receive(request, POLL_SECONDS)
                    if message is None:
                        continue
                    kind, value = message
                    if kind == "piece":
                        # Checked here too: nothing is handed on once the caller has cancelled.
                        if cancel_sent is None and not _is_set(cancelled):
                            yield value
                    elif kind == "done":
                        finished = True
                        return
                    else:
                        finished = True
                        raise _failure(kind, value)
            except _ChildDied as died:
                finished = True
                on_purpose = child.stopped_on_purpose  # closed from another thread
                self._discard_child()
                if cancel_sent is not None or on_purpose:
                    return  # it was asked to stop, and did
                raise ModelError(f"The model stopped: {died.reason}.") from None
            finally:
                if not finished:  # the caller stopped reading: the child must stop writing
                    self._abandon(child, request, cancel_sent)

    def _abandon(self, child: _Child, request: int, cancel_sent: float | None) -> None:
        """Stop a generation nobody reads any more, so the next request starts clean."""
        try:
            if cancel_sent is None:
                child.send(("cancel", request))
            deadline = time.monotonic() + CANCEL_GRACE
            while time.monotonic() < deadline:
                message = child.receive(request, POLL_SECONDS)
                if message is not None and message[0] in ("done", "error", "bug"):
                    return
        except _ChildDied:
            pass
        self._discard_child(kill=True)

    def _discard_child(self, kill: bool = False) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.stop(kill=kill)

    def _arm_idle_timer(self, restart: bool = True, delay: float | None = None) -> None:
        """Make sure a timer will look at the child once it may have been idle long enough.

        One timer per idle period, not one per request: when it fires early (the model was
        used meanwhile) it sets itself again for the time left.
        """
        with self._timer_lock:
            if self._timer is not None:
                if not restart:
                    return
                self._timer.cancel()
                self._timer = None
            if self._idle_unload is None or self._child is None:
                return
            seconds = self._idle_unload if delay is None else delay
            timer = threading.Timer(seconds, self._unload_if_idle)
            timer.daemon = True
            timer.name = "reader-model-idle"
            self._timer = timer
            timer.start()

    def _cancel_idle_timer(self) -> None:
        with self._timer_lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _unload_if_idle(self) -> None:
        with self._timer_lock:
            if self._timer is not threading.current_thread():
                return  # replaced or cancelled meanwhile
            self._timer = None
        if not self._lock.acquire(blocking=False):
            return  # busy: the request's end sets a timer again
        try:
            if self._child is None or self._idle_unload is None:
                return
            left = self._idle_unload - (time.monotonic() - self._last_used)
            if left > 0.01:
                self._arm_idle_timer(delay=left)
                return
            log.info("Unloading %s after %g s unused", self.name, self._idle_unload)
            self._discard_child()
        finally:
            self._lock.release()


class WorkerBug(RuntimeError):
    """An unexpected exception in the model process: a bug, with the child's traceback."""


def _failure(kind: str, value: str) -> Exception:
    if kind == "error":
        return ModelError(value)
    return WorkerBug(f"The model process failed:\n{value}")


class _ChildDied(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Child:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process, connection, stderr_path: Path):
        self.process = process
        self.connection = connection
        self.stderr_path = stderr_path
        self.stopped_on_purpose = False  # by stop(): its end is no crash

    @classmethod
    def start(cls, path: Path, context_limit: int, threads: int, options: dict) -> _Child:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        handle, stderr_name = tempfile.mkstemp(prefix="reader-model-", suffix=".log")
        os.close(handle)
        process = context.Process(
            target=_serve,
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
            raise _ChildDied(self.death()) from None

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
                raise _ChildDied(self.death()) from None
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
    a second of start-up in a process that only needs llama.cpp. ``_serve`` lives in this module,
    so the child needs nothing from ``__main__``: while the child's start-up data is gathered
    (inside ``Process.start``), ``__main__`` is a blank module, which multiprocessing skips.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _is_set(flag: threading.Event | None) -> bool:
    return flag is not None and flag.is_set()


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


# -- the child's side ----------------------------------------------------------------------------


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


def _serve(connection, path: str, context_limit: int, threads: int, options: dict,
           stderr_path: str) -> None:
    """The child process: load the model on first use, then answer requests until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for Reader to handle
    _redirect_stderr(stderr_path)
    faulthandler.enable()  # a crash writes the Python stack to stderr, for the log
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(connection)]
    root.setLevel(logging.INFO)

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
                method, call_args = args
                cancelled = _CancelFlag(connection, request)
                for piece in getattr(model, method)(*call_args, cancelled):
                    connection.send(("piece", request, piece))
                connection.send(("done", request, None))
            else:
                raise ValueError(f"unknown request {kind!r}")
        except ModelError as error:
            connection.send(("error", request, str(error)))
        except (BrokenPipeError, EOFError):  # Reader has gone: so does the child
            raise
        except Exception:  # a bug: raised in Reader with its traceback; the child lives on
            connection.send(("bug", request, traceback.format_exc()))


def _redirect_stderr(path: str) -> None:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    os.dup2(handle, 2)
    os.close(handle)
