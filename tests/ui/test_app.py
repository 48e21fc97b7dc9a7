"""The window stops gracefully on SIGTERM, SIGINT and SIGHUP: a real Reader, offscreen."""

import json
import signal
import time

import pytest

from tests.ui.test_single_instance import runtime_dir, start_reader, wait_until_listening  # noqa: F401


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_closes_the_window_and_saves_its_state(tmp_path, qapp, number):
    home = tmp_path / "home"
    reader = start_reader(home)
    try:
        wait_until_listening(home, reader)
        time.sleep(0.5)  # past show(): the event loop is waiting
        asked = time.monotonic()
        reader.send_signal(number)
        _, err = reader.communicate(timeout=20)
        assert reader.returncode == 0, err
        assert time.monotonic() - asked < 15
        state = json.loads((home / "config" / "window.json").read_text())
        assert "geometry" in state
        assert "Asked to stop by a signal" in (home / "logs" / "reader.log").read_text()
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait(10)
