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
- Streaming: the first pieces are sent over the pipe as soon as llama.cpp writes them, then
  what came in at most every 30 ms (``child.BATCH_SECONDS``), so that Reader's process is not
  woken for every token. Before them, when the caller asks (``reading``), how much of the
  prompt is read: a message before its first batch and after each.
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

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.errors import ModelError
from reader.summarize import gguf, prompt
from reader.summarize.backends.base import ChatModel, Reading
from reader.summarize.backends.threads import physical_cores
from reader.summarize.backends.worker.process import STOP_GRACE, Child, ChildDied, failure

log = logging.getLogger(__name__)

IDLE_UNLOAD_SECONDS = 600.0
# How long a child may take to stop generating once asked to, before it is killed.
CANCEL_GRACE = 2.0
# How often the parent looks at the caller's cancel flag while waiting for the child.
POLL_SECONDS = 0.05


class WorkerModel(ChatModel):
    """A GGUF model run by llama.cpp in a child process; the same interface as ``LocalModel``."""

    takes_tokens = True

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
        self.has_reasoning = prompt.template_reasons(self.metadata)
        self.context_limit = context_limit
        self.threads = threads or physical_cores()
        self._threads_asked = threads  # 0: the child's LocalModel follows the load
        self.options = options
        for name, value in options.items():  # model.reasoning_effort, as LocalModel has it
            setattr(self, name, value)
        self._idle_unload = idle_unload
        self._lock = threading.Lock()  # one request at a time
        self._owner: int | None = None  # the thread holding the lock
        self._child: Child | None = None
        self._ids = itertools.count(1)
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._last_used = time.monotonic()

    # -- the model's interface: LocalModel's, each call answered by the child -------------------

    def count_tokens(self, text: str) -> int:
        return self._call("count_tokens", text)

    def tokenize(self, text: str) -> list[int]:
        return self._call("tokenize", text)

    def build_prompt(self, data: str, instruction: str) -> prompt.Prompt:
        return self._call("build_prompt", data, instruction)

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]:
        return self._stream("stream_chat", (messages, max_tokens), cancelled)

    def stream_tokens(
        self, ids: list[int], max_tokens: int, cancelled: threading.Event | None = None,
        reading: Reading | None = None,
    ) -> Iterator[str]:
        return self._stream("stream_tokens", (ids, max_tokens), cancelled, reading)

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

    def _running_child(self) -> Child:
        child = self._child
        if child is not None and not child.alive():
            log.warning("The model process had stopped (%s); starting it again", child.death())
            self._discard_child()
            child = None
        if child is None:
            try:
                child = self._child = Child.start(
                    self.path, self.context_limit, self._threads_asked, self.options)
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
            except ChildDied as died:
                on_purpose = child.stopped_on_purpose  # closed from another thread
                self._discard_child()
                if on_purpose:
                    raise ModelError("The model was closed before it answered.") from None
                raise ModelError(f"The model stopped: {died.reason}.") from None
        answer, value = message
        if answer in ("error", "bug"):
            raise failure(answer, value)
        return value

    def _stream(self, method: str, args: tuple, cancelled: threading.Event | None,
                reading: Reading | None = None) -> Iterator[str]:
        """The pieces ``LocalModel.method(*args, cancelled)`` yields in the child, as they come;
        with ``reading``, the child tells how much of the prompt it has read (a message a batch
        of 512 tokens)."""
        if _is_set(cancelled):
            return
        with self._turn():
            child = self._running_child()
            request = next(self._ids)
            cancel_sent: float | None = None
            finished = False
            try:
                child.send(("stream", request, method, args, reading is not None))
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
                    elif kind == "reading":
                        if cancel_sent is None and not _is_set(cancelled):
                            reading(*value)
                    elif kind == "done":
                        finished = True
                        return
                    else:
                        finished = True
                        raise failure(kind, value)
            except ChildDied as died:
                finished = True
                on_purpose = child.stopped_on_purpose  # closed from another thread
                self._discard_child()
                if cancel_sent is not None or on_purpose:
                    return  # it was asked to stop, and did
                raise ModelError(f"The model stopped: {died.reason}.") from None
            finally:
                if not finished:  # the caller stopped reading: the child must stop writing
                    self._abandon(child, request, cancel_sent)

    def _abandon(self, child: Child, request: int, cancel_sent: float | None) -> None:
        """Stop a generation nobody reads any more, so the next request starts clean."""
        try:
            if cancel_sent is None:
                child.send(("cancel", request))
            deadline = time.monotonic() + CANCEL_GRACE
            while time.monotonic() < deadline:
                message = child.receive(request, POLL_SECONDS)
                if message is not None and message[0] in ("done", "error", "bug"):
                    return
        except ChildDied:
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


def _is_set(flag: threading.Event | None) -> bool:
    return flag is not None and flag.is_set()
