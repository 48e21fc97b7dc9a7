"""The article being read gets its pictures when they come (they are fetched after it is
saved), without losing the reader's place: the real window, a real library, the change as the
capture queue's picture thread writes it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QBuffer, QPoint
from PySide6.QtGui import QColor, QImage

from reader.library import NewArticle
from reader.library.images import fill_pictures, store_image
from reader.settings import Settings
from tests.ui.test_main_window import open_window

PARAGRAPHS = "".join(f"<p>Paragraph {n} of the tide tables and the harbour's history.</p>"
                     for n in range(120))


def _picture() -> bytes:
    """A picture tall enough to push the text under it well down."""
    image = QImage(600, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("steelblue"))
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _body(src: str) -> str:
    picture = f'<p><img src="{src}" alt="The harbour wall"></p>'
    return f"{picture}{PARAGRAPHS}{picture}{PARAGRAPHS}"


def test_pictures_that_come_in_are_shown_where_the_reader_is(qtbot, library):
    web = "https://harbour.example/wall.png"
    article_id = library.add(NewArticle(
        url="https://harbour.example/", original_url="https://harbour.example/",
        title="The harbour", body_html=_body(web), text=PARAGRAPHS * 2))[0]
    # (Not marked as waiting for its pictures: the window's own capture queue would fetch them.)
    window = open_window(qtbot, library, Settings())
    try:
        window.browser.select_article(article_id)
        view = window.reader_view
        assert "Paragraph 7 " in view.toPlainText()
        bar = view.verticalScrollBar()
        bar.setValue(bar.maximum() // 3)
        qtbot.wait(200)  # laid out to the end (a long document is laid out in steps)

        def at_the_top() -> str:
            return view.cursorForPosition(QPoint(view.viewport().width() // 2, 0)).block().text()

        reading = at_the_top()
        assert reading.startswith("Paragraph")
        below = bar.value()

        digest = store_image(library, _picture(), "image/png")
        filling = threading.Thread(target=fill_pictures, args=(
            library, article_id, _body(web), _body(f"reader-image:{digest}"), [(web, digest)]))
        filling.start()
        filling.join()
        qtbot.waitUntil(lambda: f"reader-image:{digest}" in view.toHtml(), timeout=5000)
        assert bar.value() > below + 200  # the picture above pushed the text down
        assert at_the_top() == reading  # and the view followed it
    finally:
        window.close()
