"""The reader view: the article in a themed, width-limited column, read without the network,
its highlights drawn over it (``highlight_marks`` finds where).

It remembers nothing itself; the window saves the reading position it reports.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPoint,
    QSize,
    QTimer,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFontMetricsF,
    QImage,
    QImageReader,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit

from reader.capture.raster import MAX_PIXELS, pixel_size, raster_type
from reader.library import Article, Library
from reader.library import highlights, pending
from reader.library.images import SCHEME as IMAGE_SCHEME
from reader.library.images import image_bytes
from reader.ui import themes
from reader.ui.article_view import FETCH_SCHEME, article_html
from reader.ui.highlight_marks import Mark, extra_selection, find_passage, mark_selections, marks

MIN_MARGIN = 24
MARK_MS = 2500  # how long a passage followed from the summary stays marked
MARK_COLOUR = QColor(255, 214, 10, 110)  # a highlighter's yellow, see-through on any theme
LOCAL_SCHEMES = ("file", "data", "qrc", "")
_NOTHING = QImage(1, 1, QImage.Format.Format_ARGB32)
_NOTHING.fill(Qt.GlobalColor.transparent)


class ReaderView(QTextBrowser):
    reached_end = Signal()
    fetch_requested = Signal(int)  # "Fetch now" on an article without its page: its id

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("readerView")
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._open_link)
        # Always there: shown only as needed, it went at each article (the document emptied)
        # and came back once the text was in, and the text was laid out again at each width
        # (2.6 ms to show an article, against 0.8 ms).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.line_width_ems = 42
        self.font_size = 12
        self._restoring = False
        self.verticalScrollBar().valueChanged.connect(self._check_end)
        self._unmark = QTimer(self, singleShot=True, interval=MARK_MS)
        self._unmark.timeout.connect(self._forget_passage)
        self.article: Article | None = None
        self.marks: list[Mark] = []  # the shown article's highlights, where they are drawn
        self._passage: QTextEdit.ExtraSelection | None = None

    def apply_style(self, theme_setting: str, font_family: str, font_size: int,
                    line_width: int) -> None:
        theme = themes.resolve(theme_setting)
        self.font_size = font_size
        self.line_width_ems = line_width
        self.document().setDefaultStyleSheet(themes.stylesheet(theme, font_family, font_size))
        self.setStyleSheet(themes.widget_stylesheet(theme))
        font = self.font()
        if font_family:
            font.setFamily(font_family)
        font.setPointSize(font_size)
        self.document().setDefaultFont(font)
        self._fit_column()

    def show_article(self, article: Article, position: float = 0.0) -> None:
        self._restoring = True  # putting the reader back where they were is not reading on
        try:
            # Re-parsed so a new stylesheet applies.
            self.setHtml(article_html(article, pending.fetch_status(self.library, article.id)))
            self._fit_column()  # a new document starts with no margins
            self.article, self._passage = article, None
            self.draw_highlights()
            bar = self.verticalScrollBar()
            bar.setValue(round(position * bar.maximum()))
        finally:
            self._restoring = False

    def show_in_place(self, article: Article) -> None:
        """``article`` again, with new content or style, the text at the top of the view staying
        there (the pictures coming in above it would push it down the page)."""
        top = 0
        if self.verticalScrollBar().value():  # (at the start there is no place to keep)
            self._lay_out_all()
            top = self.cursorForPosition(QPoint(self.viewport().width() // 2, 0)).position()
        self.show_article(article)
        if not top:
            return
        self._lay_out_all()  # the scroll range reaches the end
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(top, self.document().characterCount() - 1))
        self._restoring = True
        try:
            self.verticalScrollBar().setValue(self.cursorRect(cursor).top())
        finally:
            self._restoring = False

    def _lay_out_all(self) -> None:
        """A long article is laid out in steps, as it is shown: the rest now, so that places in
        it are where they will be."""
        self.document().documentLayout().blockBoundingRect(self.document().lastBlock())

    def fits(self) -> bool:
        """Whether the whole article is on screen (nothing to scroll)."""
        return not self.document().isEmpty() and self.verticalScrollBar().maximum() == 0

    def position(self) -> float:
        bar = self.verticalScrollBar()
        return bar.value() / bar.maximum() if bar.maximum() else 0.0

    def page(self, direction: int) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + direction * max(bar.pageStep() - 3 * bar.singleStep(), 1))

    def show_passage(self, quote: str) -> bool:
        """Scroll to ``quote`` (a passage of the article's plain text), select it and mark it
        for a moment; False if the shown article does not have it.

        The stored offsets are into the plain text, not this document (markup, images and
        whitespace differ), so the quote is found by its words (``find_passage``)."""
        span = find_passage(self.toPlainText(), quote)
        if span is None:
            return False
        self._passage = extra_selection(self.select_span(*span), MARK_COLOUR)
        self._draw()
        self._unmark.start()
        return True

    def show_highlight(self, highlight_id: int) -> bool:
        """Scroll to a highlight of the shown article and select it; False if it is not drawn
        (not found in the current text)."""
        mark = next((m for m in self.marks if m.highlight.id == highlight_id), None)
        if mark is not None:
            self.select_span(mark.start, mark.end)
        return mark is not None

    def select_span(self, start: int, end: int) -> QTextCursor:
        """Select the document's ``start:end``, a third of the way down the view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._restoring = True  # a jump to a passage is not reading to the end
        try:  # the passage a third of the way down, not at the edge
            self.setTextCursor(cursor)
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + self.cursorRect(cursor).top()
                         - self.viewport().height() // 3)
        finally:
            self._restoring = False
        return cursor

    def draw_highlights(self) -> None:
        """Draw the shown article's highlights (again, when they changed)."""
        found = highlights.for_article(self.library, self.article.id) if self.article else []
        self.marks = marks(self.document(), found, len(self.article.text) if self.article else 0)
        self._draw()

    def marks_over(self, start: int, end: int) -> list[Mark]:
        """The highlights drawn over the document's ``start:end``, or at ``start`` if empty."""
        if start == end:
            return [mark for mark in self.marks if mark.start <= start <= mark.end]
        return [mark for mark in self.marks if mark.start < end and start < mark.end]

    def clear(self) -> None:
        self.article, self.marks, self._passage = None, [], None
        super().clear()
        self._draw()

    def _draw(self) -> None:
        # The passage followed from the summary over the highlights, while it lasts.
        self.setExtraSelections(mark_selections(self.document(), self.marks)
                                + ([self._passage] if self._passage else []))

    def _forget_passage(self) -> None:
        self._passage = None
        self._draw()

    def loadResource(self, kind: int, url: QUrl):
        # The reader never touches the network: images come from the library (stored when the
        # page was captured), or are local files; anything else is not shown.
        if url.scheme() == IMAGE_SCHEME:
            margin = self.document().rootFrame().frameFormat().leftMargin()
            column = self.viewport().width() - 2 * margin
            return stored_image(image_bytes(self.library, url.path()), int(column))
        if url.scheme() in ("http", "https") and kind == QTextDocument.ResourceType.ImageResource:
            # A picture still to come (fetched after its article is stored; the article is laid
            # out again when it is in): nothing in its place meanwhile, in the space its tag
            # gives it, rather than Qt's icon of a missing file.
            return _NOTHING
        if url.scheme() not in LOCAL_SCHEMES:
            return None
        return super().loadResource(kind, url)

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() == FETCH_SCHEME and url.path().isdigit():
            self.fetch_requested.emit(int(url.path()))
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # in the user's browser, never in here

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_column()

    def _fit_column(self) -> None:
        """Side margins that keep lines to ``line_width_ems``, centred, for comfortable reading.

        Set on the document's root frame, so the text is laid out within them."""
        em = QFontMetricsF(self.document().defaultFont()).horizontalAdvance("M")
        side = max(MIN_MARGIN, (self.viewport().width() - self.line_width_ems * em) / 2)
        root = self.document().rootFrame()
        frame = root.frameFormat()
        if round(frame.leftMargin()) != round(side) or round(frame.rightMargin()) != round(side):
            frame.setLeftMargin(side)
            frame.setRightMargin(side)
            frame.setTopMargin(MIN_MARGIN)
            frame.setBottomMargin(MIN_MARGIN)
            root.setFrameFormat(frame)

    def _check_end(self) -> None:
        bar = self.verticalScrollBar()
        if not self._restoring and bar.maximum() > 0 and bar.value() >= bar.maximum():
            self.reached_end.emit()


def stored_image(data: bytes | None, column: int) -> QImage | None:
    """A stored image decoded for the view, no wider than ``column``; None if it is not one we
    draw: decoding runs on the UI thread, so only raster formats of at most MAX_PIXELS (read from
    the header first), never SVG (an image stored before SVG was refused may still be one)."""
    size = pixel_size(data) if data else None
    if size is None or size[0] * size[1] > MAX_PIXELS or not all(size):
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, raster_type(data).split("/")[1].encode())
    reader.setDecideFormatFromContent(False)  # the format we checked, not one Qt guesses
    width, height = size
    if 0 < column < width:  # decoded at the size shown (JPEG decodes smaller, faster)
        reader.setScaledSize(QSize(column, max(1, round(height * column / width))))
    image = reader.read()
    return None if image.isNull() else image
