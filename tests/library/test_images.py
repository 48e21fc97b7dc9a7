"""Image storage in a real library: once per content, linked to articles, pruned when unused."""

from __future__ import annotations

import hashlib

from reader.library import NewArticle, empty_bin
from reader.library.images import (
    PendingPictures,
    article_images,
    await_pictures,
    fill_pictures,
    image_bytes,
    link_images,
    pending_pictures,
    pictures_to_fetch,
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


def test_pictures_fill_in_only_the_body_they_were_fetched_for(library):
    """The article was extracted again while its pictures came: they are not put into the new
    body (they would undo it), and the article stays waiting for them."""
    article_id = _article(library, 1)
    was = '<p><img src="https://a.example/p.png" alt="A pier"></p>'
    with library.transaction() as tx:
        tx.execute("UPDATE articles SET body_html = ? WHERE id = ?", (was, article_id))
        await_pictures(tx, PendingPictures(article_id, "https://a.example/1", local=False))
    assert pictures_to_fetch(library, article_id) == was
    digest = store_image(library, PNG, "image/png")
    filled = f'<p><img src="reader-image:{digest}" alt="A pier"></p>'
    library.replace_content(article_id, "1", "<p>Extracted again</p>", "Extracted again")

    assert not fill_pictures(library, article_id, was, filled, [("https://a.example/p.png",
                                                                  digest)])
    assert library.get(article_id).body_html == "<p>Extracted again</p>"
    assert article_images(library, article_id) == {}
    assert pictures_to_fetch(library, article_id) == "<p>Extracted again</p>"

    assert fill_pictures(library, article_id, "<p>Extracted again</p>", filled,
                         [("https://a.example/p.png", digest)])
    assert library.get(article_id).body_html == filled
    assert pending_pictures(library) == [] and pictures_to_fetch(library, article_id) is None


def test_an_article_emptied_from_the_bin_waits_for_no_pictures(library):
    article_id = _article(library, 1)
    with library.transaction() as tx:
        await_pictures(tx, PendingPictures(article_id, "https://a.example/1", local=False))
    library.set_flag([article_id], "deleted", True)
    empty_bin(library)
    assert pending_pictures(library) == []
