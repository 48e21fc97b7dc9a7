"""Fixtures shared by the capture tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.capture.queue import CaptureQueue
from reader.capture.retry import Retry
from reader.library import Library
from tests.capture.exports import IMPORTS, omnivore_zip
from tests.capture.queue_helpers import CountingSite


@pytest.fixture
def export(tmp_path):
    """The path of a fixture export; "omnivore.zip" is built from fixtures/imports/omnivore."""

    def find(name: str) -> Path:
        if name == "omnivore.zip":
            return omnivore_zip(IMPORTS / "omnivore", tmp_path / "omnivore.zip")
        return IMPORTS / name

    return find


@pytest.fixture
def sites():
    """Make CountingSite servers; all shut down after the test."""
    made: list[CountingSite] = []

    def make(**options) -> CountingSite:
        made.append(CountingSite(**options))
        return made[-1]

    yield make
    for site in made:
        site.close()


@pytest.fixture
def make_queue(extractor):
    """Make capture queues (recording their events in ``queue.events``); stopped afterwards."""
    made: list[CaptureQueue] = []

    def make(library: Library, **options) -> CaptureQueue:
        events: list = []
        options.setdefault("retry", Retry(first_pause=0.05))  # a failing server: tried at once
        queue = CaptureQueue(library, events.append, extractor=extractor, **options)
        queue.events = events
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.stop(timeout=1)
