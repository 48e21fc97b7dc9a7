"""What a drop or a paste carries, decoded into what to save (links, saved pages, files to import).

``mime`` reads the formats of one drop; ``files`` tells what a dropped file is; ``html_links`` finds
the links in dragged HTML; ``text`` decodes bytes of any encoding; ``items`` holds what comes out.
"""

from reader.capture.sources.items import Drop, Link, SavedPage
from reader.capture.sources.mime import MAX_FORMAT_BYTES, NOTHING_TO_ADD, decode_drop

__all__ = ["MAX_FORMAT_BYTES", "NOTHING_TO_ADD", "Drop", "Link", "SavedPage", "decode_drop"]
