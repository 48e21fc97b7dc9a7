"""ZIP exports: Omnivore (metadata_*.json plus content/<slug>.html) and Pocket's newer ZIP of
CSV parts. Members are read in memory, never unpacked to disk, and only from an archive that
passes the checks: no paths leaving the archive, caps on the number of files, the unpacked size
and how much a file expands. Each saved page is decoded once, however many records name it."""

from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

from reader.capture.fetch import decode_html
from reader.capture.importers.items import (
    OMNIVORE,
    POCKET_CSV,
    Collector,
    ImportBatch,
    clean_highlights,
)
from reader.capture.importers.json_exports import JsonError, JsonStream, omnivore_record
from reader.capture.importers.text_exports import csv_format, read_csv

MAX_UNPACKED_BYTES = 500_000_000
MAX_MEMBERS = 200_000
# Text packs 5-20 times smaller; a file that unpacks more than this from over a megabyte is a
# decompression bomb, not a page.
MAX_RATIO = 200
_RATIO_FROM_BYTES = 1 << 20
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
    # What zipfile and its decompressors raise for broken archives: bad headers, bad data, bad
    # UTF-8 names (ValueError), unsupported methods, reads past the end (OSError).
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
            ValueError, OSError) as error:
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
        if info.file_size > _RATIO_FROM_BYTES and info.file_size > MAX_RATIO * info.compress_size:
            raise describe(
                f"its ZIP archive holds a file that unpacks more than {MAX_RATIO} times larger "
                f"({info.filename!r}), as decompression bombs do"
            )
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
    pages: dict[str, str] = {}  # member name -> its text, so a page named twice is read once

    def saved_page(slug: str, prefix: str) -> str | None:
        name = f"{prefix}content/{slug}.html"
        if name not in pages:
            info = members.get(name)
            if info is None:
                return None
            pages[name] = decode_html(archive.read(info))
        return pages[name]

    for name in metadata:
        prefix = name[: name.rfind("/") + 1]

        with archive.open(members[name]) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
            js = JsonStream(stream)
            try:
                for number, record in enumerate(js.array(), start=1):
                    where = f"{name}, entry {number}"
                    if isinstance(record, dict):
                        item = omnivore_record(collector, record, where,
                                               partial(saved_page, prefix=prefix))
                        slug = record.get("slug")
                        if item is not None and isinstance(slug, str):
                            item.highlights = clean_highlights(
                                [*item.highlights,
                                 *_omnivore_highlights(archive, members, prefix, slug)])
                    else:
                        collector.skip(where, "Not a saved article.")
                js.end()
            except JsonError as error:
                raise describe(f"{name} in it is damaged: {error}") from None
    return collector.batch(OMNIVORE)


def _omnivore_highlights(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                         prefix: str, slug: str) -> list[dict]:
    """``highlights/<slug>.md``: each highlight a quote ("> ..."), its note the paragraph
    after it."""
    info = members.get(f"{prefix}highlights/{slug}.md")
    if info is None:
        return []
    highlights: list[dict] = []
    text = archive.read(info).decode("utf-8", "replace")
    for paragraph in re.split(r"\n\s*\n", text):
        lines = paragraph.strip().splitlines()
        if lines and lines[0].startswith(">"):
            quote = " ".join(line.lstrip(">").strip() for line in lines)
            highlights.append({"text": quote, "note": ""})
        elif lines and highlights and not highlights[-1]["note"]:
            highlights[-1]["note"] = "\n".join(lines)
    return highlights


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
