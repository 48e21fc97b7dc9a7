"""Grounding: each sentence of a summary traced to the passages of the article that support it.

``ground(summary, article_text)`` gives one ``GroundedSentence`` per summary sentence (or key
point): supported or not, why not, and its sources as ``(quote, start, end)`` with offsets into
the article's plain text. ``Grounder`` prepares an article once for many checks.
How well it works, measured: docs/grounding.md.
"""

from reader.summarize.grounding.support import (
    NOT_FOUND,
    STITCHED,
    GroundedSentence,
    Grounder,
    Source,
    ground,
)
from reader.summarize.grounding.text import Passage, article_passages, summary_claims

__all__ = [
    "NOT_FOUND",
    "STITCHED",
    "GroundedSentence",
    "Grounder",
    "Passage",
    "Source",
    "article_passages",
    "ground",
    "summary_claims",
]
