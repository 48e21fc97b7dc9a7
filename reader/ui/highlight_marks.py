"""Where passages of an article's plain text are in the reader view's document, and back.

Highlights are anchored in ``Article.text``; the view shows the article's HTML, whose text has a
title and byline above the body, other whitespace, and a character for each image. So a quote is
found in the document by its words, allowing any whitespace (or image) between them, and of
several places the one nearest where the quote is in the plain text, in proportion. Going the
other way, a selection in the document becomes a ``Selector`` (its text, the text around it and
its place in proportion) that the library anchors in the plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from PySide6.QtGui import QColor, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QTextEdit

from reader.library.anchoring import CONTEXT_CHARS, Selector
from reader.library.highlights import Highlight
from reader.ui.highlight_rows import COLOUR_VALUES

QUOTE_WORDS = 8  # of a quote's first and last words looked for (long quotes are not one regex)
MAX_PLACES = 50  # places of a quote's first words considered
HIGHLIGHT_ALPHA = 105  # see-through enough for dark text on light themes and light on dark
# U+FFFC stands for an image; U+2029 and U+2028 end paragraphs and lines in a selection.
_DOCUMENT_SPACE = "\ufffc\u2029\u2028\xa0"
_SEPARATOR = rf"[\s{_DOCUMENT_SPACE}]+"


def highlight_colour(name: str) -> QColor:
    colour = QColor(COLOUR_VALUES[name])
    colour.setAlpha(HIGHLIGHT_ALPHA)
    return colour


@dataclass(frozen=True)
class Mark:
    """A highlight where the document shows it."""

    start: int
    end: int
    highlight: Highlight


def body_start(document: QTextDocument) -> int:
    """Where the article's body begins: after the rule under the title and byline."""
    block = document.begin()
    for _ in range(8):  # the title, byline, fetch state and source come first, then the rule
        if not block.isValid():
            break
        if block.blockFormat().hasProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth):
            return block.next().position() if block.next().isValid() else 0
        block = block.next()
    return 0


def find_passage(text: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """(start, end) of ``quote`` in ``text`` (a document's plain text), the place nearest
    ``near`` where it is more than once: where its first words are (its first three, failing
    that), to where its last words are after them, if that is about the quote's length."""
    words = quote.split()
    if not words:
        return None
    starts = _places(text, words[:QUOTE_WORDS]) or _places(text, words[:3])
    if not starts:
        return None
    first = min(starts, key=lambda found: abs(found.start() - near))
    start, end = first.span()
    last = _pattern(words[-QUOTE_WORDS:]).search(text, start)
    if last is not None and last.end() - start <= 2 * len(quote):  # not the same words later
        end = max(end, last.end())
    return start, end


def marks(document: QTextDocument, highlights: list[Highlight], text_length: int) -> list[Mark]:
    """The found highlights where the document shows them, in reading order."""
    text = document.toPlainText()
    body = body_start(document)
    shown = []
    for highlight in highlights:
        if not highlight.found:
            continue
        near = body + round(highlight.start / max(text_length, 1) * (len(text) - body))
        span = find_passage(text, highlight.quote, near)
        if span is not None:
            shown.append(Mark(*span, highlight))
    return sorted(shown, key=lambda mark: mark.start)


def extra_selection(cursor: QTextCursor, colour: QColor, underline: bool = False
                    ) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    selection.cursor = cursor
    selection.format.setBackground(colour)
    if underline:  # a highlight with a note
        selection.format.setUnderlineStyle(selection.format.UnderlineStyle.DotLine)
    return selection


def mark_selections(document: QTextDocument, shown: list[Mark]) -> list[QTextEdit.ExtraSelection]:
    selections = []
    for mark in shown:
        cursor = QTextCursor(document)
        cursor.setPosition(mark.start)
        cursor.setPosition(mark.end, QTextCursor.MoveMode.KeepAnchor)
        selections.append(extra_selection(cursor, highlight_colour(mark.highlight.color),
                                          bool(mark.highlight.note)))
    return selections


def selector(document: QTextDocument, start: int, end: int, text_length: int
             ) -> Selector | None:
    """The selector of the document's ``start:end`` (less whitespace at its edges) for a
    plain text of ``text_length`` characters; None if only whitespace is selected."""
    text = _plain(document.toPlainText())
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return None
    body = body_start(document)
    place = (start - body) / max(len(text) - body, 1) * text_length
    return Selector(text[start:end], text[max(0, start - CONTEXT_CHARS):start],
                    text[end:end + CONTEXT_CHARS], max(0, min(text_length, round(place))))


def _plain(text: str) -> str:
    """The document's text with images as spaces (same length, so positions still agree)."""
    return text.replace("\ufffc", " ")


def _places(text: str, words: list[str]) -> list[re.Match]:
    return list(islice(_pattern(words).finditer(text), MAX_PLACES))


def _pattern(words: list[str]) -> re.Pattern:
    return re.compile(_SEPARATOR.join(re.escape(word) for word in words))
