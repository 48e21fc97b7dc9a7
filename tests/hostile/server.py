"""A hostile web server on 127.0.0.1: every way a page or an image can try to hang, flood or
steer Reader, each at its own path.

Raw sockets, because the worst servers do not speak HTTP politely: they trickle, lie about
lengths, break chunking, stack encodings. One thread per connection; every loop here ends (by
its count, or when the client hangs up).
"""

from __future__ import annotations

import functools
import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable

import brotli

BOMB_BYTES = 256_000_000  # what each decompression bomb decodes to (the page cap is 20 MB)
TRICKLE_SECONDS = 120  # how long a trickle would go on if the client stayed


def png(width: int, height: int) -> bytes:
    """A grey PNG of that size (its pixels compress to almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = zlib.compress((b"\0" + b"\x80" * width) * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


PNG_1x1 = png(1, 1)


def _compressed(compress, finish, size: int) -> bytes:
    zeros = bytes(1_000_000)
    return b"".join(compress(zeros) for _ in range(size // len(zeros))) + finish()


@functools.cache
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return _compressed(compressor.compress, compressor.flush, BOMB_BYTES)


@functools.cache
def deflate_bomb(raw: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    return _compressed(compressor.compress, compressor.flush, BOMB_BYTES)


@functools.cache
def brotli_bomb() -> bytes:
    compressor = brotli.Compressor(quality=5)
    return _compressed(compressor.process, compressor.finish, BOMB_BYTES)


def _head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _answer(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
            **headers: str) -> bytes:
    return _head(status, Content_Type=content_type, Content_Length=str(len(body)),
                 Connection="close", **headers) + body


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>").encode()


def _paragraphs(count: int = 12) -> str:
    return "".join(f"<p>Paragraph {n} of a plain article about harbours, ferries and tides, "
                   "long enough to be taken for the story itself.</p>" for n in range(count))


def _trickle(conn: socket.socket, data: bytes) -> None:
    for byte in data[:TRICKLE_SECONDS]:
        conn.sendall(bytes([byte]))
        time.sleep(1)


def _redirect(location: str) -> bytes:
    return _head("302 Found", Location=location, Content_Length="0")


# the pictures of /hostile-images.html: only /ok.png is stored, none takes the page down
HOSTILE_IMAGES = ("/svg-as.png", "/svg-typed.svg", "/huge-pixels.png", "/html-as.png",
                  "/trickle-image", "/bomb-gzip", "/to-file", "/loop-a", "/ok.png")


_INLINE_PICTURE = "data:image/png;base64," + "iVBORw0KGgo" * 740  # 8 kB, no file name


# path -> what to send (bytes), or a function of (connection, server) that sends it itself
Route = bytes | Callable[[socket.socket, "HostileServer"], None]


def _routes(server: HostileServer) -> dict[str, Route]:
    port = server.port
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           b'<defs><g id="a"><rect width="1" height="1"/></g>'
           + b"".join(b'<g id="%c"><use href="#%c"/><use href="#%c"/><use href="#%c"/>'
                      b'<use href="#%c"/></g>' % (c, c - 1, c - 1, c - 1, c - 1)
                      for c in range(ord("b"), ord("z")))
           + b'</defs><use href="#y"/><image href="/etc/passwd"/></svg>')
    huge_png = PNG_1x1[:16] + (100_000).to_bytes(4, "big") * 2 + PNG_1x1[24:]  # says 10^10 px
    return {
        "/ok.html": _answer(_page("A plain article", _paragraphs())),
        "/ok.png": _answer(PNG_1x1, "image/png"),
        # time
        "/trickle-body": lambda conn, s: (conn.sendall(_head(Content_Type="text/html",
                                                             Content_Length="100000")),
                                          _trickle(conn, _page("Slow", _paragraphs()))),
        "/trickle-headers": lambda conn, s: _trickle(conn, _answer(b"<p>late</p>")),
        "/silent": lambda conn, s: time.sleep(TRICKLE_SECONDS),
        "/trickle-image": lambda conn, s: (conn.sendall(_head(Content_Type="image/png")),
                                           _trickle(conn, PNG_1x1 * 10)),
        # size and encodings
        "/bomb-gzip": lambda conn, s: conn.sendall(_answer(gzip_bomb(), Content_Encoding="gzip")),
        "/bomb-deflate": lambda conn, s: conn.sendall(
            _answer(deflate_bomb(False), Content_Encoding="deflate")),
        "/bomb-deflate-raw": lambda conn, s: conn.sendall(
            _answer(deflate_bomb(True), Content_Encoding="deflate")),
        "/bomb-br": lambda conn, s: conn.sendall(_answer(brotli_bomb(), Content_Encoding="br")),
        "/gzip-gzip": lambda conn, s: conn.sendall(
            _answer(gzip.compress(gzip_bomb()), Content_Encoding="gzip, gzip")),
        "/gzip-two-headers": lambda conn, s: conn.sendall(
            _head(Content_Type="text/html", Content_Encoding="gzip", Connection="close")[:-2]
            + b"Content-Encoding: gzip\r\n\r\n" + gzip.compress(gzip_bomb())),
        "/zstd": _answer(b"(\xb5/\xfd not really", Content_Encoding="zstd"),
        "/broken-gzip": _answer(b"\x1f\x8b\x08\x00garbage that is not deflate" * 10,
                                Content_Encoding="gzip"),
        "/gzip-then-junk": _answer(gzip.compress(_page("Gzip and junk", _paragraphs()))
                                   + b"\0junk after the end" * 100, Content_Encoding="gzip"),
        "/endless": lambda conn, s: (conn.sendall(_head(Content_Type="text/html")),
                                     [conn.sendall(b"<p>" + b"a" * 65536) for _ in range(1000)]),
        "/truncated": _head(Content_Type="text/html", Content_Length="100000") + b"<p>cut",
        "/bad-chunking": _head(Content_Type="text/html", Transfer_Encoding="chunked")
        + b"zz\r\nhello\r\n0\r\n\r\n",
        "/huge-header": _head(Content_Type="text/html", X_Filler="x" * 200_000) + b"<p>x</p>",
        # redirects
        "/loop-a": _redirect("/loop-b"),
        "/loop-b": _redirect("/loop-a"),
        "/to-self": _redirect("/to-self"),
        "/to-file": _redirect("file:///etc/passwd"),
        "/to-data": _redirect("data:text/html,<h1>hi</h1>"),
        "/to-loopback": _redirect(f"http://127.0.0.1:{port}/ok.html"),
        "/to-localhost": _redirect(f"http://localhost:{port}/ok.html"),
        "/to-mapped": _redirect(f"http://[::ffff:127.0.0.1]:{port}/ok.html"),
        "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-lan": _redirect("http://10.0.0.1/admin"),
        "/no-location": _head("302 Found", Content_Length="0"),
        # content
        "/rich-status": _answer(b"gone", status="404 <img src=/dev/zero><b>gone</b>"),
        "/giant-title": _answer(_page("Big news " + "x" * 5_000_000, _paragraphs())),
        "/giant-attribute": _answer(_page("Attributes", f'<p title="{"y" * 5_000_000}">a</p>'
                                          + _paragraphs())),
        # inline pictures trafilatura's test of an image address took 0.2 s each to read
        "/inline-pictures": _answer(_page("Inline pictures", "".join(
            f'{_paragraphs(1)}<p><img data-src="{_INLINE_PICTURE}" src="{_INLINE_PICTURE}"></p>'
            for _ in range(100)))),
        # hidden panels, each once asked whether any control on the page names it: 22 s for
        # 10,000, growing with the square
        "/hidden-panels": _answer(_page("Hidden panels", _paragraphs() + "".join(
            f'<button aria-controls="tab{n}">{n}</button><div id="panel{n}" style="display:none">'
            f"{n}</div>" for n in range(20_000)))),
        # one-word blocks after an article: jusText, rescuing trafilatura's reading, walked from
        # each over all the others (12 s for 12,000, growing with the square); and one-word
        # paragraphs, more than trafilatura's own reading takes in moments (extraction/size.py)
        "/tiny-blocks": _answer(_page("Tiny blocks", _paragraphs()).replace(
            b"</body>", b"<div>word</div>" * 40_000 + b"</body>")),
        "/tiny-paragraphs": _answer(_page("Tiny paragraphs", _paragraphs()).replace(
            b"</body>", b"<p>word</p>" * 100_000 + b"</body>")),
        "/deep-nesting": _answer(_page("Deep", "<div>" * 60_000 + "deep" + "</div>" * 60_000)),
        "/nul-bytes": _answer(_page("Nul\0bytes", _paragraphs()).replace(b"harbours", b"\0\0")),
        "/wrong-charset": _answer(_page("Café", _paragraphs()), "text/html; charset=x-klingon"),
        "/utf16-claimed": _answer(_page("Café", _paragraphs()), "text/html; charset=utf-16"),
        "/link-list": _answer(_page("Links", "".join(f'<a href="/p{n}">link {n}</a><br>'
                                                     for n in range(20_000)))),
        "/image-as-page": _answer(PNG_1x1, "text/html"),
        # images
        "/svg-as.png": _answer(svg, "image/png"),
        "/svg-typed.svg": _answer(svg, "image/svg+xml"),
        "/huge-pixels.png": _answer(huge_png, "image/png"),
        "/html-as.png": _answer(_page("Not a picture", ""), "image/png"),
        "/hostile-images.html": _answer(_page("Hostile pictures", _paragraphs() + "".join(
            f'<p><img src="{path}" alt="{path}"></p>' for path in HOSTILE_IMAGES))),
    }


class HostileServer:
    """Serves ``_routes`` on 127.0.0.1 until closed; ``requests`` lists the paths asked for."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.requests: list[str] = []
        self.routes = _routes(self)
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True, name="hostile-server").start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    data = conn.recv(4096)
                    if not data:
                        return
                    request += data
                path = request.split(b" ", 2)[1].decode("latin-1")
                self.requests.append(path)
                route = self.routes.get(path.split("?")[0],  # (a query tells copies apart)
                                        _answer(b"not here", "text/plain", "404 Not Found"))
                if callable(route):
                    route(conn, self)
                else:
                    conn.sendall(route)
            except OSError:  # the client hung up: the point of most of these
                pass
