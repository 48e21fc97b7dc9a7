"""One download from the web, within every limit Reader keeps: for a page and for each image.

- a total deadline, headers and TLS included, and a cancel: both end the download by shutting
  its socket, so a server that trickles one byte a second is left at the deadline, not waited on
  read after read;
- at most ``max_bytes`` of decoded body, counted as it is decoded (see ``decoding``);
- redirects followed by hand: http(s) only, no loops, at most ``MAX_REDIRECTS``;
- where it may connect (see ``addresses``).

Every failure is a ``DownloadError``: a sentence for the user, and a short ``reason`` for lists
(the images left out of an article).
"""

from __future__ import annotations

import functools
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpcore
import httpx

from reader import __version__
from reader.capture.addresses import Connector, LocalAddressRefused, NameNotFound, Reach
from reader.capture.decoding import ACCEPTED, CodingError, decoder_for
from reader.errors import CaptureError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)
_POLL_SECONDS = 0.1  # how often a cancel is looked at
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Many sites serve a stripped page, or nothing, to clients that do not look like a browser.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/131.0 Safari/537.36 Reader/{__version__}"
)

# What the transport raises (httpcore wraps socket, TLS and h11 errors in its own); our
# connector adds its two refusals.
_TRANSPORT_ERRORS = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError,
                     httpcore.UnsupportedProtocol, LocalAddressRefused, NameNotFound, OSError)

Cancelled = Callable[[], bool] | threading.Event | None
# What fails before a connection is made: the server, not one download, failed.
_NOT_CONNECTED = (httpcore.ConnectError, httpcore.ConnectTimeout, NameNotFound)


class DownloadError(CaptureError):
    """A download failed; ``reason`` says why in a few words, ``str()`` in a sentence.
    ``unreachable``: no connection was made (no such name, refused, no answer in time), so
    another download from that server now would most likely fail the same way."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason
        self.unreachable = False


class DownloadCancelled(DownloadError):
    """The download was cancelled before it finished."""


@dataclass(frozen=True)
class Response:
    url: str  # where we ended up, after redirects
    status: int
    reason: str  # the status line's words, made printable and short
    headers: dict[str, str]  # names in lower case
    body: bytes  # decoded; empty unless the status is 2xx

    @property
    def mime(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", self.headers.get("content-type", ""))
        return match.group(1) if match else None


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every download: making one reads the CA bundle, about 30 ms of CPU
    (holding the GIL), which per page would cost more than the requests themselves."""
    return httpx.create_ssl_context()


def get(url: str, *, accept: str, max_bytes: int, seconds: float, reach: Reach,
        cancelled: Cancelled = None, headers: dict[str, str] | None = None,
        check: Callable[[int, dict[str, str]], None] = lambda status, headers: None) -> Response:
    """GET ``url`` following redirects, within ``seconds`` in all; raises DownloadError.

    ``check(status, headers)`` is called before a 2xx answer's body is read; it may raise to
    refuse it.
    """
    watchdog = _Watchdog(seconds, cancelled)
    pool = httpcore.ConnectionPool(ssl_context=tls_context(), retries=0,
                                   network_backend=Connector(reach, watchdog.add))
    request_headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": ACCEPTED,
                       "Accept-Language": "en;q=0.8,*;q=0.5", **(headers or {})}
    try:
        watchdog.raise_if_ended(url)
        with pool:
            return _follow(pool, url, request_headers, max_bytes, watchdog, check)
    except _TRANSPORT_ERRORS as error:
        raise _failure(error, url, watchdog) from error
    finally:
        watchdog.stop()


def _follow(pool, url: str, headers: dict, max_bytes: int, watchdog: _Watchdog,
            check: Callable[[int, dict[str, str]], None]) -> Response:
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        target = _parse(url)
        with pool.stream("GET", target, headers=[(k.encode(), v.encode()) for k, v in
                                                 headers.items()] + [(b"Host", _host(target))],
                         extensions={"timeout": watchdog.timeouts()}) as answer:
            response_headers = _joined(answer.headers)
            location = response_headers.get("location", "")
            if answer.status in _REDIRECTS and location:
                url = _redirect(url, location, seen)
                continue
            reason = answer.extensions.get("reason_phrase", b"").decode("latin-1")
            body = b""
            if answer.status < 300:
                check(answer.status, response_headers)
                body = _read(answer, response_headers, max_bytes, url)
        watchdog.raise_if_ended(url)  # a socket shut early may look like a short body
        return Response(url, answer.status, _UNPRINTABLE.sub(" ", reason)[:100].strip(),
                        response_headers, body)
    raise DownloadError(f"Too many redirects (more than {MAX_REDIRECTS}): {url}",
                        f"more than {MAX_REDIRECTS} redirects")


def _joined(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Headers by lower-case name, repeats joined by commas as HTTP defines (two
    ``Content-Encoding: gzip`` lines are ``gzip, gzip``)."""
    joined: dict[str, str] = {}
    for key, value in headers:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        joined[name] = f"{joined[name]}, {text}" if name in joined else text
    return joined


def _parse(url: str) -> httpcore.URL:
    try:
        parsed = httpx.URL(url)  # IDNA and percent-encoding, as browsers do
    except (httpx.InvalidURL, ValueError) as error:
        raise DownloadError(f"Not a valid web address: {url}", "not a valid address") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DownloadError(f"Not a web address: {url}", "not a web address")
    return httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port,
                        target=parsed.raw_path)


def _host(target: httpcore.URL) -> bytes:
    default = {b"http": 80, b"https": 443}[target.scheme]
    host = b"[" + target.host + b"]" if b":" in target.host else target.host
    return host if target.port in (None, default) else host + b":%d" % target.port


def _redirect(url: str, location: str, seen: set[str]) -> str:
    try:
        next_url = str(httpx.URL(url).join(location.strip()))
    except (httpx.InvalidURL, ValueError) as error:
        raise DownloadError(f"The page redirects to an invalid address: {url}",
                            "redirects to an invalid address") from error
    scheme = next_url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise DownloadError(f"The page redirects to a {scheme[:20]}: address, which Reader does "
                            f"not follow: {url}", f"redirects to a {scheme[:20]}: address")
    if next_url in seen:
        raise DownloadError(f"The page redirects in a loop: {url}", "redirects in a loop")
    seen.add(next_url)
    return next_url


def _read(answer, headers: dict[str, str], max_bytes: int, url: str) -> bytes:
    """The decoded body, refused as soon as it (or what was received) passes ``max_bytes``."""
    try:
        decoder = decoder_for(headers.get("content-encoding", ""))
    except CodingError as error:
        raise DownloadError(f"The server's answer is unreadable: {error}: {url}",
                            str(error)) from None
    too_big = DownloadError(f"It is larger than {max_bytes / 1_000_000:g} MB; not saved: {url}",
                            f"larger than {max_bytes / 1_000_000:g} MB")
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big
    body = bytearray()
    received = 0
    try:
        for data in answer.iter_stream():
            received += len(data)
            for piece in decoder.decode(data):
                body += piece
                if len(body) > max_bytes or received > max_bytes:
                    raise too_big
            if decoder.finished:
                break  # anything after the coded data is not part of the page
    except CodingError as error:
        raise DownloadError(f"The server's answer is unreadable: {error}: {url}",
                            str(error)) from None
    return bytes(body)


def _failure(error: Exception, url: str, watchdog: _Watchdog) -> DownloadError:
    """What the transport's ``error`` means for the download of ``url``: a socket the watchdog
    shut shows as whichever error that caused, so the watchdog's reason comes first."""
    failure = watchdog.ended_error(url) or (
        watchdog.deadline_error(url) if isinstance(error, httpcore.TimeoutException)
        else _explain(error, url))
    failure.unreachable = (isinstance(error, _NOT_CONNECTED)
                           and not isinstance(failure, DownloadCancelled))
    return failure


def _explain(error: Exception, url: str) -> DownloadError:
    host = httpx.URL(url).host if url.startswith(("http:", "https:")) else url
    if isinstance(error, LocalAddressRefused):
        return DownloadError(f"Not fetched: {error}: {url}", str(error))
    if isinstance(error, NameNotFound):
        return DownloadError(f"Could not find the server {host} (check the address and your "
                             "connection).", f"could not find the server {host}")
    if isinstance(error, httpcore.ConnectError) and "refused" in str(error).lower():
        return DownloadError(f"The server {host} refused the connection.",
                             "the server refused the connection")
    if isinstance(error, httpcore.RemoteProtocolError):
        return DownloadError(f"The server broke off or garbled its answer ({error}): {url}",
                             "the server broke off or garbled its answer")
    return DownloadError(f"Could not fetch {url}: {error.__class__.__name__}: {error}",
                         f"could not be fetched ({error.__class__.__name__})")


class _Watchdog:
    """Ends a download at its deadline or when it is cancelled, by shutting its sockets: a read
    blocked on a silent or trickling server then returns at once (closing the socket from another
    thread would not wake it). ``_WATCHER``'s one thread looks after every download."""

    def __init__(self, seconds: float, cancelled: Cancelled):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._cancelled = cancelled.is_set if isinstance(cancelled, threading.Event) else cancelled
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.ended: str | None = None  # "deadline" or "cancelled", once it has ended the download
        self._check()
        _WATCHER.watch(self)

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
        if self.ended:
            self._shut()

    def timeouts(self) -> dict[str, float]:
        """Per-step timeouts for httpcore: what is left of the deadline (a step the watchdog
        cannot end, the connect, must not outlast it)."""
        left = max(self.deadline - time.monotonic(), 0.01)
        return {"connect": left, "read": left, "write": left, "pool": left}

    def raise_if_ended(self, url: str) -> None:
        error = self.ended_error(url)
        if error is not None:
            raise error

    def ended_error(self, url: str) -> DownloadError | None:
        """Why the download was ended (None: it was not)."""
        if self.ended == "cancelled":
            return DownloadCancelled(f"Cancelled: {url}", "capture cancelled")
        if self.ended == "deadline":
            return self.deadline_error(url)
        return None

    def deadline_error(self, url: str) -> DownloadError:
        return DownloadError(f"The server took too long to answer ({self.seconds:g} s): {url}",
                             f"took longer than {self.seconds:g} s")

    def stop(self) -> None:
        _WATCHER.forget(self)

    def ends_now(self) -> bool:
        """Whether the download is over its deadline or cancelled (its sockets are then shut)."""
        self._check()
        if self.ended:
            self._shut()
        return self.ended is not None

    def _check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            self.ended = "cancelled"
        elif time.monotonic() >= self.deadline:
            self.ended = "deadline"

    def _shut(self) -> None:
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:  # already closed
                    pass


class _Watcher:
    """The one thread that watches every download under way, waking every ``_POLL_SECONDS``
    (or at the nearest deadline) while there are any: a thread per download cost more than
    fetching a small page (its start, and its ten wakes a second)."""

    def __init__(self) -> None:
        self._watched: set[_Watchdog] = set()
        self._changed = threading.Condition()
        self._wakes_at = float("inf")  # when the thread wakes next (inf: it waits for work)
        self._thread: threading.Thread | None = None

    def watch(self, watchdog: _Watchdog) -> None:
        with self._changed:
            self._watched.add(watchdog)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="download-watchdog",
                                                daemon=True)
                self._thread.start()
            elif watchdog.deadline < self._wakes_at:
                self._changed.notify()

    def forget(self, watchdog: _Watchdog) -> None:
        with self._changed:
            self._watched.discard(watchdog)

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._watched:
                    self._wakes_at = float("inf")
                    self._changed.wait()
                now = time.monotonic()
                nearest = min((watchdog.deadline for watchdog in self._watched), default=now)
                self._wakes_at = min(now + _POLL_SECONDS, max(nearest, now))
                self._changed.wait(self._wakes_at - now)
                watched = list(self._watched)
            # Outside the lock: a ``cancelled`` may take its caller's locks, and a caller holding
            # them may be starting a download.
            for watchdog in watched:
                try:
                    if watchdog.ends_now():
                        self.forget(watchdog)
                except Exception:  # a failing ``cancelled``: httpcore's timeouts still hold
                    log.exception("A download's cancel check failed")
                    self.forget(watchdog)


_WATCHER = _Watcher()
