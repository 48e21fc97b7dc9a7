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

import codecs
import logging
import os
import plistlib
import re
import stat
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_to_bytes, urljoin, urlsplit
from xml.parsers.expat import ExpatError

from reader.capture.urls import canonical_url, check_url, urls_in_text
from reader.errors import CaptureError

log = logging.getLogger(__name__)

NOTHING_TO_ADD = "Nothing to add: drop or paste a link to a web page."

LINK_FILES = (".url", ".webloc", ".desktop")
PAGE_FILES = (".html", ".htm")
IMPORT_FILES = (".csv", ".json", ".zip", ".txt")

_LINK_FILE_LIMIT = 1 << 20  # a shortcut file is a few hundred bytes; anything this big is not one
_HTML_HEAD = 64 << 10  # enough of an .html file to tell a bookmark export from a page
_TEXT_HEAD = 1 << 20  # enough of a .txt file to see whether it lists links
MAX_FORMAT_BYTES = 8 << 20  # of each MIME format of one drop or paste


@dataclass(frozen=True)
class Link:
    """A web page to fetch."""

    url: str  # checked by check_url (a ``www.`` address gains ``https://``), otherwise as given
    title: str | None = None  # what the source called the page, when it said


@dataclass(frozen=True)
class SavedPage:
    """A web page saved to disk (``.html``/``.htm``), to be stored as it is."""

    path: Path
    url: str  # the file's own ``file://`` URL: where the page came from


@dataclass
class Drop:
    """Everything usable in one drop or paste, in the order it came."""

    links: list[Link] = field(default_factory=list)  # one per page (canonical URL)
    pages: list[SavedPage] = field(default_factory=list)
    imports: list[Path] = field(default_factory=list)  # exports and link lists, for the importer
    duplicates: int = 0  # links (or files) left out because they repeat an earlier one
    problems: list[str] = field(default_factory=list)  # one line per item that was not usable


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

    def add_link(self, url: str, title: str | None = None, source: str = "") -> None:
        try:
            self.items.append(Link(_checked_url(url), _clean_title(title, url)))
        except CaptureError as error:
            self.problems.append(f"{source}: {error}" if source else str(error))

    def add_uri(self, uri: str, title: str | None = None) -> None:
        """A URI from a list of them: a ``file:`` URI is a dropped file, anything else a link."""
        if uri.lower().startswith("file:"):
            _read_file_uri(self, uri)
        else:
            self.add_link(uri, title)

    def add_links_in_text(self, text: str) -> None:
        # Word by word, so that a link pasted twice is seen twice (urls_in_text drops repeats).
        for line in _lines(text):
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
        text = _utf16(raw)
    except UnicodeDecodeError:
        raise CaptureError("The dragged link could not be read (its text/x-moz-url is not "
                           "valid UTF-16)") from None
    _require_text(text, "The dragged link")
    lines = _lines(text)
    for i in range(0, len(lines), 2):
        title = lines[i + 1] if i + 1 < len(lines) else None
        if lines[i].strip():
            reading.add_uri(lines[i].strip(), title)


def _read_uri_list(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/uri-list``: one URI a line, ``#`` comments; ``file:`` URIs are dropped files."""
    text = _text(raw, charset)
    _require_text(text, "The dropped list of links")
    for line in _lines(text):
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
    _require_text(url, "The dragged link")
    if url.strip():
        reading.add_link(url.strip())


def _read_windows_url(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """Windows ``UniformResourceLocator``: one URL in the ANSI code page, ending in a NUL."""
    url = raw.split(b"\0", 1)[0].decode("cp1252", "replace")
    _require_text(url, "The dragged link")
    if url.strip():
        reading.add_link(url.strip())


def _read_html(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/html``: a dragged link or a selection. Its links, else the links in its text."""
    text = _text(raw, charset)
    _require_text(text, "The dropped HTML")
    parser = _HtmlLinks()
    try:
        parser.feed(text)
        parser.close()
    # html.parser gives up on some broken markup ("<![</"), and html.unescape on a character
    # reference of over 4,300 digits (ValueError).
    except (AssertionError, ValueError):
        reading.problems.append("Part of the dropped HTML could not be read")
    base = parser.base or _cf_html_source_url(text)
    for href, title in parser.links:
        url = _absolute_web_url(href, base)
        if url:
            reading.add_link(url, title)
    reading.text = parser.text()
    if not reading.items:
        reading.add_links_in_text(reading.text)


def _read_plain_text(reading: _Reading, raw: bytes, charset: str | None) -> None:
    """``text/plain``: words with URLs among them (``www.`` forms too)."""
    text = _text(raw, charset)
    _require_text(text, "The pasted text")
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
    return Drop(links=[Link(_checked_url(text))])  # raises with the reason: not a URL, ftp...


# Dropped files


def _read_file_uri(reading: _Reading, uri: str) -> None:
    try:
        path = _path_from_file_uri(uri)
    except CaptureError as error:
        reading.problems.append(str(error))
        return
    name = _printable(path.name or str(path))
    kind = path.suffix.lower()
    try:
        if kind in LINK_FILES:
            url, title = _link_in_file(path, kind)
            reading.add_link(url, title, source=name)
        elif kind in PAGE_FILES:
            head = _read_file(path, _HTML_HEAD)
            if _is_bookmark_export(_text(head)):
                reading.items.append(path)
            else:
                reading.items.append(SavedPage(path, path.as_uri()))
        elif kind == ".txt":
            if not urls_in_text(_text(_read_file(path, _TEXT_HEAD))):
                raise CaptureError(f"{name} has no web addresses in it")
            reading.items.append(path)
        elif kind in IMPORT_FILES:
            _read_file(path, 1)
            reading.items.append(path)
        else:
            raise CaptureError(
                f"{name} is not a link, a saved web page or an export file Reader can import"
            )
    except CaptureError as error:
        reading.problems.append(str(error))


def _path_from_file_uri(uri: str) -> Path:
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise CaptureError(f"Not a file address: {_printable(uri)}") from None
    path = os.fsdecode(unquote_to_bytes(parts.path))
    host = parts.netloc.lower()
    if host not in ("", "localhost"):
        if os.name == "nt":  # a UNC path, \\server\share\...
            return Path(f"//{parts.netloc}{path}")
        raise CaptureError(f"{_printable(Path(path).name)} is on another computer ({host})")
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):  # file:///C:/Users/...
        path = path[1:]
    if not Path(path).is_absolute() or not path.strip("/"):
        raise CaptureError(f"Not a file address: {_printable(uri)}")
    return Path(path)


def _read_file(path: Path, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of a regular file; CaptureError saying why it can't be read."""
    name = _printable(path.name or str(path))
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise CaptureError(f"{name} is a folder: drop the files in it instead")
        if not stat.S_ISREG(mode):
            raise CaptureError(f"{name} is not a regular file")
        with path.open("rb") as file:
            head = file.read(limit + 1)
    except FileNotFoundError:
        raise CaptureError(f"Could not read {name}: no such file") from None
    except PermissionError:
        raise CaptureError(f"Could not read {name}: permission denied") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise CaptureError(f"Could not read {name}: {reason}") from None
    if not head:
        raise CaptureError(f"{name} is empty")
    return head


def _link_in_file(path: Path, kind: str) -> tuple[str, str | None]:
    """The (URL, title) a ``.url``, ``.webloc`` or ``.desktop`` file points to."""
    name = _printable(path.name)
    raw = _read_file(path, _LINK_FILE_LIMIT)
    if len(raw) > _LINK_FILE_LIMIT:
        raise CaptureError(f"{name} is too large to be a link file")
    if kind == ".url":  # [InternetShortcut]\nURL=...
        values = _ini_section(_text(raw, fallback="cp1252"), "InternetShortcut") or {}
        if not values.get("url"):
            raise CaptureError(f"{name} is not an Internet shortcut (it has no URL)")
        return values["url"], path.stem
    if kind == ".webloc":
        return _webloc_url(raw, name), path.stem
    values = _ini_section(_text(raw), "Desktop Entry")
    if values is None:
        raise CaptureError(f"{name} is not a desktop entry")
    if values.get("type") != "Link":
        raise CaptureError(f"{name} is not a link (it is a desktop entry of type "
                           f"{_printable(values.get('type') or 'unknown')})")
    url = values.get("url") or values.get("url[$e]")
    if not url:
        raise CaptureError(f"{name} is a link with no URL")
    return url, values.get("name") or path.stem


def _webloc_url(raw: bytes, name: str) -> str:
    """The URL in a macOS ``.webloc`` (a property list, XML or binary)."""
    try:
        plist = plistlib.loads(raw)
    except (ValueError, ExpatError, LookupError, IndexError, KeyError, TypeError, OverflowError,
            RecursionError, MemoryError):  # what plistlib raises on broken files
        raise CaptureError(f"{name} is not a readable web location file") from None
    url = plist.get("URL") if isinstance(plist, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise CaptureError(f"{name} is a web location file with no URL in it")
    return url.strip()


def _ini_section(text: str, section: str) -> dict[str, str] | None:
    """Keys (lower case) -> values of ``[section]`` in an INI-style file; None if it has none."""
    values: dict[str, str] | None = None
    inside = False
    for line in _lines(text):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip().lower() == section.lower()
            if inside and values is None:
                values = {}
        elif inside and values is not None and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip().lower(), value.strip())
    return values


_NETSCAPE_BOOKMARKS = re.compile(r"<!DOCTYPE\s+NETSCAPE-Bookmark-file-1\s*>", re.IGNORECASE)
_POCKET_TITLE = re.compile(r"<title>\s*Pocket Export\s*</title>", re.IGNORECASE)
_POCKET_HEADING = re.compile(r"<h1>\s*(?:Unread|Read Archive)\s*</h1>", re.IGNORECASE)
_POCKET_LINK = re.compile(r"<a\s[^>]*\btime_added\s*=", re.IGNORECASE)


def _is_bookmark_export(head: str) -> bool:
    """A browser's bookmark file or a Pocket export, rather than a saved page."""
    return bool(
        _NETSCAPE_BOOKMARKS.search(head)
        or _POCKET_TITLE.search(head)
        or (_POCKET_HEADING.search(head) and _POCKET_LINK.search(head))
    )


# HTML


class _HtmlLinks(HTMLParser):
    """The ``<a href>`` links of an HTML fragment with their text, its ``<base>``, its text."""

    _BREAKS = frozenset("address article aside blockquote br dd div dl dt figcaption footer h1 h2 "
                        "h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr "
                        "ul".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self._links: list[tuple[str, list[str]]] = []
        self._text: list[str] = []
        self._in_link: list[str] | None = None  # the text of the link being read
        self._hidden = 0  # inside <script>/<style>

    @property
    def links(self) -> list[tuple[str, str]]:
        return [(href, " ".join("".join(words).split())) for href, words in self._links]

    def text(self) -> str:
        return "".join(self._text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value for name, value in attrs if value is not None}
        if tag == "a":
            self._in_link = None
            if attributes.get("href"):
                self._in_link = []
                self._links.append((attributes["href"], self._in_link))
        elif tag == "base" and self.base is None and attributes.get("href"):
            self.base = attributes["href"]
        elif tag == "img" and self._in_link is not None and not "".join(self._in_link).strip():
            self._in_link.append(attributes.get("alt", ""))
        elif tag in ("script", "style"):
            self._hidden += 1
        if tag in self._BREAKS:
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_link = None
        elif tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        if tag in self._BREAKS:
            self._text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self._text.append(data)
        if self._in_link is not None:
            self._in_link.append(data)


def _cf_html_source_url(text: str) -> str | None:
    """The ``SourceURL:`` of a Windows "HTML Format" header, if the HTML still has one."""
    header = text[: text.find("<")] if "<" in text else text
    found = re.search(r"^SourceURL:(\S+)", header, re.MULTILINE)
    return found.group(1) if found else None


def _absolute_web_url(href: str, base: str | None) -> str | None:
    """``href`` as an absolute http(s) URL, resolved against ``base`` when it is relative;
    None for other schemes (mailto:, javascript:) and for relative links with no base."""
    href = href.strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", href)
    if scheme:
        return href if scheme.group(1).lower() in ("http", "https") else None
    if not base or not re.match(r"^https?://", base.strip(), re.IGNORECASE):
        return None
    try:
        return urljoin(base.strip(), href)
    except ValueError:
        return None


# Text


def _checked_url(text: str) -> str:
    """check_url, with its message safe to show and a ValueError (``http://[x``) as its reason."""
    try:
        return check_url(text)
    except CaptureError as error:
        raise CaptureError(_printable(str(error))) from None
    except ValueError:
        raise CaptureError(f"Not a web address: {_printable(text)}") from None


def _clean_title(title: str | None, url: str) -> str | None:
    title = " ".join((title or "").split())
    return title if title and title != url.strip() else None


def _text(raw: bytes, charset: str | None = None, fallback: str = "utf-8") -> str:
    """Text from bytes: a byte-order mark decides, then UTF-16 without one (ASCII text with a
    NUL after every letter), then ``charset``, then UTF-8 (or ``fallback`` when it isn't)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, "replace").rstrip("\0")
    if _looks_like_utf16le(raw):
        return raw.decode("utf-16-le", "replace").rstrip("\0")
    if charset:
        try:
            return raw.decode(charset, "replace").rstrip("\0")
        # A charset Python does not know (LookupError), or a codec that is no charset at all
        # ("undefined", "punycode": UnicodeError even with "replace").
        except (LookupError, UnicodeError):
            pass
    try:
        return raw.decode("utf-8").rstrip("\0")
    except UnicodeDecodeError:
        return raw.decode(fallback, "replace").rstrip("\0")


def _utf16(raw: bytes) -> str:
    """Strict UTF-16 (little-endian unless a byte-order mark says otherwise); UTF-8 accepted
    when there is no NUL byte at all, which UTF-16 text never lacks."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    elif b"\0" in raw:
        text = raw.decode("utf-16-le")
    else:
        text = raw.decode("utf-8")
    return text.rstrip("\0")


def _looks_like_utf16le(raw: bytes) -> bool:
    odd = raw[1::2]
    return len(raw) >= 2 and odd.count(0) > len(odd) // 2 and raw[0::2].count(0) < len(odd) // 2


def _require_text(text: str, what: str) -> None:
    """Refuse binary data posing as text (more than a tenth unreadable characters)."""
    unreadable = sum(1 for char in text if _unreadable(char))
    if unreadable * 10 > len(text):
        raise CaptureError(f"{what} is not readable text")


def _unreadable(char: str) -> bool:
    return char == "\ufffd" or (
        char not in "\t\n\r\f\v" and unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn")
    )


def _printable(text: str) -> str:
    return "".join("?" if _unreadable(char) else char for char in text)


def _lines(text: str) -> list[str]:
    """Lines split at CR, LF or CRLF only (str.splitlines also splits at form feeds and more,
    which would shift the URL/title pairs of a text/x-moz-url)."""
    return re.split(r"\r\n|\r|\n", text)
