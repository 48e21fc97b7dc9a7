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

``hub`` asks Hugging Face about the file; ``transfer`` fills and checks the ``.part`` file.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from reader.errors import ModelError
from reader.summarize import catalogue
from reader.summarize.catalogue import CatalogueEntry
from reader.summarize.hub import remote_file, request_headers
from reader.summarize.transfer import (
    HASH_CHUNK_BYTES,
    DownloadCancelled,
    Interrupted,
    Transfer,
    size_text,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, "int | None"], None]  # (bytes done, bytes in all if known)

RETRIES = 3  # a dropped connection is picked up this many times within one download
RETRY_WAIT_SECONDS = 1.0
DISK_MARGIN_BYTES = 100_000_000

__all__ = ["DownloadCancelled", "download", "partial_bytes"]


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
    remote = remote_file(entry, entry.revision, endpoint, token)
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
        transfer = Transfer(part, entry, remote.size)
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


# -- fetching ----------------------------------------------------------------------------------


def _fetch_all(transfer, entry, remote, endpoint, token, progress, cancelled, retries) -> None:
    """Fetch the rest of the file, picking up a dropped connection ``retries`` times."""
    attempt = 0
    while True:
        try:
            transfer.fetch(remote, request_headers(token, remote), progress, cancelled)
            return
        except Interrupted as interruption:
            attempt += 1
            if attempt > retries:
                raise ModelError(
                    f"The download of {entry.name} was interrupted ({interruption}). "
                    f"{size_text(transfer.done)} of {size_text(remote.size)} are kept; "
                    "downloading it again continues from there.") from None
            log.warning("The download of %s was interrupted (%s); continuing from %d bytes",
                        entry.filename, interruption, transfer.done)
            if cancelled is not None and cancelled.wait(RETRY_WAIT_SECONDS):
                raise transfer.cancelled_error() from None
            if cancelled is None:
                time.sleep(RETRY_WAIT_SECONDS)
            # A fresh address: the CDN's are signed, and expire. Same commit, same file.
            remote = remote_file(entry, remote.commit, endpoint, token)


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
        raise ModelError(f"{entry.name} needs {size_text(needed)} more disk space; {folder} has "
                         f"{size_text(free)} free.")


