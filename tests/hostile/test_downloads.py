"""Every misbehaviour of tests/hostile/server.py, fetched as a page and as an image through
reader.capture.fetch and reader.capture.images: each ends in a clear message or a clean result,
in bounded time and memory, and nothing is requested where a page from the web may not send us.
"""

from __future__ import annotations

import threading
import time
import tracemalloc

import pytest

from reader.capture.fetch import TIMEOUT_SECONDS, fetch
from reader.capture.images import localise_images
from reader.capture.web import DownloadCancelled
from reader.errors import CaptureError
from tests.hostile.server import HostileServer, brotli_bomb, deflate_bomb, gzip_bomb

DEADLINE = 2.0  # the deadline these tests give a download (Reader's own is 60 s)
PEAK_BYTES = 100_000_000  # Python memory one download may take at its peak (the cap is 20 MB)


@pytest.fixture(scope="module")
def hostile():
    for bomb in (gzip_bomb, brotli_bomb, lambda: deflate_bomb(False), lambda: deflate_bomb(True)):
        bomb()  # made before the clock starts: a busy machine takes seconds for each
    server = HostileServer()
    yield server
    server.close()


def _fetch(hostile, path: str, **options):
    """fetch() of ``path``: (the Page or the CaptureError, seconds taken, peak bytes)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = fetch(hostile.url(path), DEADLINE, **options)
    except CaptureError as error:
        outcome = error
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, seconds, peak


REFUSED_PAGES = [
    # time: a deadline for the whole download, headers included
    ("/trickle-body", "took too long to answer (2 s)"),
    ("/trickle-headers", "took too long to answer (2 s)"),
    ("/silent", "took too long to answer (2 s)"),
    # size: counted on the decoded bytes, as they are decoded
    ("/bomb-gzip", "larger than 20 MB"),
    ("/bomb-deflate", "larger than 20 MB"),
    ("/bomb-deflate-raw", "larger than 20 MB"),
    ("/bomb-br", "larger than 20 MB"),
    ("/endless", "larger than 20 MB"),
    ("/gzip-gzip", "coded more than once (gzip, gzip)"),
    ("/gzip-two-headers", "coded more than once (gzip, gzip)"),
    ("/zstd", "coded as zstd, which Reader does not read"),
    ("/broken-gzip", "gzip data is broken"),
    # broken HTTP
    ("/truncated", "broke off or garbled its answer"),
    ("/bad-chunking", "broke off or garbled its answer"),
    ("/huge-header", "broke off or garbled its answer"),
    # redirects
    ("/loop-a", "redirects in a loop"),
    ("/to-self", "redirects in a loop"),
    ("/to-file", "redirects to a file: address, which Reader does not follow"),
    ("/to-data", "redirects to a data: address"),
    ("/no-location", "The server answered 302 Found"),
    # what is served
    ("/rich-status", "The server answered 404 <img src=/dev/zero><b>gone</b> for"),
    ("/image-as-page", "not an HTML page (it is a PNG image)"),
    ("/svg-as.png", "not an HTML page (it is image/png)"),
]


@pytest.mark.parametrize(("path", "message"), REFUSED_PAGES)
def test_a_hostile_page_ends_in_a_clear_message_in_bounded_time_and_memory(hostile, path,
                                                                             message):
    outcome, seconds, peak = _fetch(hostile, path)

    assert isinstance(outcome, CaptureError), outcome
    assert message in str(outcome)
    assert seconds < DEADLINE + 1
    assert peak < PEAK_BYTES


CLEAN_PAGES = [
    ("/gzip-then-junk", "Gzip and junk"),
    ("/giant-title", "Big news xxx"),
    ("/giant-attribute", "yyyy"),
    ("/deep-nesting", "<div><div>deep</div>"),
    ("/nul-bytes", "Nul\0bytes"),
    ("/wrong-charset", "Café"),  # an unknown charset: the page's bytes are UTF-8
    ("/utf16-claimed", "Caf"),  # a charset that cannot be right: some text all the same
    ("/link-list", "link 19999"),
]


@pytest.mark.parametrize(("path", "text"), CLEAN_PAGES)
def test_an_odd_but_whole_page_is_fetched_in_bounded_time_and_memory(hostile, path, text):
    outcome, seconds, peak = _fetch(hostile, path)

    assert not isinstance(outcome, CaptureError), outcome
    assert text in outcome.html
    assert seconds < DEADLINE
    assert peak < PEAK_BYTES


def test_the_deadline_covers_the_whole_page_by_default():
    assert TIMEOUT_SECONDS == 60


def test_a_cancel_ends_a_trickling_download_at_once(hostile):
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(DownloadCancelled):
        fetch(hostile.url("/trickle-body"), 60, cancelled=cancel)
    assert time.monotonic() - started < 1.5


def test_a_cancel_given_as_a_function_works_too(hostile):
    started = time.monotonic()
    with pytest.raises(DownloadCancelled):
        fetch(hostile.url("/silent"), 60, cancelled=lambda: time.monotonic() - started > 0.3)
    assert time.monotonic() - started < 1.5


# Where a page from the web may send us: the hostile server stands in for the public web
# (local_redirects=False), so its redirects to this computer or the local network are refused,
# before any connection is made.


@pytest.mark.parametrize(("path", "address"), [
    ("/to-loopback", "127.0.0.1"),
    ("/to-localhost", "localhost"),
    ("/to-mapped", "::ffff:127.0.0.1"),
    ("/to-metadata", "169.254.169.254"),
    ("/to-lan", "10.0.0.1"),
])
def test_a_page_from_the_web_cannot_redirect_to_local_addresses(hostile, path, address):
    hostile.requests.clear()
    outcome, seconds, _ = _fetch(hostile, path, local_redirects=False)

    assert isinstance(outcome, CaptureError), outcome
    assert "is on this computer or its local network" in str(outcome)
    assert address in str(outcome)
    assert hostile.requests == [path]  # the redirect's target was never asked for
    assert seconds < 1


def test_a_page_on_this_computer_may_redirect_on_it(hostile):
    page = fetch(hostile.url("/to-loopback"), DEADLINE)  # the page's own address decides
    assert page.html.startswith("<!doctype html>") and page.local


def _images(library, hostile, paths: list[str], local: bool):
    body = "".join(f'<p><img src="{src if "://" in src else hostile.url(src)}" alt="{src}"></p>'
                   for src in paths)
    started = time.monotonic()
    local_images = localise_images(library, body, hostile.url("/ok.html"), timeout=DEADLINE,
                                   local=local)
    return local_images, time.monotonic() - started


def test_an_article_of_trickling_pictures_is_held_back_two_deadlines_at_most(library, hostile):
    # each picture would take the whole deadline: eight of them, eight deadlines
    paths = [f"/trickle-image?{n}" for n in range(8)]
    local, seconds = _images(library, hostile, paths, local=True)
    assert local.images == []
    reasons = [why for _url, why in local.skipped]
    assert reasons[0] == "took longer than 2 s"
    assert set(reasons[2:]) == {"the article's pictures took longer than 4 s in all"}
    assert seconds < 2 * DEADLINE + 1


def test_hostile_images_are_left_out_with_a_reason(library, hostile):
    cases = {
        "/svg-as.png": "the bytes are an SVG drawing (served as image/png)",
        "/svg-typed.svg": "the bytes are an SVG drawing (served as image/svg+xml)",
        "/huge-pixels.png": "larger than 16 megapixels (100000x100000)",
        "/html-as.png": "the bytes are not an image the reader can show (served as image/png)",
        "/trickle-image": "took longer than 2 s",
        "/bomb-gzip": "not an image (it is text/html)",
        "/image-as-page": "not an image (it is text/html)",
        "/to-file": "redirects to a file: address",
        "/loop-a": "redirects in a loop",
    }
    local, seconds = _images(library, hostile, list(cases), local=True)

    assert local.images == []
    assert dict(local.skipped) == {hostile.url(path): why for path, why in cases.items()}
    assert seconds < DEADLINE + 2


def test_images_of_a_page_from_the_web_cannot_be_on_local_addresses(library, hostile):
    hostile.requests.clear()
    port = hostile.port
    cases = {
        f"http://127.0.0.1:{port}/ok.png": "127.0.0.1",
        f"http://localhost:{port}/ok.png": "localhost",
        f"http://[::1]:{port}/ok.png": "::1",
        f"http://[::ffff:127.0.0.1]:{port}/ok.png": "::ffff:127.0.0.1",
        "http://169.254.169.254/latest/meta-data/x.png": "169.254.169.254",
        "http://10.0.0.1/router.png": "10.0.0.1",
        "http://192.168.1.1/router.png": "192.168.1.1",
        "http://0.0.0.0/x.png": "0.0.0.0",
    }
    local, seconds = _images(library, hostile, list(cases), local=False)

    assert local.images == []
    for (url, why), address in zip(local.skipped, cases.values(), strict=True):
        assert "is on this computer or its local network" in why, (url, why)
        assert address in why
    assert hostile.requests == []  # refused before connecting
    assert seconds < 1


def test_images_of_a_page_on_this_computer_load_from_it(library, hostile):
    local, _ = _images(library, hostile, ["/ok.png"], local=True)
    assert [url for url, _digest in local.images] == [hostile.url("/ok.png")]
