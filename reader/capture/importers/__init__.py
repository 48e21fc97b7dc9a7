"""Importing the exports of other read-later services and browsers. Imports no Qt.

``detect_and_read(path)`` recognises the export from its content and lists its links with their
tags, state and dates (and saved pages, when the export has them); ``import_batch`` stores those
that carry a page and returns the rest in ``to_fetch``, for the capture queue.

    items.py         ImportedItem, ImportBatch, the checks every format shares
    detect.py        which format a file is
    text_exports.py  Pocket CSV, Instapaper CSV, Readwise Reader CSV, lists of links
    markup.py        Pocket HTML, Netscape bookmark files (browsers)
    json_exports.py  wallabag, Karakeep/Hoarder, Omnivore metadata (read as a stream)
    archives.py      Omnivore ZIP, Pocket ZIP; ZIP safety checks
    save.py          into the library: import_batch
"""

from reader.capture.importers.detect import detect_and_read
from reader.capture.importers.items import (
    EXPECTED_FORMATS,
    ImportBatch,
    ImportedItem,
    Skipped,
)
from reader.capture.importers.save import (
    ImportResult,
    import_batch,
)

__all__ = [
    "EXPECTED_FORMATS",
    "ImportBatch",
    "ImportResult",
    "ImportedItem",
    "Skipped",
    "detect_and_read",
    "import_batch",
]
