"""Reading a GGUF file's header without loading the model.

Enough to tell a GGUF from anything else, notice a truncated download, and learn the model's
architecture, trained context and name before spending seconds and gigabytes on loading it.

The header is untrusted (a download, a file the user picked): every length is checked against
the bytes left in the file before anything is read or skipped, nesting and the number of values
read one by one are capped, and each failure is a ModelError naming the file.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from reader.errors import ModelError

MAGIC = b"GGUF"
_SCALARS = {
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
    10: "<Q", 11: "<q", 12: "<d",
}
_STRING, _ARRAY = 8, 9
# Real models nest no arrays and hold a few hundred thousand strings (a tokenizer's vocabulary);
# these caps are far above that and keep a hostile header from taking minutes or gigabytes.
MAX_STRING_BYTES = 64 << 20
MAX_DEPTH = 4
MAX_VALUES = 2_000_000  # keys, strings and nested arrays read one by one, over the whole header


def read_metadata(path: Path) -> dict[str, object]:
    """The key/value metadata of the GGUF at ``path`` (arrays are skipped and left out)."""
    try:
        with open(path, "rb") as file:
            return _Header(file, path).metadata()
    except FileNotFoundError as error:
        raise ModelError(f"The model file {path} does not exist.") from error
    except IsADirectoryError as error:
        raise ModelError(f"{path} is a folder, not a GGUF model file.") from error
    except PermissionError as error:
        raise ModelError(f"Reader may not read the model file {path}.") from error
    except OSError as error:
        raise ModelError(f"The model file {path} could not be read: "
                         f"{error.strerror or error}.") from error


def trained_context(metadata: dict[str, object]) -> int | None:
    architecture = metadata.get("general.architecture")
    value = metadata.get(f"{architecture}.context_length")
    return int(value) if isinstance(value, int) else None


class _Header:
    """One pass over a GGUF header, knowing how many bytes are left to read."""

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self._file = file
        self._path = path
        self._size = os.fstat(file.fileno()).st_size
        self._values = 0

    def metadata(self) -> dict[str, object]:
        if self._file.read(4) != MAGIC:
            raise ModelError(f"{self._path} is not a GGUF model file.")
        version, _tensors, count = struct.unpack("<IQQ", self._read(20, "its header"))
        if version < 2:
            raise ModelError(f"{self._path} is a GGUF version {version} file; too old to load.")
        metadata: dict[str, object] = {}
        for _ in range(count):
            key = self._string("a metadata key")
            value_type = self._unpack("<I", "a metadata type")
            value = self._value(value_type, depth=0)
            if value is not None:
                metadata[key] = value
        return metadata

    def _value(self, value_type: int, depth: int) -> object:
        if value_type in _SCALARS:
            return self._unpack(_SCALARS[value_type], "a metadata value")
        if value_type == _STRING:
            return self._string("a metadata string")
        if value_type == _ARRAY:
            self._array(depth + 1)
            return None
        raise self._damaged(f"unknown metadata type {value_type}")

    def _array(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise self._damaged(f"arrays nested more than {MAX_DEPTH} deep")
        item_type = self._unpack("<I", "an array's type")
        length = self._unpack("<Q", "an array's length")
        if item_type in _SCALARS:
            self._skip(struct.calcsize(_SCALARS[item_type]) * length, f"an array of {length:,}")
            return
        # Each string or array takes at least 8 bytes (its length): more items than that leaves
        # room for cannot be there.
        self._check_left(8 * length, f"an array of {length:,}")
        for _ in range(length):
            self._value(item_type, depth)

    def _string(self, what: str) -> str:
        length = self._unpack("<Q", what)
        if length > MAX_STRING_BYTES:
            raise self._damaged(f"{what} of {length:,} bytes")
        return self._read(length, what).decode("utf-8", "replace")

    def _unpack(self, fmt: str, what: str) -> int:
        self._count()
        return struct.unpack(fmt, self._read(struct.calcsize(fmt), what))[0]

    def _read(self, size: int, what: str) -> bytes:
        self._check_left(size, what)
        data = self._file.read(size)
        if len(data) != size:  # the file shrank while being read
            raise self._truncated(what)
        return data

    def _skip(self, size: int, what: str) -> None:
        self._check_left(size, what)
        self._file.seek(size, os.SEEK_CUR)

    def _check_left(self, size: int, what: str) -> None:
        if size > self._size - self._file.tell():
            raise self._truncated(what)

    def _count(self) -> None:
        self._values += 1
        if self._values > MAX_VALUES:
            raise self._damaged(f"more than {MAX_VALUES:,} metadata values")

    def _truncated(self, what: str) -> ModelError:
        return ModelError(f"The model file {self._path} is truncated (an incomplete download?) "
                          f"or damaged: {what} runs past its end.")

    def _damaged(self, what: str) -> ModelError:
        return ModelError(f"The model file {self._path} is damaged ({what}).")
