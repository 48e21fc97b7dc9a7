"""Finding the passages of an article that answer a question: the article cut into passages at
paragraph and sentence boundaries (with their offsets), ranked by BM25.

BM25 is the ranking full-text search engines use (SQLite's FTS5 too): a passage scores for each
word of the question it holds, more for words rare in the article, with diminishing returns for
repeats and a discount for long passages. An article is a few hundred passages at most, so the
index is built in memory for each question, in milliseconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from reader.summarize.grounding.text import STOPWORDS, WORD, sentence_spans, stem

PASSAGE_WORDS = 120  # a longer paragraph is cut, at sentence ends, into passages about this long
K1, B = 1.2, 0.75  # BM25's usual constants: term saturation, length normalisation


@dataclass(frozen=True)
class Passage:
    """``text[start:end]`` of the article's plain text."""

    start: int
    end: int
    text: str


def passages(text: str) -> list[Passage]:
    """The article's paragraphs (lines of its text), long ones cut between sentences."""
    result = []
    for line in re.finditer(r"[^\n]+", text):
        group: list[tuple[int, int]] = []
        words = 0
        for start, end in sentence_spans(text, *line.span()):
            length = len(text[start:end].split())
            if group and words + length > PASSAGE_WORDS:
                result.append(_passage(text, group))
                group, words = [], 0
            group.append((start, end))
            words += length
        if group:
            result.append(_passage(text, group))
    return result


def _passage(text: str, sentences: list[tuple[int, int]]) -> Passage:
    start, end = sentences[0][0], sentences[-1][1]
    return Passage(start, end, text[start:end])


def terms(text: str) -> list[str]:
    """The words that count for matching: lower case, stop words out, lightly stemmed."""
    return [stem(word) for word in WORD.findall(text.lower()) if word not in STOPWORDS]


def rank(candidates: list[Passage], question: str) -> list[tuple[float, Passage]]:
    """The passages holding any word of ``question``, best first, with their BM25 scores."""
    documents = [Counter(terms(passage.text)) for passage in candidates]
    if not documents:
        return []
    average = sum(sum(d.values()) for d in documents) / len(documents) or 1.0
    frequency = Counter(term for document in documents for term in document)
    wanted = set(terms(question))
    scored = []
    for passage, document in zip(candidates, documents):
        length = sum(document.values())
        score = 0.0
        for term in wanted & document.keys():
            idf = math.log(1 + (len(documents) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            count = document[term]
            score += idf * count * (K1 + 1) / (count + K1 * (1 - B + B * length / average))
        if score > 0:
            scored.append((score, passage))
    scored.sort(key=lambda pair: (-pair[0], pair[1].start))
    return scored
