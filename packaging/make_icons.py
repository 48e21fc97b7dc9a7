"""Render resources/icons/reader.svg into the PNG, ICO and ICNS icons the desktop files use.

Run from anywhere as ``.venv/bin/python packaging/make_icons.py``; the outputs are committed, so
run it again only when the SVG changes. The ICO and ICNS containers are written by hand with
struct: both are a small index in front of whole PNG files, and that is not worth a dependency.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

# Before Qt is imported: rendering needs no display, and this runs on build machines without one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG_PATH = ICONS_DIR / "reader.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# ICO entries store width and height in one byte each (0 means 256), so 256 is the largest.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The ICNS element types whose payload may be a PNG, by pixel size (Apple's icns format).
ICNS_TYPES = ((b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
              (b"ic09", 512))


def png_path(size: int) -> Path:
    return ICONS_DIR / f"reader-{size}.png"


def render_png(renderer: QSvgRenderer, size: int, target: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)  # fully transparent: the rounded corners must stay see-through
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    # Saved as straight (non-premultiplied) ARGB so the PNG carries a real alpha channel.
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target), "PNG"):
        raise RuntimeError(f"could not write {target}")


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are whole PNG files (allowed since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, image count
    directory_size = 16 * len(pngs)
    offset = len(header) + directory_size
    directory = b""
    for size, data in pngs.items():
        side = 0 if size == 256 else size
        # width, height, palette colours, reserved, colour planes, bits per pixel, bytes, offset
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + directory + b"".join(pngs.values())


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file: big-endian lengths, each counting its own 8-byte type-and-length header."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 -- fonts, etc.
    renderer = QSvgRenderer(str(SVG_PATH))
    if not renderer.isValid():
        print(f"make_icons: {SVG_PATH} is not an SVG Qt can draw", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        render_png(renderer, size, png_path(size))
    pngs = {size: png_path(size).read_bytes() for size in PNG_SIZES}
    (ICONS_DIR / "reader.ico").write_bytes(ico_bytes({size: pngs[size] for size in ICO_SIZES}))
    (ICONS_DIR / "reader.icns").write_bytes(icns_bytes([(kind, pngs[size])
                                                        for kind, size in ICNS_TYPES]))
    written = [png_path(size) for size in PNG_SIZES]
    written += [ICONS_DIR / "reader.ico", ICONS_DIR / "reader.icns"]
    for path in written:
        print(path.relative_to(ICONS_DIR.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
