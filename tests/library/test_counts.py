"""View and tag counts are kept by triggers, never recounted: after any sequence of changes they
equal a recount of the articles (a hypothesis state machine drives the real library)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from reader.errors import LibraryError
from reader.library import Library, NewArticle
from reader.library.listing import VIEWS, ListQuery

TAGS = ["energy", "Energy2", "food", "harbour", "été"]
FLAGS = ["archived", "favourite", "read", "deleted"]


def recount(library: Library) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The counts as a scan of every article gives them."""
    views = {view: library.count_matching(ListQuery(view=view)) for view in VIEWS}
    tags = library.query(
        "SELECT tags.name, count(*) FROM tags JOIN article_tags ON tag_id = tags.id "
        "JOIN articles ON articles.id = article_id AND articles.deleted = 0 "
        "GROUP BY tags.id ORDER BY tags.name COLLATE NOCASE")
    return views, tags


class LibraryCounts(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="reader-counts-"))
        self.library = Library(self.folder / "library.sqlite3")
        self.ids: list[int] = []
        self.changes = []
        self.serial = 0

    def teardown(self):
        self.library.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def pick(self, data, at_least: int = 1) -> list[int]:
        return data.draw(st.lists(st.sampled_from(self.ids), min_size=at_least, max_size=4,
                                  unique=True))

    @rule(archived=st.booleans(), favourite=st.booleans(),
          tags=st.lists(st.sampled_from(TAGS), unique_by=str.lower, max_size=3))
    def add(self, archived, favourite, tags):
        self.serial += 1
        url = f"https://example.org/{self.serial}"
        article_id, new = self.library.add(NewArticle(
            url=url, original_url=url, title=f"T{self.serial}", body_html="<p>x</p>", text="x y",
            archived=archived, favourite=favourite, tags=tags))
        assert new
        self.ids.append(article_id)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), flag=st.sampled_from(FLAGS), value=st.booleans())
    def set_flag(self, data, flag, value):
        self.changes.append(self.library.set_flag(self.pick(data), flag, value))

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), name=st.sampled_from(TAGS), present=st.booleans())
    def tag(self, data, name, present):
        self.changes.append(self.library.tag(self.pick(data), name, present))

    @rule(old=st.sampled_from(TAGS), new=st.sampled_from(TAGS))
    def rename(self, old, new):
        try:
            self.changes.append(self.library.rename_tag(old, new))
        except LibraryError:
            pass  # no such tag, or the new name is taken: nothing changed

    @precondition(lambda self: self.changes)
    @rule()
    def undo(self):
        try:
            self.library.undo(self.changes.pop())
        except LibraryError:
            pass  # a rename back onto a name taken since

    @rule()
    def purge(self):
        self.library.purge_deleted()
        alive = {row[0] for row in self.library.query("SELECT id FROM articles")}
        self.ids = [i for i in self.ids if i in alive]
        self.changes.clear()  # as after a restart: the bin's changes cannot be undone

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def delete_outright(self, data):
        """An article deleted without going through the bin (an article in a view, with tags)."""
        article_id = data.draw(st.sampled_from(self.ids))
        with self.library.transaction() as tx:
            tx.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self.ids.remove(article_id)
        self.changes.clear()

    @invariant()
    def counts_equal_a_recount(self):
        views, tags = recount(self.library)
        assert self.library.view_counts() == views
        assert self.library.tag_counts() == tags
        assert self.library.count() == views["all"]


LibraryCounts.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                           deadline=None)
test_counts_stay_equal_to_a_recount = LibraryCounts.TestCase


def test_counts_are_read_from_the_kept_tables_not_recounted(library):
    """Proof that nothing scans the articles: a kept count, set by hand, is what is read."""
    assert library.view_counts() == {"inbox": 1, "favourites": 0, "archive": 0, "all": 1}
    library.tag(library.ids(ListQuery()), "energy")
    with library.transaction() as tx:
        tx.execute("UPDATE view_counts SET articles = 99999 WHERE view = 'archive'")
        tx.execute("UPDATE tags SET articles = 4242 WHERE name = 'energy'")
    assert library.view_counts()["archive"] == 99999
    assert library.tag_counts() == [("energy", 4242)]
