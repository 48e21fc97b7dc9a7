"""The library: adding and reading articles, the welcome article, summaries, settings."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest

from reader import paths
from reader.errors import LibraryError
from reader.library import Library, NewArticle, open_library
from reader.library.welcome import WELCOME_URL
from reader.settings import Settings

WELCOME_TITLE = "Welcome to Reader"


def _article(url="https://example.org/tides", **overrides) -> NewArticle:
    values = dict(
        url=url,
        original_url=url + "?utm_source=newsletter",
        title="Notes on tidal power",
        body_html="<p>The tidal stream turns the rotors twice a day.</p>",
        text="The tidal stream turns the rotors twice a day.",
        author="A. Writer",
        site="Example Org",
    )
    values.update(overrides)
    return NewArticle(**values)


# The welcome article


def test_new_library_gets_exactly_one_welcome_article(library):
    assert library.created is True
    assert library.count() == 1
    rows = library.rows()
    assert [row.title for row in rows] == [WELCOME_TITLE]
    welcome = library.get(rows[0].id)
    assert welcome.url == WELCOME_URL
    assert "<h1>Welcome to Reader</h1>" in welcome.body_html
    assert welcome.word_count > 50
    assert library.raw_html(welcome.id) is None  # it never was a fetched page


def test_welcome_article_is_not_added_again_on_reopen(library):
    path = library.path
    library.close()

    again = open_library()
    try:
        assert again.path == path
        assert again.created is False
        assert again.count() == 1
        assert [row.title for row in again.rows()] == [WELCOME_TITLE]
    finally:
        again.close()


def test_deleted_welcome_article_stays_deleted(library):
    path = library.path
    library.close()
    db = sqlite3.connect(path)
    with db:
        assert db.execute("DELETE FROM articles WHERE url = ?", (WELCOME_URL,)).rowcount == 1
    db.close()

    again = open_library()
    try:
        assert again.count() == 0
        assert again.rows() == []
        assert again.find_by_url(WELCOME_URL) is None
    finally:
        again.close()


# Adding and reading


def test_add_stores_every_field(library):
    article_id, is_new = library.add(_article(published="2026-03-14", language="en"))

    assert is_new is True
    article = library.get(article_id)
    assert article.id == article_id
    assert article.url == "https://example.org/tides"
    assert article.title == "Notes on tidal power"
    assert article.author == "A. Writer"
    assert article.site == "Example Org"
    assert article.published == "2026-03-14"
    assert article.language == "en"
    assert article.body_html == "<p>The tidal stream turns the rotors twice a day.</p>"
    assert article.text == "The tidal stream turns the rotors twice a day."
    assert article.word_count == 9
    assert article.archived is False and article.favourite is False
    assert library.count() == 2
    assert library.find_by_url("https://example.org/tides") == article_id


def test_adding_the_same_url_twice_keeps_one_article(library):
    first_id, first_new = library.add(_article())
    second_id, second_new = library.add(_article(title="A different title", text="other words"))

    assert first_new is True
    assert second_new is False
    assert second_id == first_id
    assert library.count() == 2  # the welcome article and this one
    assert library.get(first_id).title == "Notes on tidal power"  # the first one is kept


def test_fts_index_follows_added_articles(library):
    assert [row.id for row in library.search("tidal")] == []
    article_id, _ = library.add(_article())
    other_id, _ = library.add(
        _article(
            url="https://example.org/bread",
            title="Sourdough at home",
            body_html="<p>Flour, water and a café's patience.</p>",
            text="Flour, water and a café's patience.",
        )
    )

    assert [row.id for row in library.search("tidal")] == [article_id]
    assert [row.id for row in library.search("rotors")] == [article_id]
    assert [row.id for row in library.search("sourdough")] == [other_id]  # titles are indexed too
    assert [row.id for row in library.search("cafe")] == [other_id]  # diacritics removed
    assert [row.id for row in library.search("welcome")] == [library.find_by_url(WELCOME_URL)]
    assert [row.id for row in library.search("zeppelin")] == []


def test_raw_html_is_stored_and_returned(library):
    raw = b"<!DOCTYPE html><html><body><p>caf\xc3\xa9 and tidal</p></body></html>"
    article_id, _ = library.add(
        _article(raw_html=raw, fetched_url="https://example.org/tides?x=1",
                 content_type="text/html; charset=utf-8")
    )

    assert library.raw_html(article_id) == raw
    db = sqlite3.connect(library.path)
    row = db.execute(
        "SELECT fetched_url, content_type FROM pages WHERE article_id = ?", (article_id,)
    ).fetchone()
    db.close()
    assert row == ("https://example.org/tides?x=1", "text/html; charset=utf-8")


def test_tags_are_stored_and_listed(library):
    tagged_id, _ = library.add(_article(tags=["science", "Energy"]))
    plain_id, _ = library.add(_article(url="https://example.org/untagged"))

    rows = {row.id: row for row in library.rows()}
    assert rows[tagged_id].tags == ["Energy", "science"]
    assert rows[plain_id].tags == []
    assert library.get(tagged_id).tags == ["Energy", "science"]
    assert rows[tagged_id].as_dict()["tags"] == ["Energy", "science"]


def test_rows_are_newest_first(library):
    first_id, _ = library.add(_article(url="https://example.org/1"))
    second_id, _ = library.add(_article(url="https://example.org/2"))

    ids = [row.id for row in library.rows()]
    assert ids[:2] == [second_id, first_id]
    assert len(ids) == 3


def test_summary_is_none_before_any_is_saved(library):
    article_id, _ = library.add(_article())
    assert library.summary(article_id) is None


def test_save_summary_then_summary_returns_the_newest(library):
    article_id, _ = library.add(_article())

    library.save_summary(article_id, "model-a", "v1", "First summary.")
    assert library.summary(article_id) == "First summary."
    # Another model, straight after (the same second, as a quick re-summarise would be).
    library.save_summary(article_id, "model-b", "v1", "Second summary.")
    assert library.summary(article_id) == "Second summary."
    # The same model and prompt again replaces its earlier text.
    library.save_summary(article_id, "model-a", "v1", "Third summary.")
    assert library.summary(article_id) == "Third summary."


def test_get_of_missing_id_raises_library_error(library):
    with pytest.raises(LibraryError, match="no article 9999"):
        library.get(9999)


# Settings


def test_settings_from_missing_file_are_defaults(home):
    assert not paths.settings_path().exists()
    settings = Settings.load()
    assert settings == Settings()
    assert (settings.model_path, settings.context_limit, settings.threads) == ("", 8192, 0)


@pytest.mark.parametrize(
    "content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"", b'"just a string"']
)
def test_settings_from_garbage_file_are_defaults(home, content):
    path = paths.settings_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    assert Settings.load() == Settings()


def test_settings_with_wrong_types_keep_the_valid_keys(home, caplog):
    path = paths.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"model_path": 42, "context_limit": 4096, "threads": True, "colour": "blue"}),
        "utf-8",
    )

    with caplog.at_level(logging.WARNING, logger="reader.settings"):
        settings = Settings.load()

    assert settings.model_path == ""  # wrong type: default
    assert settings.context_limit == 4096  # valid: kept
    assert settings.threads == 0  # a bool is not an int here: default
    assert not hasattr(settings, "colour")
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "model_path" in messages and "threads" in messages and "colour" in messages


def test_settings_save_then_load_round_trips(home):
    settings = Settings(model_path="/models/tiny.gguf", context_limit=2048, threads=3,
                        theme="sepia", font_size=15, keys={"archive": ["E"]})
    settings.save()

    path = paths.settings_path()
    assert path.is_file()
    assert not path.with_suffix(".tmp").exists()
    stored = json.loads(path.read_text("utf-8"))
    assert stored["model_path"] == "/models/tiny.gguf" and stored["threads"] == 3
    assert stored["theme"] == "sepia" and stored["keys"] == {"archive": ["E"]}
    assert Settings.load() == settings


def test_settings_out_of_range_fall_back(home):
    paths.settings_path().parent.mkdir(parents=True)
    paths.settings_path().write_text(json.dumps(
        {"theme": "neon", "font_size": 400, "keys": {"archive": "E"}, "line_width": 60}))
    loaded = Settings.load()
    assert (loaded.theme, loaded.font_size, loaded.keys) == ("system", 12, {})
    assert loaded.line_width == 60


def test_settings_save_to_explicit_path(tmp_path):
    path = tmp_path / "elsewhere" / "settings.json"
    Settings(threads=7).save(path)
    assert Settings.load(path) == Settings(threads=7)


def test_library_at_explicit_path(tmp_path):
    path = tmp_path / "sub" / "lib.sqlite3"
    library = Library(path)
    try:
        assert library.created is True
        assert library.count() == 0  # Library itself adds nothing; open_library does
    finally:
        library.close()
    assert path.is_file()


def test_imported_state_and_date_are_kept(library):
    from reader.library import NewArticle

    article_id, _ = library.add(NewArticle(
        url="https://example.org/old", original_url="https://example.org/old", title="Old",
        body_html="<p>x</p>", text="x", archived=True, favourite=True,
        added="2019-05-04T10:00:00+00:00", tags=["longreads"]))
    row = library.get(article_id)
    assert (row.archived, row.favourite, row.added, row.tags) == (
        True, True, "2019-05-04T10:00:00+00:00", ["longreads"])
    assert library.rows()[-1].id == article_id  # oldest added sorts last


def test_the_opening_thread_reads_without_waiting_for_a_write_in_progress(library):
    """Another thread's transaction (a page being stored) holds the writer; the thread that
    opened the library (the window's) still reads at once, what is committed only, and reads
    its own writes inside its own transaction."""
    import threading

    writing, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_write():
        with library.transaction() as tx:
            tx.execute("UPDATE articles SET title = 'being written'")
            writing.set()
            release.wait(10)
        finished.set()

    writer = threading.Thread(target=slow_write)
    writer.start()
    assert writing.wait(5)
    try:
        titles = {title for (title,) in library.query("SELECT title FROM articles")}
        assert not finished.is_set()  # read while the write was still open
        assert titles and "being written" not in titles
    finally:
        release.set()
        writer.join()
    assert library.query("SELECT DISTINCT title FROM articles") == [("being written",)]
    with library.transaction() as tx:
        tx.execute("INSERT INTO tags (name) VALUES ('mine')")
        assert library.query_one("SELECT name FROM tags WHERE name = 'mine'") == ("mine",)
