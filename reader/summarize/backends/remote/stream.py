"""Reading a server's answer as it arrives: the lines of its event stream (or one JSON answer)
into pieces of text, and whether the answer came whole.

The answer's text is handed on as the model wrote it, for ``output.Parser`` to read (a
``<think>`` block or harmony channels in it included): one parser for every backend. Reasoning
the server has already told apart (``delta.reasoning_content`` from llama.cpp with ``--jinja``,
vLLM and LM Studio, ``delta.reasoning`` from Ollama) is handed on as a reasoning ``Event``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from reader.errors import ModelError
from reader.summarize.backends.base import Piece
from reader.summarize.backends.remote.errors import failed_while_answering, parse_or_text, web_page
from reader.summarize.output import REASONING, Event


class Answer:
    """The pieces of one answer: turns chunks into pieces and knows whether it is complete."""

    def __init__(self, root: str, max_tokens: int):
        self.root = root
        self.max_tokens = max_tokens
        self.started = False  # a chunk arrived
        self.done = False  # the end marker arrived
        self.finish_reason: str | None = None
        self.wrote = False  # some answer text, not only whitespace
        self.reasoned = False
        self._pieces: list[Piece] = []

    def take_line(self, line: str) -> bool:
        """Read one line of the event stream; True at its end marker."""
        if not line or line.startswith(":"):  # event separator, comment (keep-alive ping)
            return False
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            if value.strip() == "[DONE]":
                self.done = True
                return True
            self.take_chunk(parse(value))
        elif field == "error":  # llama.cpp reports a failure during generation this way
            raise failed_while_answering(parse_or_text(value))
        elif field in ("event", "id", "retry"):
            pass
        elif line.lstrip().startswith("<"):
            raise web_page(self.root)
        else:
            raise ModelError(f"The model server at {self.root} sent something that is not an "
                             f"event stream: {line[:80]!r}")
        return False

    def take_chunk(self, chunk: object) -> None:
        self.started = True
        choice = self._choice(chunk, "delta")
        if choice is not None:
            delta, self.finish_reason = choice
            self._take(delta)

    def take_whole(self, completion: object) -> None:
        """A server that ignored ``stream: true`` answers with one completion object."""
        choice = self._choice(completion, "message")
        if choice is not None:
            message, self.finish_reason = choice
            self._take(message)
        self.started = self.done = True

    def _choice(self, chunk: object, key: str) -> tuple[dict, str | None] | None:
        if isinstance(chunk, dict) and chunk.get("error"):
            raise failed_while_answering(chunk)
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if not isinstance(choices, list):
            raise ModelError("The model server sent a malformed answer (a chunk without "
                             f"choices): {json.dumps(chunk)[:80]}")
        if not choices:  # the usage summary some servers send last
            return None
        choice = choices[0]
        part = choice.get(key) if isinstance(choice, dict) else None
        if not isinstance(choice, dict) or not isinstance(part, dict | None):
            raise ModelError(f"The model server sent a malformed answer: {json.dumps(choice)[:80]}")
        return part or {}, choice.get("finish_reason") or self.finish_reason

    def _take(self, part: dict) -> None:
        reasoning = part.get("reasoning_content") or part.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            self.reasoned = True
            self._pieces.append(Event(REASONING, reasoning))
        content = part.get("content")
        if isinstance(content, str) and content:
            self.wrote = self.wrote or bool(content.strip())
            self._pieces.append(content)

    def drain(self) -> Iterator[Piece]:
        """The pieces taken since the last drain."""
        pieces, self._pieces = self._pieces, []
        return iter(pieces)

    def check(self) -> None:
        """Raise if the stream ended early or held no answer."""
        if not (self.done or self.finish_reason):
            raise ModelError(
                f"The model server at {self.root} stopped in the middle of the answer (the "
                "stream ended without its end marker). A prompt longer than the server's "
                "context can do this: try a smaller context limit in the settings. The server's "
                "log may say more."
            )
        if self.wrote:
            return
        if self.reasoned and self.finish_reason == "length":
            raise ModelError(f"The model spent all {self.max_tokens} tokens of its answer "
                             "reasoning and wrote no summary.")
        raise ModelError("The model returned an empty answer.")


def parse(data: str | bytes) -> object:
    """One JSON value of the answer; anything else is a clear error."""
    try:
        return json.loads(data)
    except ValueError:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        raise ModelError(f"The model server sent something that is not JSON in its answer: "
                         f"{text[:80]!r}") from None
