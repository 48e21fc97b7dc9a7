"""Items handed over from other threads reach the UI thread in a few ordered batches."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from reader.ui.batches import Batches


def test_a_burst_from_other_threads_arrives_whole_and_in_order_in_few_batches(qtbot):
    batches = Batches(100)
    heard, threads = [], []
    batches.delivered.connect(lambda items: (heard.append(items),
                                             threads.append(QThread.currentThread())))

    def sender(first: int) -> None:
        for number in range(first, first + 300):
            batches.put(number)
            if number % 50 == 0:
                time.sleep(0.02)

    started = time.monotonic()
    senders = [threading.Thread(target=sender, args=(first,)) for first in (0, 1000)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    qtbot.waitUntil(lambda: sum(map(len, heard)) == 600, timeout=3000)
    qtbot.wait(150)  # nothing more comes
    items = [item for batch in heard for item in batch]
    assert sorted(items) == [*range(300), *range(1000, 1300)]
    for first in (0, 1000):  # each sender's items in the order it put them
        assert [item for item in items if first <= item < first + 300] == list(range(first, first + 300))
    # At most one delivery per interval (the first at once): not one per item.
    assert len(heard) <= (time.monotonic() - started) / 0.1 + 2
    assert set(threads) == {batches.thread()}


def test_the_first_item_comes_at_once_and_nothing_after_close(qtbot):
    batches = Batches(10_000)  # a long rest: only the first delivery can come in this test
    heard = []
    batches.delivered.connect(heard.append)
    threading.Thread(target=batches.put, args=("first",)).start()
    qtbot.waitUntil(lambda: heard == [["first"]], timeout=2000)
    batches.put("second")  # within the rest: waits for its end
    batches.close()
    qtbot.wait(100)
    assert heard == [["first"]]
    assert batches.take_waiting() == []
