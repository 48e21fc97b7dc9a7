"""Dropped files: shortcut files (``.url``, ``.webloc``, ``.desktop``) give their link, saved
pages are stored as they are, exports and lists of links go to the importer.

Each file is read only as far as needed to tell what it is, and only if it is a regular file (a
named pipe would hang the window)."""

from __future__ import annotations

import os
import plistlib
import re
import stat
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit
from xml.parsers.expat import ExpatError

from reader.capture.sources.items import Link, SavedPage
from reader.capture.sources.text import decoded_text, printable, split_lines
from reader.capture.urls import urls_in_text
from reader.errors import CaptureError

LINK_FILES = (".url", ".webloc", ".desktop")
PAGE_FILES = (".html", ".htm")
IMPORT_FILES = (".csv", ".json", ".zip", ".txt")

_LINK_FILE_LIMIT = 1 << 20  # a shortcut file is a few hundred bytes; anything this big is not one
_HTML_HEAD = 64 << 10  # enough of an .html file to tell a bookmark export from a page
_TEXT_HEAD = 1 << 20  # enough of a .txt file to see whether it lists links


def dropped_file(uri: str) -> Link | SavedPage | Path:
    """What the file a ``file:`` URI names is: a link (a shortcut file), a saved page, or a file
    for the importer (an export, a list of links). CaptureError saying why it is none of them."""
    path = _path_from_file_uri(uri)
    name = printable(path.name or str(path))
    kind = path.suffix.lower()
    if kind in LINK_FILES:
        url, title = _link_in_file(path, kind)
        try:
            return Link.checked(url, title)
        except CaptureError as error:
            raise CaptureError(f"{name}: {error}") from None
    if kind in PAGE_FILES:
        head = _read_file(path, _HTML_HEAD)
        return path if _is_bookmark_export(decoded_text(head)) else SavedPage(path, path.as_uri())
    if kind == ".txt":
        if not urls_in_text(decoded_text(_read_file(path, _TEXT_HEAD))):
            raise CaptureError(f"{name} has no web addresses in it")
        return path
    if kind in IMPORT_FILES:
        _read_file(path, 1)
        return path
    raise CaptureError(
        f"{name} is not a link, a saved web page or an export file Reader can import"
    )


def _path_from_file_uri(uri: str) -> Path:
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise CaptureError(f"Not a file address: {printable(uri)}") from None
    path = os.fsdecode(unquote_to_bytes(parts.path))
    host = parts.netloc.lower()
    if host not in ("", "localhost"):
        if os.name == "nt":  # a UNC path, \\server\share\...
            return Path(f"//{parts.netloc}{path}")
        raise CaptureError(f"{printable(Path(path).name)} is on another computer ({host})")
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):  # file:///C:/Users/...
        path = path[1:]
    if not Path(path).is_absolute() or not path.strip("/"):
        raise CaptureError(f"Not a file address: {printable(uri)}")
    return Path(path)


def _read_file(path: Path, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of a regular file; CaptureError saying why it can't be read."""
    name = printable(path.name or str(path))
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
    name = printable(path.name)
    raw = _read_file(path, _LINK_FILE_LIMIT)
    if len(raw) > _LINK_FILE_LIMIT:
        raise CaptureError(f"{name} is too large to be a link file")
    if kind == ".url":  # [InternetShortcut]\nURL=...
        values = _ini_section(decoded_text(raw, fallback="cp1252"), "InternetShortcut") or {}
        if not values.get("url"):
            raise CaptureError(f"{name} is not an Internet shortcut (it has no URL)")
        return values["url"], path.stem
    if kind == ".webloc":
        return _webloc_url(raw, name), path.stem
    values = _ini_section(decoded_text(raw), "Desktop Entry")
    if values is None:
        raise CaptureError(f"{name} is not a desktop entry")
    if values.get("type") != "Link":
        raise CaptureError(f"{name} is not a link (it is a desktop entry of type "
                           f"{printable(values.get('type') or 'unknown')})")
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
    for line in split_lines(text):
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
