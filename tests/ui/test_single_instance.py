"""Two starts of Reader on one library: the second hands its link to the first and exits; a
socket or folder held by something else does not stop Reader from starting."""

import os
import shutil
import signal
import socket as sockets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalSocket

from reader.ui.single_instance import MAX_MESSAGE, server_name


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch):
    """A runtime folder of this test's own (short: a socket's path has at most 107 bytes)."""
    folder = tempfile.mkdtemp(prefix="rt")
    monkeypatch.setenv("XDG_RUNTIME_DIR", folder)
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


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


def wait_for_log(home: Path, text: str, process: subprocess.Popen, seconds: float = 30) -> None:
    log = home / "logs" / "reader.log"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"never logged {text!r}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(20)


def test_the_socket_is_in_a_folder_only_the_user_can_enter(runtime_dir):
    path = Path(server_name(Path("/some/library.sqlite3")))
    assert path.parent == runtime_dir / "reader"
    assert path.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("owner", ["this user", "another user"])
def test_a_squatter_on_the_socket_is_found_out_and_reader_starts(tmp_path, qapp, owner):
    home = tmp_path / "home"
    path = server_name(home / "library.sqlite3")
    squatter = sockets.socket(sockets.AF_UNIX)
    squatter.bind(path)
    squatter.listen()
    if owner == "another user":
        if os.getuid() != 0:
            pytest.skip("only root can give a file to another user")
        os.chown(path, 65534, 65534)
    heard = []

    def listen():  # takes what comes and never answers as Reader would
        connection, _ = squatter.accept()
        connection.settimeout(5)
        heard.append(connection.recv(65536))
        connection.sendall(b"no\n")
        connection.close()

    threading.Thread(target=listen, daemon=True).start()
    reader = start_reader(home, "https://example.org/private")
    try:
        wait_for_log(home, "Another program holds Reader's socket", reader)
        assert reader.poll() is None  # Reader started all the same
        if owner == "another user":
            assert heard == []  # a socket that is not ours is told nothing
    finally:
        stop(reader)
        squatter.close()


def test_a_folder_anyone_can_enter_is_refused_and_reader_starts(tmp_path, runtime_dir, qapp):
    (runtime_dir / "reader").mkdir(mode=0o777)
    (runtime_dir / "reader").chmod(0o777)
    home = tmp_path / "home"
    reader = start_reader(home)
    try:
        wait_for_log(home, "is not a folder only this user can enter", reader)
    finally:
        stop(reader)


def test_an_endless_message_is_cut_off_and_reader_still_answers(first_reader, site):
    home, first = first_reader
    socket = QLocalSocket()
    socket.connectToServer(server_name(home / "library.sqlite3"))
    assert socket.waitForConnected(2000)
    socket.write(b"x" * (MAX_MESSAGE + 100_000))  # no end of line, ever
    socket.waitForBytesWritten(2000)
    deadline = time.monotonic() + 10
    while socket.state() == QLocalSocket.LocalSocketState.ConnectedState and \
            time.monotonic() < deadline:
        socket.waitForDisconnected(200)
    assert socket.state() != QLocalSocket.LocalSocketState.ConnectedState
    handed = start_reader(home, site.url("blog-post.html"))
    out, _ = handed.communicate(timeout=30)
    assert "already running" in out
    assert first.poll() is None
