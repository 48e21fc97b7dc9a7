"""A real HTTP server on 127.0.0.1 for tests: the fixture pages, plus the ways servers fail."""

from __future__ import annotations

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "fixtures" / "pages"
SLOW_SECONDS = 3
ARTICLES = ("news-article.html", "blog-post.html", "german-article.html", "photo-essay.html",
            *(f"wcxb/{path.name}" for path in sorted((PAGES / "wcxb").glob("*.html"))))

# path -> (status, content type, body)
CANNED = {
    "/status/500": (500, "text/html", b"<h1>Internal Server Error</h1>"),
    "/report.pdf": (200, "application/pdf", b"%PDF-1.7\n%fake but typed as a PDF\n"),
    "/archive.zip": (200, "application/zip", b"PK\x03\x04" + b"\0" * 64),
    "/disguised.html": (200, "text/html", b"%PDF-1.4\nA PDF served as text/html\n"),
    "/empty.html": (200, "text/html; charset=utf-8", b""),
}


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path in CANNED:
            status, content_type, body = CANNED[path]
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            self.send_error(504)
        elif path.startswith("/copy/"):  # /copy/N/PATH: the page at PATH, as another page
            self.path = "/" + path.split("/", 3)[3]
            super().do_GET()
        elif path.startswith("/go/"):  # a short link, as a link shortener would answer
            self.send_response(301)
            self.send_header("Location", "/" + path.removeprefix("/go/"))
            self.end_headers()
        else:
            super().do_GET()

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


class FixtureSite:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(PAGES)))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def page_urls(self, count: int) -> list[str]:
        """``count`` addresses of distinct pages: the fixture articles and the real forum
        threads and documentation pages (with pictures), each served under many paths."""
        return [self.url(f"copy/{n}/{ARTICLES[n % len(ARTICLES)]}") for n in range(count)]

    def __enter__(self) -> FixtureSite:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
