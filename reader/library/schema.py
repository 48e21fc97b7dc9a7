"""Schema and ordered migrations, versioned with ``PRAGMA user_version``.

Each migration takes the database from version N to N+1. A database written by a newer Reader
(a version we have no migration for) is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3

from reader.errors import LibraryError


_V1 = """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,          -- canonical URL, the identity of an article
            original_url TEXT NOT NULL,        -- what the user gave us
            title TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            site TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL,               -- ISO 8601, UTC
            word_count INTEGER NOT NULL DEFAULT 0,
            body_html TEXT NOT NULL DEFAULT '', -- sanitised article HTML
            text TEXT NOT NULL DEFAULT '',      -- plain text, for search and summaries
            archived INTEGER NOT NULL DEFAULT 0,
            favourite INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX articles_added ON articles(added);

        -- The page as fetched, so extraction can be re-run when it improves.
        CREATE TABLE pages (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            fetched_url TEXT NOT NULL,
            content_type TEXT NOT NULL DEFAULT '',
            fetched TEXT NOT NULL,
            html BLOB NOT NULL
        );

        CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE);
        CREATE TABLE article_tags (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (article_id, tag_id)
        );

        CREATE TABLE summaries (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (article_id, model, prompt_version)
        );

        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, author, site, text,
            content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, author, site, text)
            VALUES (new.id, new.title, new.author, new.site, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, author, site, text)
            VALUES ('delete', old.id, old.title, old.author, old.site, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, site, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, author, site, text)
            VALUES ('delete', old.id, old.title, old.author, old.site, old.text);
            INSERT INTO articles_fts(rowid, title, author, site, text)
            VALUES (new.id, new.title, new.author, new.site, new.text);
        END;
"""

# Reading state, and a bin: deleting sets ``deleted`` so that undo can bring an article back
# whole (tags, summaries, page); the bin is emptied on the next start.
_V2 = """
        ALTER TABLE articles ADD COLUMN read INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE articles ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE articles ADD COLUMN position REAL NOT NULL DEFAULT 0;
        CREATE INDEX articles_published ON articles(published);
        CREATE INDEX articles_title ON articles(title COLLATE NOCASE);
        CREATE INDEX articles_site ON articles(site COLLATE NOCASE);
        CREATE INDEX articles_words ON articles(word_count);
"""

# The capture queue (links waiting to be fetched, kept across quitting and crashes), and the
# images of articles, stored once per content (sha256) so that reading never needs the network.
_V3 = """
        CREATE TABLE capture_queue (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,                   -- what is fetched (checked, as the user gave it)
            canonical_url TEXT NOT NULL UNIQUE,  -- one row per page
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
                ('queued', 'fetching', 'extracting', 'saved', 'failed', 'cancelled')),
            reason TEXT NOT NULL DEFAULT '',     -- why it failed, for the user
            attempts INTEGER NOT NULL DEFAULT 0, -- fetches started; also tells attempts apart
            added TEXT NOT NULL,                 -- ISO 8601, UTC
            updated TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}', -- JSON: an import's title, tags, state, date
            article_id INTEGER                   -- the article it became, once saved
        );
        CREATE INDEX capture_queue_state ON capture_queue(state);

        CREATE TABLE images (
            hash TEXT PRIMARY KEY,               -- sha256 of data, hex
            content_type TEXT NOT NULL,
            data BLOB NOT NULL,
            size INTEGER NOT NULL
        );
        CREATE TABLE article_images (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            url TEXT NOT NULL,                   -- where the page had it
            hash TEXT NOT NULL REFERENCES images(hash),
            PRIMARY KEY (article_id, url)
        );
        CREATE INDEX article_images_hash ON article_images(hash);
"""

# Indexes that answer the sidebar's counts and the inbox's order without reading the articles
# themselves (a large library's rows hold their text: reading them took 250 ms at 100,000).
_V4 = """
        CREATE INDEX articles_state ON articles(deleted, archived, favourite);
        CREATE INDEX articles_view_added ON articles(deleted, archived, added);
"""
# The other sorts, for the same reason: in a view, by date published, title, site or length.
_V5 = """
        CREATE INDEX articles_view_published ON articles(deleted, archived, published);
        CREATE INDEX articles_view_title ON articles(deleted, archived, title COLLATE NOCASE);
        CREATE INDEX articles_view_site ON articles(deleted, archived, site COLLATE NOCASE);
        CREATE INDEX articles_view_words ON articles(deleted, archived, word_count);
"""

# Queue rows belong to the queue that took them (a window, a `reader add`): ``owner`` names it,
# and ``capture_owners`` holds each live owner's heartbeat (Unix time) and process, so one queue
# never takes another's live work and the items of an owner that died are resumed by the next
# queue. ``interrupted`` counts the owners that died with the item in flight: at two, it is
# given up.
_QUEUE_OWNERS = """
        ALTER TABLE capture_queue ADD COLUMN owner TEXT NOT NULL DEFAULT '';
        ALTER TABLE capture_queue ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX capture_queue_owner ON capture_queue(owner, state);
        CREATE TABLE capture_owners (
            owner TEXT PRIMARY KEY,
            heartbeat REAL NOT NULL,
            host TEXT NOT NULL DEFAULT '',       -- the machine it runs on
            pid INTEGER NOT NULL DEFAULT 0       -- its process there: gone means dead at once
        );
"""

# Counts kept, not recounted: the sidebar reads them after every change, and counting a view of
# 100,000 articles took milliseconds each time. ``view_counts`` holds how many articles (outside
# the bin) each view shows, ``tags.articles`` how many (outside the bin) have the tag; triggers
# keep both as articles, their flags and their tags change. An article's tags are uncounted by
# a BEFORE DELETE trigger: by the time its tag links go (ON DELETE CASCADE), it is gone.
def _in_view(row: str) -> str:
    """1 if the article ``row`` (``new`` or ``old``) is in the view of the counted row."""
    return (f"(CASE view WHEN 'inbox' THEN {row}.archived = 0 WHEN 'favourites' THEN "
            f"{row}.favourite = 1 WHEN 'archive' THEN {row}.archived = 1 ELSE 1 END "
            f"AND {row}.deleted = 0)")


_KEPT_COUNTS = f"""
        CREATE TABLE view_counts (view TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO view_counts (view, articles) SELECT 'inbox', count(*) FROM articles
            WHERE deleted = 0 AND archived = 0;
        INSERT INTO view_counts (view, articles) SELECT 'favourites', count(*) FROM articles
            WHERE deleted = 0 AND favourite = 1;
        INSERT INTO view_counts (view, articles) SELECT 'archive', count(*) FROM articles
            WHERE deleted = 0 AND archived = 1;
        INSERT INTO view_counts (view, articles) SELECT 'all', count(*) FROM articles
            WHERE deleted = 0;
        CREATE TRIGGER view_counts_insert AFTER INSERT ON articles BEGIN
            UPDATE view_counts SET articles = articles + {_in_view("new")};
        END;
        CREATE TRIGGER view_counts_delete AFTER DELETE ON articles BEGIN
            UPDATE view_counts SET articles = articles - {_in_view("old")};
        END;
        CREATE TRIGGER view_counts_update AFTER UPDATE OF archived, favourite, deleted ON articles
        BEGIN
            UPDATE view_counts SET articles = articles - {_in_view("old")} + {_in_view("new")};
        END;

        ALTER TABLE tags ADD COLUMN articles INTEGER NOT NULL DEFAULT 0;
        UPDATE tags SET articles = (SELECT count(*) FROM article_tags
            JOIN articles ON articles.id = article_tags.article_id AND articles.deleted = 0
            WHERE article_tags.tag_id = tags.id);
        CREATE TRIGGER tag_counts_link AFTER INSERT ON article_tags BEGIN
            UPDATE tags SET articles = articles + 1 WHERE id = new.tag_id
                AND EXISTS (SELECT 1 FROM articles WHERE id = new.article_id AND deleted = 0);
        END;
        CREATE TRIGGER tag_counts_unlink AFTER DELETE ON article_tags BEGIN
            UPDATE tags SET articles = articles - 1 WHERE id = old.tag_id
                AND EXISTS (SELECT 1 FROM articles WHERE id = old.article_id AND deleted = 0);
        END;
        CREATE TRIGGER tag_counts_article_delete BEFORE DELETE ON articles WHEN old.deleted = 0
        BEGIN
            UPDATE tags SET articles = articles - 1
                WHERE id IN (SELECT tag_id FROM article_tags WHERE article_id = old.id);
        END;
        CREATE TRIGGER tag_counts_bin AFTER UPDATE OF deleted ON articles
            WHEN (old.deleted = 0) != (new.deleted = 0)
        BEGIN
            UPDATE tags SET articles = articles + CASE WHEN new.deleted = 0 THEN 1 ELSE -1 END
                WHERE id IN (SELECT tag_id FROM article_tags WHERE article_id = new.id);
        END;
"""

# Grounded summaries and questions asked of an article (reader/library/grounding_store.py).
# ``summaries.sentences`` holds the summary's sentences checked against the article, as JSON
# (empty: not checked yet); a new summary replaces its row, and with it the old check.
# ``article_questions`` is the conversation about each article, turn by turn. Its sources are
# offsets into the article's text, so a new text (a new extraction) ends the conversation.
_GROUNDING = """
        ALTER TABLE summaries ADD COLUMN sentences TEXT NOT NULL DEFAULT '';
        CREATE TABLE article_questions (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            turn INTEGER NOT NULL,               -- 1, 2, ... in the order asked
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            sources TEXT NOT NULL DEFAULT '[]',  -- JSON: [{"quote", "start", "end"}], as cited
            sentences TEXT NOT NULL DEFAULT '[]',  -- JSON: the answer's sentences, checked
            model TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (article_id, turn)
        );
        CREATE TRIGGER article_questions_new_text AFTER UPDATE OF text ON articles
            WHEN old.text != new.text
        BEGIN
            DELETE FROM article_questions WHERE article_id = new.id;
        END;
"""

# Links stored before their page is fetched (reader/library/pending.py): ``fetch_state`` is ''
# (fetched), 'pending' or 'failed' (with ``fetch_reason``); ``archive_url``/``archive_date`` say
# the text came from an Internet Archive snapshot. ``capture_queue.not_before`` is when an item
# waiting for the network or for its next try may be tried again (seconds since the epoch).
_PENDING_LINKS = """
        ALTER TABLE articles ADD COLUMN fetch_state TEXT NOT NULL DEFAULT '';
        ALTER TABLE articles ADD COLUMN fetch_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE articles ADD COLUMN archive_url TEXT NOT NULL DEFAULT '';
        ALTER TABLE articles ADD COLUMN archive_date TEXT NOT NULL DEFAULT '';
        ALTER TABLE capture_queue ADD COLUMN not_before REAL NOT NULL DEFAULT 0;
"""

# Highlights (reader/library/highlights.py): each a quote with its context and its offsets in
# the article's text (text_start = -1: not found in the current text, kept until the user removes
# it). Deleting an article to the bin keeps its highlights; emptying the bin drops them with it.
# ``articles.note`` is the user's note on the whole article. Both are searched in
# ``highlights_fts``: a highlight's quote and note (the article note is found through the list).
_HIGHLIGHTS = """
        ALTER TABLE articles ADD COLUMN note TEXT NOT NULL DEFAULT '';
        CREATE TABLE highlights (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            text_start INTEGER NOT NULL DEFAULT -1,
            text_end INTEGER NOT NULL DEFAULT -1,
            color TEXT NOT NULL DEFAULT 'yellow',
            note TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL
        );
        CREATE INDEX highlights_article ON highlights(article_id, text_start);
        CREATE INDEX highlights_created ON highlights(created);
        CREATE VIRTUAL TABLE highlights_fts USING fts5(
            quote, note, content='highlights', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER highlights_fts_insert AFTER INSERT ON highlights BEGIN
            INSERT INTO highlights_fts(rowid, quote, note) VALUES (new.id, new.quote, new.note);
        END;
        CREATE TRIGGER highlights_fts_delete AFTER DELETE ON highlights BEGIN
            INSERT INTO highlights_fts(highlights_fts, rowid, quote, note)
            VALUES ('delete', old.id, old.quote, old.note);
        END;
        CREATE TRIGGER highlights_fts_update AFTER UPDATE OF quote, note ON highlights BEGIN
            INSERT INTO highlights_fts(highlights_fts, rowid, quote, note)
            VALUES ('delete', old.id, old.quote, old.note);
            INSERT INTO highlights_fts(rowid, quote, note) VALUES (new.id, new.quote, new.note);
        END;
"""

# The word being typed is searched as a prefix: without an index of prefixes, a short one ("th",
# "the", "year") merges the lists of every word it begins (there, them, theory...), which took
# 5 to 80 ms at 100,000 articles whatever the LIMIT. Prefixes of two to four letters are indexed
# (the index grows about threefold); longer ones begin few words. The table is made again with
# them and refilled (the triggers name it, so they carry on).
_SEARCH_PREFIXES = """
        DROP TABLE articles_fts;
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, author, site, text,
            content='articles', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
        );
        INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
"""

# An article is stored as soon as it is extracted, and its pictures are fetched after
# (reader/capture/pictures.py): until they are in, its body points at them on the web, and this
# row says where the page was (their Referer) and whether it came from this computer or its
# network (the only case where they may be fetched from there). A row left by a Reader that
# stopped or died is taken up by the next capture queue.
_PICTURES_PENDING = """
        CREATE TABLE pictures_pending (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            page_url TEXT NOT NULL,
            local INTEGER NOT NULL DEFAULT 0
        );
"""

# A search keeps the matches in the list's view (not deleted, archived or not, a favourite):
# this index answers that for each match without reading its article's row, where the text and
# the HTML come before those flags and run over several pages. At 100,000 articles, 815 matches
# ranked: 4.7-5.2 ms -> 3.3-3.6 ms; the newest 1,000 of "the": 4.5 -> 3.2 (``ListQuery.source``).
_VIEW_BY_ID = """
        CREATE INDEX articles_id_view ON articles(id, deleted, archived, favourite);
"""

# Each entry is the SQL that takes the schema from version N to N+1.
MIGRATIONS = [_V1, _V2, _V3, _V4, _V5, _QUEUE_OWNERS, _KEPT_COUNTS, _GROUNDING, _PENDING_LINKS,
              _HIGHLIGHTS, _SEARCH_PREFIXES, _PICTURES_PENDING, _VIEW_BY_ID]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Bring the database up to ``SCHEMA_VERSION``, one transaction per step.

    Returns the version it had before (0: it was just created).
    """
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LibraryError(
            f"This library was written by a newer version of Reader (schema {version}, "
            f"this version knows up to {SCHEMA_VERSION}). Update Reader to open it."
        )
    for step in range(version, SCHEMA_VERSION):
        try:
            db.executescript(
                f"BEGIN; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;"
            )
        except sqlite3.Error:
            db.rollback()
            raise
    return version
