"""Asking an article a question: the model answers from the article's passages, cites them as
[1], [2], and the answer is checked against the article like a summary is.

The model gets the whole article when it fits its context; otherwise the passages that best
match the question (``retrieval``: BM25 over paragraphs), best first, as many as fit beside the
question, the conversation so far and room for the answer. The passages go in as data, the same
way an article goes into a summary (``Asker``), and each is numbered so the answer can cite it.

The answer is then checked sentence by sentence (``grounding``). If the article supports none
of it, the answer is "The article does not say." whatever the model wrote: a small model asked
about something the article lacks tends to answer anyway. Citations are renumbered in the order
they first appear, so that ``[k]`` in the answer is ``sources[k - 1]``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.errors import ModelError, UserError
from reader.library import Article, Library, grounding_store
from reader.summarize import prompt, retrieval
from reader.summarize.asker import Asker, Reasoning
from reader.summarize.backends.base import ChatModel, Reading
from reader.summarize.grounded import sentence_json, source_json
from reader.summarize.grounding import GroundedSentence, Source, ground
from reader.summarize.summarizer import REASONING_TOKENS

ANSWER_TOKENS = 400
NOT_SAID = "The article does not say."
HISTORY_SHARE = 0.25  # the conversation so far takes at most this share of the room
MIN_ROOM = 64  # tokens left for passages, at least, or the question is too long to ask
MAX_RANKED = 60  # passages tried against the budget, best first (each one is counted)
MAX_QUESTION_CHARS = 2000
# "[2]", "[1, 3]", "[1][3]": the passages a sentence comes from (with the space before it).
_CITATION = re.compile(r"[ \t]*(?:\[\d{1,4}(?:\s*[,;]\s*\d{1,4})*\])+")


@dataclass(frozen=True)
class Exchange:
    """An earlier question and its answer, for a follow-up question."""

    question: str
    answer: str


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # what to show: the model's answer with citations renumbered, or NOT_SAID
    sources: tuple[Source, ...]  # [k] in ``text`` is sources[k - 1]
    sentences: tuple[GroundedSentence, ...]  # what the model wrote, sentence by sentence, checked
    model: str

    def as_json(self) -> dict:
        return {"answer": self.text, "sources": [source_json(s) for s in self.sources],
                "sentences": [sentence_json(s) for s in self.sentences]}


def answer_question(
    article: Article,
    question: str,
    model: ChatModel,
    history: Sequence[Exchange] = (),
    cancelled: threading.Event | None = None,
    reasoning: Reasoning | None = None,
    pieces: Callable[[str], None] | None = None,
    reading: Reading | None = None,
) -> Answer | None:
    """The answer to ``question`` about ``article``; None if ``cancelled`` stopped it.

    ``history`` is the conversation so far, first first; ``pieces`` gets the model's answer as
    it is written (before its citations are renumbered), ``reasoning`` what the model thinks,
    ``reading`` how much of the prompt it has read.
    """
    question = " ".join(question.split())
    if not question:
        raise UserError("Ask a question about the article.")
    if len(question) > MAX_QUESTION_CHARS:
        raise UserError(f"The question is too long (over {MAX_QUESTION_CHARS} characters).")
    if not article.text.strip():
        raise ModelError("This article has no text to ask about yet.")
    asker = Asker(model, cancelled, reasoning, what="answer", reading=reading)
    answer_tokens = ANSWER_TOKENS + (REASONING_TOKENS if model.has_reasoning else 0)
    room = (model.context_size - answer_tokens
            - asker.count(prompt.article_data(article.title, "")) - 8)
    instruction, room = _instruction(asker, question, history, room)
    shown = _passages_for(asker, article.text, question, history, room)
    data = prompt.article_data(article.title, _numbered(shown))
    written = []
    for piece in asker.ask(data, instruction, answer_tokens):
        written.append(piece)
        if pieces:
            pieces(piece)
    if asker.stopped:
        return None
    return _checked(question, "".join(written).strip(), shown, article.text, model.name)


def ask_and_store(
    library: Library,
    article_id: int,
    question: str,
    model: ChatModel,
    cancelled: threading.Event | None = None,
    reasoning: Reasoning | None = None,
    pieces: Callable[[str], None] | None = None,
    reading: Reading | None = None,
) -> Answer | None:
    """Ask about a stored article, going on from its conversation; the answer joins it."""
    article = library.get(article_id)
    history = [Exchange(turn.question, turn.answer)
               for turn in grounding_store.conversation(library, article_id)]
    answer = answer_question(article, question, model, history, cancelled, reasoning, pieces,
                             reading)
    if answer is not None:
        grounding_store.add_turn(library, article_id, answer.question, answer.text,
                                 [source_json(s) for s in answer.sources],
                                 [sentence_json(s) for s in answer.sentences], model.name)
    return answer


def _instruction(asker: Asker, question: str, history: Sequence[Exchange],
                 room: int) -> tuple[str, int]:
    """The instruction, with as much of the conversation as fits (the latest turns first), and
    the room left for passages. The question and conversation are neutralised: they go into
    the instruction, whose special tokens count (a pasted ``<|im_end|>`` must stay text)."""
    # Here, not at the top: the remote package imports httpx, and the window imports this
    # module (the question box's limit) before its first paint.
    from reader.summarize.backends.remote.special_tokens import neutralise

    earlier: list[str] = []
    used = 0
    for exchange in reversed(history):
        told = (f"Question: {neutralise(exchange.question)}\n"
                f"Answer: {neutralise(without_citations(exchange.answer))}\n\n")
        cost = asker.count(told)
        if used + cost > room * HISTORY_SHARE:
            break
        earlier.insert(0, told)
        used += cost
    conversation = ("Earlier in this conversation:\n\n" + "".join(earlier)) if earlier else ""
    values = {"conversation": conversation, "question": neutralise(question)}
    # In one pass: a question may itself hold "{conversation}".
    text = re.sub(r"\{(conversation|question)\}", lambda m: values[m.group(1)],
                  prompt.load_text("ask"))
    left = room - asker.overhead(text)
    if left < MIN_ROOM:
        raise ModelError(f"The question does not fit the model's context of "
                         f"{asker.model.context_size} tokens beside its answer.")
    return text, left


def _passages_for(asker: Asker, text: str, question: str, history: Sequence[Exchange],
                  room: int) -> list[retrieval.Passage]:
    """The whole article if it fits, else the passages that best match the question (and the
    question before it, which a follow-up leans on), best first, as many as fit."""
    every = retrieval.passages(text)
    if asker.count(_numbered(every)) <= room:
        return every
    query = " ".join([history[-1].question] if history else []) + " " + question
    ranked = [passage for _, passage in retrieval.rank(every, query)][:MAX_RANKED]
    chosen: list[retrieval.Passage] = []
    used = 0
    # Nothing matches: the start of the article, so the model can say it does not say.
    for passage in ranked or every[:MAX_RANKED]:
        cost = asker.count(f"[{len(chosen) + 1}] {passage.text}") + 2  # the blank line
        if used + cost <= room:
            chosen.append(passage)
            used += cost
    return chosen


def _numbered(passages: Sequence[retrieval.Passage]) -> str:
    return "\n\n".join(f"[{n}] {passage.text}" for n, passage in enumerate(passages, start=1))


def without_citations(text: str) -> str:
    """``text`` with its ``[n]`` citations taken out."""
    return _CITATION.sub("", text).strip()


def _checked(question: str, written: str, shown: list[retrieval.Passage], article_text: str,
             model: str) -> Answer:
    sentences = tuple(ground(without_citations(written), article_text))
    if not any(sentence.supported for sentence in sentences):
        return Answer(question, NOT_SAID, (), sentences, model)
    cited: list[int] = []  # indices into ``shown``, in the order first cited

    def renumber(match: re.Match) -> str:
        numbers = dict.fromkeys(int(n) for n in re.findall(r"\d+", match.group()))
        marks = []
        for number in numbers:
            if 1 <= number <= len(shown):
                if number - 1 not in cited:
                    cited.append(number - 1)
                marks.append(f"[{cited.index(number - 1) + 1}]")
        space = match.group()[: len(match.group()) - len(match.group().lstrip(" \t"))]
        return space + "".join(marks) if marks else ""

    text = _CITATION.sub(renumber, written).strip()
    if cited:
        sources = tuple(Source(shown[i].text, shown[i].start, shown[i].end) for i in cited)
    else:  # no citations (small models rarely write them): the passages that support it
        sources = tuple(dict.fromkeys(source for sentence in sentences if sentence.supported
                                      for source in sentence.sources))
    return Answer(question, text, sources, sentences, model)
