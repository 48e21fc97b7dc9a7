"""Two starts of Reader on one library: the second hands its link to the first and exits."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from reader.ui.single_instance import server_name


def start_reader(home: Path, *links: str) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-m", "reader", "--home", str(home), *links],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until_listening(home: Path, process: subprocess.Popen, seconds: float = 30) -> None:
    name = server_name(home / "library.sqlite3")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(200):
            socket.disconnectFromServer()
            return
        time.sleep(0.2)
    pytest.fail("the first Reader never started listening")


def article_urls(home: Path) -> list[str]:
    with sqlite3.connect(f"file:{home / 'library.sqlite3'}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT url FROM articles")]


@pytest.fixture
def first_reader(tmp_path, qapp):
    home = tmp_path / "home"
    process = start_reader(home)
    wait_until_listening(home, process)
    yield home, process
    if process.poll() is None:
        process.terminate()
        process.wait(10)


def test_a_second_start_hands_its_link_to_the_running_window(first_reader, site):
    home, first = first_reader
    url = site.url("blog-post.html")
    second = start_reader(home, url)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "already running" in out
    deadline = time.monotonic() + 20
    while url not in article_urls(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert url in article_urls(home)
    assert first.poll() is None  # the first window is still the one running


def test_a_reader_that_crashed_does_not_block_the_next_start(first_reader, site):
    home, first = first_reader
    first.send_signal(signal.SIGKILL)  # leaves its socket file behind, as a crash would
    first.wait(10)
    again = start_reader(home)
    try:
        wait_until_listening(home, again)
        handed = start_reader(home, site.url("german-article.html"))
        out, _ = handed.communicate(timeout=30)
        assert "already running" in out
    finally:
        again.terminate()
        again.wait(10)
