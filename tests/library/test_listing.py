"""Views, sort, search, reading state, tags and undo, on a real library file."""

import pytest

from reader.errors import LibraryError
from reader.library import NewArticle, empty_bin, open_library
from reader.library.listing import MATCH_END, MATCH_START, ListQuery, fts_query


def add(library, name, text="", **fields):
    url = f"https://example.org/{name}"
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title=fields.pop("title", name),
                                           body_html=f"<p>{text}</p>", text=text or name, **fields))
    return article_id


@pytest.fixture
def shelf(library):
    ids = {
        "alpha": add(library, "alpha", "tidal turbines in the sound " * 100, site="Zeta News",
                     added="2026-01-03T00:00:00+00:00", published="2025-12-01"),
        "beta": add(library, "beta", "a short note on bread", site="alpha blog",
                    added="2026-01-02T00:00:00+00:00", published="2026-01-01", favourite=True),
        "gamma": add(library, "gamma", "tidal power " * 5, site="Midway",
                     added="2026-01-01T00:00:00+00:00", archived=True),
    }
    return ids


def titles(library, **query):
    return [row.title for row in library.rows(ListQuery(**query))]


def test_views_and_counts(library, shelf):
    assert titles(library, view="inbox") == ["Welcome to Reader", "alpha", "beta"]
    assert titles(library, view="favourites") == ["beta"]
    assert titles(library, view="archive") == ["gamma"]
    assert library.view_counts() == {"inbox": 3, "favourites": 1, "archive": 1, "all": 4}


def test_sorts(library, shelf):
    assert titles(library, view="all", sort="title") == ["alpha", "beta", "gamma",
                                                         "Welcome to Reader"]
    assert titles(library, view="all", sort="reading_time")[-1] == "alpha"
    assert titles(library, view="archive", sort="site") == ["gamma"]
    assert titles(library, view="inbox", sort="published")[:2] == ["beta", "alpha"]


def test_paging_returns_consecutive_slices(library, shelf):
    query = ListQuery(view="all", sort="title")
    assert library.count_matching(query) == 4
    first, second = library.page(query, 0, 2), library.page(query, 2, 2)
    assert [r.title for r in first + second] == titles(library, view="all", sort="title")


def test_search_ranks_and_highlights(library, shelf):
    found = library.search("tidal")
    assert [row.title for row in found] == ["alpha", "gamma"]  # more mentions rank higher
    assert f"{MATCH_START}tidal{MATCH_END}" in found[0].snippet
    assert titles(library, view="inbox", search="tid") == ["alpha"]  # prefix, within the view
    assert library.search('"unbalanced (quote AND') == []  # typed syntax is just words


def test_fts_query_is_safe():
    assert fts_query('say "hi" OR -xy') == '"say" "hi" "OR" "xy"*'
    assert fts_query("  ") == ""


def test_flags_and_undo(library, shelf):
    change = library.set_flag([shelf["alpha"], shelf["beta"]], "archived", True)
    assert titles(library, view="inbox") == ["Welcome to Reader"]
    library.undo(change)
    assert titles(library, view="inbox") == ["Welcome to Reader", "alpha", "beta"]
    assert library.get(shelf["beta"]).favourite  # untouched flags stay
    with pytest.raises(ValueError):
        library.set_flag([shelf["alpha"]], "title", True)


def test_delete_is_undoable_until_the_bin_is_emptied(library, shelf, home):
    change = library.set_flag([shelf["beta"]], "deleted", True)
    assert "beta" not in titles(library, view="all") and library.count() == 3
    library.undo(change)
    assert "beta" in titles(library, view="all")
    change = library.set_flag([shelf["beta"]], "deleted", True)
    # Any `reader` command opens the library while the window may still hold that undo.
    open_library().close()
    library.undo(change)
    assert "beta" in titles(library, view="all")
    library.set_flag([shelf["beta"]], "deleted", True)
    assert empty_bin(library) == 1  # what the window does as it starts
    with pytest.raises(LibraryError):
        library.get(shelf["beta"])


def test_tags_rename_and_undo(library, shelf):
    change = library.tag([shelf["alpha"], shelf["beta"]], "energy")
    assert titles(library, view="all", tag="energy") == ["alpha", "beta"]
    assert library.tag_counts() == [("energy", 2)]
    library.undo(change)
    assert titles(library, view="all", tag="energy") == []

    library.tag([shelf["alpha"]], "energy")
    removal = library.tag([shelf["alpha"]], "energy", present=False)
    assert library.get(shelf["alpha"]).tags == []
    library.undo(removal)
    assert library.get(shelf["alpha"]).tags == ["energy"]

    renaming = library.rename_tag("energy", "power")
    assert library.get(shelf["alpha"]).tags == ["power"]
    library.undo(renaming)
    assert library.get(shelf["alpha"]).tags == ["energy"]
    library.tag([shelf["beta"]], "food")
    with pytest.raises(LibraryError, match="already"):
        library.rename_tag("energy", "food")
    with pytest.raises(LibraryError, match="name"):
        library.tag([shelf["beta"]], "  ")


def test_sort_keys_place_the_articles_a_tag_view_shows(library, shelf):
    library.tag([shelf["alpha"], shelf["gamma"]], "Energy")
    library.tag([shelf["beta"]], "food")
    query = ListQuery(view="all", tag="energy", sort="site")  # a tag's name in any case
    keys = library.sort_keys(query, shelf.values())
    assert set(keys) == {shelf["alpha"], shelf["gamma"]}  # beta: not tagged so
    # Keys sort as the view lists: by site, in SQLite's NOCASE ("Midway" before "Zeta News").
    assert sorted(keys, key=keys.get) == library.ids(query) == [shelf["gamma"], shelf["alpha"]]
    assert library.sort_keys(ListQuery(view="inbox", tag="energy"), shelf.values()).keys() == {
        shelf["alpha"]}  # gamma is archived


def test_reading_position_and_read_flag(library, shelf):
    library.set_position(shelf["alpha"], 0.42)
    assert library.get(shelf["alpha"]).position == pytest.approx(0.42)
    library.set_position(shelf["alpha"], 7)
    assert library.get(shelf["alpha"]).position == 1.0
    library.set_flag([shelf["alpha"]], "read", True)
    rows = {row.id: row for row in library.rows(ListQuery(view="all"))}
    assert rows[shelf["alpha"]].read is True and rows[shelf["beta"]].read is False


def test_replace_content_updates_search(library, shelf):
    library.replace_content(shelf["beta"], "beta", "<p>sourdough</p>", "sourdough starter")
    assert [row.title for row in library.search("sourdough")] == ["beta"]
    assert library.search("bread") == []


def test_a_search_keeps_its_best_thousand(library):
    from reader.library.listing import SEARCH_LIMIT

    for n in range(SEARCH_LIMIT + 50):
        add(library, f"n{n}", "harbour " * (1 + n % 7) + "filler words here")
    ids = library.ids(ListQuery(view="all", search="harbour"))
    assert len(ids) == SEARCH_LIMIT == library.count_matching(ListQuery(view="all", search="harbour"))
    best = library.rows_by_ids(ids[:1], "harbour")[0]
    assert best.word_count == 10  # seven mentions of the word: ranked first


def test_snippets_mark_matches_like_the_index_does():
    from reader.library.listing import snippet

    text = "Long before the Café opened, the harbour wall was rebuilt. Harbours need walls."
    marked = snippet(text, "cafe harb")
    assert f"{MATCH_START}Café{MATCH_END}" in marked
    assert f"{MATCH_START}harbour{MATCH_END}" in marked and f"{MATCH_START}Harbours{MATCH_END}" in marked
    assert snippet(text, "zeppelin") == "" and snippet(text, "  ") == ""


def test_a_snippet_of_a_long_article_is_the_passage_around_the_match():
    from reader.library.listing import snippet

    text = "filler " * 3000 + "the Harbour wall " + "filler " * 3000
    marked = snippet(text, "harbour")
    assert marked.startswith("…") and marked.endswith("…")
    assert f"{MATCH_START}Harbour{MATCH_END} wall" in marked
