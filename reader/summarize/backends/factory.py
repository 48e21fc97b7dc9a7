"""Which model writes summaries: the one backend factory, shared by the CLI and the window."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize.backends.base import ChatModel
from reader.summarize.models import chosen_model_path

log = logging.getLogger(__name__)


def model_name(settings: Settings) -> str:
    """The name summaries by the chosen model are stored under, without loading it."""
    if settings.backend == "server":
        return settings.server_model
    return chosen_model_path(settings).name


def open_model(settings: Settings, model: str | None = None, endpoint: str | None = None,
               warn: Callable[[str], None] = log.warning) -> ChatModel:
    """The model the settings choose; ``endpoint`` (a server) and ``model`` (a GGUF file, or with
    a server the model's name) override them, as the command line's flags do.

    A local model runs in a worker process (a crash in native code can't take Reader down),
    with the largest context that fits the memory there is; if even that does not fit, ``warn``
    says so before loading is tried.
    """
    # Here, not at the top: the backends import httpx and llama_cpp (numpy, jinja2) and the
    # memory probe psutil, which ``model_name`` (asked on the UI thread before every summary)
    # and the window's first paint do not need.
    if endpoint or settings.backend == "server":
        from reader.summarize.backends.remote import RemoteModel

        url = endpoint or settings.server_url
        name = model or settings.server_model
        if not url:
            raise ModelError("No model server is set: give its address in Settings → Model "
                             "(or --endpoint URL).")
        if not name:
            raise ModelError("Name the model the server should use in Settings → Model "
                             "(or --model NAME).")
        return RemoteModel(url, name, settings.server_api_key or None,
                           context_limit=settings.context_limit,
                           allow_plain_http_key=settings.server_allow_plain_http_key)
    from reader.summarize import gguf, memory
    from reader.summarize.backends.worker import WorkerModel

    path = chosen_model_path(settings, model)
    metadata = gguf.read_metadata(path)
    context = memory.choose_context(metadata, memory.available_memory(), settings.context_limit,
                                    file_size=path.stat().st_size)
    fit = memory.check(path, context, metadata=metadata)
    if fit.warning:
        warn(fit.warning)
    return WorkerModel(path, context, settings.threads,
                       idle_unload=settings.model_idle_minutes * 60 or None, metadata=metadata,
                       reasoning_effort=settings.reasoning_effort)
