"""Request limits: per server and in all, and the order in which waiting items get a slot.
(The queue keeping to them against real servers is in test_queue.)"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reader.capture.limits import HostLimiter, Waiting, host_of


@dataclass(frozen=True)
class Item:
    id: int


def test_host_is_host_and_port():
    assert host_of("https://Example.org/a") == "example.org:https"
    assert host_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"


def test_at_most_per_host_and_total():
    limiter = HostLimiter(per_host=2, total=3)
    assert limiter.try_acquire("a") and limiter.try_acquire("a")
    assert not limiter.try_acquire("a")
    assert limiter.try_acquire("b")
    assert not limiter.has_room() and not limiter.try_acquire("c")
    limiter.release("a")
    assert limiter.try_acquire("c")


def test_a_waiting_image_goes_before_new_pages():
    released = []
    limiter = HostLimiter(per_host=1, total=1, on_release=lambda: released.append(1))
    assert limiter.try_acquire("a")
    got = threading.Event()

    def image() -> None:
        with limiter.slot("http://b/img.png"):
            got.set()

    waiter = threading.Thread(target=image)
    waiter.start()
    while not limiter._waiting:  # noqa: SLF001 - the image is waiting
        threading.Event().wait(0.01)
    limiter.release("a")
    assert not limiter.try_acquire("c")  # the slot is the image's
    waiter.join(5)
    assert got.is_set() and released


def test_waiting_items_go_oldest_first_passing_over_busy_servers():
    limiter = HostLimiter(per_host=1, total=8)
    waiting: Waiting[Item] = Waiting()
    for number, host in ((1, "a"), (2, "a"), (3, "b"), (4, "c")):
        waiting.push(Item(number), host)
    assert waiting.take(limiter) == Item(1)
    assert waiting.take(limiter) == Item(3)  # "a" is busy: its second item waits
    waiting.drop({4})
    assert waiting.take(limiter) is None  # "a" and "b" busy, "c" dropped
    assert waiting.ids() == {2}
    limiter.release("a")
    assert waiting.take(limiter) == Item(2)
    assert not waiting
