"""What ``enqueue`` makes of a batch mixing every case, page by page and in order: new links,
links already saved, already queued (by another owner), failed or cancelled and queued again,
saved and since deleted, waiting articles without a row, and one address given twice."""

from __future__ import annotations

import pytest

from reader.library import NewArticle, pending, queue_rows
from reader.library.events import LibraryChange
from reader.library.queue_rows import (
    ALREADY_QUEUED,
    CANCELLED,
    FAILED,
    IN_LIBRARY,
    NEW,
    QUEUED,
    SAVED,
    enqueue,
)

ME, OTHER = "window", "cli"


def _page(name: str, form: str = "", **metadata) -> tuple[str, str, dict]:
    """A page at https://site.example/``name``, given as ``form`` of its address (utm, ...)."""
    canonical = f"https://site.example/{name}"
    return canonical + form, canonical, metadata


def _queued_then(library, name: str, state: str):
    [(_, item)] = enqueue(library, ME, [_page(name)])
    queue_rows.change_states(library, ME, [item.id], (QUEUED,), state)
    return item


@pytest.fixture
def mixed(library):
    """The library before the batch: an item of each kind, by name."""
    url = _page("saved")[1]
    library.add(NewArticle(url=url, original_url=url, title="Saved", body_html="<p>x</p>",
                           text="x"))
    enqueue(library, OTHER, [_page("other")])
    failed = _queued_then(library, "failed", FAILED)
    pending.mark_failed(library, failed.article_id, "Not found")
    cancelled = _queued_then(library, "cancelled", CANCELLED)
    gone = _queued_then(library, "gone", SAVED)
    library.set_flag([gone.article_id], "deleted", True)
    library.purge_deleted()
    waiting, _ = pending.store_pending(library, pending.placeholder(
        _page("imported")[1], _page("imported")[0]))
    return {"failed": failed, "cancelled": cancelled, "gone": gone, "imported": waiting}


BATCH = [
    _page("new", title="A title", tags=["news", "Later"], archived=True, favourite=False,
          added="2020-01-02T03:04:05+00:00"),
    _page("saved"),
    _page("other"),
    _page("failed", "?utm_source=x", title="Again"),
    _page("new", "#again"),
    _page("cancelled"),
    _page("gone"),
    _page("imported"),
    _page("failed"),
    _page("plain"),
]


@pytest.mark.parametrize("batch_size", [1, 3, 50])
def test_a_mixed_batch_gives_each_page_its_outcome_in_order(library, mixed, monkeypatch,
                                                            batch_size):
    monkeypatch.setattr(queue_rows, "ENQUEUE_BATCH", batch_size)
    results = enqueue(library, ME, BATCH)

    assert [outcome for outcome, _ in results] == [
        NEW, IN_LIBRARY, ALREADY_QUEUED, NEW, ALREADY_QUEUED, NEW, NEW, NEW, ALREADY_QUEUED, NEW]
    items = [item for _, item in results]
    new, _, other, failed, new_again, cancelled, gone, imported, failed_again, plain = items
    assert items[1] is None
    # The second page of an address is the first one's item, as queued by it.
    assert new_again == new and failed_again == failed
    assert (other.state, queue_rows.item_owner(library, other.id)) == (QUEUED, OTHER)
    for item in (new, failed, cancelled, gone, imported, plain):
        assert (item.state, item.reason, queue_rows.item_owner(library, item.id)) == (
            QUEUED, "", ME)
    # Rows tried before are queued again, themselves, with what this batch says of them.
    assert [failed.id, cancelled.id, gone.id] == [
        mixed[name].id for name in ("failed", "cancelled", "gone")]
    assert (failed.url, failed.metadata) == (BATCH[3][0], {"title": "Again"})
    # A waiting or failed article is queued for; the others are articles at once.
    assert failed.article_id == mixed["failed"].article_id
    assert pending.fetch_status(library, failed.article_id).state == pending.FAILED
    assert imported.article_id == mixed["imported"]
    assert gone.article_id != mixed["gone"].article_id
    for item in (new, gone, plain):
        assert pending.fetch_status(library, item.article_id).state == pending.PENDING
    assert new.metadata["tags"] == ["news", "Later"]
    article = library.get(new.article_id)
    assert (article.url, article.title, article.tags, article.archived, article.added) == (
        BATCH[0][1], "A title", ["Later", "news"], True, "2020-01-02T03:04:05+00:00")
    assert library.get(plain.article_id).title == BATCH[9][0]  # no title: its address
    assert queue_rows.queue_counts(library, ME)[QUEUED] == 6


def test_a_batch_is_one_change_naming_the_articles_it_made(library, mixed):
    heard: list[LibraryChange] = []
    library.subscribe(heard.append)
    before = library.view_counts()
    results = enqueue(library, ME, BATCH)

    made = {results[i][1].article_id for i in (0, 6, 9)}  # new, gone, plain
    assert heard == [LibraryChange(added=frozenset(made), counts=True)]
    assert library.view_counts()["all"] == before["all"] + 3
    assert library.view_counts()["archive"] == before["archive"] + 1
    assert dict(library.tag_counts()) == {"Later": 1, "news": 1}

    heard.clear()  # queued again, each for the article it has: no article made, nothing said
    queue_rows.change_states(library, ME, None, (QUEUED,), CANCELLED)
    assert [outcome for outcome, _ in enqueue(library, ME, BATCH[3:])] == [
        NEW, NEW, NEW, NEW, NEW, ALREADY_QUEUED, NEW]
    assert heard == []
