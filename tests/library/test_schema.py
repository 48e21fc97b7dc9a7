"""The library file: WAL, a versioned schema with ordered migrations, newer files refused, and
migrations that carry an existing library's data (the kept counts filled from its articles)."""

from __future__ import annotations

import sqlite3

import pytest

from reader import paths
from reader.errors import LibraryError
from reader.library import Library, open_library
from reader.library.schema import MIGRATIONS, SCHEMA_VERSION


def _pragma(path, name):
    db = sqlite3.connect(path)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def test_new_library_is_in_wal_mode(library):
    assert library.path == paths.database_path()
    assert _pragma(library.path, "journal_mode") == "wal"


def test_new_library_has_current_schema_version(library):
    assert SCHEMA_VERSION >= 1
    assert _pragma(library.path, "user_version") == SCHEMA_VERSION


def test_newer_schema_is_refused(home):
    path = paths.database_path()
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()

    with pytest.raises(LibraryError, match="newer") as caught:
        open_library()
    assert str(SCHEMA_VERSION + 1) in str(caught.value)
    # Refused, not "migrated": no tables were created in it.
    db = sqlite3.connect(path)
    tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    db.close()
    assert tables == []
    assert _pragma(path, "user_version") == SCHEMA_VERSION + 1


@pytest.mark.parametrize("size", [50, 4096])
def test_file_that_is_not_a_database_gives_library_error(home, size):
    path = paths.database_path()
    path.parent.mkdir(parents=True)
    garbage = bytes((i * 37 + 11) % 256 for i in range(size))
    path.write_bytes(garbage)

    with pytest.raises(LibraryError, match="Cannot open the library") as caught:
        open_library()
    assert str(path) in str(caught.value)
    assert path.read_bytes() == garbage  # left as it was



def test_a_library_from_before_kept_counts_gets_them_filled(tmp_path):
    """A library written before the counts were kept (schema 6) opens with them right."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    before = next(n for n, sql in enumerate(MIGRATIONS) if "CREATE TABLE view_counts" in sql)
    for step in range(before):
        db.executescript(f"BEGIN; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;")
    states = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 1, 1), (0, 0, 0)]
    with db:
        for n, (archived, favourite, deleted) in enumerate(states):
            db.execute("INSERT INTO articles (url, original_url, added, archived, favourite, "
                       "deleted) VALUES (?, ?, '2026-01-01', ?, ?, ?)",
                       (f"u{n}", f"u{n}", archived, favourite, deleted))
        db.executemany("INSERT INTO tags (id, name) VALUES (?, ?)", [(1, "energy"), (2, "food")])
        db.executemany("INSERT INTO article_tags VALUES (?, ?)",
                       [(1, 1), (2, 1), (5, 1), (5, 2)])  # article 5 is in the bin
    db.close()

    library = Library(path)
    try:
        assert library.view_counts() == {"inbox": 3, "favourites": 2, "archive": 2, "all": 5}
        assert library.tag_counts() == [("energy", 2)]
        assert _pragma(path, "user_version") == SCHEMA_VERSION
    finally:
        library.close()
