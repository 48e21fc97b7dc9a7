"""Which model writes summaries: the one backend choice shared by the CLI and the window."""

from __future__ import annotations

from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize.local import LocalModel
from reader.summarize.models import chosen_model_path
from reader.summarize.remote import RemoteModel
from reader.summarize.summarizer import ChatModel


def open_model(settings: Settings, model: str | None = None,
               endpoint: str | None = None) -> ChatModel:
    """The model the settings choose; ``endpoint`` (a server) and ``model`` (a GGUF file, or with
    a server the model's name) override them, as the command line's flags do."""
    if endpoint or settings.backend == "server":
        url = endpoint or settings.server_url
        name = model or settings.server_model
        if not url:
            raise ModelError("No model server is set: give its address in Settings → Model "
                             "(or --endpoint URL).")
        if not name:
            raise ModelError("Name the model the server should use in Settings → Model "
                             "(or --model NAME).")
        return RemoteModel(url, name, settings.server_api_key or None,
                           context_limit=settings.context_limit)
    return LocalModel(chosen_model_path(settings, model), settings.context_limit, settings.threads,
                      settings.reasoning_effort)
