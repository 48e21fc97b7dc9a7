"""One download's ``.part`` file: what it holds, its SHA-256, and adding the rest from the network.

The bytes go to the part as they arrive, so what came before a dropped connection, a cancel or a
quit is kept to the last byte, and the next try continues with an HTTP ``Range`` request.
"""

from __future__ import annotations

import hashlib
import logging
import re
from contextlib import contextmanager
from pathlib import Path

from reader.errors import ModelError
from reader.summarize import gguf
from reader.summarize.catalogue import CatalogueEntry
from reader.summarize.hub import (
    CONNECT_SECONDS,
    READ_SECONDS,
    RemoteFile,
    describe_error,
    first_line,
)

log = logging.getLogger(__name__)

GB = 1_000_000_000
PROGRESS_BYTES = 256 * 1024  # progress is told after this many bytes (and at the end)
HASH_CHUNK_BYTES = 8 * 1024 * 1024


class DownloadCancelled(ModelError):
    """The download was stopped by the caller; what came is kept for the next try."""


class Interrupted(Exception):
    """The connection dropped or the server failed for now: worth trying again."""


class Transfer:
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
                    raise Interrupted("the kept part did not fit the file")
                try:
                    hf_raise_for_status(response)
                except HfHubHTTPError as error:
                    status = response.status_code
                    expired = status == 403 and not remote.same_origin  # a signed CDN address
                    if status in (408, 429) or status >= 500 or expired:
                        raise Interrupted(f"HTTP {status}") from None
                    raise ModelError(f"Hugging Face refused the download of {self.entry.name} "
                                     f"(HTTP {status}): {first_line(error)}") from None
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
            raise Interrupted(describe_error(error)) from None
        if cancelled is not None and cancelled.is_set():
            raise self.cancelled_error()
        if self.size is not None and self.done < self.size:
            raise Interrupted(f"the connection closed at {self.done} of {self.size} bytes")

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
            f"The download of {self.entry.name} was stopped at {size_text(self.done)} of "
            f"{size_text(self.size)}; downloading it again continues from there.")

    def _restart(self, why: str) -> None:
        log.warning("Downloading %s from the start: %s", self.entry.filename, why)
        self.part.unlink(missing_ok=True)
        self.digest = hashlib.sha256()
        self.done = 0


def _continues_at(response, offset: int) -> bool:
    """Whether the answer is the rest of the file from ``offset`` (206 with that range)."""
    if response.status_code != 206:
        return False
    match = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return bool(match) and int(match.group(1)) == offset


def size_text(count: int | None) -> str:
    """A byte count in MB or GB, for a message."""
    if count is None:
        return "an unknown size"
    if count >= GB // 10:
        return f"{count / GB:.1f} GB"
    return f"{count / 1_000_000:.1f} MB"
