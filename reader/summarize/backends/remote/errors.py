"""What went wrong with a model server, in words for people: every failure becomes a
``ModelError`` that names the server and, where it gave some, says it in the server's words."""

from __future__ import annotations

import json
import re
import socket

import httpx

from reader.errors import ModelError

ERROR_BODY_LIMIT = 64 * 1024
MESSAGE_LIMIT = 300


def transport_error(error: httpx.HTTPError, root: str, timeout: httpx.Timeout,
                    started: bool) -> ModelError:
    """The error for a request to the server at ``root`` that failed on the way."""
    if isinstance(error, httpx.ConnectTimeout):
        return ModelError(f"The model server at {root} did not accept a connection within "
                          f"{_seconds(timeout.connect)}.")
    if isinstance(error, httpx.ReadTimeout):
        if started:
            return ModelError(f"The model server at {root} stopped sending its answer "
                              f"(nothing for {_seconds(timeout.read)}).")
        return ModelError(f"The model server at {root} did not answer within "
                          f"{_seconds(timeout.read)}.")
    if isinstance(error, httpx.TimeoutException):
        return ModelError(f"The model server at {root} timed out.")
    if isinstance(error, httpx.ConnectError):
        cause = _root_cause(error)
        if isinstance(cause, socket.gaierror):
            host = httpx.URL(root).host
            return ModelError(f"The model server's address {host} could not be found "
                              f"(DNS lookup failed). Check the endpoint in the settings.")
        if isinstance(cause, ConnectionRefusedError):
            return ModelError(f"No model server is running at {root} (connection "
                              f"refused). Start it, or check the endpoint in the settings.")
        return ModelError(f"Could not connect to the model server at {root}: {cause}.")
    if started:
        return ModelError(f"The model server at {root} closed the connection in the middle "
                          "of the answer; its log may say why.")
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return ModelError(f"The model server at {root} closed the connection without "
                          "answering; its log may say why.")
    return ModelError(f"The request to the model server at {root} failed: {error}.")


def refusal(response: httpx.Response, root: str, model: str) -> ModelError:
    """The error for an HTTP error status, in the server's words when it gave some."""
    message = server_message(parse_or_text(read_capped(response)))
    status = f"{response.status_code} {response.reason_phrase}".strip()
    said = f": {message}" if message else ""
    if response.status_code in (401, 403):
        return ModelError(f"The model server at {root} refused the request ({status})"
                          f"{said}. Check the API key in the settings.")
    if response.status_code == 404:
        return ModelError(f"The model server at {root} answered {status}{said}. Check "
                          f"the model name ({model}) and the endpoint in the settings.")
    return ModelError(f"The model server at {root} answered {status}{said}.")


def web_page(root: str) -> ModelError:
    return ModelError(f"The server at {root} answered with a web page, not a chat "
                      "stream. Is the endpoint the address of an OpenAI-compatible API?")


def failed_while_answering(data: object) -> ModelError:
    return ModelError("The model server failed while answering: "
                      f"{server_message(data) or 'no reason given'}")


def read_capped(response: httpx.Response) -> bytes:
    """The start of a response's body: enough for any error message, never a flood."""
    body = b""
    for data in response.iter_bytes():
        body += data
        if len(body) >= ERROR_BODY_LIMIT:
            break
    return body[:ERROR_BODY_LIMIT]


def parse_or_text(body: str | bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def server_message(data: object) -> str | None:
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


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "the time allowed"
