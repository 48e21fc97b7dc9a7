"""Where a highlight is in an article's text, and where it went when the text changed.

A highlight is kept as the W3C Web Annotation model keeps one: the exact quote with a little of
the text before and after it (a TextQuoteSelector) and its offsets in the article's plain text
(a TextPositionSelector). The offsets are a hint; the quote and its context are the truth. When
the text changes (a new extraction, a later version of the page) the quote is found again:
exactly where it can be, choosing among several places by context and nearness; failing that,
fuzzily (a word changed, whitespace moved) between where its context and its own first and last
words are found now. A quote that is nowhere close is not found, and the caller keeps it so.

Pure functions over strings: no SQLite, no Qt. Work is bounded: exact searches are linear, and
the fuzzy comparison runs on a few candidate spans of about the quote's length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT_CHARS = 32  # of text kept on each side of a quote
MAX_QUOTE_CHARS = 20_000  # a highlight longer than this is not a highlight
MAX_FUZZY_CHARS = 2_000  # longer quotes are found exactly or not at all (comparing is quadratic)
MIN_SIMILARITY = 0.75  # a changed passage still "is" the quote above this ratio
MAX_CANDIDATES = 50  # places of a quote (or its edges) considered, at most
MAX_FUZZY_CANDIDATES = 20  # spans compared word by word, at most
EDGE_WORDS = 3  # words of the quote's start and end looked for when it changed


@dataclass(frozen=True)
class Selector:
    quote: str
    prefix: str = ""
    suffix: str = ""
    start: int = -1  # where it was (-1: not known)

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Selector:
        """The selector of ``text[start:end]``."""
        return cls(text[start:end], text[max(0, start - CONTEXT_CHARS):start],
                   text[end:end + CONTEXT_CHARS], start)


def anchor(text: str, selector: Selector) -> tuple[int, int] | None:
    """(start, end) of the selector's quote in ``text``, or None if it is not there."""
    quote = selector.quote
    if not quote.strip() or len(quote) > MAX_QUOTE_CHARS:
        return None
    exact = _occurrences(text, quote)
    if exact:
        return _best(text, selector, [(start, start + len(quote)) for start in exact])
    loose = [(m.start(), m.end()) for m in _words_pattern(quote.split()).finditer(text)]
    if loose:
        return _best(text, selector, loose[:MAX_CANDIDATES])
    return _fuzzy(text, selector) if len(quote) <= MAX_FUZZY_CHARS else None


def first_occurrence(text: str, quote: str) -> tuple[int, int] | None:
    """The first place ``quote`` is in ``text``, allowing any whitespace between its words;
    failing that, in any case (a quote typed from memory)."""
    words = quote.split()
    if not words or len(quote) > MAX_QUOTE_CHARS:
        return None
    found = (_words_pattern(words).search(text)
             or _words_pattern(words, re.IGNORECASE).search(text))
    return (found.start(), found.end()) if found else None


def _occurrences(text: str, quote: str) -> list[int]:
    found, start = [], text.find(quote)
    while start >= 0 and len(found) < MAX_CANDIDATES:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def _words_pattern(words: list[str], flags: int = 0) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(word) for word in words), flags)


def _best(text: str, selector: Selector, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """Of several places, the one whose surroundings match the selector's context best, then
    the one nearest where it was."""
    if len(spans) == 1:
        return spans[0]

    def score(span: tuple[int, int]) -> tuple[float, int]:
        start, end = span
        context = (_tail_match(text[max(0, start - CONTEXT_CHARS):start], selector.prefix)
                   + _head_match(text[end:end + CONTEXT_CHARS], selector.suffix))
        distance = abs(start - selector.start) if selector.start >= 0 else start
        return (-context, distance)

    return min(spans, key=score)


def _tail_match(found: str, wanted: str) -> int:
    """How many characters at the end of ``found`` and ``wanted`` agree."""
    count = 0
    for a, b in zip(reversed(found), reversed(wanted)):
        if a != b:
            break
        count += 1
    return count


def _head_match(found: str, wanted: str) -> int:
    count = 0
    for a, b in zip(found, wanted):
        if a != b:
            break
        count += 1
    return count


def _fuzzy(text: str, selector: Selector) -> tuple[int, int] | None:
    """The span of ``text`` most like the quote, if one is like it enough. Candidates run from
    where the quote's first words (or the end of its prefix) are found to where its last words
    (or the start of its suffix) are found, about the quote's length apart."""
    quote = selector.quote
    words = quote.split()
    starts = _edge_positions(text, words[:EDGE_WORDS], at_end=False)
    starts += _edge_positions(text, selector.prefix.split()[-EDGE_WORDS:], at_end=True)
    ends = _edge_positions(text, words[-EDGE_WORDS:], at_end=True)
    ends += _edge_positions(text, selector.suffix.split()[:EDGE_WORDS], at_end=False)
    low, high = len(quote) * 0.5, len(quote) * 1.5 + 20
    spans = {(start, end) for start in starts for end in ends if low <= end - start <= high}
    if selector.start >= 0:  # the quote's own length where it was, as one more candidate
        spans.add((selector.start, min(len(text), selector.start + len(quote))))
    near = sorted(spans, key=lambda span: abs(span[0] - max(selector.start, 0)))
    wanted = quote.split()
    best, best_ratio = None, MIN_SIMILARITY
    for start, end in near[:MAX_FUZZY_CANDIDATES]:
        candidate = text[start:end].strip()
        if not candidate:
            continue
        # By words: as good a measure of "the same passage, a word changed", and far cheaper
        # than by characters on long, repetitive text.
        matcher = SequenceMatcher(None, candidate.split(), wanted, autojunk=False)
        if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio:
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                offset = text.index(candidate, start)
                best, best_ratio = (offset, offset + len(candidate)), ratio
    return best


def _edge_positions(text: str, words: list[str], at_end: bool) -> list[int]:
    """Where ``words`` (in a row) are in ``text``: their starts, or with ``at_end`` their ends.
    (Whitespace at a candidate's edges is trimmed when it is compared.)"""
    if not words:
        return []
    positions = []
    for found in _words_pattern(words).finditer(text):
        positions.append(found.end() if at_end else found.start())
        if len(positions) == MAX_CANDIDATES:
            break
    return positions
