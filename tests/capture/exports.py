"""Other services' exports for the importer tests: the fixture files, and ZIPs built from them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from reader.capture.importers import ImportedItem

IMPORTS = Path(__file__).parents[1] / "fixtures" / "imports"
MALFORMED = IMPORTS / "malformed"


def omnivore_zip(folder: Path, target: Path) -> Path:
    """An Omnivore export ZIP, as Omnivore wrote it, of the files under ``folder``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def by_url(batch) -> dict[str, ImportedItem]:
    """The items of an import batch by their URL."""
    return {item.url: item for item in batch.items}


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A ZIP at ``path`` holding ``members`` (name -> bytes), names taken as they are."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return path
