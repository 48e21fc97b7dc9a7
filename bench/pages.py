"""Distinct web pages made from the fixture pages, and a local server for them.

Each fixture page with an article is a template: its title, headline and plain paragraphs get new
text (recombined real sentences, of varied length); menus, adverts, comments and scripts stay as
they are, so extraction has the same clutter to cut through as on the fixture.
"""

from __future__ import annotations

import os
import random
import threading
from copy import deepcopy
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lxml.html

from bench import textgen

TEMPLATES = textgen.FIXTURE_PAGES


def _templates() -> list[lxml.html.HtmlElement]:
    from reader.capture.extract import extract
    from reader.errors import CaptureError

    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        try:
            extract(html, "https://example.org/page")
        except CaptureError:  # no article on it (the no-article fixture): not a template
            continue
        found.append(lxml.html.document_fromstring(html))
    return found


def plain_paragraphs(tree) -> list:
    body = next(e for e in (tree.find(".//article"), tree.find(".//main"), tree) if e is not None)
    return [p for p in body.iter("p") if not p.get("class")]


def make_pages(count: int, seed: int = 1) -> dict[str, bytes]:
    """``count`` distinct pages: path -> UTF-8 HTML."""
    rng = random.Random(seed)
    templates = _templates()
    pages = {}
    for number in range(count):
        tree = deepcopy(templates[number % len(templates)])
        headline = f"{textgen.title(rng)} ({number})"
        for element in tree.iter("title", "h1"):
            element.text = headline
            for child in list(element):
                element.remove(child)
        for meta in tree.iter("meta"):
            if meta.get("property") == "og:title":
                meta.set("content", headline)
        paragraphs = plain_paragraphs(tree)
        words = rng.randint(40, 160)  # per paragraph: articles of about 300 to 3,000 words
        for p, text in zip(paragraphs, textgen.paragraphs(rng, words * len(paragraphs))):
            for child in list(p):
                p.remove(child)
            p.text = text
        pages[f"/articles/{number:05d}.html"] = lxml.html.tostring(
            tree, encoding="utf-8", doctype="<!DOCTYPE html>"
        )
    return pages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, pages: dict[str, bytes], *args, **kwargs):
        self.pages = pages
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class PageServer:
    """The pages on 127.0.0.1, answered by a thread of this process."""

    def __init__(self, pages: dict[str, bytes]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, pages))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.urls = [self.base + path for path in pages]

    def __enter__(self) -> PageServer:  # noqa: PYI034
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_in_subprocess(count: int, seed: int = 1):
    """The same pages served by a separate Python process, so that serving them takes no time
    from the measured process's interpreter lock. A context manager yielding the URLs."""
    import subprocess
    import sys
    from contextlib import contextmanager

    @contextmanager
    def running():
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.pages", str(count), str(seed)],
            stdout=subprocess.PIPE, text=True, cwd=textgen.ROOT,
        )
        if hasattr(os, "setpriority"):
            # It stands in for servers elsewhere, which take no core from the app measured.
            os.setpriority(os.PRIO_PROCESS, process.pid, 19)
        try:
            base = process.stdout.readline().strip()
            if not base.startswith("http://"):
                raise RuntimeError("the page server did not start")
            yield [f"{base}/articles/{n:05d}.html" for n in range(count)]
        finally:
            process.terminate()
            process.wait(10)

    return running()


if __name__ == "__main__":
    import sys

    with PageServer(make_pages(int(sys.argv[1]), int(sys.argv[2]))) as site:
        print(site.base, flush=True)
        threading.Event().wait()
