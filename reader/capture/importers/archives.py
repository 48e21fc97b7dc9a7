"""ZIP exports: Omnivore (metadata_*.json plus content/<slug>.html) and Pocket's newer ZIP of
CSV parts. Members are read in memory, never unpacked to disk, and only from an archive that
passes the checks: no paths leaving the archive, and a cap on the unpacked size."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from reader.capture.fetch import decode_html
from reader.capture.importers.items import OMNIVORE, POCKET_CSV, Collector, ImportBatch
from reader.capture.importers.json_exports import JsonError, JsonStream, omnivore_record
from reader.capture.importers.text_exports import csv_format, read_csv

MAX_UNPACKED_BYTES = 500_000_000
MAX_MEMBERS = 200_000
_OMNIVORE_METADATA = re.compile(r"(^|/)metadata_[^/]*\.json$", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")

Describe = Callable[[str], Exception]


def read_zip(path: Path, describe: Describe) -> ImportBatch:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in _checked_members(archive, describe)}
            metadata = sorted(name for name in members if _OMNIVORE_METADATA.search(name))
            if metadata:
                return _omnivore(archive, members, metadata, describe)
            parts = [
                name for name in sorted(members)
                if name.lower().endswith(".csv") and _csv_header(archive, name) == POCKET_CSV
            ]
            if parts:
                return _pocket(archive, parts, describe)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise describe(f"its ZIP archive is damaged ({error})") from None
    raise describe("it is a ZIP archive without an Omnivore or Pocket export in it")


def _checked_members(archive: zipfile.ZipFile, describe: Describe) -> list[zipfile.ZipInfo]:
    """The archive's files, after refusing archives that could do harm if unpacked."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise describe(f"its ZIP archive holds more than {MAX_MEMBERS:,} files")
    total = 0
    files = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or _DRIVE.match(name) or ".." in name.split("/"):
            raise describe(
                f"its ZIP archive holds a file whose path leads outside the archive "
                f"({info.filename!r}), so it is not opened"
            )
        if info.flag_bits & 0x1:
            raise describe("its ZIP archive is encrypted")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise describe(
                f"its ZIP archive would unpack to more than {MAX_UNPACKED_BYTES // 1_000_000} MB"
            )
        if not info.is_dir():
            files.append(info)
    return files


def _omnivore(
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    metadata: list[str],
    describe: Describe,
) -> ImportBatch:
    collector = Collector()
    for name in metadata:
        prefix = name[: name.rfind("/") + 1]

        def saved_page(slug: str, prefix: str = prefix) -> str | None:
            info = members.get(f"{prefix}content/{slug}.html")
            return decode_html(archive.read(info)) if info is not None else None

        with archive.open(members[name]) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
            js = JsonStream(stream)
            try:
                for number, record in enumerate(js.array(), start=1):
                    where = f"{name}, entry {number}"
                    if isinstance(record, dict):
                        omnivore_record(collector, record, where, saved_page)
                    else:
                        collector.skip(where, "Not a saved article.")
                js.end()
            except JsonError as error:
                raise describe(f"{name} in it is damaged: {error}") from None
    return collector.batch(OMNIVORE)


def _pocket(archive: zipfile.ZipFile, parts: list[str], describe: Describe) -> ImportBatch:
    collector = Collector()
    for name in parts:
        with archive.open(name) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            read_csv(stream, POCKET_CSV, describe, collector)
    return collector.batch(POCKET_CSV)


def _csv_header(archive: zipfile.ZipFile, name: str) -> str | None:
    with archive.open(name) as raw:
        first_line = raw.readline(4096).decode("utf-8-sig", "replace")
    return csv_format(first_line)
