"""The output parser on generated model output: any text, split anywhere, fed in any pieces,
gives the same summary and reasoning as the whole text at once, never raises, and keeps up with
a stream of small pieces (its work grows with the output, not with its square)."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.summarize.output import FINAL, REASONING, Parser, parse

TAGS = ["<|start|>", "<|channel|>", "<|message|>", "<|constrain|>", "<|end|>", "<|return|>",
        "<|call|>", "<think>", "</think>", "<|", "<", "|>", "assistant", "final", "analysis",
        "commentary", "Sure! Here's a summary:", "## Summary\n", "Summary:", " ", "\n", "."]
_output = st.lists(st.sampled_from(TAGS) | st.text(max_size=12), max_size=40).map("".join)
PROPERTY = settings(max_examples=200, deadline=None)


def streamed(text: str, cuts: list[int], starts_in_reasoning: bool) -> tuple[str, str]:
    parser = Parser(starts_in_reasoning=starts_in_reasoning)
    final, reasoning = [], []
    edges = sorted({0, len(text), *(cut % (len(text) + 1) for cut in cuts)})
    for start, end in zip(edges, edges[1:]):
        events = parser.feed(text[start:end])
        for event in events:
            (final if event.kind == FINAL else reasoning).append(event.text)
    for event in parser.finish():
        assert event.kind in (FINAL, REASONING)
        (final if event.kind == FINAL else reasoning).append(event.text)
    assert "".join(final) == parser.final and "".join(reasoning) == parser.reasoning
    return parser.final, parser.reasoning


@PROPERTY
@given(text=_output, cuts=st.lists(st.integers(0, 10_000), max_size=20),
       starts_in_reasoning=st.booleans())
def test_any_output_split_anywhere_reads_as_the_whole(text, cuts, starts_in_reasoning):
    whole = parse(text, starts_in_reasoning=starts_in_reasoning)
    assert streamed(text, cuts, starts_in_reasoning) == whole


@PROPERTY
@given(text=st.text(max_size=300), starts_in_reasoning=st.booleans())
def test_any_text_parses_without_raising(text, starts_in_reasoning):
    final, reasoning = parse(text, starts_in_reasoning=starts_in_reasoning)
    assert isinstance(final, str) and isinstance(reasoning, str)


def test_a_long_hostile_stream_in_tiny_pieces_is_read_in_linear_time():
    text = ("<|channel|>analysis<|message|>" + "<|" * 20_000 + "<think>" + "< " * 20_000
            + "<|start|>assistant<|channel|>final<|message|>" + "word " * 20_000)
    parser = Parser()
    started = time.monotonic()
    for start in range(0, len(text), 3):
        parser.feed(text[start:start + 3])
    parser.finish()
    assert time.monotonic() - started < 5
    assert parser.final.startswith("word word")
