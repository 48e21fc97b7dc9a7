"""Exports that are one JSON tree of folders: Firefox's bookmark backups (``.json``, and
``.jsonlz4`` compressed), Chrome/Chromium/Edge's ``Bookmarks`` file and Linkwarden's backup. The
folders a link is in become its tags (not the browsers' own top folders). Also Pinboard's JSON
(a flat list) and the mozLz4 container Firefox compresses its backups in."""

from __future__ import annotations

import struct

from reader.capture.importers.items import (
    CHROME,
    FIREFOX,
    LINKWARDEN,
    PINBOARD,
    Collector,
    ImportBatch,
    tag_names,
    truthy,
    utc_iso,
    webkit_iso,
)

MOZLZ4_MAGIC = b"mozLz40\0"
# A backup of 100,000 bookmarks unpacks to about 60 MB; more than this is not a backup.
MAX_MOZLZ4_BYTES = 256 << 20
MAX_DEPTH = 50  # folders deeper than this lend no more tags
_FIREFOX_ROOTS = {"root________", "menu________", "toolbar_____", "unfiled_____",
                  "mobile______", "tags________"}
_FIREFOX_FOLDER = "text/x-moz-place-container"
_FIREFOX_LINK = "text/x-moz-place"
_LINKWARDEN_UNSORTED = {"unorganized"}


def unpack_mozlz4(data: bytes, describe) -> bytes:
    """The JSON inside Firefox's ``.jsonlz4``: magic, the unpacked size (little-endian uint32),
    then one LZ4 block."""
    import lz4.block  # only for these backups

    if len(data) < len(MOZLZ4_MAGIC) + 4:
        raise describe("its Firefox backup is cut short")
    (size,) = struct.unpack_from("<I", data, len(MOZLZ4_MAGIC))
    if size > MAX_MOZLZ4_BYTES:
        raise describe(f"its Firefox backup would unpack to more than "
                       f"{MAX_MOZLZ4_BYTES >> 20} MB")
    try:
        return lz4.block.decompress(data[len(MOZLZ4_MAGIC) + 4:], uncompressed_size=size)
    except lz4.block.LZ4BlockError as error:
        raise describe(f"its Firefox backup is damaged ({error})") from None


def tree_format(document: dict) -> str | None:
    """Which tree export the top-level object ``document`` is, or None."""
    if isinstance(document.get("roots"), dict):
        return CHROME
    if isinstance(document.get("collections"), list):
        return LINKWARDEN
    if document.get("type") == _FIREFOX_FOLDER or isinstance(document.get("children"), list):
        return FIREFOX
    return None


def read_tree(document: dict, format_name: str) -> ImportBatch:
    collector = Collector()
    if format_name == CHROME:
        for root in document["roots"].values():
            _chrome(collector, root, [], 0)
    elif format_name == LINKWARDEN:
        _linkwarden(collector, document["collections"])
    else:
        _firefox(collector, document, [], 0)
    return collector.batch(format_name)


def _walk_folder(folders: list[str], name: object, depth: int, is_root: bool) -> list[str]:
    if is_root or depth > MAX_DEPTH or not isinstance(name, str) or not name.strip():
        return folders
    return [*folders, name]


def _firefox(collector: Collector, node: object, folders: list[str], depth: int) -> None:
    if not isinstance(node, dict):
        return
    if node.get("type") == _FIREFOX_LINK:
        uri = node.get("uri")
        if isinstance(uri, str) and uri.startswith(("place:", "javascript:", "about:")):
            return  # Firefox's smart folders and bookmarklets, not pages
        collector.add(
            f"bookmark {node.get('id', '?')}",
            uri,
            title=node.get("title"),
            tags=[*folders, *tag_names(node.get("tags") or "")],
            added=utc_iso(node.get("dateAdded")),
        )
        return
    children = node.get("children")
    if isinstance(children, list):
        is_root = node.get("guid") in _FIREFOX_ROOTS or "root" in node
        inner = _walk_folder(folders, node.get("title"), depth, is_root)
        for child in children:
            _firefox(collector, child, inner, depth + 1)


def _chrome(collector: Collector, node: object, folders: list[str], depth: int) -> None:
    if not isinstance(node, dict):
        return
    if node.get("type") == "url":
        collector.add(f"bookmark {node.get('id', '?')}", node.get("url"),
                      title=node.get("name"), tags=folders, added=webkit_iso(node.get("date_added")))
        return
    children = node.get("children")
    if isinstance(children, list):
        # The roots (bookmark bar, other, mobile) are depth 0: where, not what about.
        inner = _walk_folder(folders, node.get("name"), depth, depth == 0)
        for child in children:
            _chrome(collector, child, inner, depth + 1)


def _linkwarden(collector: Collector, collections: list) -> None:
    for collection in collections:
        if not isinstance(collection, dict) or not isinstance(collection.get("links"), list):
            continue
        name = collection.get("name")
        folder = [name] if isinstance(name, str) and name.lower() not in _LINKWARDEN_UNSORTED \
            else []
        for number, link in enumerate(collection["links"], start=1):
            where = f"collection {str(name)[:100]!r}, link {number}"
            if not isinstance(link, dict):
                collector.skip(where, "Not a saved link.")
                continue
            collector.add(
                where,
                link.get("url"),
                title=link.get("name"),
                tags=[*folder, *tag_names(link.get("tags"))],
                favourite=bool(link.get("pinnedBy")),
                added=utc_iso(link.get("createdAt")),
                note=link.get("description"),
            )


def is_pinboard(entry: object) -> bool:
    return isinstance(entry, dict) and "href" in entry and "toread" in entry


def pinboard(collector: Collector, entry: dict, where: str) -> None:
    """One Pinboard bookmark: tags space-separated; read ones (toread "no") archived."""
    tags = entry.get("tags")
    collector.add(
        where,
        entry.get("href"),
        title=entry.get("description"),
        tags=tags.split() if isinstance(tags, str) else [],
        archived=not truthy(entry.get("toread")),
        added=utc_iso(entry.get("time")),
        note=entry.get("extended"),
    )
