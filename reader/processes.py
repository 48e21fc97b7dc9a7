"""Worker processes die with the process that started them, even when it is killed (SIGKILL
gives it no chance to stop them).

Call ``die_with_parent()`` first thing in a child. A thread then waits for the parent to go:
on the pipe multiprocessing keeps to every spawned child (it reads end-of-file once the parent
is gone, however it went), else by watching the parent's pid. It ends the child at once.

Why not only Linux's PR_SET_PDEATHSIG: it fires when the *thread* that started the child ends,
not the process, and Reader starts workers from short-lived threads (a pool grows when a
capture thread submits work), which would kill healthy workers. So it is armed only when that
thread is the parent's main thread, where it also covers a child whose own threads cannot run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.5


def die_with_parent(started_on_main_thread: bool = False) -> None:
    """End this process as soon as its parent process ends (within a second)."""
    parent = multiprocessing.parent_process()
    parent_pid = parent.pid if parent is not None else os.getppid()
    if started_on_main_thread and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # gone already, before anything was armed
        os._exit(1)
    sentinel = parent.sentinel if parent is not None else None
    threading.Thread(target=_watch, args=(parent_pid, sentinel), daemon=True,
                     name="die-with-parent").start()


def _watch(parent_pid: int, sentinel) -> None:
    if sentinel is not None:
        multiprocessing.connection.wait([sentinel])  # end-of-file: the parent is gone
    else:
        while os.getppid() == parent_pid:
            time.sleep(_POLL_SECONDS)
    os._exit(1)  # no clean-up to wait for: the work was the parent's, and it is gone
