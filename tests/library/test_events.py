"""Each write announces, once and after its commit, which articles it added, updated or
removed and whether counts moved; a failed write announces nothing."""

from __future__ import annotations

import threading

import pytest

from reader.errors import LibraryError
from reader.library import NewArticle
from reader.library.events import LibraryChange, merged


@pytest.fixture
def heard(library):
    changes: list[LibraryChange] = []
    unsubscribe = library.subscribe(changes.append)
    yield changes
    unsubscribe()


def add(library, name, **fields):
    url = f"https://example.org/{name}"
    return library.add(NewArticle(url=url, original_url=url, title=name, body_html="<p>x</p>",
                                  text="x", **fields))[0]


def test_each_write_says_what_it_changed(library, heard):
    first = add(library, "first", tags=["energy"])
    second = add(library, "second")
    assert heard == [LibraryChange(added=frozenset({first}), counts=True),
                     LibraryChange(added=frozenset({second}), counts=True)]
    heard.clear()

    add(library, "first")  # already there: nothing written, nothing said
    archive = library.set_flag([first, second], "archived", True)
    library.set_flag([first], "read", True)  # moves no count
    library.undo(archive)
    library.tag([second], "energy")
    library.rename_tag("energy", "power")
    library.save_summary(first, "model", "v1", "A summary.")
    library.replace_content(second, "Second", "<p>y</p>", "y")
    library.set_position(first, 0.5)  # shown only where it was set: not announced
    both = frozenset({first, second})
    assert heard == [
        LibraryChange(updated=both, counts=True),
        LibraryChange(updated=frozenset({first})),
        LibraryChange(updated=both, counts=True),
        LibraryChange(updated=frozenset({second}), counts=True),
        LibraryChange(updated=both, counts=True),
        LibraryChange(updated=frozenset({first})),
        LibraryChange(updated=frozenset({second}), content=frozenset({second})),
    ]
    heard.clear()

    library.set_flag([first], "deleted", True)  # in the bin: undo can bring it back
    assert heard[-1] == LibraryChange(updated=frozenset({first}), counts=True)
    assert library.purge_deleted() == 1
    assert heard[-1] == LibraryChange(removed=frozenset({first}))


def test_a_failed_write_announces_nothing(library, heard):
    article = add(library, "one")
    heard.clear()
    with pytest.raises(LibraryError):
        library.rename_tag("missing", "other")
    with pytest.raises(RuntimeError):
        with library.transaction() as tx:
            library.set_flag([article], "archived", True)  # joins, then the whole is undone
            raise RuntimeError("stop")
    assert heard == [] and not library.get(article).archived


def test_writes_inside_one_transaction_are_announced_once(library, heard):
    article = add(library, "one")
    heard.clear()
    with library.transaction():
        library.set_flag([article], "favourite", True)
        library.tag([article], "energy")
        assert heard == []  # not before the commit
    assert heard == [LibraryChange(updated=frozenset({article}), counts=True)]


def test_listeners_hear_on_the_writing_thread(library, heard):
    threads = []
    library.subscribe(lambda change: threads.append(threading.current_thread()))
    writer = threading.Thread(target=add, args=(library, "elsewhere"))
    writer.start()
    writer.join()
    assert threads == [writer]


def test_an_id_removed_and_given_again_is_merged_as_added():
    """SQLite gives a new article the id of the last one deleted: removed, then added."""
    gone = LibraryChange(removed=frozenset({7}), counts=True)
    again = LibraryChange(added=frozenset({7}), counts=True)
    edited = LibraryChange(updated=frozenset({7, 8}))
    assert merged([gone, again, edited]) == LibraryChange(added=frozenset({7}),
                                                          updated=frozenset({8}), counts=True)
    assert merged([again, edited, gone]) == LibraryChange(removed=frozenset({7}),
                                                          updated=frozenset({8}), counts=True)


def test_a_new_body_is_merged_unless_its_article_went():
    """A reader view lays an article out again for its new body (its pictures came in), not
    for one that went meanwhile."""
    pictures = LibraryChange(content=frozenset({7, 8}))
    gone = LibraryChange(removed=frozenset({8}), counts=True)
    assert merged([pictures, gone]) == LibraryChange(removed=frozenset({8}), counts=True,
                                                     content=frozenset({7}))
    assert merged([pictures]).content == {7, 8} and bool(pictures)
