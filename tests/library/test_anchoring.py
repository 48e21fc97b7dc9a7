"""Anchoring highlights: found where they are, found again when the text around them or a word of
them changed, and not found (never a wrong place) when the passage is gone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.library.anchoring import Selector, anchor, first_occurrence

ESSAY = (
    "Tidal power turns the sea's daily rise and fall into electricity. The first barrage opened "
    "at La Rance in 1966 and still runs today. Critics say barrages harm estuaries, where birds "
    "feed on the mud at low tide. Newer designs put turbines in open channels instead, like "
    "wind turbines under water. The tide is as regular as a clock, so the power can be planned "
    "years ahead, which no wind farm can promise."
)


def _selector(text: str, quote: str) -> Selector:
    start = text.index(quote)
    return Selector.of(text, start, start + len(quote))


def test_an_unchanged_text_gives_the_same_place():
    quote = "still runs today"
    assert anchor(ESSAY, _selector(ESSAY, quote)) == (ESSAY.index(quote),
                                                    ESSAY.index(quote) + len(quote))


def test_of_two_same_quotes_the_context_chooses():
    text = "The tide comes in. Birds wait. The tide comes in. Boats leave."
    second = text.index("The tide comes in", 5)
    selector = Selector.of(text, second, second + len("The tide comes in"))
    moved = "Preface added. " + text
    start = moved.index("The tide comes in", moved.index("Birds"))
    assert anchor(moved, selector) == (start, start + len("The tide comes in"))


def test_text_added_before_moves_the_highlight_with_it():
    selector = _selector(ESSAY, "birds feed on the mud")
    changed = "An editor's note: updated in 2026.\n\n" + ESSAY
    start, end = anchor(changed, selector)
    assert changed[start:end] == "birds feed on the mud"


def test_a_word_changed_inside_the_quote_is_still_found():
    quote = "Newer designs put turbines in open channels instead"
    selector = _selector(ESSAY, quote)
    changed = ESSAY.replace("open channels", "open tidal channels").replace("Newer", "Modern")
    start, end = anchor(changed, selector)
    assert changed[start:end] == "Modern designs put turbines in open tidal channels instead"


def test_whitespace_moved_is_still_found():
    selector = _selector(ESSAY, "as regular as a clock")
    changed = ESSAY.replace("as regular as a clock", "as regular\nas  a clock")
    start, end = anchor(changed, selector)
    assert changed[start:end] == "as regular\nas  a clock"


def test_a_removed_passage_is_not_found():
    quote = "Critics say barrages harm estuaries, where birds feed on the mud at low tide."
    selector = _selector(ESSAY, quote)
    assert anchor(ESSAY.replace(quote, ""), selector) is None
    assert anchor("", selector) is None


def test_first_occurrence_allows_any_whitespace():
    assert first_occurrence("a b\n\nc  d b c", "b c") == (2, 6)
    assert first_occurrence("abc", "x") is None
    assert first_occurrence("abc", "   ") is None


words = st.lists(st.sampled_from(["tide", "sea", "mud", "bird", "the", "a", "power", "clock"]),
                 min_size=5, max_size=60)


@settings(max_examples=200, deadline=None)
@given(words, st.data())
def test_any_passage_is_found_again_where_it_was(text_words, data):
    text = " ".join(text_words)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    if not text[start:end].strip():
        return
    span = anchor(text, Selector.of(text, start, end))
    assert span is not None
    assert text[span[0]:span[1]] == text[start:end]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=80), st.text(max_size=40),
       st.text(max_size=40), st.integers(-5, 400))
def test_hostile_text_and_selectors_never_fail(text, quote, prefix, suffix, start):
    span = anchor(text, Selector(quote, prefix, suffix, start))
    if span is not None:
        assert 0 <= span[0] < span[1] <= len(text)
