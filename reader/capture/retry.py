"""When a link that could not be fetched is tried again, and when it is given up.

While the computer is offline every fetch fails; those links wait for the network instead of
failing. A server that is slow or overloaded may do better later: tried again with
a growing pause (backoff), a few times. A page that is gone (404, no such server), or that is
not an article, fails at once: trying again would not change it.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import httpcore

from reader.capture.fetch import StatusError
from reader.capture.web import DownloadCancelled, DownloadError

MAX_ATTEMPTS = 4  # tries of a link whose server failed, before it is given up
FIRST_PAUSE_SECONDS = 30.0  # before the second try; doubled for each one after
OFFLINE_PAUSE_SECONDS = 60.0  # between looks for the network while offline
_LATER_STATUSES = (408, 425, 429, 500, 502, 503, 504)
# A public address that is never contacted: connecting a UDP socket only asks the system for a
# route to it, which it has only when a network is up.
_PROBE_ADDRESS = ("192.0.2.1", 53)
WAITING_FOR_NETWORK = "Waiting for the network (this computer seems offline)."


def online() -> bool:
    """Whether this computer has a route to the internet."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE_ADDRESS)
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Retry:
    """The queue's policy; ``online`` (None: this module's ``online``) is injectable so tests
    can be offline, then online."""

    online: Callable[[], bool] | None = None
    first_pause: float = FIRST_PAUSE_SECONDS
    offline_pause: float = OFFLINE_PAUSE_SECONDS
    max_attempts: int = MAX_ATTEMPTS

    def later(self, error: Exception, attempts: int) -> tuple[float, str] | None:
        """(seconds to wait, why) if the link that failed with ``error`` on its ``attempts``th
        try is to be tried again; None if it has failed for good."""
        download = _download_error(error)
        if download is not None and not (self.online or online)():
            return self.offline_pause, WAITING_FOR_NETWORK
        if attempts < self.max_attempts and _may_pass(error, download):
            return self.first_pause * 2 ** (attempts - 1), f"{error} Trying again later."
        return None


def _download_error(error: Exception) -> DownloadError | None:
    """The network failure behind ``error`` (not a server's answer, not a cancel), if any."""
    for cause in (error, error.__cause__):
        if isinstance(cause, DownloadError) and not isinstance(cause, DownloadCancelled):
            return cause
    return None


def _may_pass(error: Exception, download: DownloadError | None) -> bool:
    """A server that is overloaded or slow; one that refuses or is not found has answered."""
    if isinstance(error, StatusError):
        return error.status in _LATER_STATUSES
    return download is not None and isinstance(download.__cause__, httpcore.TimeoutException)
