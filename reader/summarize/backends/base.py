"""The interface every model backend offers, with its capabilities said outright.

Three backends implement it: the local llama.cpp model (``local.LocalModel``), the same model in
a worker process (``worker.WorkerModel``) and a model behind an OpenAI-compatible server
(``remote.RemoteModel``); tests add fakes. The summarizer asks the flags, never ``hasattr``.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator

from reader.summarize import prompt
from reader.summarize.output import Event

# What a backend streams: text as the model wrote it, read by ``output.Parser`` (which tells the
# summary from any reasoning in it), or an ``Event`` for reasoning the backend has already told
# apart (a server's ``reasoning_content``).
Piece = str | Event
# (tokens of the prompt read, tokens it has to read): told before the model's first token, which
# with a big model on a laptop's cores can be a minute away
Reading = Callable[[int, int], None]


class ChatModel(ABC):
    """A model that writes summaries.

    Capabilities:

    - ``takes_tokens``: the backend builds its own prompt as tokens (``build_prompt``,
      ``tokenize``, ``stream_tokens``), so an article's text is tokenised as text and special
      tokens written in it cannot end the prompt or open a turn. Otherwise it takes chat
      messages (``stream_chat``) and must keep an article's special-token look-alikes inert itself.
    - ``has_reasoning``: the model thinks before it answers; summaries leave room for that.
    - ``context_size``: the tokens one request may hold, prompt and answer together.
    """

    name: str
    context_size: int
    takes_tokens: bool = False
    has_reasoning: bool = False

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` as the model reads it (an estimate where the backend can't count)."""

    @abstractmethod
    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[Piece]:
        """The model's answer to chat ``messages``, in pieces while it is written; setting
        ``cancelled`` ends it quietly."""

    # Only for backends that take tokens.

    def tokenize(self, text: str) -> list[int]:
        """``text`` as the model's tokens, read as text: special tokens in it stay words."""
        raise NotImplementedError(f"{type(self).__name__} takes no tokens")

    def build_prompt(self, data: str, instruction: str) -> prompt.Prompt:
        """The tokens asking the model to follow ``instruction`` on ``data``."""
        raise NotImplementedError(f"{type(self).__name__} takes no tokens")

    def stream_tokens(
        self, ids: list[int], max_tokens: int, cancelled: threading.Event | None = None,
        reading: Reading | None = None,
    ) -> Iterator[str]:
        """The model's continuation of the prompt ``ids``, as text pieces; ``reading`` hears how
        much of the prompt is read, before its first piece."""
        raise NotImplementedError(f"{type(self).__name__} takes no tokens")

    def close(self) -> None:
        """Give back what the model holds (a process, connections); the next use starts again."""
