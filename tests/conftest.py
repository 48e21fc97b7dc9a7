"""Shared fixtures: a temporary library home, a real HTTP server with fixture pages, the real
tiny model."""

from __future__ import annotations

import os

# Before Qt is imported anywhere: real widgets, no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.fixture_site import FixtureSite
from tests.llama_server import llama_server  # noqa: F401 - a fixture for every test package


@pytest.fixture(autouse=True)
def no_internet_archive(monkeypatch):
    """Tests never ask the real Internet Archive: dead links are looked up only where a test
    sets ``wayback_endpoint`` to its stand-in."""
    monkeypatch.setattr("reader.capture.wayback.PUBLIC_ENDPOINT", "")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty Reader home (library, settings, logs) for one test."""
    monkeypatch.setenv("READER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def library(home):
    from reader.library import open_library

    library = open_library()
    yield library
    library.close()


@pytest.fixture(scope="session")
def site():
    """A real web server on 127.0.0.1 serving tests/fixtures/pages and some broken answers."""
    with FixtureSite() as server:
        yield server


@pytest.fixture(scope="session")
def tiny_model():
    """The embedded SmolLM2-135M model, loaded once for the whole session."""
    from reader.summarize.backends.local import LocalModel
    from reader.summarize.models import embedded_model_path

    return LocalModel(embedded_model_path(), context_limit=2048)


@pytest.fixture(scope="session")
def extractor():
    """One pool of extraction processes for the session (starting one takes a second)."""
    from reader.capture.extractor import Extractor

    extractor = Extractor(workers=2)
    yield extractor
    extractor.close()


@pytest.fixture
def capture(library, extractor):
    """Save one link in ``library`` through the capture queue, as ``reader add`` does: returns
    its ``Outcome`` (article id, title, whether new), raises CaptureError with the reason."""
    from reader.capture.batch import capture_all
    from reader.capture.fetch import TIMEOUT_SECONDS
    from reader.errors import CaptureError

    def capture(url: str, timeout: float = TIMEOUT_SECONDS):
        (outcome,) = capture_all(library, [url], extractor=extractor, timeout=timeout)
        if outcome.error:
            raise CaptureError(outcome.error)
        return outcome

    return capture
