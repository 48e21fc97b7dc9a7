"""Summarising an article: the prompt, fitting it into the model's context, storing the result."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Protocol

from reader.errors import ModelError
from reader.library import Article, Library

PROMPT_VERSION = "1"
ANSWER_TOKENS = 320
# The system message, the instruction and the chat template's own tokens.
PROMPT_OVERHEAD_TOKENS = 160
SYSTEM = "You are a careful assistant who writes short, faithful summaries of articles."
INSTRUCTION = (
    "Summarise the following article in three or four sentences. "
    "Say what it is about and its main points. Write only the summary."
)


class ChatModel(Protocol):
    name: str
    context_size: int

    def count_tokens(self, text: str) -> int: ...

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]: ...


def summarize(
    article: Article, model: ChatModel, cancelled: threading.Event | None = None
) -> Iterator[str]:
    """The summary of ``article`` as text pieces, streamed while the model writes them."""
    if not article.text.strip():
        raise ModelError("This article has no text to summarise.")
    body, fraction = _fit(article.text, model)
    if fraction < 1:
        # Said in the summary itself, so nobody takes a partial summary for a whole one.
        yield f"(Summary of the first {fraction:.0%} of the article, which is longer than the model's context.)\n\n"
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{INSTRUCTION}\n\nTitle: {article.title}\n\n{body}"},
    ]
    yield from model.stream_chat(messages, ANSWER_TOKENS, cancelled)


def summarize_and_store(
    library: Library,
    article_id: int,
    model: ChatModel,
    cancelled: threading.Event | None = None,
) -> Iterator[str]:
    """Stream the summary of an article and store it once complete (not when cancelled)."""
    pieces: list[str] = []
    for piece in summarize(library.get(article_id), model, cancelled):
        pieces.append(piece)
        yield piece
    summary = "".join(pieces).strip()
    if summary and not (cancelled and cancelled.is_set()):
        library.save_summary(article_id, model.name, PROMPT_VERSION, summary)


def _fit(text: str, model: ChatModel) -> tuple[str, float]:
    """The article text that fits the context, cut at a paragraph boundary, and its share."""
    budget = model.context_size - ANSWER_TOKENS - PROMPT_OVERHEAD_TOKENS
    if budget <= 0:
        raise ModelError(f"The model's context ({model.context_size} tokens) is too small.")
    if model.count_tokens(text) <= budget:
        return text, 1.0
    kept: list[str] = []
    used = 0
    for paragraph in text.split("\n"):
        cost = model.count_tokens(paragraph + "\n")
        if used + cost > budget:
            break
        kept.append(paragraph)
        used += cost
    body = "\n".join(kept)
    return body, max(len(body), 1) / len(text)
