"""What a drop or a paste carries, decoded into what to save.

The window hands over the MIME data as plain bytes per format (what ``QMimeData.data(fmt)`` gives
for each of its ``formats()``), so one decoder serves drag-and-drop and the clipboard and is tested
without Qt.

Browsers put one link in several formats at once (Firefox: ``text/x-moz-url``, ``text/uri-list``,
``text/html`` and ``text/plain``). Only the best format that carries something usable is read for
what to save (``_FORMATS`` is the order); the others just lend titles to its links. So one link is
never counted twice, and a repeat *within* what the user dropped is counted in ``duplicates``.

Each thing that cannot be used (a missing file, a broken ``.webloc``, an ``ftp:`` link) becomes a
line in ``Drop.problems``; CaptureError is raised only when nothing at all is usable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from reader.capture.sources.files import dropped_file
from reader.capture.sources.html_links import HtmlLinks, absolute_web_url, cf_html_source_url
from reader.capture.sources.items import Drop, Link, SavedPage
from reader.capture.sources.text import decoded_text, require_text, split_lines, strict_utf16
from reader.capture.urls import canonical_url, urls_in_text
from reader.errors import CaptureError

log = logging.getLogger(__name__)

NOTHING_TO_ADD = "Nothing to add: drop or paste a link to a web page."
MAX_FORMAT_BYTES = 8 << 20  # of each MIME format of one drop or paste


def decode_drop(data: Mapping[str, bytes]) -> Drop:
    """Decode a drop/paste payload (MIME format -> raw bytes) into what to save.

    Raises CaptureError, saying why, when nothing in it is usable; never anything else for bad
    data.
    """
    formats = _formats(data)
    readings = [_read_format(name, read, *formats[name])
                for name, read in _FORMATS if name in formats]
    used = next((reading for reading in readings if reading.items), None)
    if used is None:
        return _last_resort(readings)
    for reading in readings:
        if reading is not used and reading.problems:
            log.debug("drop: %s had problems, not used: %s", reading.name, reading.problems)
    return _collect(used, _titles(readings))


# What one format carried


@dataclass
class _Reading:
    name: str
    items: list[Link | SavedPage | Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    text: str = ""  # the words themselves (plain text, HTML text), to say why they are no link

    def add_link(self, url: str, title: str | None = None) -> None:
        try:
            self.items.append(Link.checked(url, title))
        except CaptureError as error:
            self.problems.append(str(error))

    def add_uri(self, uri: str, title: str | None = None) -> None:
        """A URI from a list of them: a ``file:`` URI is a dropped file, anything else a link."""
        if not uri.lower().startswith("file:"):
            self.add_link(uri, title)
            return
        try:
            self.items.append(dropped_file(uri))
        except CaptureError as error:
            self.problems.append(str(error))

    def add_links_in_text(self, text: str) -> None:
        # Word by word, so that a link pasted twice is seen twice (urls_in_text drops repeats).
        for line in split_lines(text):
            if line.lstrip().startswith("#"):  # a comment in a text/uri-list
                continue
            for word in line.split():
                if "http" in word.lower() or "www." in word.lower():
                    for url in urls_in_text(word):
                        self.add_link(url)


def _read_format(name: str, read: Callable[[_Reading, bytes, str | None], None],
                 raw: bytes, charset: str | None) -> _Reading:
    reading = _Reading(name)
    if len(raw) > MAX_FORMAT_BYTES:  # read on the UI thread: a drop is links, not a library
        reading.problems.append(f"The dropped {name} is larger than "
                                f"{MAX_FORMAT_BYTES >> 20} MB, so it was not read")
        return reading
    try:
        read(reading, raw, charset)
    except CaptureError as error:
        reading.problems.append(str(error))
    return reading


def _read_moz_url(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """Firefox's ``text/x-moz-url``: UTF-16, a URL line then a title line, for each link."""
    try:
        text = strict_utf16(raw)
    except UnicodeDecodeError:
        raise CaptureError("The dragged link could not be read (its text/x-moz-url is not "
                           "valid UTF-16)") from None
    require_text(text, "The dragged link")
    lines = split_lines(text)
    for i in range(0, len(lines), 2):
        title = lines[i + 1] if i + 1 < len(lines) else None
        if lines[i].strip():
            reading.add_uri(lines[i].strip(), title)


def _read_uri_list(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/uri-list``: one URI a line, ``#`` comments; ``file:`` URIs are dropped files."""
    text = decoded_text(raw, charset)
    require_text(text, "The dropped list of links")
    for line in split_lines(text):
        uri = line.strip()
        if uri and not uri.startswith("#"):
            reading.add_uri(uri)


def _read_windows_url_w(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """Windows ``UniformResourceLocatorW``: one URL, UTF-16LE, ending in a NUL."""
    end = next((i for i in range(0, len(raw) - 1, 2) if raw[i:i + 2] == b"\0\0"), len(raw))
    try:
        url = raw[:end].decode("utf-16-le").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise CaptureError("The dragged link could not be read (its UniformResourceLocatorW is "
                           "not valid UTF-16)") from None
    require_text(url, "The dragged link")
    if url.strip():
        reading.add_link(url.strip())


def _read_windows_url(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """Windows ``UniformResourceLocator``: one URL in the ANSI code page, ending in a NUL."""
    url = raw.split(b"\0", 1)[0].decode("cp1252", "replace")
    require_text(url, "The dragged link")
    if url.strip():
        reading.add_link(url.strip())


def _read_html(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/html``: a dragged link or a selection. Its links, else the links in its text."""
    text = decoded_text(raw, charset)
    require_text(text, "The dropped HTML")
    parser = HtmlLinks()
    try:
        parser.feed(text)
        parser.close()
    # html.parser gives up on some broken markup ("<![</"), and html.unescape on a character
    # reference of over 4,300 digits (ValueError).
    except (AssertionError, ValueError):
        reading.problems.append("Part of the dropped HTML could not be read")
    base = parser.base or cf_html_source_url(text)
    for href, title in parser.links:
        url = absolute_web_url(href, base)
        if url:
            reading.add_link(url, title)
    reading.text = parser.text()
    if not reading.items:
        reading.add_links_in_text(reading.text)


def _read_plain_text(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/plain``: words with URLs among them (``www.`` forms too)."""
    text = decoded_text(raw, charset)
    require_text(text, "The pasted text")
    reading.text = text.strip()
    reading.add_links_in_text(text)


# Best first. Firefox's x-moz-url and the uri-list name the links themselves (x-moz-url with
# titles); HTML is a selection that may hold more than the user meant; plain text is a last guess.
_FORMATS: tuple[tuple[str, Callable[[_Reading, bytes, str | None], None]], ...] = (
    ("text/x-moz-url", _read_moz_url),
    ("text/uri-list", _read_uri_list),
    ("uniformresourcelocatorw", _read_windows_url_w),
    ("uniformresourcelocator", _read_windows_url),
    ("text/html", _read_html),
    ("text/plain", _read_plain_text),
)
_WINDOWS_FORMAT = re.compile(r'^application/x-qt-windows-mime;\s*value="([^"]+)"', re.IGNORECASE)
_CHARSET = re.compile(r'charset\s*=\s*"?([\w.:-]+)', re.IGNORECASE)


def _formats(data: Mapping[str, bytes]) -> dict[str, tuple[bytes, str | None]]:
    """Format name (lower case; the Windows name for Qt's wrapped Windows formats) -> (bytes,
    charset). ``text/plain`` beats ``text/plain;charset=utf-8`` when both are there."""
    found: dict[str, tuple[bytes, str | None]] = {}
    for key, raw in data.items():
        windows = _WINDOWS_FORMAT.match(key)
        if windows:
            name, charset = windows.group(1).lower(), None
        else:
            base, _, parameters = key.partition(";")
            name = base.strip().lower()
            named = _CHARSET.search(parameters)
            charset = named.group(1) if named else None
        if name not in found or key.strip().lower() == name:
            found[name] = (bytes(raw), charset)
    return found


# Putting it together


def _collect(reading: _Reading, titles: dict[str, str]) -> Drop:
    drop = Drop(problems=list(reading.problems))
    seen: dict[str, int] = {}  # canonical URL or file path -> index in its list
    for item in reading.items:
        if isinstance(item, Link):
            key = canonical_url(item.url)
            if key in seen:
                drop.duplicates += 1
                earlier = drop.links[seen[key]]
                if earlier.title is None and item.title:
                    drop.links[seen[key]] = replace(earlier, title=item.title)
                continue
            seen[key] = len(drop.links)
            drop.links.append(item if item.title else replace(item, title=titles.get(key)))
        else:
            path = item.path if isinstance(item, SavedPage) else item
            key = f"file:{path}"
            if key in seen:
                drop.duplicates += 1
                continue
            seen[key] = 0
            (drop.pages if isinstance(item, SavedPage) else drop.imports).append(item)
    return drop


def _titles(readings: list[_Reading]) -> dict[str, str]:
    """Canonical URL -> title, from every format (the best format's title wins)."""
    titles: dict[str, str] = {}
    for reading in readings:
        for item in reading.items:
            if isinstance(item, Link) and item.title:
                titles.setdefault(canonical_url(item.url), item.title)
    return titles


def _last_resort(readings: list[_Reading]) -> Drop:
    """Nothing usable: say why, or accept the text itself if it is an address after all."""
    problems = list(dict.fromkeys(p for reading in readings for p in reading.problems))
    if len(problems) == 1:
        raise CaptureError(problems[0])
    if problems:
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise CaptureError(f"Nothing to add: {'; '.join(problems[:3])}{more}")
    texts = {reading.name: reading.text for reading in readings if reading.text}
    text = " ".join((texts.get("text/plain") or texts.get("text/html") or "").split())
    if not text:
        raise CaptureError(NOTHING_TO_ADD)
    return Drop(links=[Link.checked(text)])  # raises with the reason: not a URL, ftp...
