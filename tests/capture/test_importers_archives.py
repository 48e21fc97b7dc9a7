"""ZIP exports (reader.capture.importers.archives): what leaves the archive, bombs and damaged
files are refused with a message."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from reader.capture.importers import EXPECTED_FORMATS, detect_and_read
from reader.capture.importers import archives
from reader.errors import CaptureError
from tests.capture.exports import IMPORTS, write_zip


# ZIP archives


@pytest.mark.parametrize("name", ["../../.bashrc", "/etc/cron.d/reader", "content/../../x.html",
                                  "C:/Windows/evil.html", "..\\..\\evil.html"])
def test_zip_paths_leaving_the_archive_are_refused(tmp_path, name):
    metadata = (IMPORTS / "omnivore" / "metadata_0_to_49.json").read_bytes()
    path = write_zip(tmp_path / "export.zip", {"metadata_0_to_49.json": metadata, name: b"x"})
    with pytest.raises(CaptureError, match="leads outside the archive"):
        detect_and_read(path)


def test_zip_bomb_is_refused(tmp_path, monkeypatch):
    assert archives.MAX_UNPACKED_BYTES == 500_000_000
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 1_000_000)
    metadata = (IMPORTS / "omnivore" / "metadata_0_to_49.json").read_bytes()
    path = write_zip(tmp_path / "bomb.zip", {
        "metadata_0_to_49.json": metadata,
        # incompressible: the total is refused here, a file that expands like a bomb elsewhere
        "content/kelby-sound-tidal-plant-18f6c2a1b3d.html": random.Random(0).randbytes(2_000_000),
    })
    with pytest.raises(CaptureError, match="would unpack to more than 1 MB"):
        detect_and_read(path)


def test_zip_that_understates_its_size_is_refused(tmp_path):
    """A bomb whose directory claims 100 bytes: reading stops there and the archive fails."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata_0_to_49.json", b"[" + b" " * 5_000_000 + b"]")
    data = bytearray(buffer.getvalue())
    directory = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, directory + 24, 100)  # uncompressed size
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureError, match="damaged"):
        detect_and_read(path)


def test_zip_without_an_export(tmp_path):
    path = write_zip(tmp_path / "photos.zip", {"holiday.jpg": b"\xff\xd8\xff"})
    with pytest.raises(CaptureError, match="without an Omnivore or Pocket export") as raised:
        detect_and_read(path)
    assert EXPECTED_FORMATS in str(raised.value)


def test_damaged_zip(tmp_path):
    path = tmp_path / "cut.zip"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(CaptureError, match="damaged"):
        detect_and_read(path)
