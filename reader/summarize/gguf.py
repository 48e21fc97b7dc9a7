"""Reading a GGUF file's header without loading the model.

Enough to tell a GGUF from anything else, notice a truncated download, and learn the model's
architecture, trained context and name before spending seconds and gigabytes on loading it.
"""

from __future__ import annotations

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


def read_metadata(path: Path) -> dict[str, object]:
    """The key/value metadata of the GGUF at ``path`` (arrays are skipped and left out)."""
    try:
        with open(path, "rb") as file:
            if file.read(4) != MAGIC:
                raise ModelError(f"{path} is not a GGUF model file.")
            version, _tensors, count = struct.unpack("<IQQ", _read(file, 20, path))
            if version < 2:
                raise ModelError(f"{path} is a GGUF version {version} file; too old to load.")
            metadata: dict[str, object] = {}
            for _ in range(count):
                key = _read_string(file, path)
                value_type = struct.unpack("<I", _read(file, 4, path))[0]
                value = _read_value(file, value_type, path)
                if value is not None:
                    metadata[key] = value
            return metadata
    except FileNotFoundError as error:
        raise ModelError(f"The model file {path} does not exist.") from error
    except IsADirectoryError as error:
        raise ModelError(f"{path} is a folder, not a GGUF model file.") from error
    except PermissionError as error:
        raise ModelError(f"Reader may not read the model file {path}.") from error


def trained_context(metadata: dict[str, object]) -> int | None:
    architecture = metadata.get("general.architecture")
    value = metadata.get(f"{architecture}.context_length")
    return int(value) if isinstance(value, int) else None


def _read(file: BinaryIO, size: int, path: Path) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise ModelError(f"The model file {path} is truncated (an incomplete download?).")
    return data


def _read_string(file: BinaryIO, path: Path) -> str:
    (length,) = struct.unpack("<Q", _read(file, 8, path))
    return _read(file, length, path).decode("utf-8", "replace")


def _read_value(file: BinaryIO, value_type: int, path: Path) -> object:
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, _read(file, struct.calcsize(fmt), path))[0]
    if value_type == _STRING:
        return _read_string(file, path)
    if value_type == _ARRAY:
        item_type, length = struct.unpack("<IQ", _read(file, 12, path))
        if item_type in _SCALARS:
            file.seek(struct.calcsize(_SCALARS[item_type]) * length, 1)
        else:
            for _ in range(length):
                _read_value(file, item_type, path)
        return None
    raise ModelError(f"The model file {path} is damaged (unknown metadata type {value_type}).")
