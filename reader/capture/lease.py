"""A capture queue's hold on its items in the library's ``capture_queue`` table.

Each queue owns its rows under a random owner id; the hold lapses unless a heartbeat renews it
within ``queue_rows.LEASE_SECONDS``, so that the next queue on the library (a window after a
``reader add`` that was killed, say) takes over the items of one that died.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection

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

    def keep(self, known: Collection[int]) -> list[QueueItem] | None:
        """Renew the lease if a beat is due. Returns the queued items taken over from queues
        that died meanwhile (less those in ``known``), or None when none were."""
        if time.monotonic() - self._renewed < HEARTBEAT_SECONDS:
            return None
        self.renew()
        if not rows.adopt(self.library, self.owner):
            return None
        return [item for item in rows.queue_items(self.library, self.owner, (rows.QUEUED,))
                if item.id not in known]
