"""The reader view draws stored images on the UI thread: only raster images of bounded size."""

import time

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from reader.capture.images import image_url
from reader.library.images import store_image
from reader.ui.reader_view import ReaderView, stored_image
from tests.hostile.server import png

# 4^24 rectangles if drawn: an SVG that never finishes rendering, and one reading a local file.
NESTED_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg"><defs><g id="a"><rect width="1" '
              b'height="1"/></g>'
              + b"".join(b'<g id="%c"><use href="#%c"/><use href="#%c"/><use href="#%c"/>'
                         b'<use href="#%c"/></g>' % (c, c - 1, c - 1, c - 1, c - 1)
                         for c in range(ord("b"), ord("z")))
              + b'</defs><use href="#y"/><image href="/etc/passwd"/></svg>')


def _resource(view: ReaderView, library, data: bytes, content_type: str):
    digest = store_image(library, data, content_type)
    return view.loadResource(QTextDocument.ResourceType.ImageResource.value,
                             QUrl(image_url(digest)))


def test_a_stored_picture_is_drawn_no_wider_than_the_column(qtbot, library):
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    image = _resource(view, library, png(3000, 1500), "image/png")
    assert image is not None and 0 < image.width() < view.viewport().width() <= 600
    assert image.height() == round(image.width() / 2)


def test_a_stored_svg_is_not_drawn(qtbot, library):
    view = ReaderView(library)
    qtbot.addWidget(view)
    started = time.monotonic()
    assert _resource(view, library, NESTED_SVG, "image/svg+xml") is None
    assert time.monotonic() - started < 0.1


def test_pictures_too_large_or_broken_are_not_drawn():
    huge = png(1, 1)[:16] + (100_000).to_bytes(4, "big") * 2 + png(1, 1)[24:]
    started = time.monotonic()
    for data in (huge, png(1, 1)[:30], b"", None, b"GIF89a\0\0\0\0"):
        assert stored_image(data, 500) is None
    assert time.monotonic() - started < 0.1
    assert stored_image(png(40, 20), 500).size().toTuple() == (40, 20)


def test_the_column_keeps_its_width_from_a_short_article_to_a_long_one(qtbot, library):
    from reader.library import NewArticle

    def article(name: str, paragraphs: int):
        url = f"https://example.org/{name}"
        article_id, _ = library.add(NewArticle(
            url=url, original_url=url, title=name, body_html="<p>Words to read.</p>" * paragraphs,
            text="Words to read. " * paragraphs))
        return library.get(article_id)

    view = ReaderView(library)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.show_article(article("short", 1))
    assert view.fits()
    width = view.viewport().width()
    # The text is laid out once, at the width it is read at: no scroll bar comes or goes.
    view.show_article(article("long", 200))
    assert not view.fits()
    assert view.viewport().width() == width


def test_a_figure_picture_has_a_line_of_its_own_and_an_inline_one_stays_in_its_text(
        qtbot, library):
    """The photo essay's figures lose their <figure> wrapper when the page is sanitised; the
    reader view still shows each on its own line, not at the end of the line before."""
    from pathlib import Path

    from reader.capture.extract import extract
    from reader.library import NewArticle

    page = Path(__file__).parent.parent / "fixtures" / "pages" / "photo-essay.html"
    url = "https://example.org/photo-essay"
    found = extract(page.read_text(encoding="utf-8"), url)
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title=found.title,
                                           body_html=found.body_html, text=found.text))
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.show_article(library.get(article_id))
    blocks = []
    block = view.document().begin()
    while block.isValid():
        blocks.append(block.text())
        block = block.next()
    picture = "\ufffc"  # how a document holds an image
    alone = [text for text in blocks if text.strip() == picture]
    inline = [text for text in blocks if picture in text and text.strip() != picture]
    assert len(alone) >= 2  # the harbour wall and the lighthouse figures
    assert any(text.lstrip(picture).strip().startswith("The tidal energy works") for text in inline)
    assert not any(text.rstrip().endswith("came from." + picture) for text in blocks)


def test_a_posts_lines_without_paragraphs_are_spaced_as_paragraphs(qtbot, library):
    """Forum software writes a post as lines in one <div> (<br> between them): in the reader
    view they get the paragraphs' line height, not the tight default."""
    from reader.capture.extract import extract
    from reader.library import NewArticle
    from reader.settings import Settings

    posts = "".join(
        f'<article class="message"><span class="username">member{n}</span>'
        f'<time datetime="2025-03-2{n}T10:00:00">Mar 2{n}</time><div class="bbWrapper">'
        f"Reply {n}: the bridge should be rebuilt in stone.<br>It lasts longer and the river "
        f"likes it better, as every old bridge upstream shows.<br><br>Just my view.</div>"
        "</article>" for n in range(1, 5))
    page = ('<html><head><script type="application/ld+json">{"@type": "DiscussionForumPosting"}'
            f"</script></head><body><main><h1>The bridge</h1>{posts}</main></body></html>")
    url = "https://forum.example/t/bridge"
    found = extract(page, url)
    assert found.body_html.count("<section") == 4
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title=found.title,
                                           body_html=found.body_html, text=found.text))
    view = ReaderView(library)
    qtbot.addWidget(view)
    settings = Settings()
    view.apply_style(settings.theme, settings.font_family, settings.font_size,
                     settings.line_width)
    view.show_article(library.get(article_id))
    block = view.document().begin()
    heights = {}
    while block.isValid():
        if block.text().startswith("Reply "):
            heights[block.text()[:8]] = block.blockFormat().lineHeight()
        block = block.next()
    assert heights == {f"Reply {n}:": 150.0 for n in range(1, 5)}


def test_a_site_that_signs_its_own_article_is_named_once_in_the_byline(library):
    from reader.library import NewArticle
    from reader.ui.article_view import article_html

    def byline(author: str, site: str) -> str:
        url = f"https://example.org/{author or 'none'}-{site}"
        article_id, _ = library.add(NewArticle(
            url=url, original_url=url, title="Outsourcing", author=author, site=site,
            body_html="<p>Words to read.</p>", text="Words to read."))
        html = article_html(library.get(article_id))
        return html.split('<p class="byline">', 1)[1].split("</p>", 1)[0]

    assert byline("Escalon", "Escalon") == "Escalon · 1 min read"
    assert byline("Ann Lee", "Escalon") == "Ann Lee · Escalon · 1 min read"
    assert byline("", "Escalon") == "Escalon · 1 min read"


def test_a_picture_still_to_come_takes_its_place_and_shows_nothing(qtbot, library):
    """Its article is stored before its pictures: until one is in, the view keeps the space its
    tag gives it, blank (not Qt's missing-file icon), and never asks the web for it."""
    from reader.library import NewArticle

    body = ('<p>Before the picture.</p><p><img src="https://pictures.example/p.png" '
            'width="300" height="200" alt="A pier"></p><p>After the picture.</p>')
    article_id = library.add(NewArticle(url="https://pictures.example/", original_url="",
                                        title="Pier", body_html=body, text="Before After"))[0]
    view = ReaderView(library)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.show_article(library.get(article_id))

    image = view.loadResource(QTextDocument.ResourceType.ImageResource.value,
                              QUrl("https://pictures.example/p.png"))
    assert image is not None and not image.isNull() and image.pixelColor(0, 0).alpha() == 0
    before, after = (view.document().find(text) for text in ("Before", "After"))
    gap = view.cursorRect(after).top() - view.cursorRect(before).bottom()
    assert gap >= 200  # the picture's place, kept for it
    # Anything else on the web is still not loaded.
    assert view.loadResource(QTextDocument.ResourceType.StyleSheetResource.value,
                             QUrl("https://pictures.example/s.css")) is None
