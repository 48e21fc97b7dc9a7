"""Highlights in the library: made, edited, removed and undone; found again when the text
changes; kept (as not found) when their passage is gone; in the bin with their article."""

from __future__ import annotations

import pytest

from reader.errors import LibraryError
from reader.library import NewArticle, highlights, pending
from reader.library.anchoring import Selector
from reader.library.records import article_record, restore_article

TEXT = ("Tidal power turns the sea's daily rise and fall into electricity. The first barrage "
        "opened at La Rance in 1966 and still runs today. Critics say barrages harm estuaries, "
        "where birds feed on the mud at low tide. The tide is as regular as a clock.")


@pytest.fixture
def article(library):
    article_id, _ = library.add(NewArticle(
        url="https://example.org/tides", original_url="https://example.org/tides",
        title="Tides", body_html=f"<p>{TEXT}</p>", text=TEXT))
    return article_id


def _quotes(library, article_id):
    return [(h.quote, h.found) for h in highlights.for_article(library, article_id)]


def test_a_highlight_is_the_first_place_of_its_words(library, article):
    made, _ = highlights.add(library, article, Selector("the  sea's"), exact=True, note="n")
    assert (made.start, made.end) == (TEXT.index("the sea's"), TEXT.index("the sea's") + 9)
    assert made.quote == "the sea's" and made.note == "n" and made.color == "yellow"
    typed, _ = highlights.add(library, article, Selector("the tide"), exact=True)
    assert typed.quote == "The tide"  # no "the tide" as typed: the first in any case
    assert made.prefix == TEXT[:made.start] and made.suffix == TEXT[made.end:made.end + 32]
    with pytest.raises(LibraryError, match="not in the article"):
        highlights.add(library, article, Selector("the moon"), exact=True)
    with pytest.raises(LibraryError, match="colour"):
        highlights.add(library, article, Selector("the tide"), color="<b>red</b>")


def test_a_selection_is_placed_by_its_context(library, article):
    # "tide" twice: the second, after "regular as a clock"'s sentence start
    second = TEXT.index("tide is")
    made, _ = highlights.add(library, article, Selector("tide", "clock. The ", " is as", second))
    assert made.start == second


def test_edits_and_removals_are_undone(library, article):
    made, change = highlights.add(library, article, Selector("La Rance"), exact=True)
    note = highlights.edit(library, made.id, note="*Still* running")
    colour = highlights.edit(library, made.id, color="green")
    assert highlights.get(library, made.id).color == "green"
    library.undo(colour)
    library.undo(note)
    assert highlights.get(library, made.id).note == ""
    removed = highlights.remove(library, [made.id])
    assert highlights.for_article(library, article) == []
    library.undo(removed)
    assert highlights.get(library, made.id) == made
    library.undo(change)
    assert highlights.for_article(library, article) == []
    assert change.article_ids == [article]


def test_every_edit_is_announced(library, article):
    heard = []
    library.subscribe(heard.append)
    made, _ = highlights.add(library, article, Selector("La Rance"), exact=True)
    highlights.edit(library, made.id, note="x")
    highlights.set_article_note(library, article, "whole")
    assert [change.highlighted for change in heard] == [frozenset({article})] * 3
    assert highlights.article_note(library, article) == "whole"


def test_a_new_extraction_finds_them_again_or_keeps_them_as_not_found(library, article):
    for quote in ("daily rise and fall", "birds feed on the mud", "as regular as a clock"):
        highlights.add(library, article, Selector(quote), exact=True)
    changed = ("Updated: a new paragraph comes first.\n\n"
               + TEXT.replace("birds feed on the mud", "birds feed on the wet mud")
               .replace("The tide is as regular as a clock.", ""))
    library.replace_content(article, "Tides", "<p>changed</p>", changed)
    found = {h.quote: h for h in highlights.for_article(library, article)}
    assert set(found) == {"daily rise and fall", "birds feed on the wet mud",
                          "as regular as a clock"}
    for quote in ("daily rise and fall", "birds feed on the wet mud"):  # moved, and changed
        assert changed[found[quote].start:found[quote].end] == quote
    assert not found["as regular as a clock"].found
    assert _quotes(library, article)[-1] == ("as regular as a clock", False)  # listed last
    library.replace_content(article, "Tides", f"<p>{TEXT}</p>", TEXT)  # the passage is back
    assert all(found for _, found in _quotes(library, article))


def test_imported_highlights_wait_for_the_page(library):
    article_id, _ = pending.store_pending(library, pending.placeholder(
        "https://example.org/tides", "https://example.org/tides", title="Tides"))
    with library.transaction() as tx:
        highlights.add_imported(tx, article_id, [
            {"text": "still runs today", "note": "since 1966", "color": "blue",
             "created": "2024-01-02T03:04:05+00:00"},
            {"text": "", "note": ""},  # nothing: not kept
            {"text": "a passage the page does not have", "color": "<script>"}])
    assert _quotes(library, article_id) == [("still runs today", False),
                                            ("a passage the page does not have", False)]
    with library.transaction() as tx:
        pending.fill(tx, article_id, NewArticle(
            url="https://example.org/tides", original_url="https://example.org/tides",
            title="Tides", body_html=f"<p>{TEXT}</p>", text=TEXT))
    listed = highlights.for_article(library, article_id)
    assert [(h.quote, h.found, h.color) for h in listed] == [
        ("still runs today", True, "blue"), ("a passage the page does not have", False, "yellow")]
    assert listed[0].created == "2024-01-02T03:04:05+00:00"


def test_the_bin_keeps_them_and_the_library_list_skips_it(library, article):
    highlights.add(library, article, Selector("La Rance"), exact=True, note="barrage history")
    highlights.add(library, article, Selector("low tide"), exact=True)
    assert [h.quote for h in highlights.listing(library)] == ["low tide", "La Rance"]
    assert [h.quote for h in highlights.listing(library, "barrage hist")] == ["La Rance"]
    assert highlights.listing(library, '"') == []
    assert [h.quote for h in highlights.for_article(library, article, "barrage")] == ["La Rance"]
    assert highlights.for_article(library, article, "!!") == []
    deleted = library.set_flag([article], "deleted", True)
    assert highlights.listing(library) == []
    library.undo(deleted)
    assert len(highlights.listing(library)) == 2
    library.set_flag([article], "deleted", True)
    library.purge_deleted()
    assert library.query("SELECT count(*) FROM highlights") == [(0,)]


def test_they_travel_in_the_article_record(library, article, tmp_path):
    from reader.library import Library

    highlights.add(library, article, Selector("La Rance"), exact=True, note="n", color="pink")
    highlights.set_article_note(library, article, "article note")
    record = article_record(library, article)
    other = Library(tmp_path / "other.db")
    try:
        restored, _ = restore_article(other, record)
        assert [(h.quote, h.note, h.color, h.start, h.created) for h in
                highlights.for_article(other, restored)] == [
            (h.quote, h.note, h.color, h.start, h.created)
            for h in highlights.for_article(library, article)]
        assert highlights.article_note(other, restored) == "article note"
    finally:
        other.close()
