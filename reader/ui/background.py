"""The one way long work leaves the UI thread.

``run_in_background`` runs a function on a thread pool and reports back on the UI thread through
a ``Job``'s signals; widgets are only ever touched by those signal handlers. The function gets a
``report`` callable for progress (streamed tokens, counts) and a ``cancelled`` event to watch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reader.errors import UserError

log = logging.getLogger(__name__)

Work = Callable[[Callable[[Any], None], threading.Event], Any]


class Job(QObject):
    progress = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)  # a message for the user
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()


class _Runner(QRunnable):
    def __init__(self, job: Job, work: Work):
        super().__init__()
        self.job = job
        self.work = work

    def run(self) -> None:
        job = self.job
        try:
            result = self.work(job.progress.emit, job.cancelled)
        except UserError as error:
            job.failed.emit(str(error))
        except Exception as error:  # a bug: log it whole, tell the user it happened
            log.exception("Background job failed")
            job.failed.emit(f"Something went wrong: {error!r}. Details are in the log.")
        else:
            job.succeeded.emit(result)
        finally:
            job.finished.emit()


_running: set[Job] = set()  # jobs stay alive until they finish, whoever started them


def run_in_background(work: Work, pool: QThreadPool | None = None) -> Job:
    """Start ``work(report, cancelled)`` on ``pool`` (default: Qt's global pool).

    Connect to the returned job's signals right away: they are delivered through the event loop,
    so none can arrive before the caller returns to it.
    """
    job = Job()
    _running.add(job)
    job.finished.connect(lambda: _running.discard(job))
    (pool or QThreadPool.globalInstance()).start(_Runner(job, work))
    return job
