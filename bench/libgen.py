"""Generated libraries of many articles, made once and kept in a cache folder.

A library is created by ``reader.library.open_library`` (so it has Reader's schema, at Reader's
version, and the welcome article), then filled by bulk SQL: articles of about 600 words of
recombined real sentences, titles, authors and sites, dates over five years, a third archived,
a few favourites, some read, some tagged. The full-text index fills through Reader's own triggers.
Raw pages (the ``pages`` table) are left out: they sit in their own table and would only make
the file ten times larger.

``MARKER`` is put into exactly ``MARKER_ARTICLES`` articles: the rarest search there is.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import textgen

GENERATOR_VERSION = 1
WORDS = 600
MARKER_ARTICLES = 10
TAGS = ["science", "politics", "long-read", "tech", "climate", "history", "economy", "health",
        "to-cite", "work", "family", "recipes", "travel", "sport", "culture", "ai", "energy",
        "books", "music", "later"]
CACHE = Path(os.environ.get("READER_BENCH_CACHE", Path.home() / ".cache" / "reader-bench"))


def schema_version() -> int:
    from reader.library.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def library_home(count: int) -> tuple[Path, float | None]:
    """A READER_HOME holding a library of ``count`` generated articles (plus the welcome
    article), and the seconds it took to make (None: it was in the cache)."""
    home = CACHE / f"library-{count}-g{GENERATOR_VERSION}-s{schema_version()}"
    database = home / "library.sqlite3"
    if (home / "complete").exists():
        return home, None
    for stale in CACHE.glob(f"library-{count}-*"):  # another generator or schema version
        shutil.rmtree(stale, ignore_errors=True)
    started = time.perf_counter()
    make(database, count)
    (home / "complete").write_text(str(count))
    return home, time.perf_counter() - started


def empty_home() -> Path:
    """A READER_HOME with a new library: just the welcome article."""
    home = CACHE / f"library-0-s{schema_version()}"
    if not (home / "complete").exists():
        for stale in CACHE.glob("library-0-*"):
            shutil.rmtree(stale, ignore_errors=True)
        make(home / "library.sqlite3", 0)
        (home / "complete").write_text("0")
    return home


def make(database: Path, count: int, seed: int = 11) -> None:
    from reader.library import open_library

    database.parent.mkdir(parents=True, exist_ok=True)
    open_library(database).close()
    if not count:
        return
    rng = random.Random(seed)
    sites = textgen.sites()
    marked = set(rng.sample(range(count), min(MARKER_ARTICLES, count)))
    start = datetime(2021, 1, 1, tzinfo=UTC)
    db = sqlite3.connect(database)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("INSERT OR IGNORE INTO tags (name) VALUES " + ",".join("(?)" for _ in TAGS), TAGS)
    marks = ",".join("?" * len(TAGS))
    tag_ids = [row[0] for row in db.execute(f"SELECT id FROM tags WHERE name IN ({marks})", TAGS)]
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
    batch, tags = [], []
    for number in range(count):
        paragraphs = textgen.paragraphs(rng, WORDS)
        if number in marked:
            paragraphs[-1] += f" {textgen.MARKER}."
        text = "\n".join(paragraphs)
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        site = rng.choice(sites)
        added = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
        published = added - timedelta(days=rng.randrange(30))
        slug = f"{number}-{rng.getrandbits(32):08x}"
        url = f"https://{site}/{added:%Y/%m}/{slug}"
        batch.append((
            url, url, textgen.title(rng), textgen.author(rng), site, published.date().isoformat(),
            "en", added.isoformat(timespec="seconds"), len(text.split()), body, text,
            rng.random() < 0.33, rng.random() < 0.05, rng.random() < 0.4,
        ))
        article_id = first_id + number
        if rng.random() < 0.3:
            for tag in rng.sample(tag_ids, rng.randint(1, 2)):
                tags.append((article_id, tag))
        if len(batch) == 2000 or number == count - 1:
            db.executemany(
                "INSERT INTO articles (url, original_url, title, author, site, published, language,"
                " added, word_count, body_html, text, archived, favourite, read)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
            db.executemany("INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)", tags)
            db.commit()
            batch, tags = [], []
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no ANALYZE: Reader never runs one either
    db.close()
