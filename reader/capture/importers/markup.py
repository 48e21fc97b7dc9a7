"""HTML exports: Pocket's list of links, and the Netscape bookmark file every browser (and
Pinboard, Raindrop, Linkding...) writes. Parsed as a stream of tags, never as one document."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TextIO

from reader.capture.importers.items import BOOKMARKS, POCKET_HTML, Collector, ImportBatch, utc_iso

_NETSCAPE = re.compile(r"<!DOCTYPE\s+NETSCAPE-Bookmark-file", re.IGNORECASE)
_POCKET_TITLE = re.compile(r"<title>\s*Pocket Export\s*</title>", re.IGNORECASE)
_POCKET_HEADING = re.compile(r"<h1>\s*(Unread|Read Archive)\s*</h1>", re.IGNORECASE)
_TIME_ADDED = re.compile(r"<a\s[^>]*\btime_added\s*=", re.IGNORECASE)
_BOOKMARK_ENTRY = re.compile(r"<dt>\s*<(a\s[^>]*href|h3)", re.IGNORECASE)
# Browsers' own top folders: where a bookmark sits, not what it is about, so not tags.
_ROOT_FOLDERS = {
    "bookmarks", "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
    "mobile bookmarks", "favorites bar", "favourites bar", "unsorted bookmarks",
}
_ENDS_A_LINK = {"a", "dt", "dd", "dl", "li", "ul", "h1", "h3"}
_CHUNK = 1 << 16
# html.parser scans an unfinished tag or comment again at every chunk: one that never ends would
# take quadratic time. No tag of a bookmark file is this long.
MAX_PENDING_CHARS = 1 << 20
MAX_FOLDER_DEPTH = 50  # folders deeper than this still hold bookmarks, but lend no more tags


def html_format(head: str) -> str | None:
    """Which HTML export ``head`` (the start of the file) begins, or None."""
    if _NETSCAPE.search(head):
        return BOOKMARKS
    if _TIME_ADDED.search(head) and (_POCKET_TITLE.search(head) or _POCKET_HEADING.search(head)):
        return POCKET_HTML
    if _BOOKMARK_ENTRY.search(head):
        return BOOKMARKS  # a bookmark file whose exporter left out the doctype
    return None


def read_html(stream: TextIO, format_name: str,
              describe: Callable[[str], Exception]) -> ImportBatch:
    parser = _PocketParser() if format_name == POCKET_HTML else _BookmarkParser()
    try:
        while chunk := stream.read(_CHUNK):
            parser.feed(chunk)
            if len(parser.rawdata) > MAX_PENDING_CHARS:
                raise describe(f"a tag at line {parser.getpos()[0]} goes on for more than "
                               f"{MAX_PENDING_CHARS >> 20} MB without ending")
        parser.close()
    # html.parser gives up on some broken markup ("<![</"), and html.unescape on a character
    # reference of over 4,300 digits (ValueError).
    except (AssertionError, ValueError):
        raise describe(f"its HTML could not be read near line {parser.getpos()[0]}") from None
    return parser.collector.batch(format_name)


class _LinkParser(HTMLParser):
    """Collects each <a> with its attributes and text, and the text of a heading a subclass
    opened (``_heading = []``); subclasses decide what a link and a heading mean."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.collector = Collector()
        self._heading: list[str] | None = None
        self._link: dict[str, str | None] | None = None
        self._text: list[str] = []
        self._line = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ENDS_A_LINK:
            self._end_link()  # some exporters never close their <A>
        if tag == "a":
            self._link = dict(attrs)
            self._text = []
            self._line = self.getpos()[0]

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" or tag in _ENDS_A_LINK:
            self._end_link()

    def close(self) -> None:
        super().close()
        self._end_link()

    def _end_link(self) -> None:
        if self._link is not None:
            self.link(self._link, "".join(self._text), f"line {self._line}")
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def link(self, attrs: dict[str, str | None], title: str, where: str) -> None:
        raise NotImplementedError


class _PocketParser(_LinkParser):
    """<h1>Unread</h1> and <h1>Read Archive</h1>, each over a <ul> of links."""

    def __init__(self) -> None:
        super().__init__()
        self._archived = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._heading = []
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "h1" and self._heading is not None:
            self._archived = "archive" in "".join(self._heading).lower()
            self._heading = None
        super().handle_endtag(tag)

    def link(self, attrs, title, where):
        self.collector.add(
            where,
            attrs.get("href"),
            title=title,
            tags=(attrs.get("tags") or "").split(","),
            archived=self._archived,
            added=utc_iso(attrs.get("time_added")),
        )


class _BookmarkParser(_LinkParser):
    """<DT><H3>folder</H3> opens the <DL> after it; the folders a bookmark is in become its tags,
    with the TAGS attribute (Firefox, Pinboard) after them."""

    def __init__(self) -> None:
        super().__init__()
        self._folders: list[str | None] = []  # one per open <DL>; None: not a tag
        self._depth = 0  # open <DL>s, counting those deeper than MAX_FOLDER_DEPTH
        self._next_folder: str | None = None
        self._root_heading = False

    def handle_starttag(self, tag, attrs):
        if tag == "dl":
            self._depth += 1
            if self._depth <= MAX_FOLDER_DEPTH:
                self._folders.append(self._next_folder)
            self._next_folder = None
        elif tag == "h3":
            self._heading = []
            names = {name for name, _ in attrs}
            self._root_heading = bool(
                names & {"personal_toolbar_folder", "unfiled_bookmarks_folder"}
            )
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "dl" and self._depth:
            if self._depth <= MAX_FOLDER_DEPTH:
                self._folders.pop()
            self._depth -= 1
        elif tag == "h3" and self._heading is not None:
            name = " ".join("".join(self._heading).split())
            top_level = self._depth <= 1  # only the outermost <DL> is open
            if self._root_heading or (top_level and name.lower() in _ROOT_FOLDERS):
                name = ""
            self._next_folder = name or None
            self._heading = None
        super().handle_endtag(tag)

    def link(self, attrs, title, where):
        folders = [folder for folder in self._folders if folder]
        self.collector.add(
            where,
            attrs.get("href"),
            title=title,
            tags=[*folders, *(attrs.get("tags") or "").split(",")],
            added=utc_iso(attrs.get("add_date")),
        )
