"""Is a claim supported by the article? Alignment to passages, then the checks word overlap misses.

For each claim (a summary sentence) the article's passages sharing its rarest words are found,
and windows of one or two adjacent passages are scored by how much of the claim's content
(weighted by rarity in the article) they hold. A window that holds enough is then checked for
what small models get wrong while reusing the article's words:

- every name, code and number of the claim is in the window (a changed name, model or year);
- a word the claim negates is negated in the window, and a word it asserts is asserted there;
- two names joined by a word of the claim ("OpenAI released GPT-OSS") stand in the same roles in
  the window, allowing for the passive voice ("GPT-OSS, released by OpenAI").

A claim whose parts are only found in passages far apart is reported as stitched together.
The thresholds were chosen on one half of the evaluation pages (scripts/grounding_eval.py,
docs/grounding.md).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

from reader.summarize.grounding.text import (
    Token,
    article_passages,
    names_in,
    stem,
    summary_claims,
    tokens,
)

# The share of a claim's content (rarity-weighted) a window must hold to be considered at all.
MIN_COVERAGE = 0.65
# In a claim merged from two adjacent passages, the words each must add (see _each_adds).
MIN_WORDS_OF_MERGED = 2
CANDIDATE_PASSAGES = 6
# A longer "sentence" is not a summary's (the role check's work grows with its names squared).
MAX_CLAIM_WORDS = 150
NEGATION_REACH = 2  # a negator applies to the next words of its clause, this many content words
ROLE_REACH = 30  # names and the word joining them are looked for within this many tokens
NOT_FOUND = "not found in the article"
STITCHED = "joins two passages of the article that are far apart"
# A claim whose best window lacks at least this share, all of it found together in one far
# passage, is stitched from the two.
STITCHED_REST = 0.15
STITCH_CANDIDATES = 8  # the best windows tried in pairs for a claim no one window holds
# Names joined only by these are items of a list: their order says nothing.
_COORDINATORS = frozenset({"and", "or", "nor"})


class Source(NamedTuple):
    quote: str
    start: int  # offsets into the article's plain text: quote == text[start:end]
    end: int


@dataclass(frozen=True)
class GroundedSentence:
    text: str
    supported: bool
    reason: str  # why it is not supported; empty when it is
    sources: tuple[Source, ...]  # supported: its passages; altered: the passage it contradicts


@dataclass
class _Window:
    first: int  # passage indices, inclusive
    last: int
    tokens: list[Token]
    forms: set[str]
    coverage: float = 0.0


class Grounder:
    """An article prepared once, against which any number of claims are checked."""

    def __init__(self, article_text: str, min_coverage: float = MIN_COVERAGE):
        self.text = article_text
        self.min_coverage = min_coverage
        self.passages = article_passages(article_text)
        self._names = names_in(article_text)
        self._tokens = [
            tokens(article_text[p.start : p.end], self._names) for p in self.passages
        ]
        self._forms = [{f for t in ts for f in _forms(t)} for ts in self._tokens]
        self._index: dict[str, set[int]] = defaultdict(set)
        for number, passage_tokens in enumerate(self._tokens):
            for token in passage_tokens:
                if token.is_content:
                    for form in _forms(token):
                        self._index[form].add(number)
        self._df = Counter({form: len(where) for form, where in self._index.items()})

    def check(self, claim: str) -> GroundedSentence:
        claim_tokens = tokens(claim, self._names)
        content = [t for t in claim_tokens if t.is_content]
        if not content:
            return GroundedSentence(claim, False, "says nothing that can be checked", ())
        if len(claim_tokens) > MAX_CLAIM_WORDS:
            return GroundedSentence(claim, False, f"too long to check (over {MAX_CLAIM_WORDS} words)", ())
        weights = [self._weight(t) for t in content]
        windows = self._candidate_windows(content, weights)
        close = [w for w in windows if w.coverage >= self.min_coverage]
        if not close:
            return self._not_found(claim, content, weights, windows)
        failure: GroundedSentence | None = None
        for window in close:
            far = self._passage_with_the_rest(window, content, weights)
            reason = STITCHED if far is not None else _disagreement(claim_tokens, window)
            sources = self._sources(window, content)
            if not reason:
                return GroundedSentence(claim, True, "", sources)
            if failure is None:
                far_source = () if far is None else (self._source(far),)
                failure = GroundedSentence(claim, False, reason, sources + far_source)
        return failure

    def _weight(self, token: Token) -> float:
        df = min((self._df.get(form, 0) for form in _forms(token)), default=0)
        return math.log((len(self.passages) + 1) / (df + 0.5))

    def _candidate_windows(self, content: list[Token], weights: list[float]) -> list[_Window]:
        scores: Counter[int] = Counter()
        for token, weight in zip(content, weights):
            for number in set().union(*(self._index.get(f, ()) for f in _forms(token))):
                scores[number] += weight
        spans = set()
        last = len(self.passages) - 1
        for number, _ in scores.most_common(CANDIDATE_PASSAGES):
            spans.update({(number, number), (number, min(number + 1, last)), (max(number - 1, 0), number)})
        windows = [self._window(first, last) for first, last in spans]
        total = sum(weights)
        for window in windows:
            held = sum(w for t, w in zip(content, weights) if _found(t, window.forms))
            window.coverage = held / total
            if window.first != window.last and not self._each_adds(window, content):
                window.coverage = 0.0
        # Most coverage first; of equals, the shorter window (the tighter quote).
        windows.sort(key=lambda w: (-w.coverage, w.last - w.first, w.first))
        return windows

    def _window(self, first: int, last: int) -> _Window:
        window_tokens = [t for number in range(first, last + 1) for t in self._tokens[number]]
        forms = set().union(*self._forms[first : last + 1])
        return _Window(first, last, window_tokens, forms)

    def _each_adds(self, window: _Window, content: list[Token]) -> bool:
        """Both passages of a two-passage window hold words of the claim the other lacks.

        Otherwise the pair only lends the claim a stray word: the changed name or year that the
        neighbouring sentence happens to contain.
        """
        first, second = self._forms[window.first], self._forms[window.last]
        for own, other in ((first, second), (second, first)):
            adds = sum(_found(t, own) and not _found(t, other) for t in content)
            if adds < MIN_WORDS_OF_MERGED:
                return False
        return True

    def _passage_with_the_rest(self, window: _Window, content, weights) -> int | None:
        """A passage far from the window that holds all the window lacks of the claim.

        Such a claim is stitched from the two. (The words a paraphrase brings in are mostly
        not in the article at all, or not all in one passage.)
        """
        rest = [(t, w) for t, w in zip(content, weights) if not _found(t, window.forms)]
        if len(rest) < 2 or sum(w for _, w in rest) < STITCHED_REST * sum(weights):
            return None
        holders = set(range(len(self.passages)))
        for token, _ in rest:
            holders &= set().union(*(self._index.get(f, ()) for f in _forms(token)))
        far = sorted(p for p in holders if p < window.first - 1 or p > window.last + 1)
        return far[0] if far else None

    def _not_found(self, claim, content, weights, windows) -> GroundedSentence:
        """Unsupported for want of a window: either stitched from two far passages, or absent."""
        total = sum(weights)
        for one, other in combinations(windows[:STITCH_CANDIDATES], 2):
            if abs(one.first - other.first) <= 2:
                continue
            forms = one.forms | other.forms
            held = sum(w for t, w in zip(content, weights) if _found(t, forms))
            if held / total >= self.min_coverage:
                sources = self._sources(one, content) + self._sources(other, content)
                return GroundedSentence(claim, False, STITCHED, sources)
        return GroundedSentence(claim, False, NOT_FOUND, ())

    def _sources(self, window: _Window, content: list[Token]) -> tuple[Source, ...]:
        """The window's passages that hold some of the claim (a merged claim cites both)."""
        sources = []
        for number in range(window.first, window.last + 1):
            own = self._forms[number]
            if any(_found(t, own) for t in content):
                sources.append(self._source(number))
        return tuple(sources)

    def _source(self, number: int) -> Source:
        passage = self.passages[number]
        return Source(self.text[passage.start : passage.end], passage.start, passage.end)


def ground(summary: str, article_text: str) -> list[GroundedSentence]:
    """Each sentence (or key point) of a summary checked against the article's plain text."""
    grounder = Grounder(article_text)
    return [grounder.check(claim) for claim in summary_claims(summary)]


def _forms(token: Token) -> tuple[str, ...]:
    """What a token may be found as: its form, and (for a capitalised word) its stem as well."""
    if token.is_number or not token.is_name:
        return (token.norm,)
    return (token.norm, stem(token.norm))


def _found(token: Token, forms: set[str]) -> bool:
    if any(f in forms for f in _forms(token)):
        return True
    # "open-weight" is found as "open weight", and the other way round is not needed: the
    # article's hyphenated words are indexed whole and the claim's split words are common.
    parts = token.norm.split("-")
    return not token.is_name and len(parts) > 1 and all(stem(p) in forms for p in parts)


def _disagreement(claim: list[Token], window: _Window) -> str:
    """Why the window does not say what the claim says, or "" when it does."""
    for token in claim:
        if token.is_name and not _found(token, window.forms):
            kind = "number" if token.is_number else "name"
            return f"the {kind} “{token.surface}” is not in the passage"
    return _negation_differs(claim, window.tokens) or _roles_differ(claim, window.tokens)


def _negated(sequence: list[Token], index: int) -> bool:
    """A negator stands before the token, in its clause and within reach."""
    passed = 0
    for before in range(index - 1, -1, -1):
        if sequence[before + 1].opens_clause or passed == NEGATION_REACH:
            return False
        if sequence[before].is_negator:
            return True
        passed += sequence[before].is_content
    return False


def _negation_differs(claim: list[Token], passage: list[Token]) -> str:
    positions = defaultdict(list)
    for i, t in enumerate(passage):
        if t.is_content:
            for form in _forms(t):
                positions[form].append(i)
    for index, token in enumerate(claim):
        if not token.is_content:
            continue
        where = sorted({i for form in _forms(token) for i in positions.get(form, ())})
        if not where:
            continue
        if _negated(claim, index):
            if not any(_negated(passage, i) for i in where):
                return f"the passage does not deny “{token.surface}”"
        elif all(_negated(passage, i) for i in where):
            return f"the passage denies “{token.surface}”"
    return ""


def _roles_differ(claim: list[Token], passage: list[Token]) -> str:
    """Two names the claim links by a word stand in swapped roles in the passage."""
    names = _name_groups(claim)
    for (a_start, a_forms, a_text), (b_start, b_forms, b_text) in combinations(names, 2):
        between = [t for t in claim[a_start + 1 : b_start] if not t.is_name and not t.is_negator]
        # The words linking them: content words, else small ones ("CR Maids in Denver").
        links = [set(_forms(t)) for t in between if t.is_content] or [
            {t.norm} for t in between if t.norm not in _COORDINATORS
        ]
        if not links:
            continue
        claim_agent_is_a = not _after_by(claim, b_start)
        where_a, where_b = _name_starts(passage, a_forms), _name_starts(passage, b_forms)
        agreeing = disagreeing = False
        for link in links:
            where_link = [i for i, t in enumerate(passage) if link & set(_forms(t))]
            for a in where_a:
                for b in where_b:
                    if abs(a - b) > ROLE_REACH or not any(min(a, b) < r < max(a, b) for r in where_link):
                        continue
                    # In the passage the agent is the first name, unless the second follows "by".
                    first, second = (a, b) if a < b else (b, a)
                    agent = first if not _after_by(passage, second) else second
                    if (agent == a) == claim_agent_is_a:
                        agreeing = True
                    else:
                        disagreeing = True
        if disagreeing and not agreeing:
            return f"“{a_text}” and “{b_text}” have each other's roles in the passage"
    return ""


def _name_starts(passage: list[Token], forms: set[str]) -> list[int]:
    """Where a name begins in the passage (the "Tim" of "Tim Cook", not also its "Cook")."""
    return [
        i
        for i, t in enumerate(passage)
        if t.norm in forms and not (i > 0 and passage[i - 1].norm in forms)
    ]


def _after_by(sequence: list[Token], index: int) -> bool:
    return index > 0 and sequence[index - 1].norm == "by"


def _name_groups(claim: list[Token]) -> list[tuple[int, set[str], str]]:
    """Runs of adjacent names ("Tim Cook") as (first index, their forms, their text)."""
    groups: list[tuple[int, set[str], str]] = []
    previous = -2
    for index, token in enumerate(claim):
        if not token.is_name:
            continue
        if index == previous + 1:
            start, forms, text = groups[-1]
            groups[-1] = (start, forms | set(_forms(token)), f"{text} {token.surface}")
        else:
            groups.append((index, set(_forms(token)), token.surface))
        previous = index
    return groups
