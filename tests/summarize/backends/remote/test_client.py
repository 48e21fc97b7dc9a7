"""The remote backend against a scripted OpenAI-compatible server: the request, the ways servers
fail, cancelling, the context size and token counts."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from reader.errors import ModelError
from reader.summarize.backends.remote import RemoteModel
from reader.summarize.backends.remote.client import DEFAULT_CONTEXT
from reader.summarize.backends.remote.tokens import estimate_tokens
from reader.summarize.summarizer import summarize_and_store
from tests.summarize import openai_stub
from tests.summarize.openai_stub import (
    ARTICLE_PIECES,
    MESSAGES,
    add_article,
    assert_clean,
    chat,
    closed_port,
    run_in_thread,
    unaccepting_port,
)

CANCEL_WITHIN = 1.0  # seconds from setting the flag to the stream ending


@pytest.mark.parametrize("suffix", ["", "/v1", "/v1/"])
def test_the_chat_request_is_an_openai_streaming_request(stub, suffix):
    model = RemoteModel(stub.url + suffix, "plain", api_key="sk-test")
    assert list(model.stream_chat(MESSAGES, 64)) == ARTICLE_PIECES
    request = stub.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["body"]["stream"] is True
    assert request["body"]["model"] == "plain"
    assert request["body"]["max_tokens"] == 64
    assert request["body"]["messages"] == MESSAGES


def test_no_key_sends_no_authorization(stub):
    chat(stub, "plain")
    assert "Authorization" not in stub.requests[-1]["headers"]


def test_the_key_never_shows_in_the_models_repr():
    assert "sk-secret" not in repr(RemoteModel("http://127.0.0.1:1", "m", api_key="sk-secret"))


# -- failures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario, message", [
    ("server-error", r"answered 500 Internal Server Error: llama_decode failed: out of memory\.$"),
    ("traceback", r"answered 500 .*: 1 validation error: \{'type': 'list_type'"),
    ("bad-gateway", r"answered 502 Bad Gateway\.$"),
    ("no-such-model", r"404 Not Found: The model `no-such-model` does not exist\. "
                      r"Check the model name \(no-such-model\)"),
    ("html-page", r"answered with a web page, not a chat stream"),
    ("html-untyped", r"answered with a web page"),
    ("not-sse", r"not an event stream: 'Hello, this is not a stream'"),
    ("no-choices", r"malformed answer \(a chunk without choices\)"),
    ("data-error", r"failed while answering: llama_decode failed: out of memory"),
    ("json-error", r"failed while answering: llama_decode failed: out of memory"),
    ("empty", r"^The model returned an empty answer\.$"),
    ("blank", r"^The model returned an empty answer\.$"),
])
def test_failures_are_model_errors_in_words(stub, scenario, message):
    with pytest.raises(ModelError, match=message) as caught:
        chat(stub, scenario)
    assert_clean(caught.value)
    assert stub.url in str(caught.value) or "answer" in str(caught.value)


@pytest.mark.parametrize("scenario, message", [
    ("not-json", "not JSON in its answer"),
    ("stream-error", "failed while answering: the request exceeds the available context size"),
    ("no-done", "stopped in the middle of the answer"),
    ("cut-off", "closed the connection in the middle of the answer"),
])
def test_a_stream_that_breaks_gives_its_text_so_far_then_an_error(stub, scenario, message):
    pieces = []
    with pytest.raises(ModelError, match=message) as caught:
        for piece in RemoteModel(stub.url, scenario).stream_chat(MESSAGES, 64):
            pieces.append(piece)
    assert_clean(caught.value)
    assert "".join(pieces).startswith("Kelby will")


def test_a_broken_stream_stores_no_summary(stub, library):
    article_id = add_article(library)
    with pytest.raises(ModelError):
        list(summarize_and_store(library, article_id, RemoteModel(stub.url, "cut-off")))
    assert library.summary(article_id) is None


def test_a_wrong_key_says_so_in_the_servers_words(make_stub):
    server = make_stub(api_key="right")
    with pytest.raises(ModelError, match=r"refused the request \(401 Unauthorized\): "
                                         r"Invalid API Key\. Check the API key") as caught:
        chat(server, "plain", api_key="wrong")
    assert_clean(caught.value)
    assert chat(server, "plain", api_key="right") == ARTICLE_PIECES


def test_a_server_that_is_not_running_is_named():
    model = RemoteModel(f"http://127.0.0.1:{closed_port()}/v1", "m")
    for use in (lambda: list(model.stream_chat(MESSAGES, 64)), lambda: model.context_size,
                lambda: model.count_tokens("some text")):
        started = time.monotonic()
        with pytest.raises(ModelError, match=r"No model server is running at http://127\.0\.0\.1:"
                                             r"\d+ \(connection refused\)") as caught:
            use()
        assert time.monotonic() - started < 2
        assert_clean(caught.value)


def test_a_name_that_does_not_resolve_is_named():
    with pytest.raises(ModelError, match=r"address reader-test\.invalid could not be found "
                                         r"\(DNS lookup failed\)") as caught:
        chat("http://reader-test.invalid:8080/v1", "m")
    assert_clean(caught.value)


def test_a_server_that_does_not_accept_the_connection_times_out():
    with unaccepting_port() as port:
        started = time.monotonic()
        with pytest.raises(ModelError, match=r"did not accept a connection within 0\.3 s"):
            chat(f"http://127.0.0.1:{port}", "m", timeout=httpx.Timeout(5, connect=0.3))
        assert time.monotonic() - started < 3


def test_a_server_that_never_answers_times_out(stub):
    with pytest.raises(ModelError, match=r"did not answer within 0\.5 s") as caught:
        chat(stub, openai_stub.STALL_BEFORE_HEADERS, timeout=httpx.Timeout(5, read=0.5))
    assert_clean(caught.value)


def test_a_server_that_stops_mid_answer_times_out_after_its_text(stub):
    model = RemoteModel(stub.url, openai_stub.STALL_MID_STREAM, timeout=httpx.Timeout(5, read=0.5))
    pieces = []
    with pytest.raises(ModelError, match=r"stopped sending its answer \(nothing for 0\.5 s\)"):
        for piece in model.stream_chat(MESSAGES, 64):
            pieces.append(piece)
    assert pieces == ARTICLE_PIECES[:2]


# -- cancelling -----------------------------------------------------------------------------------


def test_cancel_between_pieces_stops_at_once(stub):
    cancelled = threading.Event()
    pieces = []
    for piece in RemoteModel(stub.url, "plain").stream_chat(MESSAGES, 64, cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
    assert pieces == ARTICLE_PIECES[:3]


@pytest.mark.parametrize("scenario", [openai_stub.STALL_BEFORE_HEADERS,
                                      openai_stub.STALL_MID_STREAM])
def test_cancel_while_the_server_is_silent_returns_within_a_second(stub, scenario):
    cancelled = threading.Event()
    model = RemoteModel(stub.url, scenario)  # the default read timeout: minutes
    thread, outcome = run_in_thread(lambda: list(model.stream_chat(MESSAGES, 64, cancelled)))
    time.sleep(0.5)
    assert thread.is_alive(), "the stream should be waiting on the silent server"
    cancelled_at = time.monotonic()
    cancelled.set()
    thread.join(openai_stub.STALL_SECONDS)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["ended"] - cancelled_at < CANCEL_WITHIN
    assert outcome["result"] == ([] if scenario == openai_stub.STALL_BEFORE_HEADERS
                                 else ARTICLE_PIECES[:2])
    assert stub.hangups.acquire(timeout=2), "the server should see the client hang up"


def test_a_cancelled_summary_is_not_stored(stub, library):
    article_id = add_article(library)
    cancelled = threading.Event()
    cancelled.set()
    assert list(summarize_and_store(library, article_id, RemoteModel(stub.url, "plain"),
                                    cancelled)) == []
    assert library.summary(article_id) is None
    assert "/v1/chat/completions" not in stub.paths(), "nothing asked once cancelled"


# -- context size and token counts ----------------------------------------------------------------


@pytest.mark.parametrize("config, limit, expected", [
    ({"props": {"default_generation_settings": {"n_ctx": 4096}}}, 8192, 4096),  # llama.cpp
    ({"props": {"default_generation_settings": {"n_ctx": 4096}},
      "models": [{"id": "m", "meta": {"n_ctx_train": 131072}}]}, 8192, 4096),  # props win
    ({"models": [{"id": "m", "max_model_len": 16384}]}, 32768, 16384),  # vLLM
    ({"models": [{"id": "m", "max_model_len": 16384}]}, 8192, 8192),  # capped by the setting
    ({"models": [{"id": "other", "context_length": 2048},
                 {"id": "m", "context_length": 4096}]}, 8192, 4096),
    ({"models": [{"id": "m.gguf", "meta": {"n_ctx_train": 2048}}]}, 8192, 2048),  # the only one
    ({"models": [{"id": "a", "context_length": 2048}, {"id": "b"}]}, 8192, 8192),  # not ours
    ({"models": [{"id": "m", "object": "model", "owned_by": "me"}]}, 6000, 6000),  # Ollama
    ({}, 8192, 8192),  # no such routes
    ({"props": {"default_generation_settings": {}}, "models": [{"id": "m"}]}, 5000, 5000),
])
def test_the_context_size_is_what_the_server_tells_capped_by_the_setting(
        make_stub, config, limit, expected):
    server = make_stub(**config)
    model = RemoteModel(server.url + "/v1", "m", context_limit=limit)
    assert model.context_size == expected
    asked = len(server.requests)
    assert model.context_size == expected
    assert len(server.requests) == asked, "asked once"


def test_the_default_context_is_the_settings_default(make_stub):
    assert DEFAULT_CONTEXT == 8192
    assert RemoteModel(make_stub().url, "m").context_size == 8192


def test_a_key_the_server_wants_for_its_model_list_is_sent(make_stub):
    server = make_stub(models=[{"id": "m", "max_model_len": 4096}], api_key="k")
    assert RemoteModel(server.url, "m", api_key="k").context_size == 4096
    assert RemoteModel(server.url, "m", api_key="wrong").context_size == DEFAULT_CONTEXT


@pytest.mark.parametrize("tokenizer, route", [("llama.cpp", "/tokenize"),
                                              ("llama-cpp-python", "/extras/tokenize/count")])
def test_tokens_are_counted_by_the_servers_tokenizer_when_it_has_one(make_stub, tokenizer, route):
    server = make_stub(tokenize=tokenizer)
    model = RemoteModel(server.url, "m")
    assert model.count_tokens("one two three four five") == 5, "without a BOS"
    assert model.count_tokens("") == 0
    asked = len(server.requests)
    assert model.count_tokens("six seven") == 2
    assert server.paths()[asked:] == [route], "the route is found once"
    if route == "/tokenize":
        assert server.requests[-1]["body"]["add_special"] is False


def test_without_a_tokenizer_tokens_are_estimated_from_characters(make_stub):
    server = make_stub()
    model = RemoteModel(server.url, "m")
    text = "x" * 41
    assert model.count_tokens(text) == estimate_tokens(text) == 11
    asked = len(server.requests)
    model.count_tokens(text)
    assert len(server.requests) == asked, "no more asking once the server has no tokenizer"
