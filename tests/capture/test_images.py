"""Article images kept in the library: a real HTTP server, real SQLite, the real capture queue.

photo-essay.html shows good images (PNG, GIF), one image twice, the same bytes under two names,
a missing image, an error page named .png, and a panorama too large to keep (served by the
server below, which also answers the other ways images go wrong)."""

from __future__ import annotations

import socket
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from reader.capture.extract import extract
from reader.capture.fetch import decode_html
from reader.capture.images import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    SCHEME,
    image_bytes,
    localise_images,
    use_stored_images,
)
from reader.capture.queue import CaptureQueue, Counts
from reader.capture.urls import canonical_url
from reader.library.images import article_images, prune_images
from tests.fixture_site import PAGES, _Handler
from tests.hostile.server import png

IMAGES = PAGES / "images"
PNG = b"\x89PNG\r\n\x1a\n"
TOO_BIG = PNG + b"\0" * MAX_IMAGE_BYTES
SLOW_SECONDS = 0.3


class _ImageHandler(_Handler):
    """The fixture pages, plus images made on the fly; counts requests per path."""

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.server.lock:
            self.server.requests[path] = self.server.requests.get(path, 0) + 1
        if path == "/images/huge.png":  # says how big it is
            self._answer("image/png", TOO_BIG)
        elif path == "/images/huge-unsized.png":  # does not say; found out while reading
            self._answer("image/png", TOO_BIG, sized=False)
        elif path == "/images/typed-as-html.png":  # the right bytes, the wrong type
            self._answer("text/html", (IMAGES / "harbour-wall.png").read_bytes())
        elif path.startswith("/numbered/"):  # a different picture for every number
            self._answer("image/png", png(int(path.rsplit("/", 1)[1]) + 1, 1))
        elif path.startswith("/slow/"):  # each picture after a wait
            time.sleep(SLOW_SECONDS)
            try:
                self._answer("image/png", png(int(path.rsplit("/", 1)[1].split(".")[0]) + 1, 1))
            except (BrokenPipeError, ConnectionResetError):  # the reader gave up on it: the point
                pass
        else:
            super().do_GET()

    def _answer(self, content_type: str, body: bytes, sized: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if sized:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def image_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_ImageHandler, directory=str(PAGES)))
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.requests = {}
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.url = lambda path: f"{server.base}/{path.lstrip('/')}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()



@pytest.fixture
def essay(library, image_site, extractor):
    """photo-essay.html captured through the queue: the stored article."""
    image_site.requests.clear()
    queue = CaptureQueue(library, extractor=extractor)
    queue.add([image_site.url("photo-essay.html")])
    queue.start()
    try:
        assert queue.wait(60)
        assert queue.counts() == Counts(saved=1)
    finally:
        queue.stop()
    return library.get(library.find_by_url(canonical_url(image_site.url("photo-essay.html"))))


def _srcs(body_html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in body_html.split('<img src="')[1:]]


def _count(library, table: str) -> int:
    return library.query_one(f"SELECT count(*) FROM {table}")[0]


def test_article_images_are_stored_and_shown_from_the_library(library, image_site, essay):
    srcs = _srcs(essay.body_html)
    # harbour wall, turbine, lighthouse, turbine again, the turbine's copy under another name
    assert len(srcs) == 5
    assert all(src.startswith(f"{SCHEME}:") for src in srcs)
    digests = [src.removeprefix(f"{SCHEME}:") for src in srcs]
    assert digests[1] == digests[3] == digests[4]  # one picture, three times
    files = ["harbour-wall.png", "turbine.png", "lighthouse.gif"]
    for digest, name in zip(digests[:3], files, strict=True):
        assert image_bytes(library, digest) == (IMAGES / name).read_bytes()
    assert _count(library, "images") == 3
    assert image_site.requests["/images/turbine.png"] == 1  # fetched once for both <img>
    links = article_images(library, essay.id)
    assert sorted(url.rsplit("/", 1)[1] for url in links) == [
        "harbour-wall.png", "lighthouse.gif", "turbine-copy.png", "turbine.png"]


def test_images_that_cannot_be_kept_leave_their_alt_text(essay):
    body = essay.body_html
    assert "http://" not in "".join(_srcs(body))
    for alt in ("The wall in 1901, now lost", "A scan that is not a picture",
                "A panorama scan of the whole harbour"):
        assert f'<span class="image-missing">[{alt}]</span>' in body
    assert "Some pictures did not survive the move" in body  # the text around them stays
    assert "The trust is asking anyone with old postcards" in body
    assert "missing.png" not in body and "not-really.png" not in body


def test_oversized_images_are_left_out(library, image_site):
    body = (f'<p>Two panoramas: <img src="{image_site.url("images/huge.png")}" alt="one">'
            f'<img src="{image_site.url("images/huge-unsized.png")}" alt="two"></p>')
    local = localise_images(library, body, image_site.url("page.html"))

    assert local.images == []
    assert [reason for _url, reason in local.skipped] == ["larger than 5 MB"] * 2
    assert local.body_html == ('<p>Two panoramas: <span class="image-missing">[one]</span>'
                               '<span class="image-missing">[two]</span></p>')
    assert _count(library, "images") == 0


def test_only_images_are_kept(library, image_site):
    cases = {
        "images/typed-as-html.png": "not an image (it is text/html)",
        "images/not-really.png": "the bytes are not an image the reader can show",
        "images/missing.png": "the server answered 404",
        "no-such-dir/": "the server answered 404",
    }
    body = "".join(f'<p>x <img src="{image_site.url(path)}"> y</p>' for path in cases)
    local = localise_images(library, body, image_site.url("page.html"))

    assert local.images == []
    for (url, reason), expected in zip(local.skipped, cases.values(), strict=True):
        assert reason.startswith(expected), (url, reason)
    assert local.body_html == "<p>x  y</p>" * len(cases)  # no alt text: the image just goes


def test_at_most_fifty_images_per_article(library, image_site):
    body = "".join(f'<p><img src="{image_site.url(f"numbered/{n}")}" alt="No. {n}"></p>'
                   for n in range(MAX_IMAGES + 5))
    local = localise_images(library, body, image_site.url("page.html"))

    assert len(local.images) == MAX_IMAGES == 50
    assert [reason for _url, reason in local.skipped] == ["more than 50 images in the article"] * 5
    assert _count(library, "images") == MAX_IMAGES
    asked = [path for path in image_site.requests if path.startswith("/numbered/")]
    assert sorted(asked) == sorted(f"/numbered/{n}" for n in range(MAX_IMAGES))
    assert '<span class="image-missing">[No. 54]</span>' in local.body_html


def test_one_picture_in_two_articles_is_stored_once(library, image_site):
    body = f'<p><img src="{image_site.url("images/lighthouse.gif")}"></p>'
    first = localise_images(library, body, image_site.url("one.html"))
    second = localise_images(library, body, image_site.url("two.html"))

    assert first.images == second.images
    assert first.body_html == second.body_html
    assert _count(library, "images") == 1


def test_image_bytes_of_anything_else_is_none(library):
    assert image_bytes(library, "0" * 64) is None
    assert image_bytes(library, "../../etc/passwd") is None
    assert image_bytes(library, "") is None


def test_re_extraction_reuses_the_stored_images(library, essay):
    page = decode_html(library.raw_html(essay.id))
    fresh = extract(page, essay.url)

    body = use_stored_images(library, essay.id, fresh.body_html)  # no network involved

    assert body == essay.body_html


def test_images_go_when_no_article_shows_them(library, essay):
    assert prune_images(library) == 0
    library.set_flag([essay.id], "deleted", True)
    library.purge_deleted()

    assert prune_images(library) == 3
    assert _count(library, "images") == 0


def test_pictures_on_a_server_that_cannot_be_reached_are_tried_once(library, image_site):
    """A server refusing (or, alike, unknown or silent) fails every picture on it: the first
    says why, the others are not waited for; pictures elsewhere are kept."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    body = "".join(f'<p><img src="{dead}/{name}.png"></p>' for name in ("a", "b", "c"))
    body += f'<p><img src="{image_site.url("images/harbour-wall.png")}"></p>'
    local = localise_images(library, body, image_site.url("essay.html"), local=True)
    assert [url for url, _digest in local.images] == [image_site.url("images/harbour-wall.png")]
    reasons = [reason for _url, reason in local.skipped]
    assert reasons[0] == "the server refused the connection"
    assert reasons[1:] == ["its server failed for an earlier picture: "
                           "the server refused the connection"] * 2


def test_an_articles_pictures_have_a_time_budget_and_those_past_it_are_left_out(library,
                                                                                 image_site):
    """A server answering every picture slowly holds the article back for the budget at most:
    the pictures past it give way to their alt text, each with the reason."""
    body = "".join(f'<p><img src="{image_site.url(f"slow/{n}.png")}" alt="Picture {n}"></p>'
                   for n in range(8))
    started = time.monotonic()
    local = localise_images(library, body, image_site.url("essay.html"), local=True, budget=1.0)
    assert time.monotonic() - started < 1.0 + SLOW_SECONDS
    assert 1 <= len(local.images) <= 3
    assert {reason for _url, reason in local.skipped} == {
        "the article's pictures took longer than 1 s in all"}
    assert len(local.images) + len(local.skipped) == 8
    assert "[Picture 7]" in local.body_html


def test_an_alt_text_that_is_only_the_file_name_or_a_number_is_no_description(library):
    """Forum software writes the address's last part as a picture's alt text: when the picture
    cannot be kept, that is noise in the post, not a description."""
    dead = "http://127.0.0.1:9/media"  # nothing listens there: every picture fails
    body = (f'<p>Look: <img src="{dead}/scale-to-width-down/460?cb=2018" alt="460"> and '
            f'<img src="{dead}/tekken-stomp.gif" alt="tekken-stomp.gif"> and '
            f'<img src="{dead}/x.png" alt="A tired giant on a stage"> and '
            f'<img src="{dead}/y.png" alt="2024"> there.</p>')
    local = localise_images(library, body, "http://127.0.0.1:9/thread", local=True)
    assert local.images == []
    assert "[A tired giant on a stage]" in local.body_html
    assert "[460]" not in local.body_html and "tekken-stomp" not in local.body_html
    assert "[2024]" not in local.body_html
    assert "Look:  and  and" in local.body_html and "there." in local.body_html
