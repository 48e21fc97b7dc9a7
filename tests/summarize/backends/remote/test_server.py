"""The remote backend against a real server: llama-cpp-python's, running the embedded model."""

from __future__ import annotations

import threading
import time

import pytest

from reader.errors import ModelError
from reader.summarize.backends.remote import RemoteModel
from reader.summarize.backends.remote.tokens import estimate_tokens
from reader.summarize.summarizer import summarize_and_store
from tests.llama_server import SERVER_KEY
from tests.summarize.openai_stub import ARTICLE, MESSAGES, add_article, assert_clean, chat

pytestmark = pytest.mark.slow


def test_a_real_server_streams_a_summary_piece_by_piece(served, library):
    article_id = add_article(library)
    pieces, arrivals = [], []
    for piece in summarize_and_store(library, article_id, served):
        pieces.append(piece)
        arrivals.append(time.monotonic())
    assert len(pieces) > 5, "the summary should arrive token by token"
    assert arrivals[-1] - arrivals[0] > 0.05, "pieces should arrive while they are written"
    summary = "".join(pieces).strip()
    assert len(summary.split()) >= 5
    assert library.summary(article_id) == summary


def test_a_real_server_counts_tokens_as_the_local_model_does(served, tiny_model):
    for text in (ARTICLE, "Ünïcödé — naïve café, 東京タワー", "one\n\ntwo  three", ""):
        assert served.count_tokens(text) == tiny_model.count_tokens(text), text
    assert served.count_tokens(ARTICLE) != estimate_tokens(ARTICLE), "counted, not estimated"


def test_a_real_server_that_cannot_tell_its_context_gets_the_setting(llama_server):
    assert RemoteModel(llama_server, "smollm2", api_key=SERVER_KEY).context_size == 8192
    assert RemoteModel(llama_server, "smollm2", api_key=SERVER_KEY,
                       context_limit=2048).context_size == 2048


def test_a_real_server_refuses_a_wrong_key_in_its_words(llama_server):
    with pytest.raises(ModelError, match=r"refused the request \(401 Unauthorized\): "
                                         r"Invalid API key\. Check the API key") as caught:
        chat(llama_server, "smollm2", api_key="wrong")
    assert_clean(caught.value)


def test_a_real_server_given_too_long_a_prompt_is_a_clear_error(served):
    messages = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(ModelError, match="stopped in the middle of the answer") as caught:
        list(served.stream_chat(messages, 32))
    assert_clean(caught.value)


def test_a_real_server_stops_when_cancelled_and_serves_the_next_request(served):
    cancelled = threading.Event()
    pieces = []
    for piece in served.stream_chat(MESSAGES, 200, cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
    assert len(pieces) == 3
    assert "".join(served.stream_chat(MESSAGES, 16)).strip()
