"""A real OpenAI-compatible server for tests: llama-cpp-python's own, running the embedded
model on 127.0.0.1. Started once per session, by the tests that need it."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from tests.summarize.openai_stub import closed_port

SERVER_KEY = "reader-test-key"


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """``python -m llama_cpp.server`` with the embedded model; its base URL (no /v1)."""
    try:
        import llama_cpp.server.app  # noqa: F401 - needs llama-cpp-python[server]
    except ImportError as error:
        pytest.skip(f"llama-cpp-python's server extra is not installed ({error})")
    from reader.summarize.models import embedded_model_path

    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--api_key", SERVER_KEY],
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited:\n{log_path.read_text()[-2000:]}")
            try:
                answer = httpx.get(url + "/v1/models", timeout=1,
                                   headers={"Authorization": f"Bearer {SERVER_KEY}"})
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


