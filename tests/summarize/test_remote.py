"""The remote backend against a scripted OpenAI-compatible server (the ways servers answer and
fail) and against a real one: llama-cpp-python's server running the embedded model."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import httpx
import pytest

from reader.errors import ModelError
from reader.library import NewArticle
from reader.summarize.remote import (
    CONTENT,
    DEFAULT_CONTEXT,
    REASONING,
    RemoteModel,
    StreamEvent,
    _ThinkSplitter,
    estimate_tokens,
    server_root,
)
from reader.summarize.summarizer import summarize_and_store
from tests.llama_server import SERVER_KEY
from tests.summarize import openai_stub
from tests.summarize.openai_stub import (
    ARTICLE_PIECES,
    GPT_OSS_ANSWER,
    GPT_OSS_REASONING,
    OpenAIStub,
    closed_port,
    run_in_thread,
    unaccepting_port,
)

MESSAGES = [{"role": "user", "content": "Summarise: Kelby votes for a tidal plant."}]
ARTICLE = (
    "The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour. "
    "Six turbines will be placed on the seabed, and the plant will power about four thousand "
    "homes from 2028. Fishermen worried about the noise, but a two-year study found that seals "
    "and fish kept using the channel. The plant is paid for by a cooperative of local residents."
)
CANCEL_WITHIN = 1.0  # seconds from setting the flag to the stream ending


@pytest.fixture
def stub():
    with OpenAIStub() as server:
        yield server
    assert not server.errors


@pytest.fixture
def make_stub():
    """Stubs built with the routes a test needs (/props, /v1/models, /tokenize, a key)."""
    started = []

    def make(**config) -> OpenAIStub:
        started.append(OpenAIStub(**config).__enter__())
        return started[-1]

    yield make
    for server in started:
        server.__exit__(None, None, None)
        assert not server.errors


def chat(stub_or_url, scenario: str, **options) -> list[str]:
    url = stub_or_url if isinstance(stub_or_url, str) else stub_or_url.url
    return list(RemoteModel(url, scenario, **options).stream_chat(MESSAGES, 64))


def kinds_and_text(events: list[StreamEvent]) -> dict[str, str]:
    return {kind: "".join(e.text for e in events if e.kind == kind)
            for kind in (CONTENT, REASONING)}


def assert_clean(error: ModelError) -> None:
    """A message for people: no traceback, no exception class names, one line."""
    message = str(error)
    for leak in ("Traceback", 'File "', "httpx", "httpcore", "\n"):
        assert leak not in message, message
    assert not re.search(r"\b\w+(Error|Exception|Timeout)\b", message), message


def add_article(library, text=ARTICLE, url="https://example.org/tidal"):
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Kelby goes tidal",
                                           body_html=f"<p>{text}</p>", text=text))
    return article_id


# -- the endpoint ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:8080", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1",
    "http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions",
    " 127.0.0.1:8080/v1 ",
])
def test_endpoints_with_or_without_v1_name_the_same_server(endpoint):
    assert server_root(endpoint) == "http://127.0.0.1:8080"


def test_an_endpoint_under_a_path_keeps_its_path():
    assert server_root("https://models.example.org/api/v1") == "https://models.example.org/api"


@pytest.mark.parametrize("endpoint", ["", "ftp://example.org", "http://", "http://host:port/v1"])
def test_an_endpoint_that_is_no_http_address_is_a_clear_error(endpoint):
    with pytest.raises(ModelError, match="not an http"):
        RemoteModel(endpoint, "m")


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


# -- reasoning ------------------------------------------------------------------------------------


def test_gpt_oss_reasoning_is_kept_apart_from_the_answer(stub):
    model = RemoteModel(stub.url, "gpt-oss")
    assert "".join(model.stream_chat(MESSAGES, 64)) == GPT_OSS_ANSWER
    events = list(model.stream_events(MESSAGES, 64))
    assert kinds_and_text(events) == {CONTENT: GPT_OSS_ANSWER, REASONING: GPT_OSS_REASONING}
    assert [e.kind for e in events].index(CONTENT) == 4, "thinking first, streamed piece by piece"


def test_ollamas_reasoning_field_is_reasoning_too(stub):
    events = list(RemoteModel(stub.url, "qwen3-ollama").stream_events(MESSAGES, 64))
    assert kinds_and_text(events) == {CONTENT: "Kelby will build a tidal plant.",
                                      REASONING: "The user wants a summary."}


def test_think_tags_in_the_answer_are_moved_to_reasoning(stub):
    events = list(RemoteModel(stub.url, "qwen3-think").stream_events(MESSAGES, 64))
    assert kinds_and_text(events) == {CONTENT: "Kelby will build a tidal plant.",
                                      REASONING: "\nThe user wants a summary."}
    assert "".join(chat(stub, "qwen3-think")) == "Kelby will build a tidal plant."


@pytest.mark.parametrize("text, reasoning, content", [
    ("<think>Short.</think>\n\nThe answer.", "Short.", "The answer."),
    ("  <think>a < b</think>x", "a < b", "x"),
    ("The answer, no thinking.", "", "The answer, no thinking."),
    ("<thinking> is a word here", "", "<thinking> is a word here"),
    ("<think>cut off mid-thought", "cut off mid-thought", ""),
    ("<", "", "<"),
])
def test_think_tags_are_found_however_the_pieces_are_cut(text, reasoning, content):
    for cut in range(len(text) + 1):
        for pieces in ([text[:cut], text[cut:]], list(text)):
            splitter = _ThinkSplitter()
            events = [e for piece in pieces for e in splitter.feed(piece)] + splitter.finish()
            assert kinds_and_text(events) == {CONTENT: content, REASONING: reasoning}, pieces


def test_only_reasoning_until_the_token_limit_says_so(stub):
    with pytest.raises(ModelError, match="all 64 tokens of its answer reasoning") as caught:
        chat(stub, "thinks-too-long")
    assert_clean(caught.value)


def test_the_summary_stored_is_the_answer_without_the_reasoning(stub, library):
    article_id = add_article(library)
    pieces = list(summarize_and_store(library, article_id, RemoteModel(stub.url, "gpt-oss")))
    assert "".join(pieces) == GPT_OSS_ANSWER
    assert library.summary(article_id) == GPT_OSS_ANSWER


def test_a_server_that_ignores_streaming_still_gives_its_answer(stub):
    events = list(RemoteModel(stub.url, "whole-json").stream_events(MESSAGES, 64))
    assert kinds_and_text(events) == {CONTENT: "Kelby will build a tidal plant.",
                                      REASONING: "Short article."}


@pytest.mark.parametrize("scenario", ["finish-no-done", openai_stub.CUT_AFTER_FINISH])
def test_a_stream_with_an_end_reason_but_no_end_marker_is_complete(stub, scenario):
    assert chat(stub, scenario) == ARTICLE_PIECES


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


# -- a real server: llama-cpp-python's, running the embedded model --------------------------------

@pytest.fixture
def served(llama_server):
    model = RemoteModel(llama_server + "/v1", "smollm2", api_key=SERVER_KEY, context_limit=2048)
    yield model
    model.close()


@pytest.mark.slow
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


@pytest.mark.slow
def test_a_real_server_counts_tokens_as_the_local_model_does(served, tiny_model):
    for text in (ARTICLE, "Ünïcödé — naïve café, 東京タワー", "one\n\ntwo  three", ""):
        assert served.count_tokens(text) == tiny_model.count_tokens(text), text
    assert served.count_tokens(ARTICLE) != estimate_tokens(ARTICLE), "counted, not estimated"


@pytest.mark.slow
def test_a_real_server_that_cannot_tell_its_context_gets_the_setting(llama_server):
    assert RemoteModel(llama_server, "smollm2", api_key=SERVER_KEY).context_size == 8192
    assert RemoteModel(llama_server, "smollm2", api_key=SERVER_KEY,
                       context_limit=2048).context_size == 2048


@pytest.mark.slow
def test_a_real_server_refuses_a_wrong_key_in_its_words(llama_server):
    with pytest.raises(ModelError, match=r"refused the request \(401 Unauthorized\): "
                                         r"Invalid API key\. Check the API key") as caught:
        chat(llama_server, "smollm2", api_key="wrong")
    assert_clean(caught.value)


@pytest.mark.slow
def test_a_real_server_given_too_long_a_prompt_is_a_clear_error(served):
    messages = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(ModelError, match="stopped in the middle of the answer") as caught:
        list(served.stream_chat(messages, 32))
    assert_clean(caught.value)


@pytest.mark.slow
def test_a_real_server_stops_when_cancelled_and_serves_the_next_request(served):
    cancelled = threading.Event()
    pieces = []
    for piece in served.stream_chat(MESSAGES, 200, cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
    assert len(pieces) == 3
    assert "".join(served.stream_chat(MESSAGES, 16)).strip()
