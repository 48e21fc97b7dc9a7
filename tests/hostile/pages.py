"""What each misbehaviour of tests/hostile/server.py should become when it is given to Reader as
a page to save (``reader add``, a link dropped on the window): a clean article with this title,
or a failure that says this.

Left out: ``/to-metadata`` and ``/to-lan`` (they would reach out of this computer; their refusal
for a page from the web is in test_downloads.py, the only place a page can be "from the web"
while served on 127.0.0.1). The hostile images come as pictures of ``/hostile-images.html`` too.
"""

from __future__ import annotations

import functools

from tests.hostile.server import brotli_bomb, deflate_bomb, gzip_bomb

# path -> the start of the saved article's title
SAVED = {
    "/ok.html": "A plain article",
    "/gzip-then-junk": "Gzip and junk",
    "/giant-title": "Big news xxx",
    "/giant-attribute": "Attributes",
    "/nul-bytes": "Nulbytes",  # the NUL is dropped
    "/wrong-charset": "Café",
    "/utf16-claimed": "Café",
    "/to-loopback": "A plain article",  # a page on this computer may redirect on it
    "/to-localhost": "A plain article",
    "/to-mapped": "A plain article",
    "/hostile-images.html": "Hostile pictures",  # with only /ok.png of its pictures stored
    "/inline-pictures": "Inline pictures",  # in moments, not the minutes it once took
    "/hidden-panels": "Hidden panels",  # in moments, not the minute and a half it once took
    "/tiny-blocks": "Tiny blocks",  # in moments, not the two minutes it once took
}


def too_slow(seconds: float) -> str:
    return f"took too long to answer ({seconds:g} s)"


# path -> words of the reason it is not saved; a function of the deadline for the slow ones
REFUSED = {
    "/trickle-body": too_slow,
    "/trickle-headers": too_slow,
    "/silent": too_slow,
    "/trickle-image": "not an HTML page (it is image/png)",
    "/ok.png": "not an HTML page (it is image/png)",
    "/bomb-gzip": "larger than 20 MB",
    "/bomb-deflate": "larger than 20 MB",
    "/bomb-deflate-raw": "larger than 20 MB",
    "/bomb-br": "larger than 20 MB",
    "/endless": "larger than 20 MB",
    "/link-list": "is a list of 20,000 links, not an article",
    "/gzip-gzip": "coded more than once (gzip, gzip)",
    "/gzip-two-headers": "coded more than once (gzip, gzip)",
    "/zstd": "coded as zstd, which Reader does not read",
    "/broken-gzip": "gzip data is broken",
    "/truncated": "broke off or garbled its answer",
    "/bad-chunking": "broke off or garbled its answer",
    "/huge-header": "broke off or garbled its answer",
    "/loop-a": "redirects in a loop",
    "/loop-b": "redirects in a loop",
    "/to-self": "redirects in a loop",
    "/to-file": "redirects to a file: address, which Reader does not follow",
    "/to-data": "redirects to a data: address, which Reader does not follow",
    "/no-location": "The server answered 302 Found",
    "/rich-status": "The server answered 404 <img src=/dev/zero><b>gone</b> for",
    "/deep-nesting": "No article text found on this page",
    "/tiny-paragraphs": "is 100,012 paragraphs, not an article",
    "/image-as-page": "not an HTML page (it is a PNG image)",
    "/svg-as.png": "not an HTML page (it is image/png)",
    "/svg-typed.svg": "not an HTML page (it is image/svg+xml)",
    "/huge-pixels.png": "not an HTML page (it is image/png)",
    "/html-as.png": "not an HTML page (it is image/png)",
}

PATHS = [*SAVED, *REFUSED]


def reason(path: str, deadline: float) -> str:
    expected = REFUSED[path]
    return expected(deadline) if callable(expected) else expected


@functools.cache
def make_bombs() -> None:
    """The decompression bombs, made before any clock starts (seconds each on a busy machine)."""
    for bomb in (gzip_bomb, brotli_bomb, functools.partial(deflate_bomb, False),
                 functools.partial(deflate_bomb, True)):
        bomb()
