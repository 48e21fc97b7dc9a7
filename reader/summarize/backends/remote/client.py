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
  ``POST /extras/tokenize/count``; a server with neither gets an *estimate* (``tokens``).
- reasoning: what the server tells apart (``reasoning_content``) comes as reasoning events, and
  the rest of the answer as written, for ``output.Parser`` to read like any model's (``stream``).

The messages' text is neutralised on the way (``special_tokens``), so an article cannot open a
turn on the server; the API key travels only over https or to this computer unless allowed.

Every failure is a ``ModelError`` whose message says what happened, in the server's words where
it gave some. A stream that stops before its end (no ``data: [DONE]`` and no ``finish_reason``)
raises after the text already streamed: the caller keeps what it showed, nothing is stored.
"""

from __future__ import annotations

import functools
import logging
import ssl
import threading
from collections.abc import Iterator

import httpx

from reader.summarize.backends.base import ChatModel, Piece
from reader.summarize.backends.remote import errors
from reader.summarize.backends.remote.address import check_key_transport, server_root
from reader.summarize.backends.remote.hangup import Hangup
from reader.summarize.backends.remote.special_tokens import neutralise_messages
from reader.summarize.backends.remote.stream import Answer, parse
from reader.summarize.backends.remote.tokens import TOKEN_ROUTES, TokenRoute, estimate_tokens

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 8192
# Connecting is quick or never; a server may think for minutes before its first token (a long
# prompt on a CPU), and some send nothing at all meanwhile.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=30.0, pool=10.0)
# The questions asked before a summary (context size, token counts) are answered at once.
PROBE_READ_SECONDS = 15.0
TEMPERATURE = 0.2


class RemoteModel(ChatModel):
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
        allow_plain_http_key: bool = False,
    ):
        """``allow_plain_http_key``: send ``api_key`` over plain http to another computer too."""
        self.root = server_root(endpoint)
        if api_key:
            check_key_transport(self.root, allow_plain_http_key)
        self.model = model
        self.name = model
        self.context_limit = context_limit
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._lock = threading.Lock()  # one probe at a time; the client is shared
        self._client: httpx.Client | None = None
        self._context_size: int | None = None
        self._token_route: TokenRoute | None = None
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

    def _find_token_route(self) -> TokenRoute | None:
        for route in TOKEN_ROUTES:
            if self._count_with(route, "Hello world") is not None:
                self._token_overhead = self._count_with(route, "") or 0
                log.info("Counting tokens with %s%s", self.root, route.path)
                return route
        log.info("%s has no tokenizer route; estimating token counts", self.root)
        return None

    def _count_with(self, route: TokenRoute, text: str) -> int | None:
        return route.count(self._post_json(route.path, route.body(text, self.model)))

    # -- the answer -----------------------------------------------------------------------------

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[Piece]:
        """The model's answer to ``messages`` as it is written: its text, and reasoning events
        for what the server told apart.

        Setting ``cancelled`` ends the stream quietly within a fraction of a second, even while
        the server is silent: the connection is shut, which also tells the server to stop.
        """
        body = {
            "model": self.model,
            "messages": neutralise_messages(messages),
            "max_tokens": max_tokens,
            "temperature": TEMPERATURE,
            "stream": True,
        }
        if cancelled is not None and cancelled.is_set():
            return
        hangup = Hangup(cancelled)
        answer = Answer(self.root, max_tokens)
        cancelled = cancelled or threading.Event()  # never set: makes the checks below simple
        try:
            # A client of its own, so the connection is new and the hang-up sees its socket.
            with (
                self._new_client(self.timeout) as client,
                client.stream("POST", self.root + "/v1/chat/completions", json=body,
                              extensions={"trace": hangup.trace}) as response,
            ):
                if response.status_code >= 400:
                    raise errors.refusal(response, self.root, self.model)
                kind = response.headers.get("content-type", "").lower()
                if "html" in kind:
                    raise errors.web_page(self.root)
                if "json" in kind:  # a server that ignored stream: true, or an error object
                    answer.take_whole(parse(errors.read_capped(response)))
                    yield from answer.drain()
                else:
                    for line in response.iter_lines():
                        if cancelled.is_set():
                            return
                        if answer.take_line(line):
                            break
                        yield from answer.drain()
        except httpx.HTTPError as error:
            if cancelled.is_set():
                return
            hung_up = isinstance(error, httpx.RemoteProtocolError | httpx.ReadError)
            if not (hung_up and answer.finish_reason):  # else complete: it only missed [DONE]
                yield from answer.drain()  # what arrived before the failure
                raise errors.transport_error(error, self.root, self.timeout,
                                             answer.started) from error
        finally:
            hangup.stop()
        if cancelled.is_set():
            return
        yield from answer.drain()
        answer.check()

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
            raise errors.transport_error(error, self.root, self.timeout, started=False) from error
        if response.status_code != 200:
            log.debug("%s %s: %d", method, path, response.status_code)
            return None
        try:
            return response.json()
        except ValueError:
            return None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificates to trust, loaded once: each new client would take 50 ms to load them."""
    return httpx.create_ssl_context()


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
