"""What was checked against an article, kept with it: a summary's sentences, each supported by
the article or not, and the conversation of questions asked about the article.

Both are stored as the JSON-ready dicts the command line prints, so that reopening an article
shows them at once and nothing here needs to know how they were made:

- a sentence: ``{"text", "supported", "reason", "sources": [{"quote", "start", "end"}]}``
- a source: ``{"quote", "start", "end"}``, with ``quote == article.text[start:end]``.

Sentences live in the summary's own row, so a new summary (which replaces the row) starts
unchecked; the conversation ends when the article's text changes (a trigger, see schema.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from reader.library.rows import newest_summary_query, utc_now
from reader.library.store import Library

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredSummary:
    text: str
    model: str
    prompt_version: str
    sentences: list[dict] | None  # None: not checked against the article yet


@dataclass(frozen=True)
class Turn:
    """One question asked about an article, and the answer given."""

    question: str
    answer: str
    sources: list[dict]
    sentences: list[dict]
    model: str
    created: str


def save_sentences(library: Library, article_id: int, model: str, prompt_version: str,
                   sentences: list[dict]) -> None:
    """Keep the checked sentences with the summary stored under (model, prompt_version)."""
    with library.transaction() as tx:
        tx.execute("UPDATE summaries SET sentences = ? WHERE article_id = ? AND model = ? "
                   "AND prompt_version = ?",
                   (json.dumps(sentences, ensure_ascii=False), article_id, model, prompt_version))
        tx.record(updated=[article_id])


def stored_summary(library: Library, article_id: int, model: str | None = None,
                   prompt_version: str | None = None) -> StoredSummary | None:
    """The newest stored summary of the article (by that model and prompt, if given), with
    its sentences; the same summary ``Library.summary`` gives."""
    row = library.query_one(*newest_summary_query("text, model, prompt_version, sentences",
                                                  article_id, model, prompt_version))
    if row is None:
        return None
    text, model, prompt_version, sentences = row
    return StoredSummary(text, model, prompt_version,
                         _loaded(sentences, article_id) if sentences else None)


def add_turn(library: Library, article_id: int, question: str, answer: str,
             sources: list[dict], sentences: list[dict], model: str) -> int:
    """Add a question and its answer to the article's conversation; returns its turn (from 1)."""
    with library.transaction() as tx:
        (last,) = tx.execute("SELECT coalesce(max(turn), 0) FROM article_questions "
                             "WHERE article_id = ?", (article_id,)).fetchone()
        tx.execute(
            "INSERT INTO article_questions (article_id, turn, question, answer, sources, "
            "sentences, model, created) VALUES (?,?,?,?,?,?,?,?)",
            (article_id, last + 1, question, answer, json.dumps(sources, ensure_ascii=False),
             json.dumps(sentences, ensure_ascii=False), model, utc_now()))
        tx.record(updated=[article_id])
    return last + 1


def conversation(library: Library, article_id: int) -> list[Turn]:
    """The questions asked about the article so far, first first."""
    return [Turn(question, answer, _loaded(sources, article_id) or [],
                 _loaded(sentences, article_id) or [], model, created)
            for question, answer, sources, sentences, model, created in library.query(
                "SELECT question, answer, sources, sentences, model, created "
                "FROM article_questions WHERE article_id = ? ORDER BY turn", (article_id,))]


def forget_conversation(library: Library, article_id: int) -> None:
    """Start the article's conversation afresh."""
    with library.transaction() as tx:
        tx.execute("DELETE FROM article_questions WHERE article_id = ?", (article_id,))
        tx.record(updated=[article_id])


def _loaded(text: str, article_id: int) -> list[dict] | None:
    """Stored JSON back as a list; a damaged value (edited by hand) is treated as absent."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        log.warning("Ignoring damaged grounding data stored for article %d", article_id)
        return None
    return value
