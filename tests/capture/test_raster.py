"""Image kinds and sizes read from the bytes' headers."""

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from reader.capture.raster import pixel_size, raster_type
from tests.hostile.server import png


def _encoded(kind: str, width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, kind)
    return bytes(data.data())


@pytest.mark.parametrize(("kind", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                            ("WEBP", "image/webp")])
def test_size_of_each_kind_as_qt_writes_it(kind, mime):
    data = _encoded(kind, 123, 45)
    assert raster_type(data) == mime
    assert pixel_size(data) == (123, 45)


def test_what_is_not_a_raster_image():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'
    for data in (svg, b"<html>", b"", b"\x89PNG\r\n\x1a\n"):
        assert pixel_size(data) is None
    assert raster_type(svg) is None
    assert pixel_size(png(7, 3)) == (7, 3)


def test_size_of_a_gif():  # Qt writes no GIF: a GIF's header, then a one-pixel image
    gif = b"GIF89a" + (300).to_bytes(2, "little") + (20).to_bytes(2, "little") + b"\0\0\0"
    assert raster_type(gif) == "image/gif"
    assert pixel_size(gif) == (300, 20)
