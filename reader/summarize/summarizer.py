"""Summarising an article: one pass when it fits the model's context, map-reduce over parts at
paragraph boundaries when it does not (never a silent cut), the summary parted from any
reasoning, and the result stored under the prompt version that wrote it, with each of its
sentences checked against the article (``grounding``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from reader.errors import ModelError, UserError
from reader.library import Article, Library, grounding_store
from reader.summarize import chunking, prompt
from reader.summarize.asker import Asker, Reasoning
from reader.summarize.backends.base import ChatModel, Reading
from reader.summarize.grounded import sentence_json
from reader.summarize.grounding import ground

ANSWER_TOKENS = {"short": 256, "key_points": 400, "detailed": 800}
# Reasoning models think before they answer; the answer still needs its room after that.
REASONING_TOKENS = 768
Progress = Callable[[int, int], None]  # (part, parts): part parts + 1 is the combining step


def summarize(
    article: Article,
    model: ChatModel,
    cancelled: threading.Event | None = None,
    style: str = prompt.DEFAULT_STYLE,
    language: str | None = None,
    progress: Progress | None = None,
    reasoning: Reasoning | None = None,
    reading: Reading | None = None,
) -> Iterator[str]:
    """The summary of ``article`` as text pieces, streamed while the model writes the last pass.

    A long article is summarised part by part (``progress(part, parts)`` before each), and the
    parts' summaries combined; what a reasoning model thinks goes to ``reasoning``, how much of
    each prompt it has read to ``reading``.
    """
    if not article.text.strip():
        raise ModelError("This article has no text to summarise yet.")
    asker = Asker(model, cancelled, reasoning, reading=reading)
    whole = prompt.instruction(style, language)
    combine = prompt.combine_instruction(style, language)
    overhead = max(asker.overhead(text) for text in
                   (whole, combine, prompt.part_instruction(99, 99, language)))
    # The most data that is not the article's text: a part's title and its "Part 99 of 99" head.
    overhead += asker.count(prompt.part_data(article.title, "", 99, 99)) + 8
    reasoning_tokens = REASONING_TOKENS if model.has_reasoning else 0
    answer = ANSWER_TOKENS[style] + reasoning_tokens
    plan = chunking.plan(article.text, model.context_size, answer, overhead, asker.count,
                         reasoning_tokens)
    if plan.single:
        yield from asker.ask(prompt.article_data(article.title, plan.chunks[0]), whole, answer)
        return
    parts = []
    count = len(plan.chunks)
    for number, chunk in enumerate(plan.chunks, start=1):
        if progress:
            progress(number, count)
        note = "".join(asker.ask(prompt.part_data(article.title, chunk, number, count),
                                 prompt.part_instruction(number, count, language),
                                 plan.part_answer_tokens))
        if asker.stopped:
            return
        parts.append(chunking.whole_sentences(note))
    if progress:
        progress(count + 1, count)
    last = chunking.reduce(
        parts, asker.count, plan.chunk_budget,
        lambda group: chunking.whole_sentences("".join(
            asker.ask(prompt.parts_data(group), combine, plan.part_answer_tokens))),
        prompt.parts_data,
    )
    yield from asker.ask(prompt.parts_data(last), combine, answer)


def summarize_and_store(
    library: Library,
    article_id: int,
    model: ChatModel,
    cancelled: threading.Event | None = None,
    style: str = prompt.DEFAULT_STYLE,
    language: str | None = None,
    progress: Progress | None = None,
    reasoning: Reasoning | None = None,
    reading: Reading | None = None,
) -> Iterator[str]:
    """Stream the summary of an article and store it once complete (not when cancelled), with
    its sentences checked against the article (``grounding_store.stored_summary`` has them)."""
    pieces: list[str] = []
    article = library.get(article_id)
    for piece in summarize(article, model, cancelled, style, language, progress, reasoning,
                           reading):
        pieces.append(piece)
        yield piece
    summary = "".join(pieces).strip()
    if summary and not (cancelled and cancelled.is_set()):
        sentences = [sentence_json(sentence) for sentence in ground(summary, article.text)]
        version = prompt.version(style, language)
        with library.transaction():  # one change: the summary arrives with its sentences
            library.save_summary(article_id, model.name, version, summary)
            grounding_store.save_sentences(library, article_id, model.name, version, sentences)


def grounded_summary(library: Library, article_id: int, model: str | None = None,
                     prompt_version: str | None = None) -> grounding_store.StoredSummary | None:
    """The newest stored summary of the article with its sentences checked; a summary stored
    before summaries were checked is checked now, and its sentences kept."""
    stored = grounding_store.stored_summary(library, article_id, model, prompt_version)
    if stored is None or stored.sentences is not None:
        return stored
    sentences = [sentence_json(s) for s in ground(stored.text, library.get(article_id).text)]
    grounding_store.save_sentences(library, article_id, stored.model, stored.prompt_version,
                                   sentences)
    return grounding_store.StoredSummary(stored.text, stored.model, stored.prompt_version,
                                         sentences)


@dataclass
class BatchResult:
    """What a batch did: the articles summarised, and those skipped, each with why."""

    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    stopped: bool = False


def summarize_batch(
    library: Library,
    article_ids: list[int],
    model: ChatModel,
    cancelled: threading.Event | None = None,
    style: str = prompt.DEFAULT_STYLE,
    language: str | None = None,
    starting: Callable[[int, int], None] | None = None,
    finished: Callable[[int, str | None], None] | None = None,
    reading: Reading | None = None,
) -> BatchResult:
    """Summarise and store each article in turn, going on past those the model can't do.

    ``starting(number, count)`` before each article; ``finished(article_id, why)`` after it, with
    ``why`` None when it was summarised, else the reason it was skipped; ``reading`` as the model
    reads each prompt. Stopping (``cancelled``) keeps those done, so a later batch of the rest
    resumes.
    """
    result = BatchResult()
    for number, article_id in enumerate(article_ids, start=1):
        if cancelled is not None and cancelled.is_set():
            break
        if starting:
            starting(number, len(article_ids))
        try:
            for _ in summarize_and_store(library, article_id, model, cancelled, style, language,
                                         reading=reading):
                pass
        except UserError as error:  # one article the model can't do; go on
            result.skipped.append((article_id, str(error)))
            why: str | None = str(error)
        else:
            if cancelled is not None and cancelled.is_set():
                break
            result.done.append(article_id)
            why = None
        if finished:
            finished(article_id, why)
    result.stopped = cancelled is not None and cancelled.is_set()
    return result
