"""A capture queue's hold on its items in the library's ``capture_queue`` table.

Each queue owns its rows under a random owner id; the hold lapses unless a heartbeat renews it
within ``queue_rows.LEASE_SECONDS``, so that the next queue on the library (a window after a
``reader add`` that was killed, say) takes over the items of one that died.
"""

from __future__ import annotations

import time
import uuid

from reader.library import Library, queue_rows as rows
from reader.library.queue_rows import QueueItem

HEARTBEAT_SECONDS = 10.0  # well within queue_rows.LEASE_SECONDS


class Lease:
    def __init__(self, library: Library):
        self.library = library
        self.owner = uuid.uuid4().hex
        self._renewed = 0.0
        self.renew()

    def renew(self) -> None:
        rows.heartbeat(self.library, self.owner)
        self._renewed = time.monotonic()

    def take_over(self) -> list[QueueItem]:
        """Adopt the items of queues that died or quit, and forget their finished ones (they
        were shown); returns the queued items, to go on with."""
        rows.adopt(self.library, self.owner)
        rows.clear_queue(self.library, self.owner, (rows.SAVED, rows.CANCELLED))
        return rows.queue_items(self.library, self.owner, (rows.QUEUED,))

    def keep(self) -> list[QueueItem] | None:
        """Renew the lease if a beat is due. Where that took over the items of queues that died
        meanwhile, returns this queue's queued items (the taken-over ones among them); else None."""
        if time.monotonic() - self._renewed < HEARTBEAT_SECONDS:
            return None
        self.renew()
        if not rows.adopt(self.library, self.owner):
            return None
        return rows.queue_items(self.library, self.owner, (rows.QUEUED,))
