"""When a link that failed is tried again (reader/capture/retry.py), on the errors ``fetch``
really raises against a real server on 127.0.0.1, a closed port and a host that cannot exist."""

from __future__ import annotations

import socket

import pytest

from reader.capture.fetch import fetch
from reader.capture.retry import WAITING_FOR_NETWORK, Retry
from reader.errors import CaptureError


def failure(url: str, timeout: float = 10) -> CaptureError:
    with pytest.raises(CaptureError) as caught:
        fetch(url, timeout=timeout)
    return caught.value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_overloaded_or_slow_servers_are_tried_again_with_a_growing_pause(site):
    retry = Retry(online=lambda: True, first_pause=10, max_attempts=3)
    overloaded = failure(site.url("status/500"))
    assert retry.later(overloaded, 1)[0] == 10
    assert retry.later(overloaded, 2)[0] == 20
    assert retry.later(overloaded, 3) is None  # given up


@pytest.mark.parametrize("target", ["missing.html", "no-article.html", "report.pdf"])
def test_pages_that_are_gone_or_not_articles_fail_at_once(site, target, extractor):
    retry = Retry(online=lambda: True)
    if target == "no-article.html":
        page = fetch(site.url(target))
        with pytest.raises(CaptureError) as caught:
            extractor.extract(page.html, page.url)
        error = caught.value
    else:
        error = failure(site.url(target))
    assert retry.later(error, 1) is None


def test_while_offline_network_failures_wait_and_answers_do_not():
    network = {"up": False}
    retry = Retry(online=lambda: network["up"], offline_pause=5)
    for error in (failure(f"http://127.0.0.1:{closed_port()}/"),
                  failure("http://no-such-host.invalid/")):
        assert retry.later(error, 1) == (5, WAITING_FOR_NETWORK)
        network["up"] = True
        assert retry.later(error, 1) is None  # online: the server refused, or does not exist
        network["up"] = False
