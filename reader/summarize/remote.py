"""The remote backend: a chat model behind an OpenAI-compatible server, spoken to over HTTP.

For laptops too small to run a model themselves: llama.cpp's ``llama-server``, vLLM, Ollama,
LM Studio or llama-cpp-python's own server, on this machine or another one. Only the common part
of their APIs is relied on (``POST /v1/chat/completions`` with ``stream: true``); what only some
of them offer is asked for and used when it answers:

- the context size: llama.cpp's ``GET /props`` (``default_generation_settings.n_ctx``), else the
  entry for the model in ``GET /v1/models`` (``max_model_len`` from vLLM, ``context_length``,
  or llama.cpp's ``meta.n_ctx_train``), else the ``context_limit`` setting. Whatever the server
  says is capped by ``context_limit``, as for a local model.
- token counts: llama.cpp's ``POST /tokenize`` or llama-cpp-python's
  ``POST /extras/tokenize/count``; a server with neither gets an *estimate*, one token per
  ``CHARS_PER_TOKEN`` characters, which is about right for English and low for many other
  languages.
- reasoning: models that think before answering (GPT-OSS, Qwen3, DeepSeek-R1) have their thinking
  streamed apart from the answer as ``delta.reasoning_content`` (llama.cpp with ``--jinja``, vLLM,
  LM Studio) or ``delta.reasoning`` (Ollama); a server without a reasoning parser leaves it in
  the answer inside ``<think>…</think>``, which is moved out here. ``stream_chat`` yields the
  answer only, so reasoning is never stored as a summary; ``stream_events`` yields both, told
  apart, for a UI that wants to show the model thinking.

Every failure is a ``ModelError`` whose message says what happened, in the server's words where
it gave some. A stream that stops before its end (no ``data: [DONE]`` and no ``finish_reason``)
raises after the text already streamed: the caller keeps what it showed, nothing is stored.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import httpx

from reader.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 8192
# Connecting is quick or never; a server may think for minutes before its first token (a long
# prompt on a CPU), and some send nothing at all meanwhile.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=30.0, pool=10.0)
# The questions asked before a summary (context size, token counts) are answered at once.
PROBE_READ_SECONDS = 15.0
CHARS_PER_TOKEN = 4
TEMPERATURE = 0.2
# How often the cancel watcher looks at the caller's flag when it is not set.
CANCEL_POLL_SECONDS = 0.1
ERROR_BODY_LIMIT = 64 * 1024
MESSAGE_LIMIT = 300

CONTENT = "content"
REASONING = "reasoning"


@dataclass(frozen=True)
class StreamEvent:
    """A piece of the model's output: ``content`` (the answer) or ``reasoning`` (its thinking)."""

    kind: Literal["content", "reasoning"]
    text: str


class RemoteModel:
    """A model served by an OpenAI-compatible server at ``endpoint`` (with or without ``/v1``).

    Nothing is asked of the server until it is needed: the first ``context_size`` or
    ``count_tokens`` asks what it can tell, once; a server that cannot be reached then raises
    ``ModelError`` (and is asked again next time).
    """

    def __init__(
        self,
        endpoint: str,
        model: str,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        context_limit: int = DEFAULT_CONTEXT,
    ):
        self.root = server_root(endpoint)
        self.model = model
        self.name = model
        self.context_limit = context_limit
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._lock = threading.Lock()  # one probe at a time; the client is shared
        self._client: httpx.Client | None = None
        self._context_size: int | None = None
        self._token_route: _TokenRoute | None = None
        self._token_route_known = False
        self._token_overhead = 0  # tokens the server adds to any text (a BOS), taken off counts

    def __repr__(self) -> str:  # never the key
        return f"RemoteModel({self.root!r}, {self.model!r})"

    # -- what the server can tell ---------------------------------------------------------------

    @property
    def context_size(self) -> int:
        """The context the server has, capped by ``context_limit``; asked once, then kept."""
        with self._lock:
            if self._context_size is None:
                told = self._ask_context_size()
                if told:
                    log.info("%s at %s has a context of %d tokens", self.model, self.root, told)
                else:
                    log.info("%s at %s does not tell its context size; assuming %d tokens",
                             self.model, self.root, self.context_limit)
                self._context_size = min(told, self.context_limit) if told else self.context_limit
            return self._context_size

    @context_size.setter
    def context_size(self, size: int) -> None:  # what ChatModel allows: overriding the server
        self._context_size = size

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text``, from the server's tokenizer, or an estimate where it has none."""
        with self._lock:
            if not self._token_route_known:
                self._token_route = self._find_token_route()
                self._token_route_known = True
            route = self._token_route
            if route is None:
                return estimate_tokens(text)
            count = self._count_with(route, text)
            if count is None:  # the route stopped working (a restarted, different server)
                log.warning("%s stopped counting tokens; estimating from now on", route.path)
                self._token_route = None
                return estimate_tokens(text)
            return max(count - self._token_overhead, 0)

    def _ask_context_size(self) -> int | None:
        props = self._get_json("/props")
        if isinstance(props, dict):
            settings = props.get("default_generation_settings")
            if isinstance(settings, dict) and _positive_int(settings.get("n_ctx")):
                return settings["n_ctx"]
        models = self._get_json("/v1/models")
        entries = models.get("data") if isinstance(models, dict) else None
        if isinstance(entries, list):
            entries = [entry for entry in entries if isinstance(entry, dict)]
            mine = [entry for entry in entries if entry.get("id") == self.model]
            # llama.cpp and llama-cpp-python serve one model under whatever name is asked for.
            for entry in mine or (entries if len(entries) == 1 else []):
                meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
                for size in (entry.get("max_model_len"), entry.get("context_length"),
                             meta.get("n_ctx_train")):
                    if _positive_int(size):
                        return size
        return None

    def _find_token_route(self) -> _TokenRoute | None:
        for route in TOKEN_ROUTES:
            if self._count_with(route, "Hello world") is not None:
                self._token_overhead = self._count_with(route, "") or 0
                log.info("Counting tokens with %s%s", self.root, route.path)
                return route
        log.info("%s has no tokenizer route; estimating token counts", self.root)
        return None

    def _count_with(self, route: _TokenRoute, text: str) -> int | None:
        return route.count(self._post_json(route.path, route.body(text, self.model)))

    # -- the answer -----------------------------------------------------------------------------

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]:
        """The model's answer to ``messages``, as text pieces while it is written (no reasoning)."""
        for event in self.stream_events(messages, max_tokens, cancelled):
            if event.kind == CONTENT:
                yield event.text

    def stream_events(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[StreamEvent]:
        """The model's reasoning and answer to ``messages``, as they are written.

        Setting ``cancelled`` ends the stream quietly within a fraction of a second, even while
        the server is silent: the connection is shut, which also tells the server to stop.
        """
        body = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": TEMPERATURE,
            "stream": True,
        }
        if cancelled is not None and cancelled.is_set():
            return
        hangup = _Hangup(cancelled)
        answer = _Answer(max_tokens)
        cancelled = cancelled or threading.Event()  # never set: makes the checks below simple
        try:
            # A client of its own, so the connection is new and the hang-up sees its socket.
            with (
                self._new_client(self.timeout) as client,
                client.stream("POST", self.root + "/v1/chat/completions", json=body,
                              extensions={"trace": hangup.trace}) as response,
            ):
                if response.status_code >= 400:
                    raise self._refusal(response)
                kind = response.headers.get("content-type", "").lower()
                if "html" in kind:
                    raise self._web_page()
                if "json" in kind:  # a server that ignored stream: true, or an error object
                    answer.take_whole(_parse(_read_capped(response)))
                    yield from answer.drain()
                else:
                    for line in response.iter_lines():
                        if cancelled.is_set():
                            return
                        if self._take_line(line, answer):
                            break
                        yield from answer.drain()
        except httpx.HTTPError as error:
            if cancelled.is_set():
                return
            hung_up = isinstance(error, httpx.RemoteProtocolError | httpx.ReadError)
            if not (hung_up and answer.finish_reason):  # else complete: it only missed [DONE]
                answer.finish()
                yield from answer.drain()  # what arrived before the failure
                raise self._transport_error(error, answer.started) from error
        finally:
            hangup.stop()
        if cancelled.is_set():
            return
        answer.finish()
        yield from answer.drain()
        answer.check(self.root)

    def _take_line(self, line: str, answer: _Answer) -> bool:
        """Feed one line of the event stream to ``answer``; True at its end marker."""
        if not line or line.startswith(":"):  # event separator, comment (keep-alive ping)
            return False
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            if value.strip() == "[DONE]":
                answer.done = True
                return True
            answer.take_chunk(_parse(value))
        elif field == "error":  # llama.cpp reports a failure during generation this way
            raise ModelError("The model server failed while answering: "
                             f"{_server_message(_parse_or_text(value)) or 'no reason given'}")
        elif field in ("event", "id", "retry"):
            pass
        elif line.lstrip().startswith("<"):
            raise self._web_page()
        else:
            raise ModelError(f"The model server at {self.root} sent something that is not an "
                             f"event stream: {line[:80]!r}")
        return False

    # -- talking to the server ------------------------------------------------------------------

    def _new_client(self, timeout: httpx.Timeout) -> httpx.Client:
        return httpx.Client(headers=self._headers, timeout=timeout, verify=_tls_context())

    def _http(self) -> httpx.Client:
        if self._client is None:
            read = min(self.timeout.read or PROBE_READ_SECONDS, PROBE_READ_SECONDS)
            self._client = self._new_client(httpx.Timeout(
                self.timeout.connect, read=read, write=self.timeout.write, pool=self.timeout.pool))
        return self._client

    def close(self) -> None:
        """Close the connections kept for questions to the server (streams close their own)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _get_json(self, path: str) -> object:
        return self._ask("GET", path)

    def _post_json(self, path: str, body: dict) -> object:
        return self._ask("POST", path, body)

    def _ask(self, method: str, path: str, body: dict | None = None) -> object:
        """The JSON answer to a question, or None if the server cannot answer it."""
        try:
            response = self._http().request(method, self.root + path, json=body)
        except httpx.HTTPError as error:
            raise self._transport_error(error, started=False) from error
        if response.status_code != 200:
            log.debug("%s %s: %d", method, path, response.status_code)
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def _transport_error(self, error: httpx.HTTPError, started: bool) -> ModelError:
        where = self.root
        if isinstance(error, httpx.ConnectTimeout):
            return ModelError(f"The model server at {where} did not accept a connection within "
                              f"{_seconds(self.timeout.connect)}.")
        if isinstance(error, httpx.ReadTimeout):
            if started:
                return ModelError(f"The model server at {where} stopped sending its answer "
                                  f"(nothing for {_seconds(self.timeout.read)}).")
            return ModelError(f"The model server at {where} did not answer within "
                              f"{_seconds(self.timeout.read)}.")
        if isinstance(error, httpx.TimeoutException):
            return ModelError(f"The model server at {where} timed out.")
        if isinstance(error, httpx.ConnectError):
            cause = _root_cause(error)
            if isinstance(cause, socket.gaierror):
                host = httpx.URL(where).host
                return ModelError(f"The model server's address {host} could not be found "
                                  f"(DNS lookup failed). Check the endpoint in the settings.")
            if isinstance(cause, ConnectionRefusedError):
                return ModelError(f"No model server is running at {where} (connection "
                                  f"refused). Start it, or check the endpoint in the settings.")
            return ModelError(f"Could not connect to the model server at {where}: {cause}.")
        if started:
            return ModelError(f"The model server at {where} closed the connection in the middle "
                              "of the answer; its log may say why.")
        if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
            return ModelError(f"The model server at {where} closed the connection without "
                              "answering; its log may say why.")
        return ModelError(f"The request to the model server at {where} failed: {error}.")

    def _refusal(self, response: httpx.Response) -> ModelError:
        """The error for an HTTP error status, in the server's words when it gave some."""
        message = _server_message(_parse_or_text(_read_capped(response)))
        status = f"{response.status_code} {response.reason_phrase}".strip()
        said = f": {message}" if message else ""
        if response.status_code in (401, 403):
            return ModelError(f"The model server at {self.root} refused the request ({status})"
                              f"{said}. Check the API key in the settings.")
        if response.status_code == 404:
            return ModelError(f"The model server at {self.root} answered {status}{said}. Check "
                              f"the model name ({self.model}) and the endpoint in the settings.")
        return ModelError(f"The model server at {self.root} answered {status}{said}.")

    def _web_page(self) -> ModelError:
        return ModelError(f"The server at {self.root} answered with a web page, not a chat "
                          "stream. Is the endpoint the address of an OpenAI-compatible API?")


# -- the answer as it arrives ------------------------------------------------------------------


class _Answer:
    """The pieces of one answer: turns chunks into events and knows whether it is complete."""

    def __init__(self, max_tokens: int):
        self.max_tokens = max_tokens
        self.started = False  # a chunk arrived
        self.done = False  # the end marker arrived
        self.finish_reason: str | None = None
        self.wrote = False  # some answer text, not only whitespace
        self.reasoned = False
        self._think = _ThinkSplitter()
        self._events: list[StreamEvent] = []

    def take_chunk(self, chunk: object) -> None:
        self.started = True
        choice = self._choice(chunk, "delta")
        if choice is not None:
            delta, self.finish_reason = choice
            self._take(delta)

    def take_whole(self, completion: object) -> None:
        choice = self._choice(completion, "message")
        if choice is not None:
            message, self.finish_reason = choice
            self._take(message)
        self.started = self.done = True

    def _choice(self, chunk: object, key: str) -> tuple[dict, str | None] | None:
        if isinstance(chunk, dict) and chunk.get("error"):
            raise ModelError("The model server failed while answering: "
                             f"{_server_message(chunk) or 'no reason given'}")
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if not isinstance(choices, list):
            raise ModelError("The model server sent a malformed answer (a chunk without "
                             f"choices): {json.dumps(chunk)[:80]}")
        if not choices:  # the usage summary some servers send last
            return None
        choice = choices[0]
        part = choice.get(key) if isinstance(choice, dict) else None
        if not isinstance(choice, dict) or not isinstance(part, dict | None):
            raise ModelError(f"The model server sent a malformed answer: {json.dumps(choice)[:80]}")
        return part or {}, choice.get("finish_reason") or self.finish_reason

    def _take(self, part: dict) -> None:
        reasoning = part.get("reasoning_content") or part.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            self._add(StreamEvent(REASONING, reasoning))
        content = part.get("content")
        if isinstance(content, str) and content:
            for event in self._think.feed(content):
                self._add(event)

    def _add(self, event: StreamEvent) -> None:
        if event.kind == CONTENT:
            self.wrote = self.wrote or bool(event.text.strip())
        else:
            self.reasoned = True
        self._events.append(event)

    def drain(self) -> Iterator[StreamEvent]:
        events, self._events = self._events, []
        return iter(events)

    def finish(self) -> None:
        for event in self._think.finish():
            self._add(event)

    def check(self, root: str) -> None:
        """Raise if the stream ended early or held no answer."""
        if not (self.done or self.finish_reason):
            raise ModelError(
                f"The model server at {root} stopped in the middle of the answer (the stream "
                "ended without its end marker). A prompt longer than the server's context can "
                "do this: try a smaller context limit in the settings. The server's log may say "
                "more."
            )
        if self.wrote:
            return
        if self.reasoned and self.finish_reason == "length":
            raise ModelError(f"The model spent all {self.max_tokens} tokens of its answer "
                             "reasoning and wrote no summary.")
        raise ModelError("The model returned an empty answer.")


class _ThinkSplitter:
    """Moves a ``<think>…</think>`` block that opens the answer into reasoning.

    Qwen3 and DeepSeek-R1 served without a reasoning parser write their thinking into the
    answer this way. The tags may arrive split across pieces, so a piece that could be the
    start of a tag is held back until the next one tells.
    """

    OPEN, CLOSE = "<think>", "</think>"

    def __init__(self) -> None:
        self._state = "start"  # start -> (thinking -> after ->) answer
        self._held = ""

    def feed(self, text: str) -> list[StreamEvent]:
        self._held += text
        events: list[StreamEvent] = []
        while self._held:
            held = self._held
            if self._state == "start":
                opening = held.lstrip()
                if opening.startswith(self.OPEN):
                    self._state, self._held = "thinking", opening[len(self.OPEN):]
                elif not opening or self.OPEN.startswith(opening):
                    break  # not yet known whether a tag is coming
                else:
                    self._state = "answer"
            elif self._state == "thinking":
                end = held.find(self.CLOSE)
                if end >= 0:
                    events.append(StreamEvent(REASONING, held[:end]))
                    self._state, self._held = "after", held[end + len(self.CLOSE):]
                else:
                    keep = _partial_suffix(held, self.CLOSE)
                    events.append(StreamEvent(REASONING, held[:len(held) - keep]))
                    self._held = held[len(held) - keep:]
                    break
            elif self._state == "after":  # the blank lines between thinking and answer
                self._held = held.lstrip()
                if self._held:
                    self._state = "answer"
            else:
                events.append(StreamEvent(CONTENT, held))
                self._held = ""
        return [event for event in events if event.text]

    def finish(self) -> list[StreamEvent]:
        held, self._held = self._held, ""
        if not held or self._state == "after":
            return []
        return [StreamEvent(REASONING if self._state == "thinking" else CONTENT, held)]


def _partial_suffix(text: str, tag: str) -> int:
    """The length of the longest end of ``text`` that begins ``tag``."""
    for size in range(min(len(text), len(tag) - 1), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


# -- cancelling ---------------------------------------------------------------------------------


class _Hangup:
    """Shuts the request's socket when ``cancelled`` is set.

    A read blocked on a silent server then returns at once (closing a socket from another thread
    would not wake it), and the server sees the client leave and stops generating. The socket is
    caught through httpcore's ``trace`` extension as soon as it is connected, so this works while
    waiting for the response headers too; a connect in progress finishes (or times out) first.
    """

    def __init__(self, cancelled: threading.Event | None):
        self._cancelled = cancelled
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        if cancelled is not None:
            threading.Thread(target=self._watch, name="remote-model-hangup", daemon=True).start()

    def trace(self, event: str, info: dict) -> None:
        if self._cancelled is not None and event == "connection.connect_tcp.complete":
            with self._lock:
                self._socket = info["return_value"].get_extra_info("socket")
            if self._cancelled.is_set():
                self._shut()

    def _watch(self) -> None:
        while not self._stopped.is_set():
            if self._cancelled.wait(CANCEL_POLL_SECONDS):
                self._shut()
                return

    def _shut(self) -> None:
        with self._lock:
            if self._socket is not None and not self._stopped.is_set():
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:  # already closed
                    pass

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()


# -- token counting routes ----------------------------------------------------------------------


@dataclass(frozen=True)
class _TokenRoute:
    path: str
    text_key: str
    extra: tuple[tuple[str, object], ...]
    answer_key: str  # "tokens" (a list) or "count"

    def body(self, text: str, model: str) -> dict:
        return {self.text_key: text, "model": model, **dict(self.extra)}

    def count(self, answer: object) -> int | None:
        value = answer.get(self.answer_key) if isinstance(answer, dict) else None
        if isinstance(value, list):
            return len(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


TOKEN_ROUTES = (
    _TokenRoute("/tokenize", "content", (("add_special", False),), "tokens"),  # llama.cpp
    _TokenRoute("/extras/tokenize/count", "input", (), "count"),  # llama-cpp-python
)


def estimate_tokens(text: str) -> int:
    """A guess at the tokens in ``text`` for a server that cannot count them: characters / 4."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


# -- small helpers ------------------------------------------------------------------------------


def server_root(endpoint: str) -> str:
    """The server's address without ``/v1`` (or ``/v1/chat/completions``) and trailing slash."""
    text = endpoint.strip()
    if text and "://" not in text:
        text = "http://" + text
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ModelError(f"The model server endpoint {endpoint!r} is not an http:// or https:// "
                         "address.")
    path = url.path.rstrip("/")
    for suffix in ("/chat/completions", "/v1"):
        path = path.removesuffix(suffix)
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificates to trust, loaded once: each new client would take 50 ms to load them."""
    return httpx.create_ssl_context()


def _read_capped(response: httpx.Response) -> bytes:
    body = b""
    for data in response.iter_bytes():
        body += data
        if len(body) >= ERROR_BODY_LIMIT:
            break
    return body[:ERROR_BODY_LIMIT]


def _parse(data: str | bytes) -> object:
    try:
        return json.loads(data)
    except ValueError:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        raise ModelError(f"The model server sent something that is not JSON in its answer: "
                         f"{text[:80]!r}") from None


def _parse_or_text(body: str | bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _server_message(data: object) -> str | None:
    """The message in an error answer, in the shapes servers use, tidied for people."""
    message: object = None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = error.get("message")
        elif isinstance(error, str):
            message = error
        if not message:
            message = data.get("message") or data.get("detail")  # vLLM, FastAPI
        if isinstance(message, list):  # FastAPI's validation errors
            message = "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item)
                                for item in message)
    elif isinstance(data, str) and not data.lstrip().startswith("<"):  # plain text, not a page
        message = data
    return _tidy(message) if isinstance(message, str) else None


_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\n\s*File \"")


def _tidy(message: str) -> str | None:
    """One line, no Python traceback from the server, at most ``MESSAGE_LIMIT`` characters."""
    message = _TRACEBACK.split(message, maxsplit=1)[0]
    message = " ".join(message.split())
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT - 1] + "…"
    return message.rstrip(".") or None


def _root_cause(error: BaseException) -> BaseException:
    seen = {id(error)}
    while True:
        cause = error.__cause__ or error.__context__
        if cause is None or id(cause) in seen:
            return error
        seen.add(id(cause))
        error = cause


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "the time allowed"
