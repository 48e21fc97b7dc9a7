"""A scripted OpenAI-compatible server for tests, on 127.0.0.1 with real sockets.

The chat route answers by the ``model`` named in the request: each name is a scenario, a stream
in the shape a real server sends (llama.cpp's chunks, GPT-OSS reasoning, Ollama's field names)
or one of the ways servers fail. ``/props``, ``/v1/models`` and ``/tokenize`` answer only when
the stub is built with them, as only some servers have them.
"""

from __future__ import annotations

import json
import re
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reader.errors import ModelError
from reader.library import NewArticle
from reader.summarize import output

STALL_SECONDS = 10  # how long a stalled scenario keeps the client waiting at most
ARTICLE_PIECES = ["Kelby", " will", " build", " a", " tidal", " plant", " in", " its",
                  " harbour", "."]


def chunk(delta: dict | None = None, finish: str | None = None, model: str = "stub") -> dict:
    """One ``chat.completion.chunk`` as llama.cpp's server writes it."""
    return {
        "choices": [{"finish_reason": finish, "index": 0, "delta": delta or {}}],
        "created": 1767225600,
        "id": "chatcmpl-stub",
        "model": model,
        "system_fingerprint": "b6500-stub",
        "object": "chat.completion.chunk",
    }


def events(*payloads: dict | str) -> list[bytes]:
    """SSE events: a dict is sent as a ``data:`` line, a string as it is."""
    return [(f"data: {json.dumps(payload)}\n\n" if isinstance(payload, dict) else payload).encode()
            for payload in payloads]


def content_stream(pieces: list[str], done: bool = True, finish: str | None = "stop") -> list[bytes]:
    return events(
        chunk({"role": "assistant", "content": None}),
        *(chunk({"content": piece}) for piece in pieces),
        *([chunk(finish=finish)] if finish else []),
        # the usage summary vLLM and llama.cpp send last when asked: no choices at all
        {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "choices": [],
         "usage": {"prompt_tokens": 90, "completion_tokens": len(pieces), "total_tokens": 100}},
        *(["data: [DONE]\n\n"] if done else []),
    )


# GPT-OSS-20b through llama-server --jinja: the harmony "analysis" channel arrives as
# reasoning_content, the "final" channel as content.
GPT_OSS = b"""\
data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":"We"}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":" need"}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":" to summarise"}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"reasoning_content":" the article."}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Kelby"}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" will build"}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" a tidal plant."}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk"}

data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1767225600,"id":"chatcmpl-oss","model":"gpt-oss-20b","system_fingerprint":"b6500-stub","object":"chat.completion.chunk","timings":{"prompt_n":92,"prompt_ms":310.2,"predicted_n":16,"predicted_ms":402.9}}

data: [DONE]

"""
GPT_OSS_REASONING = "We need to summarise the article."
GPT_OSS_ANSWER = "Kelby will build a tidal plant."

# Qwen3 served without a reasoning parser: the thinking is in the content, the tags split.
QWEN_THINK_PIECES = ["<th", "ink>\nThe user wants", " a summary.</th", "ink>\n\n", "Kelby will",
                     " build a tidal plant."]

ERROR_500 = {"error": {"code": 500, "message": "llama_decode failed: out of memory",
                       "type": "server_error"}}
# llama-cpp-python's server puts a Python traceback into its messages.
ERROR_TRACEBACK = {"error": {
    "message": "1 validation error:\n  {'type': 'list_type', 'loc': ('body', 'messages')}\n\n"
               "  File \"/srv/llama_cpp/server/app.py\", line 376, in create_chat_completion\n"
               "    POST /v1/chat/completions",
    "type": "internal_server_error", "param": None, "code": None}}
ERROR_CONTEXT = {"code": 400, "type": "exceed_context_size_error",
                 "message": "the request exceeds the available context size, try increasing it"}
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Router login</title></head><body></body></html>"

# scenario -> (status, content type, body parts or None for a stream written by a function)
SCENARIOS: dict[str, tuple[int, str, list[bytes]]] = {
    "plain": (200, "text/event-stream", content_stream(ARTICLE_PIECES)),
    "gpt-oss": (200, "text/event-stream", [GPT_OSS]),
    "qwen3-ollama": (200, "text/event-stream", events(
        chunk({"role": "assistant", "content": "", "reasoning": "The user"}),
        chunk({"content": "", "reasoning": " wants a summary."}),
        chunk({"content": "Kelby will"}),
        chunk({"content": " build a tidal plant."}),
        chunk(finish="stop"),
        "data: [DONE]\n\n")),
    "qwen3-think": (200, "text/event-stream", content_stream(QWEN_THINK_PIECES)),
    "thinks-too-long": (200, "text/event-stream", events(
        chunk({"role": "assistant", "content": None}),
        *(chunk({"reasoning_content": " and so on"}) for _ in range(5)),
        chunk(finish="length"),
        "data: [DONE]\n\n")),
    "empty": (200, "text/event-stream", content_stream([])),
    "blank": (200, "text/event-stream", content_stream(["\n", "  "])),
    "server-error": (500, "application/json", [json.dumps(ERROR_500).encode()]),
    "traceback": (500, "application/json", [json.dumps(ERROR_TRACEBACK).encode()]),
    "bad-gateway": (502, "text/html", [b"<html><body><h1>502 Bad Gateway</h1></body></html>"]),
    "html-page": (200, "text/html; charset=utf-8", [HTML_PAGE]),
    "html-untyped": (200, "application/octet-stream", [HTML_PAGE]),
    "not-sse": (200, "text/plain", [b"Hello, this is not a stream\n"]),
    "not-json": (200, "text/event-stream",
                 content_stream(ARTICLE_PIECES[:3], done=False, finish=None)
                 + [b'data: {"choices": [{"delta": {"content": "x"\n\n']),
    "no-choices": (200, "text/event-stream",
                   events({"id": "chatcmpl-stub", "object": "chat.completion.chunk"})),
    "no-done": (200, "text/event-stream",
                content_stream(ARTICLE_PIECES[:3], done=False, finish=None)),
    "finish-no-done": (200, "text/event-stream", content_stream(ARTICLE_PIECES, done=False)),
    "stream-error": (200, "text/event-stream",
                     content_stream(ARTICLE_PIECES[:2], done=False, finish=None)
                     + [f"error: {json.dumps(ERROR_CONTEXT)}\n\n".encode()]),
    "data-error": (200, "text/event-stream",
                   events(chunk({"content": "Kelby"}), {"error": ERROR_500["error"]})),
    "json-error": (200, "application/json", [json.dumps(ERROR_500).encode()]),
    "whole-json": (200, "application/json", [json.dumps({
        "id": "chatcmpl-stub", "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Kelby will build a tidal plant.",
                                 "reasoning_content": "Short article."}}]}).encode()]),
}
# Scenarios written by a function of the handler: the connection misbehaves.
CUT_OFF, CUT_AFTER_FINISH = "cut-off", "cut-after-finish"
STALL_BEFORE_HEADERS, STALL_MID_STREAM = "stall-before-headers", "stall-mid-stream"


class OpenAIStub:
    """The server; use as a context manager. ``requests`` records what it was sent."""

    def __init__(self, *, props: dict | None = None, models: list[dict] | None = None,
                 tokenize: str | None = None, api_key: str | None = None) -> None:
        """``tokenize``: "llama.cpp" (``/tokenize``) or "llama-cpp-python" (``/extras/...``)."""
        self.props, self.models, self.tokenize, self.api_key = props, models, tokenize, api_key
        self.requests: list[dict] = []
        self.hangups = threading.Semaphore(0)  # released when a stalled client leaves
        self.errors: list[BaseException] = []  # what went wrong in handlers (not hang-ups)
        self.server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.server.stub = self
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [request["path"] for request in self.requests]

    def __enter__(self) -> OpenAIStub:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    stub: OpenAIStub

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # a client leaving early is no stub bug
            self.stub.errors.append(error)


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.stub = stub
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streams, as real servers send them
    stub: OpenAIStub

    def setup(self) -> None:
        super().setup()
        # Small writes go out at once, as from a real server, not 40 ms later (Nagle).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._record(None)
        if self.path == "/props" and self.stub.props is not None:
            self._json(200, self.stub.props)
        elif self.path == "/v1/models" and self.stub.models is not None:
            if self._authorised():
                self._json(200, {"object": "list", "data": self.stub.models})
        else:
            self._json(404, {"error": {"code": 404, "message": "File Not Found",
                                       "type": "not_found_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self._record(body)
        # A word is a token here, after a BOS unless asked not to add special tokens.
        if self.path == "/tokenize" and self.stub.tokenize == "llama.cpp":
            tokens = list(range(len(body["content"].split())))
            special = [] if body.get("add_special") is False else [1]
            self._json(200, {"tokens": special + tokens})
        elif self.path == "/extras/tokenize/count" and self.stub.tokenize == "llama-cpp-python":
            self._json(200, {"count": 1 + len(body["input"].split())})
        elif self.path == "/v1/chat/completions":
            if self._authorised():
                self._chat(body.get("model", ""))
        else:
            self._json(404, {"detail": "Not Found"})

    def _chat(self, model: str) -> None:
        if model in (CUT_OFF, CUT_AFTER_FINISH):
            self._start_stream()
            if model == CUT_OFF:
                parts = content_stream(ARTICLE_PIECES[:3], done=False, finish=None)
            else:
                parts = content_stream(ARTICLE_PIECES, done=False)
            for part in parts:
                self._chunk(part)
            self.close_connection = True  # no closing chunk: the body is cut short
        elif model == STALL_BEFORE_HEADERS:
            self._stall()
        elif model == STALL_MID_STREAM:
            self._start_stream()
            for part in content_stream(ARTICLE_PIECES[:2], done=False, finish=None)[:3]:
                self._chunk(part)
            self._stall()
        elif model in SCENARIOS:
            status, content_type, parts = SCENARIOS[model]
            if content_type == "text/event-stream":
                self._start_stream()
                for part in parts:
                    self._chunk(part)
                self._chunk(b"")
            else:
                self._send(status, content_type, b"".join(parts))
        else:  # as vLLM answers
            self._json(404, {"object": "error", "message": f"The model `{model}` does not exist.",
                             "type": "NotFoundError", "param": None, "code": 404})

    def _authorised(self) -> bool:
        if self.stub.api_key is None:
            return True
        if self.headers.get("Authorization") == f"Bearer {self.stub.api_key}":
            return True
        self._json(401, {"error": {"code": 401, "message": "Invalid API Key",
                                   "type": "authentication_error"}})
        return False

    def _stall(self) -> None:
        """Send nothing more; note when the client hangs up (its end of the socket closes)."""
        readable, _, _ = select.select([self.connection], [], [], STALL_SECONDS)
        if readable and not self.connection.recv(1):
            self.stub.hangups.release()
        self.close_connection = True

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _json(self, status: int, payload: object) -> None:
        self._send(status, "application/json", json.dumps(payload).encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self, body: dict | None) -> None:
        self.stub.requests.append({"method": self.command, "path": self.path,
                                   "headers": dict(self.headers), "body": body})

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """A port whose listen queue is full, so a new connection waits and times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, listener]:
            sock.close()


def run_in_thread(function: Callable[[], object]) -> tuple[threading.Thread, dict]:
    """Run ``function`` on a thread; the dict gets its ``result`` or ``error`` and ``ended``."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


# -- the client's side: what the remote backend's tests share --------------------------------------

MESSAGES = [{"role": "user", "content": "Summarise: Kelby votes for a tidal plant."}]
ARTICLE = (
    "The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour. "
    "Six turbines will be placed on the seabed, and the plant will power about four thousand "
    "homes from 2028. Fishermen worried about the noise, but a two-year study found that seals "
    "and fish kept using the channel. The plant is paid for by a cooperative of local residents."
)


def chat(stub_or_url, scenario: str, **options) -> list:
    """The pieces of the answer to ``MESSAGES`` from the model named ``scenario``."""
    from reader.summarize.backends.remote import RemoteModel

    url = stub_or_url if isinstance(stub_or_url, str) else stub_or_url.url
    return list(RemoteModel(url, scenario, **options).stream_chat(MESSAGES, 64))


def read(pieces) -> dict[str, str]:
    """The answer's pieces read as every backend's are, by the one output parser."""
    events = list(output.Parser().stream(pieces))
    return {kind: "".join(e.text for e in events if e.kind == kind)
            for kind in (output.FINAL, output.REASONING)}


def assert_clean(error: ModelError) -> None:
    """A message for people: no traceback, no exception class names, one line."""
    message = str(error)
    for leak in ("Traceback", 'File "', "httpx", "httpcore", "\n"):
        assert leak not in message, message
    assert not re.search(r"\b\w+(Error|Exception|Timeout)\b", message), message


def add_article(library, text=ARTICLE, url="https://example.org/tidal") -> int:
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Kelby goes tidal",
                                           body_html=f"<p>{text}</p>", text=text))
    return article_id
