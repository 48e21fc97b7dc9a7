"""Search at scale: which searches are ranked, what a search too common to rank shows, the word
being typed, and snippets; on a real library file."""

import sqlite3

import pytest

from reader.library import NewArticle, listing
from reader.library.listing import MATCH_END, MATCH_START, ListQuery, fts_query, snippet
from reader.library.schema import MIGRATIONS
from reader.library.store import Library


def add(library, name, text, **fields):
    url = f"https://example.org/{name}"
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title=name,
                                           body_html=f"<p>{text}</p>", text=text, **fields))
    return article_id


@pytest.fixture
def harbours(library):
    """Six inbox articles on harbours, saved in this order but added on other days, the most
    mentions in the first saved; and two archived ones saved last."""
    days = [5, 1, 6, 2, 4, 3]
    ids = [add(library, f"h{n}", "harbour " * (6 - n) + "quay", added=f"2026-01-0{day}T00:00:00+00:00")
           for n, day in enumerate(days)]
    archived = [add(library, f"old{n}", "harbour quay", archived=True) for n in range(2)]
    return ids, archived


def test_a_search_with_few_matches_is_ranked(library, harbours):
    ids, _archived = harbours
    assert library.ids(ListQuery(search="harbour")) == ids  # most mentions first


def test_a_search_keeps_each_views_articles_from_the_index_alone(library, harbours):
    ids, archived = harbours
    library.set_flag([ids[1]], "favourite", True)
    library.set_flag([ids[2]], "deleted", True)
    assert library.ids(ListQuery(search="harbour")) == [*ids[:2], *ids[3:]]  # not in the bin
    assert library.ids(ListQuery(view="favourites", search="harbour")) == [ids[1]]
    assert library.ids(ListQuery(view="archive", search="harbour")) == archived[::-1]
    assert library.count_matching(ListQuery(view="all", search="harbour")) == 7
    # Each match's view is read from the index on (id, flags), not from its article's row, whose
    # text comes first and runs over several pages in a real library: ranked or not.
    for ranked in (True, False):
        source, params = ListQuery(search="harbour").source(ranked)
        plan = " ".join(row[3] for row in library.query(
            f"EXPLAIN QUERY PLAN SELECT a.id FROM {source}", params))
        assert "COVERING INDEX articles_id_view" in plan, plan


def test_a_search_too_common_to_rank_keeps_the_newest_matches_in_the_lists_order(
        library, harbours, monkeypatch):
    ids, archived = harbours
    monkeypatch.setattr(listing, "RANKED_MATCHES", 5)  # eight matches: too many to rank
    monkeypatch.setattr(listing, "SEARCH_LIMIT", 4)
    # The four saved last in the inbox (the archived ones, saved later still, are not in it),
    # newest added first as the inbox sorts.
    newest = ids[2:]
    by_added = sorted(newest, key=lambda i: library.get(i).added, reverse=True)
    assert library.ids(ListQuery(search="harbour")) == by_added
    assert library.count_matching(ListQuery(search="harbour")) == 4
    assert library.ids(ListQuery(search="harbour", sort="title")) == newest  # h2 .. h5
    assert library.ids(ListQuery(view="archive", search="harbour")) == archived[::-1]
    # The window's search and the CLI's are one: the same rule, with passages.
    found = library.search("harbour", limit=3)  # every view: the archived ones were added today
    assert [row.id for row in found] == [archived[1], archived[0], ids[4]]
    assert all(f"{MATCH_START}harbour{MATCH_END}" in row.snippet for row in found)


def test_a_search_is_ranked_up_to_the_limit(library, harbours, monkeypatch):
    ids, archived = harbours
    monkeypatch.setattr(listing, "RANKED_MATCHES", 8)  # exactly as many as match
    assert library.ids(ListQuery(view="all", search="harbour"))[:5] == ids[:5]


def test_the_word_being_typed_is_a_prefix_from_two_letters():
    assert fts_query("harbour qu") == '"harbour" "qu"*'
    assert fts_query("harbour q") == '"harbour" "q"'  # one letter begins most words
    assert fts_query("x") == '"x"'


def test_a_one_letter_last_word_finds_the_word_only(library):
    letter = add(library, "letter", "plan b was ready")
    add(library, "word", "bread and butter")
    assert library.ids(ListQuery(view="all", search="b")) == [letter]
    assert snippet("plan b or bread", "b") == f"plan {MATCH_START}b{MATCH_END} or bread"


def test_snippets_find_words_spelled_otherwise(library):
    # No word spelled as searched: the accented one is found by folding.
    assert f"{MATCH_START}Café{MATCH_END}" in snippet("the old Café by the quay", "cafe")
    # The search accented, the text not.
    assert f"{MATCH_START}cafe{MATCH_END}" in snippet("the old cafe by the quay", "café")
    # Letters that lower-case into two come before the match: places are not shifted.
    marked = snippet("İstanbul " * 50 + "harbour walls", "harbour")
    assert f"{MATCH_START}harbour{MATCH_END} walls" in marked
    # A match in the title only: no passage.
    assert snippet("nothing here but İstanbul", "harbour") == ""


def test_snippets_of_a_common_word_are_the_first_passage():
    text = "Lorem ipsum. " * 100 + "The harbour. " * 3000
    marked = snippet(text, "the")
    assert marked.startswith("…") and marked.endswith("…")
    assert f"ipsum {MATCH_START}The{MATCH_END} harbour" in marked


def test_a_library_from_before_the_prefix_index_is_searched_after_migrating(tmp_path):
    path = tmp_path / "library.sqlite3"
    db = sqlite3.connect(path)
    before = next(n for n, sql in enumerate(MIGRATIONS) if "prefix='2 3 4'" in sql)
    for step, sql in enumerate(MIGRATIONS[:before]):
        db.executescript(f"BEGIN; {sql}; PRAGMA user_version = {step + 1}; COMMIT;")
    db.execute("INSERT INTO articles (url, original_url, title, added, text) "
               "VALUES ('u', 'u', 'Harbours', '2026-01-01', 'the theory of harbour walls')")
    db.commit()
    db.close()
    library = Library(path)
    try:
        assert library.ids(ListQuery(view="all", search="th")) == [1]
        assert library.ids(ListQuery(view="all", search="harbour wa")) == [1]
        prefix = library.query("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'")[0][0]
        assert "prefix='2 3 4'" in prefix
    finally:
        library.close()
