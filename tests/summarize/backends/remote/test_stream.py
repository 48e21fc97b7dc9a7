"""The remote backend's answer, read as every backend's is: reasoning the server tells apart
and reasoning written into the text both reach the Reasoning view, never the summary."""

from __future__ import annotations

import pytest

from reader.errors import ModelError
from reader.summarize import output
from reader.summarize.backends.remote import RemoteModel
from reader.summarize.summarizer import summarize
from reader.summarize.summarizer import summarize_and_store
from tests.summarize import openai_stub
from tests.summarize.openai_stub import (
    ARTICLE_PIECES,
    GPT_OSS_ANSWER,
    GPT_OSS_REASONING,
    MESSAGES,
    add_article,
    assert_clean,
    chat,
    read,
)

FINAL, REASONING = output.FINAL, output.REASONING


def test_gpt_oss_reasoning_is_kept_apart_from_the_answer(stub):
    pieces = list(RemoteModel(stub.url, "gpt-oss").stream_chat(MESSAGES, 64))
    assert read(pieces) == {FINAL: GPT_OSS_ANSWER, REASONING: GPT_OSS_REASONING}
    told = [piece for piece in pieces if isinstance(piece, output.Event)]
    assert [event.kind for event in told] == [REASONING] * 4, "streamed piece by piece"
    assert isinstance(pieces[4], str), "thinking first, then the answer's text"


def test_ollamas_reasoning_field_is_reasoning_too(stub):
    assert read(chat(stub, "qwen3-ollama")) == {FINAL: "Kelby will build a tidal plant.",
                                                 REASONING: "The user wants a summary."}


def test_think_tags_in_the_answer_are_read_by_the_one_parser(stub):
    pieces = chat(stub, "qwen3-think")
    assert all(isinstance(piece, str) for piece in pieces), "the text as the model wrote it"
    assert "<think>" in "".join(pieces)
    assert read(pieces) == {FINAL: "Kelby will build a tidal plant.",
                            REASONING: "\nThe user wants a summary."}


def test_only_reasoning_until_the_token_limit_says_so(stub):
    with pytest.raises(ModelError, match="all 64 tokens of its answer reasoning") as caught:
        chat(stub, "thinks-too-long")
    assert_clean(caught.value)


def test_the_summary_stored_is_the_answer_and_the_reasoning_goes_to_reasoning(stub, library):
    article_id = add_article(library)
    thoughts = []
    pieces = list(summarize_and_store(library, article_id, RemoteModel(stub.url, "gpt-oss"),
                                      reasoning=thoughts.append))
    assert "".join(pieces) == GPT_OSS_ANSWER
    assert library.summary(article_id) == GPT_OSS_ANSWER
    assert "".join(thoughts) == GPT_OSS_REASONING


def test_think_tags_from_a_server_reach_the_reasoning_too(stub, library):
    thoughts = []
    article = library.get(add_article(library))
    summary = "".join(summarize(article, RemoteModel(stub.url, "qwen3-think"),
                                reasoning=thoughts.append))
    assert summary == "Kelby will build a tidal plant."
    assert "".join(thoughts).strip() == "The user wants a summary."


def test_a_server_that_ignores_streaming_still_gives_its_answer(stub):
    assert read(chat(stub, "whole-json")) == {FINAL: "Kelby will build a tidal plant.",
                                              REASONING: "Short article."}


@pytest.mark.parametrize("scenario", ["finish-no-done", openai_stub.CUT_AFTER_FINISH])
def test_a_stream_with_an_end_reason_but_no_end_marker_is_complete(stub, scenario):
    assert chat(stub, scenario) == ARTICLE_PIECES
