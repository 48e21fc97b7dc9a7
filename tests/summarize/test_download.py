"""Downloading a catalogue model, against a local stand-in for Hugging Face.

Two real HTTP servers on 127.0.0.1: the "hub", answering huggingface_hub's HEAD on
``/{repo}/resolve/{revision}/{file}`` the way huggingface.co does for an LFS file (a redirect to
a CDN, with ``X-Repo-Commit``, ``X-Linked-Etag`` holding the SHA-256 and ``X-Linked-Size``), and
the "CDN", on another port (another origin, as the real one is), serving the bytes with ``Range``
support, and, when a test asks, dropping the connection halfway, sending wrong bytes or going
slowly.
"""

from __future__ import annotations

import hashlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reader.errors import ModelError
from reader.summarize import download as downloads
from reader.summarize import gguf
from reader.summarize.catalogue import CatalogueEntry
from reader.summarize.download import DownloadCancelled, download, partial_bytes

REPO = "test-org/tiny-GGUF"
FILENAME = "tiny-Q4_K_M.gguf"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
ENTRY = CatalogueEntry(id="tiny", name="Tiny", repo_id=REPO, filename=FILENAME, size=3_000_000,
                       description="A test model")


def fake_gguf(payload_bytes: int = 3 * 1024 * 1024) -> bytes:
    """A small file with a real GGUF header (two metadata keys, no tensors) and filler."""

    def string(text: str) -> bytes:
        data = text.encode()
        return struct.pack("<Q", len(data)) + data

    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 2)
    header += string("general.architecture") + struct.pack("<I", 8) + string("llama")
    header += string("general.name") + struct.pack("<I", 8) + string("Tiny test model")
    return header + random.Random(7).randbytes(payload_bytes)


CONTENT = fake_gguf()
SHA256 = hashlib.sha256(CONTENT).hexdigest()


@dataclass
class Behaviour:
    """How the stand-in servers answer; tests change it."""

    content: bytes = CONTENT
    sha256: str = SHA256  # what the hub says the file's SHA-256 is
    drop_first_get_at: int | None = None  # bytes after which the first GET is cut
    drops_left: int = 1
    ignore_range: bool = False
    chunk_delay: float = 0.0  # seconds between 64 KiB pieces
    repos: dict = field(default_factory=lambda: {REPO: "public"})
    requests: list = field(default_factory=list)  # (server, method, path, Range header)


class HubStub:
    def __init__(self):
        self.behaviour = Behaviour()
        self.cdn = _server(self, "cdn")
        self.hub = _server(self, "hub")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.hub.server_port}"

    @property
    def cdn_url(self) -> str:
        return f"http://127.0.0.1:{self.cdn.server_port}"

    def gets(self) -> list:
        return [r for r in self.behaviour.requests if r[0] == "cdn" and r[1] == "GET"]

    def close(self):
        for server in (self.hub, self.cdn):
            server.shutdown()
            server.server_close()


def _server(stub: HubStub, role: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_HEAD(self):
            self._answer(body=False)

        def do_GET(self):
            self._answer(body=True)

        def _answer(self, body: bool):
            b = stub.behaviour
            b.requests.append((role, self.command, self.path, self.headers.get("Range")))
            if role == "hub":
                self._hub(b)
            else:
                self._cdn(b, body)

        def _hub(self, b: Behaviour):
            parts = self.path.split("/")  # "", org, name, "resolve", revision, file
            if len(parts) < 6 or parts[3] != "resolve":
                return self._status(404, {"X-Error-Code": "RepoNotFound"})
            repo, filename = f"{parts[1]}/{parts[2]}", "/".join(parts[5:])
            access = b.repos.get(repo)
            if access is None:
                return self._status(401, {"X-Error-Code": "RepoNotFound",
                                          "X-Error-Message": "Repository not found"})
            if access == "gated":
                return self._status(403, {"X-Error-Code": "GatedRepo",
                                          "X-Error-Message": "Access to this model is restricted"})
            if filename != FILENAME:
                return self._status(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT,
                                          "X-Error-Message": "Entry not found"})
            self._status(302, {
                "Location": f"{stub.cdn_url}/blobs/{b.sha256}",
                "X-Repo-Commit": COMMIT,
                "X-Linked-Etag": f'"{b.sha256}"',
                "X-Linked-Size": str(len(b.content)),
                "ETag": '"a1b2c3"',
            })

        def _cdn(self, b: Behaviour, body: bool):
            content = b.content
            start, status = 0, 200
            wanted = self.headers.get("Range")
            if wanted and not b.ignore_range:
                start = int(wanted.removeprefix("bytes=").split("-")[0])
                if start >= len(content):
                    return self._status(416, {"Content-Range": f"bytes */{len(content)}"})
                status = 206
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(content) - start))
            if status == 206:
                last = len(content) - 1
                self.send_header("Content-Range", f"bytes {start}-{last}/{len(content)}")
            self.end_headers()
            if not body:
                return
            stop = len(content)
            drop = self.command == "GET" and b.drop_first_get_at is not None and b.drops_left > 0
            if drop:
                b.drops_left -= 1
                stop = min(stop, start + b.drop_first_get_at)
            try:
                for offset in range(start, stop, 64 * 1024):
                    self.wfile.write(content[offset:min(offset + 64 * 1024, stop)])
                    if b.chunk_delay:
                        self.wfile.flush()
                        time.sleep(b.chunk_delay)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            if drop:  # cut the connection mid-body, as a flaky network does
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        def _status(self, code: int, headers: dict):
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), name=f"hub-stub-{role}",
                     daemon=True).start()
    return server


@pytest.fixture
def hub():
    stub = HubStub()
    yield stub
    stub.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(downloads, "RETRY_WAIT_SECONDS", 0.05)


def files(folder):
    """What a download left in ``folder``, but for its lock file."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def fetch(hub, folder, **options):
    return download(ENTRY, folder=folder, endpoint=hub.endpoint, token=False, **options)


def test_a_model_downloads_with_progress_and_is_checked(hub, tmp_path):
    seen = []
    path = fetch(hub, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / FILENAME
    assert path.read_bytes() == CONTENT
    assert gguf.read_metadata(path)["general.name"] == "Tiny test model"
    assert len(seen) > 10 and seen[-1] == (len(CONTENT), len(CONTENT))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert not list(tmp_path.glob("*.part"))
    heads = [r for r in hub.behaviour.requests if r[:2] == ("hub", "HEAD")]
    assert heads and heads[0][2] == f"/{REPO}/resolve/main/{FILENAME}"


def test_the_catalogue_model_goes_to_the_models_folder(hub, home):
    from reader.summarize.catalogue import catalogue_path

    path = download(ENTRY, endpoint=hub.endpoint, token=False)
    assert path == catalogue_path(ENTRY) == home / "models" / FILENAME


def test_a_dropped_connection_is_picked_up_where_it_stopped(hub, tmp_path):
    hub.behaviour.drop_first_get_at = len(CONTENT) // 2
    seen = []
    path = fetch(hub, tmp_path, progress=lambda done, total: seen.append(done))
    assert path.read_bytes() == CONTENT
    ranges = [r[3] for r in hub.gets()]
    assert ranges[0] is None
    assert ranges[1] == f"bytes={len(CONTENT) // 2}-", "the second request continues, not restarts"
    assert seen[-1] == len(CONTENT) and seen == sorted(seen)


def test_an_interrupted_download_continues_next_time(hub, tmp_path):
    half = len(CONTENT) // 2
    hub.behaviour.drop_first_get_at = half
    with pytest.raises(ModelError, match="interrupted.*continues from there"):
        fetch(hub, tmp_path, retries=0)
    assert not (tmp_path / FILENAME).exists()
    assert partial_bytes(ENTRY, tmp_path) == half

    seen = []
    path = fetch(hub, tmp_path, progress=lambda done, total: seen.append(done))
    assert path.read_bytes() == CONTENT
    assert hub.gets()[-1][3] == f"bytes={half}-"
    assert seen[0] == half, "progress starts from what was kept"
    assert partial_bytes(ENTRY, tmp_path) == 0


def test_a_server_that_ignores_the_range_gets_a_fresh_start(hub, tmp_path):
    hub.behaviour.drop_first_get_at = len(CONTENT) // 3
    hub.behaviour.ignore_range = True
    path = fetch(hub, tmp_path)
    assert path.read_bytes() == CONTENT


def test_a_file_that_does_not_match_its_hash_is_refused_and_deleted(hub, tmp_path):
    hub.behaviour.content = CONTENT[:-1] + bytes([CONTENT[-1] ^ 1])  # one bit off
    with pytest.raises(ModelError, match="damaged.*SHA-256.*deleted"):
        fetch(hub, tmp_path)
    assert files(tmp_path) == []


def test_a_pinned_hash_in_the_catalogue_is_checked_too(hub, tmp_path):
    pinned = CatalogueEntry(**{**ENTRY.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelError, match="damaged"):
        download(pinned, folder=tmp_path, endpoint=hub.endpoint, token=False)


def test_a_server_that_is_down_is_said_clearly(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    message = rf"could not reach 127\.0\.0\.1:{port}.*internet connection"
    with pytest.raises(ModelError, match=message):
        download(ENTRY, folder=tmp_path, endpoint=f"http://127.0.0.1:{port}", token=False)
    assert time.monotonic() - started < 5


def test_cancel_stops_the_download_and_keeps_what_came(hub, tmp_path):
    hub.behaviour.chunk_delay = 0.01
    cancelled = threading.Event()

    def progress(done, total):
        if done >= 512 * 1024:
            cancelled.set()

    started = time.monotonic()
    with pytest.raises(DownloadCancelled, match="stopped at .* continues from there"):
        fetch(hub, tmp_path, progress=progress, cancelled=cancelled)
    assert time.monotonic() - started < 3
    kept = partial_bytes(ENTRY, tmp_path)
    assert 512 * 1024 <= kept < len(CONTENT)
    assert not (tmp_path / FILENAME).exists()

    hub.behaviour.chunk_delay = 0
    assert fetch(hub, tmp_path).read_bytes() == CONTENT
    assert hub.gets()[-1][3] == f"bytes={kept}-"


def test_a_downloaded_model_is_not_fetched_again(hub, tmp_path):
    fetch(hub, tmp_path)
    gets = len(hub.gets())
    assert fetch(hub, tmp_path).read_bytes() == CONTENT
    assert len(hub.gets()) == gets


def test_a_part_of_an_older_version_is_not_continued(hub, tmp_path):
    stale = tmp_path / f"{FILENAME}.{'f' * 12}.part"
    stale.write_bytes(b"old bytes")
    assert fetch(hub, tmp_path).read_bytes() == CONTENT
    assert not stale.exists()
    assert hub.gets()[0][3] is None


@pytest.mark.parametrize("access, repo, filename, message", [
    ("gated", REPO, FILENAME, "accept its terms"),
    (None, "test-org/missing", FILENAME, "no repository test-org/missing"),
    ("public", REPO, "other.gguf", "no file other.gguf"),
])
def test_what_the_hub_refuses_is_said_clearly(hub, tmp_path, access, repo, filename, message):
    if access:
        hub.behaviour.repos[repo] = access
    entry = CatalogueEntry(id="x", name="X", repo_id=repo, filename=filename, size=1,
                           description="")
    with pytest.raises(ModelError, match=message):
        download(entry, folder=tmp_path, endpoint=hub.endpoint, token=False)
    assert files(tmp_path) == []


def test_a_model_not_in_the_catalogue_is_refused(tmp_path):
    with pytest.raises(ModelError, match="no model 'gpt-5'.*gpt-oss-20b"):
        download("gpt-5", folder=tmp_path)


def test_a_file_is_downloaded_by_one_download_at_a_time(hub, tmp_path):
    from filelock import FileLock

    with FileLock(tmp_path / f".{FILENAME}.lock"):  # as another Reader downloading it holds it
        with pytest.raises(ModelError, match="being downloaded already"):
            fetch(hub, tmp_path)
    assert fetch(hub, tmp_path).read_bytes() == CONTENT
    assert files(tmp_path) == [FILENAME]
