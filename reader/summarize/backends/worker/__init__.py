"""The local model in a worker process: ``proxy`` is Reader's side (``WorkerModel``), ``process``
starts and watches the child, ``child`` is the loop that runs in it."""

from reader.summarize.backends.worker.process import WorkerBug
from reader.summarize.backends.worker.proxy import WorkerModel

__all__ = ["WorkerBug", "WorkerModel"]
