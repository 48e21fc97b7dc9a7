"""Cutting text for grounding: summary claims, article passages with offsets, and word tokens.

A passage is one sentence of the article's plain text, with its character offsets into that
text, so that a supporting quote can be shown and scrolled to exactly. Words are tokenised with
enough kept to tell claims apart: hyphenated names and version numbers stay whole
("GPT-OSS-120b", "3.5"), contractions keep their negation ("isn't"), and every content word
gets a light stem so that "announced" meets "announces".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from reader.summarize.chunking import trim_spans

# A candidate sentence end: . ! ? … (then closing quotes or brackets), then space. Whether it
# really ends a sentence is decided by what precedes and follows it (abbreviations, initials).
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"'“‘(\[]?[A-Z0-9]")
_LAST_WORD = re.compile(r"(\w+(?:\.\w+)*)\.$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e u.s u.k u.n a.m p.m no fig gen gov "
    "sen rep col lt sgt jan feb mar apr jun jul aug sep sept oct nov dec approx dept est".split()
)
MAX_PASSAGE_WORDS = 120
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
_MARKUP = re.compile(r"\*\*|__|`")
_HEADING = re.compile(r"^\s*#+\s")

WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\[\]–—]")
_DIGIT = re.compile(r"\d")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Words that say nothing checkable on their own; negators are kept apart (see NEGATORS).
STOPWORDS = frozenset(
    """a an the and or but if then than so as of at by for from in into on onto to with about
    over under after before between through during up down out off again also just only very
    this that these those there here it its it's they them their theirs he him his she her hers
    we us our you your i me my mine who whom whose which what when where why how all any both
    each few more most other some such own same too can will would should could may might must
    shall be is are was were been being am do does did doing have has had having s t 's ’s
    said says say according while because until since one's which whose via per among
    """.split()
)
_NOT_NEGATING = frozenset({"only", "just", "merely"})
NEGATORS = frozenset("not no never none nothing nobody neither nor cannot without".split())
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "edly", "ed", "es", "ly", "s")


@dataclass(frozen=True)
class Passage:
    """One sentence of the article: ``text[start:end]`` of the article's plain text."""

    start: int
    end: int
    paragraph: int


class Token(NamedTuple):  # a tuple: an article makes thousands
    norm: str  # what is compared: lower case, stemmed content words, numbers without commas
    surface: str  # as written
    is_name: bool  # a capitalised word, a code or a number: must be found as such
    is_number: bool
    is_negator: bool
    is_content: bool  # neither a stop word nor a negator
    opens_clause: bool  # first of its sentence, or after punctuation: a negation stops here


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text[start:end]``, trimmed of surrounding space."""
    end = len(text) if end is None else end
    spans, begin = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        if not _NEXT_STARTS_SENTENCE.match(text, match.end(), end):
            continue
        last = _LAST_WORD.search(text, begin, match.end())
        if last and match.group().startswith(".") and _is_abbreviation(last.group(1)):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, end))
    return trim_spans(spans, text)


def _is_abbreviation(word: str) -> bool:
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def article_passages(text: str) -> list[Passage]:
    """The article's sentences, paragraph by paragraph (a paragraph is a line of its text).

    A "sentence" longer than MAX_PASSAGE_WORDS (a list or a table without full stops) is cut
    into pieces of that many words, which bounds the work of every check on a passage.
    """
    passages = []
    for paragraph, line in enumerate(re.finditer(r"[^\n]+", text)):
        for start, end in sentence_spans(text, *line.span()):
            words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
            for first in range(0, len(words), MAX_PASSAGE_WORDS):
                piece = words[first : first + MAX_PASSAGE_WORDS]
                passages.append(Passage(start + piece[0][0], start + piece[-1][1], paragraph))
    return passages


def summary_claims(summary: str) -> list[str]:
    """The sentences of a summary, key-point list items each on their own, markup removed.

    Headings (a markdown ``#`` line, or a short line ending in a colon, like "Key points:") are
    not claims and are left out.
    """
    claims = []
    for line in summary.splitlines():
        line = _MARKUP.sub("", _BULLET.sub("", line)).strip()
        if not line or _HEADING.match(line) or (line.endswith(":") and len(line.split()) <= 6):
            continue
        claims.extend(line[a:b] for a, b in sentence_spans(line))
    return claims


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def tokens(sentence: str, names_lower: frozenset[str] = frozenset()) -> list[Token]:
    """Word tokens of one sentence.

    A capitalised word counts as a name except at the start of the sentence, where it does only
    if ``names_lower`` (the article's names, lower case) has it.
    """
    result = []
    sentence = _THOUSANDS.sub("", sentence)
    previous_end = 0
    for index, match in enumerate(WORD.finditer(sentence)):
        opens_clause = index == 0 or bool(_CLAUSE_BREAK.search(sentence, previous_end, match.start()))
        previous_end = match.end()
        surface = match.group().rstrip(".,")
        lower = _lower(surface)
        is_number = bool(_DIGIT.search(lower)) or lower in _NUMBER_WORDS
        is_negator = lower in NEGATORS or lower.endswith("n't")
        capitalised = surface.lower() != surface
        is_name = is_number or (
            capitalised
            and (lower not in STOPWORDS or surface.isupper() and len(surface) > 1)  # "US"
            and (index > 0 or lower in names_lower)
        )
        is_content = not is_negator and lower not in STOPWORDS
        if is_number:
            norm = _NUMBER_WORDS.get(lower, lower)
        elif is_name or not is_content:
            norm = lower
        else:
            norm = stem(lower)
        result.append(Token(norm, surface, is_name, is_number, is_negator, is_content, opens_clause))
    # "not only X but also Y" asserts X.
    for index, token in enumerate(result[:-1]):
        if token.is_negator and result[index + 1].norm in _NOT_NEGATING:
            result[index] = token._replace(is_negator=False)
    return result


def names_in(text: str) -> frozenset[str]:
    """The lower-cased words an article writes capitalised somewhere other than a sentence start."""
    found = set()
    for match in re.finditer(r"(?<=[\w,;:] )[A-Z][\w'’-]*", text):
        found.add(_lower(match.group()))
    return frozenset(found - STOPWORDS)


def _lower(word: str) -> str:
    """Lower case, one apostrophe, no possessive 's."""
    lower = word.lower().replace("’", "'")
    return lower[:-2] if lower.endswith("'s") else lower
