"""How many requests run at once: at most ``PER_HOST`` to one server and ``TOTAL`` in all, for
pages and their images alike, in the window's queue and ``reader add`` the same."""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

PER_HOST = 2  # requests to one server at once
TOTAL = 8  # requests at once in all


def host_of(url: str) -> str:
    """The server a URL is on (host and port): what the per-host limit counts."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"


class HostLimiter:
    """At most ``per_host`` requests to one server, and ``total`` in all, at any moment.

    The queue takes slots for pages without waiting (``try_acquire``), so a busy server never
    holds up the others; images wait for theirs (``slot``) and go first when a slot frees.
    """

    def __init__(self, per_host: int = PER_HOST, total: int = TOTAL,
                 on_release: Callable[[], None] = lambda: None):
        self.per_host = per_host
        self.total = total
        self._on_release = on_release
        self._busy: Counter[str] = Counter()
        self._waiting: Counter[str] = Counter()
        self._changed = threading.Condition()

    def has_room(self) -> bool:
        """Whether a request to some server could start now."""
        with self._changed:
            return sum(self._busy.values()) + sum(self._waiting.values()) < self.total

    def try_acquire(self, host: str) -> bool:
        with self._changed:
            if self._waiting[host] or not self._free(host, sum(self._waiting.values())):
                return False
            self._busy[host] += 1
            return True

    def acquire(self, host: str) -> None:
        with self._changed:
            self._waiting[host] += 1
            try:
                self._changed.wait_for(lambda: self._free(host, 0))
            finally:
                self._waiting[host] -= 1
                if not self._waiting[host]:
                    del self._waiting[host]
            self._busy[host] += 1

    def release(self, host: str) -> None:
        with self._changed:
            self._busy[host] -= 1
            if not self._busy[host]:
                del self._busy[host]
            self._changed.notify_all()
        self._on_release()

    @contextmanager
    def slot(self, url: str):
        host = host_of(url)
        self.acquire(host)
        try:
            yield
        finally:
            self.release(host)

    def _free(self, host: str, reserved: int) -> bool:
        return (self._busy[host] < self.per_host
                and sum(self._busy.values()) + reserved < self.total)


class _HasId(Protocol):
    id: int


Item = TypeVar("Item", bound=_HasId)


class Waiting(Generic[Item]):
    """Items waiting for a request slot, per server, each server's oldest first.

    ``take`` gives the oldest item whose server has a free slot: servers are tried in the order
    of their oldest item, and only servers already at their limit are passed over, so this stays
    quick with thousands of servers waiting. Not thread-safe: the queue holds its lock.
    """

    def __init__(self) -> None:
        self._by_host: dict[str, deque[Item]] = {}
        self._heads: list[tuple[int, str]] = []  # heap: (id of its first item, host), per host
        self._later: list[tuple[Item, str]] = []  # not to be tried before their ``not_before``

    def __bool__(self) -> bool:
        """Whether items wait for a slot now (not counting those waiting for their time)."""
        return bool(self._by_host)

    def push(self, item: Item, host: str) -> None:
        if getattr(item, "not_before", 0.0) > time.time():  # offline, or its server failing
            self._later.append((item, host))
        elif host in self._by_host:
            self._by_host[host].append(item)
        else:
            self._by_host[host] = deque([item])
            heapq.heappush(self._heads, (item.id, host))

    def take(self, limiter: HostLimiter) -> Item | None:
        """The next item to start, its server's slot taken; None if no server has room."""
        now = time.time()
        for item, host in [later for later in self._later if later[0].not_before <= now]:
            self._later.remove((item, host))
            self.push(item, host)
        passed_over: list[tuple[int, str]] = []
        taken = None
        while taken is None and self._heads:
            entry = heapq.heappop(self._heads)
            host = entry[1]
            if not limiter.try_acquire(host):
                passed_over.append(entry)
                continue
            waiting = self._by_host[host]
            taken = waiting.popleft()
            if waiting:
                heapq.heappush(self._heads, (waiting[0].id, host))
            else:
                del self._by_host[host]
        for entry in passed_over:
            heapq.heappush(self._heads, entry)
        return taken

    def drop(self, ids: set[int]) -> None:
        """Forget the items ``ids`` (cancelled)."""
        self._later = [(item, host) for item, host in self._later if item.id not in ids]
        self._by_host = {host: left for host, waiting in self._by_host.items()
                         if (left := deque(item for item in waiting if item.id not in ids))}
        self._heads = [(waiting[0].id, host) for host, waiting in self._by_host.items()]
        heapq.heapify(self._heads)

    def ids(self) -> set[int]:
        return ({item.id for waiting in self._by_host.values() for item in waiting}
                | {item.id for item, _host in self._later})

    def next_due(self) -> float:
        """When the first item waiting for its time is due (a time.time(); inf: none waits)."""
        return min((item.not_before for item, _host in self._later), default=float("inf"))
