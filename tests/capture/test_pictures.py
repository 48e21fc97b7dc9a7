"""An article is saved before its pictures, which fill in once they come: a real HTTP server
whose pictures wait at a gate, the real capture queue and extraction, real SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from reader.capture.images import SCHEME
from reader.capture.queue import CaptureQueue, Counts
from reader.capture.urls import canonical_url
from reader.library.images import PendingPictures, article_images, pending_pictures
from tests.fixture_site import PAGES, _Handler

TURBINE = (PAGES / "images" / "turbine.png").read_bytes()
# The news fixture, its picture served from behind the gate.
GATED_PAGE = (PAGES / "news-article.html").read_text(encoding="utf-8").replace(
    'src="/images/turbine.png"', 'src="/gated/turbine.png"')


class _GatedHandler(_Handler):
    def do_GET(self) -> None:
        if self.path == "/gated-article.html":
            self._answer("text/html; charset=utf-8", GATED_PAGE.encode())
        elif self.path.startswith("/gated/"):
            self.server.asked.set()
            self.server.gate.wait(30)
            try:
                self._answer("image/png", TURBINE)
            except (BrokenPipeError, ConnectionResetError):  # the reader gave up on it
                pass
        else:
            super().do_GET()

    def _answer(self, content_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def gated_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_GatedHandler, directory=str(PAGES)))
    server.daemon_threads = True
    server.gate, server.asked = threading.Event(), threading.Event()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/gated-article.html"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server
    server.gate.set()
    server.shutdown()
    server.server_close()


def _saved_before_its_picture(library, extractor, site) -> tuple[CaptureQueue, int]:
    """A started queue that saved the gated page while its picture waits at the gate."""
    queue = CaptureQueue(library, extractor=extractor)
    queue.add([site.url])
    queue.start()
    deadline = time.monotonic() + 60
    while queue.counts() != Counts(saved=1) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue.counts() == Counts(saved=1)
    assert site.asked.wait(10) and not site.gate.is_set()
    return queue, library.find_by_url(canonical_url(site.url))


def test_an_article_is_saved_before_its_pictures_and_they_fill_in(library, extractor,
                                                                    gated_site):
    heard = []
    library.subscribe(heard.append)
    queue, article_id = _saved_before_its_picture(library, extractor, gated_site)
    try:
        waiting = library.get(article_id)
        assert "Kelby Sound" in waiting.text  # readable now
        assert 'src="http://127.0.0.1' in waiting.body_html  # the picture is still to come
        assert pending_pictures(library) == [
            PendingPictures(article_id, gated_site.url, local=True)]
        assert not queue.wait(0.2)  # ``wait`` includes the pictures

        gated_site.gate.set()
        assert queue.wait(30)
    finally:
        queue.stop()
    article = library.get(article_id)
    [src] = [part.split('"', 1)[0] for part in article.body_html.split('<img src="')[1:]]
    assert src.startswith(f"{SCHEME}:")
    assert article_images(library, article_id) == {
        gated_site.url.replace("gated-article.html", "gated/turbine.png"): src.split(":")[1]}
    assert article.text == waiting.text  # the text did not change: search is not touched
    assert pending_pictures(library) == []
    # A reader view showing the link laid it out again when its text came, then its picture.
    assert [change.content for change in heard if change.content] == [{article_id}] * 2


def test_pictures_a_stopped_queue_left_are_fetched_by_the_next(library, extractor, gated_site):
    """Closing the window mid-download cancels it: the pictures are not left out for good (as
    pictures that failed would be), they stay to come, and the next queue fetches them."""
    queue, article_id = _saved_before_its_picture(library, extractor, gated_site)
    body = library.get(article_id).body_html
    started = time.monotonic()
    queue.stop()
    assert time.monotonic() - started < 5  # the download under way was cancelled at once
    assert library.get(article_id).body_html == body
    assert [p.article_id for p in pending_pictures(library)] == [article_id]

    gated_site.gate.set()
    again = CaptureQueue(library, extractor=extractor)
    again.start()
    try:
        assert again.wait(30)
    finally:
        again.stop()
    assert f'src="{SCHEME}:' in library.get(article_id).body_html
    assert pending_pictures(library) == [] and len(article_images(library, article_id)) == 1


def test_pictures_a_killed_reader_left_are_fetched_by_the_next(tmp_path, gated_site):
    """``reader add`` killed (SIGKILL) while its article's picture is on its way: the article is
    kept, waiting for it, and the next ``reader add`` fills it in."""
    home = tmp_path / "home"
    reader = [sys.executable, "-m", "reader", "--home", str(home), "add", gated_site.url]
    killed = subprocess.Popen(reader, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert gated_site.asked.wait(60)  # the article is stored; its picture is asked for
        deadline = time.monotonic() + 10
        while _pending(home) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        killed.kill()
        killed.wait()
    assert _pending(home) == 1

    gated_site.gate.set()
    again = subprocess.run(reader, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    database = sqlite3.connect(home / "library.sqlite3")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        [body] = database.execute("SELECT body_html FROM articles WHERE url = ?",
                                  (canonical_url(gated_site.url),)).fetchone()
        assert f'src="{SCHEME}:' in body
        assert database.execute("SELECT count(*) FROM article_images").fetchone()[0] == 1
    finally:
        database.close()
    assert _pending(home) == 0


def _pending(home) -> int | None:
    """Articles of the library at ``home`` waiting for their pictures (None: no library yet)."""
    if not (home / "library.sqlite3").exists():
        return None
    database = sqlite3.connect(home / "library.sqlite3", timeout=5)
    try:
        return database.execute("SELECT count(*) FROM pictures_pending").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is still being made
        return None
    finally:
        database.close()
