"""Imports into the library (reader.capture.importers.save, reader.capture.batch): saved pages
stored without fetching, the rest fetched from a real HTTP server, nothing imported twice."""

from __future__ import annotations


import pytest

from reader.capture.batch import capture_all, import_links
from reader.capture.extract import extract
from reader.capture.importers import ImportedItem, detect_and_read, import_batch
from reader.capture.urls import canonical_url
from reader.library import pending
from tests.capture.exports import IMPORTS
from tests.fixture_site import PAGES


# Into the library


def test_saved_pages_are_stored_without_fetching(library, extractor):
    """wallabag carries its pages: stored as they are, even where the link is dead now."""
    result = import_batch(library, detect_and_read(IMPORTS / "wallabag.json"), extractor)
    assert (result.added, result.duplicates) == (3, 0)  # 2 saved pages, 1 link kept
    assert [s.entry for s in result.skipped] == ["entry 3"]
    assert [item.url for item in result.to_fetch] == ["https://science.example.org/sleep-summer"]
    assert result.failed == []

    harbour = library.get(library.find_by_url("https://gone.invalid/history/kelby-sound-harbour"))
    assert harbour.title == "A short history of Kelby Sound harbour"
    assert harbour.text.startswith("For most of the nineteenth century the harbour")
    assert "iron mooring rings" in harbour.text
    assert (harbour.archived, harbour.favourite) == (True, False)
    assert harbour.tags == ["harbour", "history"]
    assert harbour.added == "2024-03-15T08:30:00+00:00"
    saved = library.raw_html(harbour.id).decode()  # the saved copy, kept for re-extraction
    assert "<p>For most of the nineteenth century" in saved
    assert extract(saved, harbour.url).text == harbour.text

    # "wallabag can't retrieve contents": kept with its title and state, and reported.
    [(url, reason)] = result.needs_fetching
    assert url == "https://en.wikipedia.org/wiki/Tidal_power"
    assert "No article text" in reason
    wiki = library.get(library.find_by_url(url))
    assert (wiki.title, wiki.body_html, wiki.word_count) == ("Tidal power - Wikipedia", "", 0)
    assert (wiki.favourite, wiki.tags) == (True, ["Reference"])


def test_omnivore_import_reads_saved_pages(library, export, extractor):
    result = import_batch(library, detect_and_read(export("omnivore.zip")), extractor)
    assert result.added == 3  # 2 saved pages, 1 link kept
    assert result.needs_fetching == []
    assert [item.url for item in result.to_fetch] == ["https://longform.example.org/2023/ferries"]
    url = "https://workshop-notes.invalid/2025/11/02/restoring-a-1987-keyboard/"
    keyboard = library.get(library.find_by_url(url))
    assert keyboard.title == "Bringing a 1987 keyboard back from the dead"
    assert "It types beautifully." in keyboard.text
    assert keyboard.tags == ["keyboards", "retro"]
    assert keyboard.added == "2025-11-03T08:30:00+00:00"
    tidal = library.get(library.find_by_url("https://gazette.example.com/news/kelby-tidal-plant"))
    assert tidal.archived is True
    assert "How the plant will work" in tidal.body_html


@pytest.mark.parametrize("name", ["wallabag.json", "omnivore.zip"])
def test_importing_again_adds_nothing(library, export, name, extractor):
    first = import_batch(library, detect_and_read(export(name)), extractor)
    count = library.count()
    again = import_batch(library, detect_and_read(export(name)), extractor)
    assert again.added == 0
    assert again.duplicates == first.added
    assert len(again.to_fetch) == len(first.to_fetch)  # never fetched, so still to fetch
    assert library.count() == count


def test_links_without_pages_are_fetched_keeping_their_metadata(library, site, tmp_path,
                                                               extractor):
    blog = site.url("blog-post.html")
    export = tmp_path / "part_000000.csv"
    export.write_text(
        "title,url,time_added,tags,status\n"
        f"{blog},{blog},1700000000,hardware|retro,archive\n"
        f"Tidal plant (saved from the newsletter),{site.url('go/news-article.html')},"
        "1710412800,energy,unread\n"
        f"Sign in,{site.url('no-article.html')},1710412801,,unread\n"
        f"Gone,{site.url('missing.html')},1710412802,,unread\n"
    )
    result = import_batch(library, detect_and_read(export), extractor)
    assert (result.added, len(result.to_fetch)) == (4, 4)
    assert library.count() == 5  # the welcome article, and each link waiting for its page

    import_links(library, result, extractor)
    assert (result.added, result.duplicates, result.to_fetch) == (4, 0, [])
    failed = dict(result.failed)
    assert "No article text found" in failed[site.url("no-article.html")]
    assert "404" in failed[site.url("missing.html")]

    post = library.get(library.find_by_url(canonical_url(blog)))
    assert post.title == "Bringing a 1987 keyboard back from the dead"  # export had only the URL
    assert post.tags == ["hardware", "retro"]
    assert (post.archived, post.favourite) == (True, False)
    assert post.added == "2023-11-14T22:13:20+00:00"
    assert post.word_count > 200
    assert library.raw_html(post.id) == (PAGES / "blog-post.html").read_bytes()

    # Stored where the short link leads, with the title the user gave it.
    news = library.get(library.find_by_url(canonical_url(site.url("news-article.html"))))
    assert news.title == "Tidal plant (saved from the newsletter)"
    assert news.tags == ["energy"]
    assert news.added == "2024-03-14T10:40:00+00:00"

    count = library.count()
    again = import_links(library, import_batch(library, detect_and_read(export), extractor),
                         extractor)
    assert (again.added, again.duplicates, again.failed) == (0, 4, [])  # nothing changes
    assert library.count() == count


def test_an_imported_link_is_saved_once(library, site, extractor):
    item = ImportedItem(url=site.url("german-article.html"), tags=["deutsch"], favourite=True)
    [first] = capture_all(library, [item], extractor=extractor)
    [second] = capture_all(library, [item], extractor=extractor)
    assert (first.is_new, second.is_new) == (True, False)
    assert second.article_id == first.article_id
    article = library.get(first.article_id)
    assert (article.tags, article.favourite, article.archived) == (["deutsch"], True, False)
    assert article.added  # no date in the item: now


def test_an_imported_link_that_fails_is_kept_saying_why(library, site, extractor):
    count = library.count()
    [outcome] = capture_all(library, [ImportedItem(url=site.url("no-article.html"),
                                                   tags=["kept"])], extractor=extractor)
    assert "No article text" in outcome.error
    assert library.count() == count + 1
    [kept] = [row for row in library.query("SELECT id, fetch_state, fetch_reason FROM articles")
              if row[1]]
    assert kept[1:] == (pending.FAILED, outcome.error)
    assert library.get(kept[0]).tags == ["kept"]


def test_progress_is_reported(library, extractor):
    seen = []
    import_batch(library, detect_and_read(IMPORTS / "wallabag.json"), extractor,
                 progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
