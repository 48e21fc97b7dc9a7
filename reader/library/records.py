"""An article as one self-contained record, and back: every column of the article, its tags,
stored page, images, summaries (with their checked sentences), its conversation, its
highlights and notes. Reader's JSON export is a list of these, and importing it restores each
article exactly.

Columns are read from the schema itself, so a column a later migration adds travels without a
change here. Bytes (the stored page, images) travel as ``{"base64": "..."}``.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3

from reader.errors import LibraryError
from reader.library.images import link_images, store_image
from reader.library.store import Library

# Columns that are the library's bookkeeping, not the article's: its row id, and whether it is in
# the bin (an export holds what is outside it).
# The "format" of Reader's own JSON export; its "articles" are restored whole. Here, with the
# records, so exporting does not import capture's importers (and through them httpx).
READER_JSON_MARK = "reader-json"
_NOT_EXPORTED = {"id", "deleted"}
_CHILD_TABLES = ("pages", "summaries", "article_questions", "highlights")
# Child rows' own ids are the library's bookkeeping too: a restored row gets a new one.
_NOT_EXPORTED_CHILD = {"article_id", "id"}


def article_record(library: Library, article_id: int) -> dict:
    """The whole of ``article_id`` as plain JSON-ready data."""
    columns = _columns(library, "articles")
    row = library.query_one(f"SELECT {', '.join(columns)} FROM articles WHERE id = ?",
                            (article_id,))
    if row is None:
        raise LibraryError(f"There is no article {article_id} in the library.")
    record: dict = {name: _encoded(value) for name, value in zip(columns, row)
                    if name not in _NOT_EXPORTED}
    record["tags"] = [name for (name,) in library.query(
        "SELECT tags.name FROM article_tags JOIN tags ON tags.id = article_tags.tag_id "
        "WHERE article_tags.article_id = ? ORDER BY tags.name COLLATE NOCASE", (article_id,))]
    for table in _CHILD_TABLES:
        names = [name for name in _columns(library, table) if name not in _NOT_EXPORTED_CHILD]
        record[table] = [{name: _encoded(value) for name, value in zip(names, values)}
                         for values in library.query(
                             f"SELECT {', '.join(names)} FROM {table} WHERE article_id = ? "
                             f"ORDER BY rowid", (article_id,))]
    record["images"] = [
        {"url": url, "content_type": content_type, "data": _encoded(bytes(data))}
        for url, content_type, data in library.query(
            "SELECT article_images.url, images.content_type, images.data FROM article_images "
            "JOIN images ON images.hash = article_images.hash "
            "WHERE article_images.article_id = ? ORDER BY article_images.url", (article_id,))]
    return record


def restore_article(library: Library, record: dict) -> tuple[int, bool]:
    """Store an ``article_record`` as it was; returns its id and whether it is new (False: an
    article with its URL is there already, and is left as it is). Raises LibraryError for a
    record that cannot be stored as it is (damaged or edited by hand)."""
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        raise LibraryError("An article of the export has no address.")
    try:
        with library.transaction() as tx:
            existing = library.find_by_url(record["url"])
            if existing is not None:
                return existing, False
            types = _column_types(library, "articles")
            names = [name for name in types if name in record and name not in _NOT_EXPORTED]
            article_id = tx.execute(
                f"INSERT INTO articles ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [_typed(name, types[name], record[name]) for name in names]).lastrowid
            for name in _strings(record.get("tags")):
                tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
                tx.execute("INSERT OR IGNORE INTO article_tags (article_id, tag_id) "
                           "SELECT ?, id FROM tags WHERE name = ?", (article_id, name))
            for table in _CHILD_TABLES:
                _restore_rows(library, tx, table, article_id, record.get(table))
            images = record.get("images")
            link_images(library, article_id, [
                (image["url"], store_image(library, _bytes(image["data"]),
                                           str(image.get("content_type", ""))))
                for image in (images if isinstance(images, list) else [])
                if isinstance(image, dict) and isinstance(image.get("url"), str)])
            tx.record(added=[article_id], counts=True)
            return article_id, True
    except (sqlite3.IntegrityError, sqlite3.InterfaceError, KeyError, TypeError, ValueError,
            OverflowError) as error:
        raise LibraryError(f"The article {record['url'][:200]} of the export is damaged "
                           f"({error}).") from None


def _restore_rows(library, tx, table: str, article_id: int, rows: object) -> None:
    if not isinstance(rows, list):
        return
    types = _column_types(library, table)
    for row in rows:
        if not isinstance(row, dict):
            raise ValueError(f"a row of {table} that is not an object")
        names = [name for name in types if name in row and name not in _NOT_EXPORTED_CHILD]
        tx.execute(f"INSERT INTO {table} ({', '.join(['article_id', *names])}) "
                   f"VALUES ({', '.join('?' * (len(names) + 1))})",
                   [article_id, *(_typed(name, types[name], row[name]) for name in names)])


def _columns(library: Library, table: str) -> list[str]:
    return [row[1] for row in library.query(f"PRAGMA table_info({table})")]


def _column_types(library: Library, table: str) -> dict[str, str]:
    """Each column of ``table`` with its declared type (TEXT, INTEGER, REAL, BLOB)."""
    return {row[1]: row[2].upper() for row in library.query(f"PRAGMA table_info({table})")}


_PYTHON_TYPES = {"TEXT": (str,), "INTEGER": (int,), "REAL": (int, float), "BLOB": (bytes,)}


def _typed(name: str, declared: str, value: object):
    """``value`` decoded, if it has the column's type (SQLite itself would take anything)."""
    value = _decoded(value)
    if value is not None and not isinstance(value, _PYTHON_TYPES.get(declared, (object,))):
        raise ValueError(f"{name} is not {declared.lower()}")
    return value


def _encoded(value):
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def _decoded(value):
    if isinstance(value, dict) and set(value) == {"base64"}:
        return _bytes(value)
    if isinstance(value, (dict, list)):
        raise ValueError("a value that is a list or an object")
    return value


def _bytes(value: object) -> bytes:
    if not isinstance(value, dict) or not isinstance(value.get("base64"), str):
        raise ValueError("data that is not base64")
    try:
        return base64.b64decode(value["base64"], validate=True)
    except binascii.Error as error:
        raise ValueError(f"data that is not base64: {error}") from None


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
