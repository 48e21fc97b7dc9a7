"""Library changes as a Qt signal on the UI thread: at once when written there, queued and
merged when written elsewhere (at most one delivery per interval, in order), queued when
written while one is being delivered."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from reader.library import NewArticle
from reader.library.events import LibraryChange
from reader.ui.library_events import DELIVERY_INTERVAL_MS, LibraryEvents


def add(library, name):
    url = f"https://example.org/{name}"
    return library.add(NewArticle(url=url, original_url=url, title=name, body_html="",
                                  text="x"))[0]


def test_a_change_on_the_ui_thread_arrives_at_once(qtbot, library):
    events = LibraryEvents(library)
    heard = []
    events.changed.connect(heard.append)
    article = add(library, "one")
    assert heard == [LibraryChange(added=frozenset({article}), counts=True)]
    events.close()
    add(library, "two")
    assert len(heard) == 1


def test_changes_from_another_thread_arrive_merged_on_the_ui_thread(qtbot, library):
    events = LibraryEvents(library)
    heard, threads = [], []
    events.changed.connect(lambda change: (heard.append(change),
                                           threads.append(QThread.currentThread())))
    added = []
    writer = threading.Thread(target=lambda: added.extend(add(library, n) for n in range(5)))
    writer.start()
    writer.join()
    assert heard == []  # not on the writer's thread
    qtbot.waitUntil(lambda: bool(heard), timeout=3000)
    assert heard == [LibraryChange(added=frozenset(added), counts=True)]  # one delivery
    assert threads == [events.thread()]
    events.close()


def test_a_change_written_while_one_is_delivered_comes_after_it(qtbot, library):
    events = LibraryEvents(library)
    heard = []
    article = add(library, "one")

    def listener(change):
        heard.append(change)
        if len(heard) == 1:  # a view marking the article read as the selection moves
            library.set_flag([article], "read", True)
            assert len(heard) == 1

    events.changed.connect(listener)
    library.set_flag([article], "favourite", True)
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=3000)
    assert heard[1] == LibraryChange(updated=frozenset({article}))
    events.close()


def test_a_burst_from_another_thread_is_delivered_at_most_once_per_interval(qtbot, library):
    events = LibraryEvents(library)
    heard = []
    events.changed.connect(heard.append)
    added = []

    def writer():
        for n in range(20):
            added.append(add(library, f"burst-{n}"))
            time.sleep(0.01)

    thread = threading.Thread(target=writer)
    started = time.monotonic()
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive() and set(added) == set().union(
        *(change.added for change in heard)), timeout=5000)
    seconds = time.monotonic() - started
    assert 2 <= len(heard) <= seconds * 1000 / DELIVERY_INTERVAL_MS + 2  # not one per article
    events.close()


def test_a_change_on_the_ui_thread_comes_after_those_still_waiting(qtbot, library):
    events = LibraryEvents(library)
    heard = []
    events.changed.connect(heard.append)
    first = []
    writer = threading.Thread(target=lambda: first.append(add(library, "elsewhere")))
    writer.start()
    writer.join()
    here = add(library, "here")  # delivered at once, with the one waiting before it
    assert heard == [LibraryChange(added=frozenset({first[0], here}), counts=True)]
    qtbot.wait(2 * DELIVERY_INTERVAL_MS)
    assert len(heard) == 1
    events.close()
