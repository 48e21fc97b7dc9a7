"""Fixtures for the remote backend's tests: scripted servers, and a real one."""

from __future__ import annotations

import pytest

from reader.summarize.backends.remote import RemoteModel
from tests.llama_server import SERVER_KEY
from tests.summarize.openai_stub import OpenAIStub


@pytest.fixture
def stub():
    with OpenAIStub() as server:
        yield server
    assert not server.errors


@pytest.fixture
def make_stub():
    """Stubs built with the routes a test needs (/props, /v1/models, /tokenize, a key)."""
    started = []

    def make(**config) -> OpenAIStub:
        started.append(OpenAIStub(**config).__enter__())
        return started[-1]

    yield make
    for server in started:
        server.__exit__(None, None, None)
        assert not server.errors


@pytest.fixture
def served(llama_server):
    """The remote backend on llama-cpp-python's server, running the embedded model."""
    model = RemoteModel(llama_server + "/v1", "smollm2", api_key=SERVER_KEY, context_limit=2048)
    yield model
    model.close()
