"""Drops as the window builds them: MIME format -> the raw bytes QMimeData.data() gives. Dropped
files are real files (tests/fixtures/drops, or made in tmp_path) named by file:// URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.capture.sources import Drop, decode_drop
from reader.errors import CaptureError

DROPS = Path(__file__).resolve().parents[2] / "fixtures" / "drops"


def windows(name: str) -> str:
    """How Qt names a Windows clipboard format it does not convert."""
    return f'application/x-qt-windows-mime;value="{name}"'


def uri_list(*items: Path | str) -> bytes:
    """A text/uri-list as file managers write it: CRLF line ends, files as file:// URIs."""
    return "".join(f"{item.as_uri() if isinstance(item, Path) else item}\r\n"
                   for item in items).encode("utf-8")


def moz_url(*pairs: tuple[str, str], bom: bool = False) -> bytes:
    """Firefox's text/x-moz-url: UTF-16LE, URL and title on alternating lines."""
    text = "\n".join(f"{url}\n{title}" for url, title in pairs)
    return ("\ufeff" if bom else "").encode("utf-16-le") + text.encode("utf-16-le")


def url_w(url: str) -> bytes:
    """Windows UniformResourceLocatorW: UTF-16LE with a NUL at the end."""
    return (url + "\0").encode("utf-16-le")


def only_drop_of(path: Path) -> Drop:
    """What dropping ``path`` alone gives."""
    return decode_drop({"text/uri-list": uri_list(path)})


def problems_of(data: dict[str, bytes]) -> str:
    """The message when nothing in ``data`` is usable."""
    with pytest.raises(CaptureError) as caught:
        decode_drop(data)
    return str(caught.value)


def write_file(tmp_path: Path, name: str, content: bytes) -> Path:
    """A file ``name`` in ``tmp_path`` holding ``content``."""
    path = tmp_path / name
    path.write_bytes(content)
    return path
