"""What a drop or a paste carries, decoded into the links to save.

The window hands over the MIME data as plain bytes per format, so this decoder is shared by
drag-and-drop and the clipboard and can be tested without Qt.
"""

from __future__ import annotations

from collections.abc import Mapping

from reader.capture.urls import check_url, urls_in_text
from reader.errors import CaptureError


def links_from_mime(data: Mapping[str, bytes]) -> list[str]:
    """The web addresses in a drop/paste payload, in order, without repeats.

    Raises CaptureError when it carries no web address (saying what it did carry).
    """
    if "text/uri-list" in data:
        links = urls_in_text(data["text/uri-list"].decode("utf-8", "replace"))
        if links:
            return links
    text = data.get("text/plain", b"").decode("utf-8", "replace").strip()
    links = urls_in_text(text)
    if links:
        return links
    if text:
        check_url(text)  # raises with the reason: not a URL, or an unsupported scheme
    raise CaptureError("Nothing to add: drop or paste a link to a web page.")
