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


def run_in_background(
    work: Work,
    pool: QThreadPool | None = None,
    *,
    progress: Callable[[Any], None] | None = None,
    succeeded: Callable[[Any], None] | None = None,
    failed: Callable[[str], None] | None = None,
    finished: Callable[[], None] | None = None,
) -> Job:
    """Start ``work(report, cancelled)`` on ``pool`` (default: Qt's global pool), with the
    handlers to call on the UI thread.

    The handlers are connected before the work starts: a signal emitted from the worker finds
    its connections at that moment, so one connected later could miss a quick job's result.
    """
    job = Job()
    _running.add(job)
    for signal, handler in ((job.progress, progress), (job.succeeded, succeeded),
                            (job.failed, failed), (job.finished, finished)):
        if handler is not None:
            signal.connect(handler)
    job.finished.connect(lambda: _running.discard(job))
    (pool or QThreadPool.globalInstance()).start(_Runner(job, work))
    return job
