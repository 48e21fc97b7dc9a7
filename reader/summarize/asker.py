"""One question to the model, in the form its backend takes: tokens we built (local llama.cpp)
or chat messages (a server), read back through the one output parser. Summaries and answers to
questions about an article both ask this way, so the article is data for every backend: as
plain-text tokens (``prompt.build``) or neutralised messages (the remote backend)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from reader.errors import ModelError
from reader.summarize import output, prompt
from reader.summarize.backends.base import ChatModel, Reading

Reasoning = Callable[[str], None]


class Asker:
    """Asks ``model`` on behalf of a task (``what`` it writes: "summary", "answer"); ``reading``
    hears how much of each prompt the model has read, where the backend can tell."""

    def __init__(self, model: ChatModel, cancelled: threading.Event | None,
                 reasoning: Reasoning | None, what: str = "summary",
                 reading: Reading | None = None):
        self.model = model
        self.cancelled = cancelled
        self.on_reasoning = reasoning
        self.what = what
        self.reading = reading
        self.tokens = model.takes_tokens

    @property
    def stopped(self) -> bool:
        return self.cancelled is not None and self.cancelled.is_set()

    def count(self, text: str) -> int:
        return len(self.model.tokenize(text)) if self.tokens else self.model.count_tokens(text)

    def overhead(self, instruction: str) -> int:
        if self.tokens:
            return len(self.model.build_prompt("", instruction).ids)
        # The template's own tokens are unknown over the wire: a generous allowance.
        return self.count(prompt.system_text() + instruction) + 64

    def ask(self, data: str, instruction: str, max_tokens: int) -> Iterator[str]:
        """The final text of the model's answer, in pieces; its reasoning goes aside."""
        if self.stopped:
            return
        if self.tokens:
            built = self.model.build_prompt(data, instruction)
            parser = output.Parser(starts_in_reasoning=built.starts_in_reasoning)
            pieces = self.model.stream_tokens(built.ids, max_tokens, self.cancelled,
                                              reading=self.reading)
        else:
            parser = output.Parser()
            pieces = self.model.stream_chat(prompt.messages(data, instruction), max_tokens,
                                            self.cancelled)
        for event in parser.stream(pieces):
            if event.kind == output.FINAL:
                yield event.text
            elif self.on_reasoning:
                self.on_reasoning(event.text)
        if not parser.final.strip() and not self.stopped:
            if parser.reasoning.strip():
                raise ModelError(f"The model only reasoned and wrote no {self.what} (its answer "
                                 f"may have run out of its {max_tokens} tokens).")
            raise ModelError("The model returned an empty answer.")
