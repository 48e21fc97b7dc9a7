"""The summary and the conversation about an article, each claim linked to its passage.

A supported summary sentence, and each ``[n]`` an answer cites, is a link to a passage of the
article: clicking it, or stepping with ``]`` and ``[``, asks the reader view to show that passage
(``passage_wanted``). A sentence the article does not support is shown as a warning, with why.
Everything the model wrote is escaped: it is shown as text, never read as markup.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser

from reader.library.grounding_store import StoredSummary, Turn

LINK_SCHEME = "passage"
WARNING_COLOUR = "#b45309"  # amber: reads on light and dark backgrounds
WARNING_BACKGROUND = "rgba(245, 158, 11, 40)"
UNSUPPORTED_HINT = "No passage of the article says this: check it before you rely on it."
FOLLOW_HINT = "Click, or press ] and [, to see where the article says this."
_BULLET_LINE = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+", re.MULTILINE)
_CITATION = re.compile(r"\[(\d{1,4})\]")


class GroundedView(QTextBrowser):
    passage_wanted = Signal(str)  # the quote, from the article's plain text

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("summaryView")
        self.setOpenLinks(False)
        self.setAcceptDrops(False)
        self.anchorClicked.connect(self._clicked)
        self.quotes: list[str] = []  # what each link shows, in the order the links appear
        self.current = -1  # the link last followed

    def show_grounded(self, summary: StoredSummary | None, turns: list[Turn],
                      at_latest_answer: bool = False) -> None:
        """Show a summary with its checked sentences, then the questions asked and answers;
        ``at_latest_answer``: scrolled to the last answer, ``]`` going on from its citations."""
        self.quotes = []
        self.current = -1
        # Sentences read as text (a link each, but not blue); citations look like links.
        self.document().setDefaultStyleSheet(
            f"a {{ color: {self.palette().text().color().name()}; text-decoration: none; }}"
            f" a.cite {{ color: {self.palette().link().color().name()}; }}")
        parts = [summary_html(summary, self.quotes)] if summary else []
        if turns:
            parts.append("<h4>Questions</h4>")
            parts.extend(turn_html(turn, self.quotes) for turn in turns[:-1])
            latest = len(self.quotes)
            parts.append(turn_html(turns[-1], self.quotes))
        self.setHtml("".join(parts))
        if at_latest_answer and turns:
            self.current = latest - 1
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def append_text(self, text: str) -> None:
        """Add streamed text at the end, as it comes."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.ensureCursorVisible()

    def begin_answer(self, question: str) -> None:
        """Start a new answer at the end, under its question."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not self.document().isEmpty():
            cursor.insertBlock()
        cursor.insertHtml(f"<p><b>{html.escape(question)}</b></p>")
        cursor.insertBlock()
        self.setTextCursor(cursor)

    def step(self, direction: int) -> bool:
        """Follow the next (1) or previous (-1) link; False if there is none."""
        if not self.quotes:
            return False
        self.current = max(0, min(len(self.quotes) - 1, self.current + direction))
        self._follow(self.current)
        return True

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME and url.path().isdigit():
            self._follow(int(url.path()))

    def _follow(self, number: int) -> None:
        if not 0 <= number < len(self.quotes):
            return
        self.current = number
        cursor = self._link_cursor(f"{LINK_SCHEME}:{number}")
        if cursor is not None:
            self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self.passage_wanted.emit(self.quotes[number])

    def _link_cursor(self, href: str) -> QTextCursor | None:
        """A cursor selecting the text of the link to ``href``."""
        block = self.document().begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.charFormat().anchorHref() == href:
                    cursor = QTextCursor(self.document())
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(),
                                       QTextCursor.MoveMode.KeepAnchor)
                    return cursor
                iterator += 1
            block = block.next()
        return None


def summary_html(summary: StoredSummary, quotes: list[str]) -> str:
    """The summary as its sentences: key points as a list, prose as a paragraph."""
    if not summary.sentences:  # none to check (only headings): the text as written
        return f"<p>{_text(summary.text)}</p>"
    shown = [sentence_html(sentence, quotes) for sentence in summary.sentences]
    if len(_BULLET_LINE.findall(summary.text)) >= 2:
        return "<ul>" + "".join(f"<li>{item}</li>" for item in shown) + "</ul>"
    return "<p>" + " ".join(shown) + "</p>"


def sentence_html(sentence: dict, quotes: list[str]) -> str:
    text = _text(str(sentence.get("text", "")))
    sources = sentence.get("sources") or []
    if sentence.get("supported") and sources:
        return _link(text, str(sources[0].get("quote", "")), quotes)
    why = html.escape(str(sentence.get("reason") or "not found in the article"))
    return (f'<span title="{UNSUPPORTED_HINT}" '
            f'style="color:{WARNING_COLOUR}; background-color:{WARNING_BACKGROUND}">⚠ {text}</span> '
            f'<span style="color:{WARNING_COLOUR}; font-size:small">({why})</span>')


def turn_html(turn: Turn, quotes: list[str]) -> str:
    """A question and its answer, each ``[n]`` linked to the n-th source (an answer that
    cites nothing is followed by links to the passages that support it)."""
    pieces, at = [], 0
    for match in _CITATION.finditer(turn.answer):
        pieces.append(_text(turn.answer[at:match.start()]))
        number = int(match.group(1))
        if 1 <= number <= len(turn.sources):
            pieces.append(_link(f"[{number}]", str(turn.sources[number - 1].get("quote", "")),
                                quotes, "cite"))
        else:
            pieces.append(_text(match.group()))
        at = match.end()
    pieces.append(_text(turn.answer[at:]))
    if at == 0 and turn.sources:  # no citations written: its sources, found by the check
        pieces.extend(" " + _link(f"[{number}]", str(source.get("quote", "")), quotes, "cite")
                      for number, source in enumerate(turn.sources, start=1))
    return f"<p><b>{_text(turn.question)}</b></p><p>{''.join(pieces)}</p>"


def _link(text: str, quote: str, quotes: list[str], kind: str = "sentence") -> str:
    quotes.append(quote)
    return (f'<a class="{kind}" href="{LINK_SCHEME}:{len(quotes) - 1}" title="{FOLLOW_HINT}">'
            f"{text}</a>")


def _text(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
