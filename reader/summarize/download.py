"""Downloading a catalogue model from Hugging Face: resumable, checked, cancellable.

huggingface_hub finds the file: it builds the address (honouring ``HF_ENDPOINT`` or the
``endpoint`` given), sends the user's token if they logged in (``hf auth login``; gated
repositories need it), follows the hub's redirects and reads what the hub says of the file:
its size, the commit, and for large (LFS) files the SHA-256 of the content, as the ``ETag``.

The bytes are fetched here rather than by ``hf_hub_download``, which (in huggingface_hub 2.4)
writes to a temporary file of its own and deletes it on any failure or cancel: a 12 GB download
cut at 11 GB would start again from nothing. Here the bytes go to ``<file>.<sha prefix>.part``
in the models folder and stay there when the connection drops, the download is cancelled or Reader
quits; the next download continues from where that file ends (an HTTP ``Range`` request). The
SHA-256 is computed while the bytes arrive (and over the kept part first), compared with the
hub's, and the file only takes its real name once it matches and its GGUF header reads.
A dropped connection is picked up again a few times within one download before giving up.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from reader import __version__
from reader.errors import ModelError
from reader.summarize import catalogue, gguf
from reader.summarize.catalogue import CatalogueEntry

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, "int | None"], None]  # (bytes done, bytes in all if known)

GB = 1_000_000_000
PROGRESS_BYTES = 256 * 1024  # progress is told after this many bytes (and at the end)
HASH_CHUNK_BYTES = 8 * 1024 * 1024
RETRIES = 3  # a dropped connection is picked up this many times within one download
RETRY_WAIT_SECONDS = 1.0
CONNECT_SECONDS = 10.0
READ_SECONDS = 60.0
METADATA_SECONDS = 15.0
DISK_MARGIN_BYTES = 100_000_000
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DownloadCancelled(ModelError):
    """The download was stopped by the caller; what came is kept for the next try."""


@dataclass(frozen=True)
class RemoteFile:
    url: str  # where the bytes are (a CDN address the hub redirects to, for large files)
    size: int | None
    sha256: str | None  # the hub's LFS object id; None for a file the hub keeps in git
    commit: str
    same_origin: bool  # the url is on the hub itself: the token may go with the request


def download(
    model: CatalogueEntry | str,
    *,
    folder: Path | None = None,
    progress: ProgressCallback | None = None,
    cancelled: threading.Event | None = None,
    endpoint: str | None = None,
    token: str | bool | None = None,
    retries: int = RETRIES,
) -> Path:
    """Download a catalogue model (an entry, or its id or name) and return its path.

    ``folder`` defaults to the models folder; ``endpoint`` to huggingface_hub's (``HF_ENDPOINT``
    or huggingface.co); ``token`` to the one the user logged in with, if any. A file already
    there whole is checked and kept. Raises ``ModelError`` with a sentence for the user;
    ``DownloadCancelled`` (a ``ModelError``) when ``cancelled`` is set.
    """
    entry = _entry(model)
    folder = Path(folder) if folder is not None else catalogue.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / entry.filename
    remote = _remote_file(entry, entry.revision, endpoint, token)
    expected = entry.sha256 or remote.sha256
    if expected is None:
        log.warning("Hugging Face gives no SHA-256 for %s; only its size and GGUF header "
                    "are checked", entry.filename)

    with _only_download(folder, entry):
        if target.is_file():
            if _whole(target, remote.size, expected):
                log.info("%s is already downloaded and whole", target)
                if progress:
                    progress(target.stat().st_size, remote.size)
                return target
            log.warning("%s differs from the file on Hugging Face; downloading it again", target)

        part = folder / f"{entry.filename}.{(expected or remote.commit)[:12]}.part"
        _remove_stale_parts(folder, entry.filename, keep=part)
        transfer = _Transfer(part, entry, remote.size)
        _check_disk_space(folder, entry, remote.size, transfer.done)

        _fetch_all(transfer, entry, remote, endpoint, token, progress, cancelled, retries)
        transfer.check(expected)
        os.replace(part, target)
        log.info("Downloaded %s to %s", entry.name, target)
        return target


def partial_bytes(model: CatalogueEntry | str, folder: Path | None = None) -> int:
    """Bytes of an unfinished download kept for the next try (0 if none)."""
    entry = _entry(model)
    folder = Path(folder) if folder is not None else catalogue.models_dir()
    parts = folder.glob(f"{glob.escape(entry.filename)}.*.part")
    return max((part.stat().st_size for part in parts), default=0)


# -- the transfer ------------------------------------------------------------------------------


def _fetch_all(transfer, entry, remote, endpoint, token, progress, cancelled, retries) -> None:
    """Fetch the rest of the file, picking up a dropped connection ``retries`` times."""
    attempt = 0
    while True:
        try:
            transfer.fetch(remote, _headers(token, remote), progress, cancelled)
            return
        except _Interrupted as interruption:
            attempt += 1
            if attempt > retries:
                raise ModelError(
                    f"The download of {entry.name} was interrupted ({interruption}). "
                    f"{_size(transfer.done)} of {_size(remote.size)} are kept; downloading it "
                    "again continues from there.") from None
            log.warning("The download of %s was interrupted (%s); continuing from %d bytes",
                        entry.filename, interruption, transfer.done)
            if cancelled is not None and cancelled.wait(RETRY_WAIT_SECONDS):
                raise transfer.cancelled_error() from None
            if cancelled is None:
                time.sleep(RETRY_WAIT_SECONDS)
            # A fresh address: the CDN's are signed, and expire. Same commit, same file.
            remote = _remote_file(entry, remote.commit, endpoint, token)


class _Interrupted(Exception):
    """The connection dropped or the server failed for now: worth trying again."""


class _Transfer:
    """The ``.part`` file, the SHA-256 of what it holds, and adding to it from the network."""

    def __init__(self, part: Path, entry: CatalogueEntry, size: int | None):
        self.part = part
        self.entry = entry
        self.size = size
        self.digest = hashlib.sha256()
        self.done = 0
        if part.is_file():
            if size is not None and part.stat().st_size > size:
                log.warning("%s is longer than the file on Hugging Face; starting again", part)
                part.unlink()
            else:
                with open(part, "rb") as file:
                    while data := file.read(HASH_CHUNK_BYTES):
                        self.digest.update(data)
                        self.done += len(data)
                log.info("Continuing the download of %s from %d bytes", entry.filename, self.done)

    def fetch(self, remote: RemoteFile, headers: dict, progress, cancelled) -> None:
        import httpx2
        from huggingface_hub import get_session
        from huggingface_hub.errors import HfHubHTTPError
        from huggingface_hub.utils import hf_raise_for_status

        if self.size is not None and self.done == self.size:
            return
        if self.done:
            headers = {**headers, "Range": f"bytes={self.done}-"}
        timeout = httpx2.Timeout(READ_SECONDS, connect=CONNECT_SECONDS)
        try:
            with get_session().stream("GET", remote.url, headers=headers, timeout=timeout,
                                      follow_redirects=True) as response:
                if response.status_code == 416 and self.done:  # the part is no part of this file
                    self._restart("the server refused to continue it")
                    raise _Interrupted("the kept part did not fit the file")
                try:
                    hf_raise_for_status(response)
                except HfHubHTTPError as error:
                    status = response.status_code
                    expired = status == 403 and not remote.same_origin  # a signed CDN address
                    if status in (408, 429) or status >= 500 or expired:
                        raise _Interrupted(f"HTTP {status}") from None
                    raise ModelError(f"Hugging Face refused the download of {self.entry.name} "
                                     f"(HTTP {status}): {_first_line(error)}") from None
                if self.done and not _continues_at(response, self.done):
                    self._restart("the server sent the whole file again")
                if self.size is None and response.headers.get("Content-Length", "").isdigit():
                    self.size = self.done + int(response.headers["Content-Length"])
                if progress:
                    progress(self.done, self.size)
                told = self.done
                with self._writing() as write:
                    # As the bytes arrive: what came before a drop is kept, to the last byte.
                    for data in response.iter_bytes():
                        if cancelled is not None and cancelled.is_set():
                            raise self.cancelled_error()
                        write(data)
                        self.digest.update(data)
                        self.done += len(data)
                        if progress and (self.done - told >= PROGRESS_BYTES
                                         or self.done == self.size):
                            progress(self.done, self.size)
                            told = self.done
        except httpx2.TransportError as error:  # refused, dropped, timed out
            raise _Interrupted(_describe(error)) from None
        if cancelled is not None and cancelled.is_set():
            raise self.cancelled_error()
        if self.size is not None and self.done < self.size:
            raise _Interrupted(f"the connection closed at {self.done} of {self.size} bytes")

    def check(self, expected_sha256: str | None) -> None:
        """The whole file is what the hub has, and a GGUF; else it is deleted."""
        if self.size is not None and self.done != self.size:
            self.part.unlink(missing_ok=True)
            raise ModelError(f"The download of {self.entry.name} came out at {self.done} bytes "
                             f"instead of {self.size}; it was deleted. Try again.")
        if expected_sha256 is not None and self.digest.hexdigest() != expected_sha256:
            self.part.unlink(missing_ok=True)
            raise ModelError(f"The downloaded {self.entry.name} is damaged: its SHA-256 does not "
                             "match the one Hugging Face gives. It was deleted; try again.")
        try:
            gguf.read_metadata(self.part)
        except ModelError:
            self.part.unlink(missing_ok=True)
            raise ModelError(f"What Hugging Face sent for {self.entry.name} is not a GGUF model; "
                             "it was deleted.") from None

    @contextmanager
    def _writing(self):
        """A function that adds bytes to the part; a full disk is said as such."""

        def write(data: bytes) -> None:
            try:
                file.write(data)
            except OSError as error:
                raise ModelError(f"Reader could not write {self.part}: "
                                 f"{error.strerror or error}") from None

        try:
            file = open(self.part, "ab")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise ModelError(f"Reader could not write {self.part}: "
                             f"{error.strerror or error}") from None
        with file:
            yield write

    def cancelled_error(self) -> DownloadCancelled:
        return DownloadCancelled(
            f"The download of {self.entry.name} was stopped at {_size(self.done)} of "
            f"{_size(self.size)}; downloading it again continues from there.")

    def _restart(self, why: str) -> None:
        log.warning("Downloading %s from the start: %s", self.entry.filename, why)
        self.part.unlink(missing_ok=True)
        self.digest = hashlib.sha256()
        self.done = 0


# -- what the hub says -------------------------------------------------------------------------


def _remote_file(entry: CatalogueEntry, revision: str, endpoint: str | None,
                 token: str | bool | None) -> RemoteFile:
    import httpx2
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    url = hf_hub_url(entry.repo_id, entry.filename, revision=revision, endpoint=endpoint)
    host = urlsplit(url).netloc
    try:
        metadata = get_hf_file_metadata(url, token=token, timeout=METADATA_SECONDS,
                                        endpoint=endpoint, library_name="reader",
                                        library_version=__version__)
    except OfflineModeIsEnabled:
        raise ModelError("Downloading is switched off on this computer "
                         "(HF_HUB_OFFLINE is set).") from None
    except (httpx2.TransportError, ConnectionError) as error:
        raise ModelError(f"Reader could not reach {host} to download {entry.name}: "
                         f"{_describe(error)}. Check the internet connection and try "
                         "again.") from None
    except GatedRepoError:
        page = f"{urlsplit(url).scheme}://{host}/{entry.repo_id}"
        raise ModelError(
            f"{entry.repo_id} asks you to accept its terms before downloading: accept them at "
            f"{page}, log in with `hf auth login`, and try again.") from None
    except RepositoryNotFoundError:
        raise ModelError(f"{host} has no repository {entry.repo_id} (or it is private).") from None
    except RevisionNotFoundError:
        raise ModelError(f"{entry.repo_id} has no revision {revision}.") from None
    except RemoteEntryNotFoundError:
        raise ModelError(f"{entry.repo_id} has no file {entry.filename}; Reader's catalogue may be "
                         "out of date.") from None
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        raise ModelError(f"{host} refused to say where {entry.name} is (HTTP {status}): "
                         f"{_first_line(error)}") from None
    if not metadata.commit_hash:
        raise ModelError(f"{host} did not answer as Hugging Face does (no commit for "
                         f"{entry.filename}); is HF_ENDPOINT right?")
    etag = (metadata.etag or "").lower()
    location = metadata.location or url
    return RemoteFile(
        url=location,
        size=metadata.size,
        sha256=etag if _SHA256.fullmatch(etag) else None,
        commit=metadata.commit_hash,
        same_origin=_origin(location) == _origin(url),
    )


def _headers(token: str | bool | None, remote: RemoteFile) -> dict:
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers(token=token, library_name="reader", library_version=__version__)
    if not remote.same_origin:  # a signed CDN address: the user's token stays with the hub
        headers.pop("authorization", None)
        headers.pop("Authorization", None)
    headers["Accept-Encoding"] = "identity"  # sizes and ranges count the file's own bytes
    return headers


# -- small helpers -----------------------------------------------------------------------------


def _entry(model: CatalogueEntry | str) -> CatalogueEntry:
    if isinstance(model, CatalogueEntry):
        return model
    entry = catalogue.catalogue_entry(model)
    if entry is None:
        names = ", ".join(entry.id for entry in catalogue.CATALOGUE)
        raise ModelError(f"Reader's catalogue has no model {model!r}; it has {names}.")
    return entry


@contextmanager
def _only_download(folder: Path, entry: CatalogueEntry):
    """One download of a file at a time (the window and a terminal could both start one)."""
    from filelock import FileLock, Timeout  # comes with huggingface_hub

    lock = FileLock(folder / f".{entry.filename}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ModelError(f"{entry.name} is being downloaded already.") from None
    try:
        yield
    finally:
        lock.release()


def _whole(path: Path, size: int | None, sha256: str | None) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    if sha256 is None:
        return True
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while data := file.read(HASH_CHUNK_BYTES):
            digest.update(data)
    return digest.hexdigest() == sha256


def _remove_stale_parts(folder: Path, filename: str, keep: Path) -> None:
    """Parts of an older version of the file: they cannot be continued."""
    for part in folder.glob(f"{glob.escape(filename)}.*.part"):
        if part != keep:
            log.info("Removing %s, left from an older version of the file", part)
            part.unlink(missing_ok=True)


def _check_disk_space(folder: Path, entry: CatalogueEntry, size: int | None, done: int) -> None:
    needed = (size if size is not None else entry.size) - done
    free = shutil.disk_usage(folder).free
    if needed + DISK_MARGIN_BYTES > free:
        raise ModelError(f"{entry.name} needs {_size(needed)} more disk space; {folder} has "
                         f"{_size(free)} free.")


def _continues_at(response, offset: int) -> bool:
    """Whether the answer is the rest of the file from ``offset`` (206 with that range)."""
    if response.status_code != 206:
        return False
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return bool(match) and int(match.group(1)) == offset


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _describe(error: BaseException) -> str:
    import httpx2

    if isinstance(error, httpx2.RemoteProtocolError):
        return "the connection dropped"
    if isinstance(error, httpx2.ReadTimeout):
        return f"nothing came for {READ_SECONDS:g} s"
    if isinstance(error, httpx2.ConnectTimeout):
        return f"no answer within {CONNECT_SECONDS:g} s"
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _size(count: int | None) -> str:
    if count is None:
        return "an unknown size"
    if count >= GB // 10:
        return f"{count / GB:.1f} GB"
    return f"{count / 1_000_000:.1f} MB"
