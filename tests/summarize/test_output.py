"""The output parser, on recorded raw outputs fed in every way a stream can split them."""

import random
from pathlib import Path

import pytest

from reader.summarize.output import FINAL, REASONING, Event, Parser, parse

FIXTURES = Path(__file__).parent.parent / "fixtures" / "model-output"
CASES = sorted(path.name.removesuffix(".raw.txt") for path in FIXTURES.glob("*.raw.txt"))


def chunked(text, sizes):
    pieces, start = [], 0
    for size in sizes:
        if start >= len(text):
            break
        pieces.append(text[start:start + size])
        start += size
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def chunkings(text):
    yield "whole", [text]
    yield "1-char", list(text)
    for seed in range(8):
        rng = random.Random(seed)
        yield f"random-{seed}", chunked(text, [rng.randint(1, 24) for _ in range(len(text))])


def run(pieces, **options):
    parser = Parser(**options)
    events = list(parser.stream(pieces))
    return parser, events


def load(case):
    raw = (FIXTURES / f"{case}.raw.txt").read_text(encoding="utf-8")
    final = (FIXTURES / f"{case}.final.txt").read_text(encoding="utf-8")
    reasoning = (FIXTURES / f"{case}.reasoning.txt").read_text(encoding="utf-8")
    return raw, final, reasoning


def test_every_format_has_fixtures():
    assert {"gpt-oss-harmony", "gpt-oss-llama-cpp", "qwen3-think", "r1-open-think",
            "smollm2-plain"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_recorded_output_in_every_chunking(case):
    raw, final, reasoning = load(case)
    options = {"starts_in_reasoning": case.startswith("r1-")}
    for name, pieces in chunkings(raw):
        parser, events = run(pieces, **options)
        assert parser.final == final, f"{case}, {name} chunks"
        assert parser.reasoning.strip() == reasoning.strip(), f"{case}, {name} chunks"
        # The events carry exactly that text, and never two of one kind in a row from one feed.
        assert "".join(e.text for e in events if e.kind == FINAL) == final
        assert "".join(e.text for e in events if e.kind == REASONING) == parser.reasoning
        assert all(e.text for e in events)


@pytest.mark.parametrize("case", ["gpt-oss-harmony", "qwen3-think", "r1-open-think"])
def test_every_split_point(case):
    raw, final, _ = load(case)
    options = {"starts_in_reasoning": case.startswith("r1-")}
    for cut in range(len(raw) + 1):
        parser, _ = run([raw[:cut], raw[cut:]], **options)
        assert parser.final == final, cut


def test_reasoning_streams_before_the_summary():
    raw, _, _ = load("gpt-oss-harmony")
    _, events = run(list(raw))
    kinds = [event.kind for event in events]
    assert kinds.index(REASONING) < kinds.index(FINAL)
    assert kinds.count(REASONING) > 20, "reasoning should stream too, not arrive in one piece"


def test_plain_text_is_handed_on_at_once():
    parser = Parser()
    assert parser.feed("The council") == [Event(FINAL, "The council")]
    assert parser.feed(" voted <") == [Event(FINAL, " voted ")]  # "<" may open a tag
    assert parser.feed("|cha") == []
    assert parser.feed("nnel|>final<|message|>") == []
    assert parser.feed("yes") == [Event(FINAL, "yes")]
    assert parser.finish() == []
    assert parser.final == "The council voted yes"


def test_a_partial_tag_that_is_not_one_is_text():
    parser = Parser()
    parser.feed("The council <|cha")
    assert parser.feed("rter is") == [Event(FINAL, "<|charter is")]
    assert parser.finish() == []
    parser = Parser()
    parser.feed("Noise stays <")
    assert parser.finish() == [Event(FINAL, "<")]


def test_a_possible_preamble_is_held_only_until_decided():
    parser = Parser()
    assert parser.feed("Summary") == []
    assert parser.feed(":") == []
    assert parser.feed("  \n") == []
    assert parser.feed("Kelby votes.") == [Event(FINAL, "Kelby votes.")]
    parser = Parser()
    assert parser.feed("Summary") == []
    assert parser.feed(" statistics show a rise. Then") == [
        Event(FINAL, "Summary statistics show a rise. Then")]


@pytest.mark.parametrize("text, final", [
    ("Here is a summary of the article:\nKelby votes.", "Kelby votes."),
    ("Here's a short summary of the article in three sentences: Kelby votes.", "Kelby votes."),
    ("Sure! Here's a short summary:\n\nKelby votes.", "Kelby votes."),
    ("Sure!\n\nHere's a short summary:\n\nKelby votes.", "Kelby votes."),
    ("Sure!\n\nKelby votes.", "Sure!\n\nKelby votes."),
    ("Certainly. Here are the key points:\n- Kelby votes.", "- Kelby votes."),
    ("Of course! Below is a brief overview of the article:\n\nKelby votes.", "Kelby votes."),
    ("SUMMARY: Kelby votes.", "Kelby votes."),
    ("**Summary:** Kelby votes.", "Kelby votes."),
    ("**Summary**: Kelby votes.", "Kelby votes."),
    ("## Summary\n\nKelby votes.", "Kelby votes."),
    ("Key points:\n\n- Kelby votes.", "- Kelby votes."),
    ("TL;DR: Kelby votes.", "Kelby votes."),
    ("\n\n  Kelby votes.", "Kelby votes."),
    # Never real content:
    ("Here is what happened: Kelby votes.", "Here is what happened: Kelby votes."),
    ("Sure enough, the council voted: yes.", "Sure enough, the council voted: yes."),
    ("Summary judgments are rare. Kelby votes.", "Summary judgments are rare. Kelby votes."),
    ("Key finding: Kelby votes.", "Key finding: Kelby votes."),
    ("Kelby votes. Summary: yes.", "Kelby votes. Summary: yes."),
    ('Here is a summary of "Kelby: a town that votes": it votes.',
     'Here is a summary of "Kelby: a town that votes": it votes.'),
    ("Okay", "Okay"),
    ("Summary:", ""),
])
def test_preambles(text, final):
    for _, pieces in chunkings(text):
        parser, _ = run(pieces)
        assert parser.final == final, pieces


def test_preamble_is_cut_only_at_the_very_start():
    text = ("<|channel|>final<|message|>Kelby votes.<|end|>"
            "<|start|>assistant<|channel|>final<|message|>Summary: more.")
    assert parse(text) == ("Kelby votes.Summary: more.", "")


def test_preamble_stripping_can_be_turned_off():
    parser = Parser(strip_preamble=False)
    parser.feed("Summary: Kelby votes.")
    parser.finish()
    assert parser.final == "Summary: Kelby votes."


@pytest.mark.parametrize("text, final, reasoning", [
    # A header whose <|message|> went missing: the known channel word starts the body.
    ("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>finalKelby votes.",
     "Kelby votes.", "Think."),
    # A new header in the middle of a message ends it (no <|end|>, no <|start|>).
    ("<|channel|>analysis<|message|>Think.<|channel|>final<|message|>Kelby votes.", "Kelby votes.",
     "Think."),
    # A message with no channel from the assistant is the answer; from a tool it is not.
    ("<|start|>assistant<|message|>Kelby votes.", "Kelby votes.", ""),
    ("<|start|>functions.lookup<|message|>{\"x\": 1}<|end|><|channel|>final<|message|>Kelby votes.",
     "Kelby votes.", "{\"x\": 1}"),
    # A tool call in the commentary channel, with a constrained format.
    ("<|channel|>commentary to=functions.lookup <|constrain|>json<|message|>{\"q\": 1}<|call|>",
     "", "{\"q\": 1}"),
    # The output stops inside a header: nothing of it is summary.
    ("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant", "", "Think."),
    ("<|channel|>analysis<|message|>Think.<|end|><|start|>assistant<|channel|>fin", "", "Think."),
    # <think> counts only at the start; afterwards it is text.
    ("Kelby votes <think> later.", "Kelby votes <think> later.", ""),
    # A </think> that closes nothing is dropped.
    ("Kelby votes.</think>", "Kelby votes.", ""),
    # Cut off while thinking: no summary.
    ("<think>Still thinking", "", "Still thinking"),
])
def test_unusual_shapes(text, final, reasoning):
    for _, pieces in chunkings(text):
        parser, _ = run(pieces)
        assert (parser.final, parser.reasoning.strip()) == (final, reasoning), pieces


def test_starts_in_reasoning_until_the_close():
    assert parse("Hmm.\n</think>\nKelby votes.", starts_in_reasoning=True) == ("Kelby votes.", "Hmm.\n")
    assert parse("Hmm, cut off", starts_in_reasoning=True) == ("", "Hmm, cut off")


def test_nothing_at_all():
    assert parse("") == ("", "")
    assert parse("  \n") == ("", "")


def test_any_jumble_of_tags_reads_the_same_however_it_is_split():
    atoms = ["<|start|>", "<|channel|>", "<|message|>", "<|end|>", "<|return|>", "<|constrain|>",
             "<think>", "</think>", "assistant", "final", "analysis", "commentary", "Summary:",
             "Sure! Here is a summary:", " ", "\n", "Kelby", " votes.", "<", "<|", "x" * 70, "- a\n"]
    for seed in range(400):
        rng = random.Random(seed)
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 14)))
        options = {"starts_in_reasoning": rng.random() < 0.3}
        results = set()
        for _, pieces in list(chunkings(text))[:4]:
            parser, _ = run(pieces, **options)
            results.add((parser.final, parser.reasoning))
        assert len(results) == 1, (text, results)


@pytest.mark.parametrize("text, reasoning, final", [
    ("<think>Short.</think>\n\nThe answer.", "Short.", "The answer."),
    ("  <think>a < b</think>x", "a < b", "x"),
    ("The answer, no thinking.", "", "The answer, no thinking."),
    ("<thinking> is a word here", "", "<thinking> is a word here"),
    ("<think>cut off mid-thought", "cut off mid-thought", ""),
    ("<", "", "<"),
])
def test_a_servers_think_tags_are_found_however_the_pieces_are_cut(text, reasoning, final):
    """What the remote backend once split itself: a server's text now comes here, as any
    backend's does."""
    for cut in range(len(text) + 1):
        for pieces in ([text[:cut], text[cut:]], list(text)):
            parser = Parser()
            list(parser.stream(pieces))
            assert (parser.final, parser.reasoning.strip()) == (final, reasoning), pieces


def test_reasoning_a_backend_told_apart_passes_through_in_order():
    pieces = [Event(REASONING, "We think."), Event(REASONING, " More."), "The ", "answer."]
    events = list(Parser().stream(pieces))
    assert events[:2] == pieces[:2], "as the backend told them, first"
    assert {e.kind for e in events[2:]} == {FINAL}
    assert "".join(e.text for e in events[2:]) == "The answer."
