"""Fitting an article into the model's context: token budgets and map-reduce plans.

An article that fits is summarised in one pass. A longer one is cut into chunks that each fit,
summarised chunk by chunk (map), and the partial summaries are combined (reduce), in several
rounds if they do not fit one prompt together. Chunks end at paragraph (line) boundaries; a
paragraph too long for one chunk is cut between sentences, and a sentence too long between words
(or anywhere, for text without spaces). No text is ever left out.

Everything is counted with the model's own tokenizer, passed in as ``tokenize``: text in, token
ids out (``llama.tokenize(text.encode(), add_bos=False, special=False)``), or just their number
(a backend that can only count, like a server's ``count_tokens``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reader.errors import ModelError

Tokenize = Callable[[str], Sequence[int] | int]
Count = Callable[[str], int]

_LINE = re.compile(r"[^\n]+")
# After . ! ? … (and closing quotes or brackets) and a space, or after CJK full stops.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？]+\s*")
_SPACE = re.compile(r"\s+")
# A token is rarely longer than this many characters; bounds the search for a hard cut.
_MAX_CHARS_PER_TOKEN = 32
# The fewest tokens a part's summary may take: a sentence or two.
PART_ANSWER_FLOOR = 32
# The end of a sentence (before space or the end of the text), for cutting an answer back to it.
_SENTENCE_CLOSE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|[。！？]+")


@dataclass(frozen=True)
class Plan:
    chunks: list[str]  # the whole article when it fits, else its chunks in order
    chunk_budget: int  # tokens each chunk (and each reduce prompt's data) may take
    part_answer_tokens: int  # the most each partial summary may take, so that they combine

    @property
    def single(self) -> bool:
        return len(self.chunks) <= 1


def chunk_budget(context_size: int, answer_tokens: int, prompt_overhead: int) -> int:
    """Tokens left for the data once the prompt's own tokens and the answer have their room."""
    budget = context_size - answer_tokens - prompt_overhead
    if budget <= 0:
        raise ModelError(
            f"The model's context ({context_size} tokens) is too small for a prompt "
            f"({prompt_overhead} tokens) and a summary ({answer_tokens} tokens)."
        )
    return budget


def plan(
    text: str, context_size: int, answer_tokens: int, prompt_overhead: int, tokenize: Tokenize,
    reasoning_tokens: int = 0,
) -> Plan:
    """One pass if ``text`` fits, else the chunks for map-reduce.

    ``prompt_overhead`` is the largest prompt-without-data of those that will be used (one-pass,
    part and combine prompts; the title counts too). ``answer_tokens`` includes the
    ``reasoning_tokens`` a reasoning model thinks in before it answers.
    """
    budget = chunk_budget(context_size, answer_tokens, prompt_overhead)
    text = text.strip()
    if not text or _counter(tokenize)(text) <= budget:
        return Plan([text] if text else [], budget, answer_tokens)
    chunks = split(text, tokenize, budget)
    # The parts' summaries are only notes for the final one, which can carry only so much: they
    # get about half its length together (at least a sentence or two each). Every token
    # generated costs about five read, and generated deep in a full context more: the notes were
    # the most of what map-reduce adds to reading the article once. Each is short enough that
    # two, or nearly three, fit one combine prompt.
    written = max(PART_ANSWER_FLOOR, (answer_tokens - reasoning_tokens) // (2 * len(chunks)))
    part_answer = max(1, min(answer_tokens, budget // 3, reasoning_tokens + written))
    return Plan(chunks, budget, part_answer)


def whole_sentences(answer: str) -> str:
    """``answer`` without the unfinished sentence a token limit cut off at its end, if it has a
    finished one before it (a part's note then ends on a finished thought)."""
    answer = answer.strip()
    ends = [match.end() for match in _SENTENCE_CLOSE.finditer(answer)]
    return answer[:ends[-1]] if ends else answer


def split(text: str, tokenize: Tokenize, budget: int) -> list[str]:
    """``text`` as chunks of at most ``budget`` tokens, in order: as few as the budget allows
    (each chunk costs a prompt and a summary more), and as equal in size as that many allow."""
    if budget < 1:
        raise ValueError("A chunk needs a budget of at least one token")
    count = _counter(tokenize)
    units = _units(text, count, budget)
    if not units:
        return []
    sizes = [tokens for _, _, tokens in units]
    fewest = len(_packed(sizes, budget))
    # The smallest size limit that still needs no more chunks than the budget does.
    low, high = max(sizes), budget
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if len(_packed(sizes, middle)) <= fewest else (middle + 1, high)
    chunks: list[str] = []
    first = 0
    while first < len(units):
        last = _filled(sizes, first, low)
        # The sum of the units is an estimate; the chunk's own count decides.
        while last > first and count(text[units[first][0]:units[last][1]]) > budget:
            last -= 1
        chunks.append(text[units[first][0]:units[last][1]])
        first = last + 1
    return chunks


def _filled(sizes: list[int], first: int, limit: int) -> int:
    """The last of the units from ``first`` on that fit ``limit`` tokens together (at least one;
    one token for the line break or space between two units)."""
    last, used = first, sizes[first]
    while last + 1 < len(sizes) and used + 1 + sizes[last + 1] <= limit:
        last += 1
        used += 1 + sizes[last]
    return last


def _packed(sizes: list[int], limit: int) -> list[int]:
    """The first unit of each chunk when every chunk takes as many units as fit ``limit``."""
    firsts, first = [], 0
    while first < len(sizes):
        firsts.append(first)
        first = _filled(sizes, first, limit) + 1
    return firsts


def group(
    parts: Sequence[str], tokenize: Tokenize, budget: int, join: Callable[[list[str]], str]
) -> list[list[str]]:
    """Consecutive ``parts`` gathered into groups whose ``join`` fits ``budget`` tokens."""
    count = _counter(tokenize)
    groups: list[list[str]] = []
    current: list[str] = []
    for part in parts:
        if current and count(join([*current, part])) > budget:
            groups.append(current)
            current = []
        current.append(part)
    if current:
        groups.append(current)
    return groups


def reduce(
    parts: Sequence[str],
    tokenize: Tokenize,
    budget: int,
    combine: Callable[[list[str]], str],
    join: Callable[[list[str]], str] = "\n\n".join,
) -> list[str]:
    """Combine partial summaries, group by group, until those left fit one prompt.

    Returns those last parts: the caller combines them itself, streaming that final answer.
    ``combine`` summarises a group (the intermediate rounds); ``join`` is how a group is laid out
    in a prompt (``prompt.parts_data``), and what is counted.
    """
    parts = list(parts)
    while True:
        groups = group(parts, tokenize, budget, join)
        if len(groups) <= 1:
            return groups[0] if groups else []
        if all(len(g) == 1 for g in groups):
            raise ModelError(
                "The model's context is too small to combine the summaries of the parts."
            )
        parts = [combine(g) if len(g) > 1 else g[0] for g in groups]


def _counter(tokenize: Tokenize) -> Count:
    def count(text: str) -> int:
        tokens = tokenize(text)
        return tokens if isinstance(tokens, int) else len(tokens)

    return count


# Units: the smallest pieces a chunk is made of, each within the budget


def _units(text: str, count: Count, budget: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) of each paragraph, or of its sentences or hard pieces if too long."""
    units: list[tuple[int, int, int]] = []
    for line in _LINE.finditer(text):
        for start, end in trim_spans([(line.start(), line.end())], text):
            units.extend(_fitting(text, start, end, count, budget))
    return units


def _fitting(text: str, start: int, end: int, count: Count, budget: int):
    tokens = count(text[start:end])
    if tokens <= budget:
        return [(start, end, tokens)]
    sentences = trim_spans(_sentences(text, start, end), text)
    if len(sentences) > 1:
        return [unit for s, e in sentences for unit in _fitting(text, s, e, count, budget)]
    pieces = _hard_pieces(text, start, end, count, budget)
    return [(s, e, count(text[s:e])) for s, e in pieces]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, begin = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, end))
    return spans


def _hard_pieces(
    text: str, start: int, end: int, count: Count, budget: int
) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces within budget: between words where it can, else anywhere."""
    pieces = []
    while start < end:
        limit = min(end, start + budget * _MAX_CHARS_PER_TOKEN)
        if count(text[start:limit]) <= budget:
            cut = limit
        else:  # the longest prefix within budget: at least one character, to always move on
            low, high = start + 1, limit
            while low < high:
                middle = (low + high + 1) // 2
                if count(text[start:middle]) <= budget:
                    low = middle
                else:
                    high = middle - 1
            cut = low
        if cut < end:
            spaces = [m.start() for m in _SPACE.finditer(text, start, cut)]
            if spaces and spaces[-1] > start + (cut - start) // 2:
                cut = spaces[-1]
            # Counts are not quite monotonic in length (a shorter prefix may take more tokens).
            while cut > start + 1 and count(text[start:cut]) > budget:
                cut -= 1
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    return trim_spans(pieces, text)


def trim_spans(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """``spans`` of ``text`` without the space at their ends; spans of only space go."""
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            result.append((start, end))
    return result
