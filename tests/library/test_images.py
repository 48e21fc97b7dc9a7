"""Image storage in a real library: once per content, linked to articles, pruned when unused."""

from __future__ import annotations

import hashlib

from reader.library import NewArticle, empty_bin
from reader.library.images import (
    article_images,
    image_bytes,
    link_images,
    prune_images,
    store_image,
)
from reader.library.queue_rows import heartbeat, release

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _article(library, n: int) -> int:
    url = f"https://a.example/{n}"
    return library.add(NewArticle(url=url, original_url=url, title=str(n), body_html="",
                                  text=""))[0]


def test_an_image_is_stored_once_and_read_back(library):
    digest = store_image(library, PNG, "image/png")
    assert digest == hashlib.sha256(PNG).hexdigest()
    assert store_image(library, PNG, "image/png") == digest
    assert library.query_one("SELECT count(*) FROM images") == (1,)
    assert image_bytes(library, digest) == PNG


def test_image_bytes_of_anything_but_a_stored_hash_is_none(library):
    assert image_bytes(library, "0" * 64) is None
    assert image_bytes(library, "../etc/passwd") is None
    assert image_bytes(library, "") is None


def test_links_and_pruning(library):
    first, second = _article(library, 1), _article(library, 2)
    kept = store_image(library, PNG, "image/png")
    lone = store_image(library, PNG + b"x", "image/png")
    link_images(library, first, [("https://a.example/p.png", kept), ("https://a.example/q", lone)])
    link_images(library, second, [("https://b.example/p.png", kept)])
    assert article_images(library, first) == {"https://a.example/p.png": kept,
                                              "https://a.example/q": lone}
    assert prune_images(library) == 0

    library.set_flag([first], "deleted", True)
    library.purge_deleted()
    assert prune_images(library) == 1  # the picture only the purged article showed
    assert image_bytes(library, lone) is None and image_bytes(library, kept) == PNG


def test_emptying_the_bin_prunes_its_images_but_not_a_running_capture_s(library):
    shown, binned = _article(library, 1), _article(library, 2)
    kept = store_image(library, PNG, "image/png")
    only_binned = store_image(library, PNG + b"binned", "image/png")
    link_images(library, shown, [("https://a.example/p.png", kept)])
    link_images(library, binned, [("https://a.example/b.png", only_binned)])
    library.set_flag([binned], "deleted", True)

    heartbeat(library, "a reader add in another process")
    capturing_now = store_image(library, PNG + b"new", "image/png")  # not linked yet
    assert empty_bin(library) == 1
    assert image_bytes(library, capturing_now) is not None
    assert image_bytes(library, only_binned) is not None

    release(library, "a reader add in another process")
    empty_bin(library)
    assert image_bytes(library, only_binned) is None and image_bytes(library, kept) == PNG
