"""The models Reader knows: the embedded one, a short list to download, and GGUFs the user added.

The catalogue is a few models that summarise well on a laptop's CPU, each one file in a
well-known GGUF repository on Hugging Face, pinned to a commit of that repository and to the
file's SHA-256: what a download gets cannot change under Reader, and every byte is checked
against the pin (``download.py``). A downloaded model lives in the models folder
(``paths.data_dir() / "models"``). GGUF files elsewhere on disk are remembered in a small JSON
registry in the settings folder (``models.json``: a list of ``{name, path, added}``), so that
the models list shows them by name. Which model summarises is the ``model_path`` setting; an
empty one means the embedded model.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader import paths
from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize import gguf
from reader.summarize.models import embedded_model_path

log = logging.getLogger(__name__)

EMBEDDED_ID = "smollm2-135m"
EMBEDDED_NAME = "SmolLM2-135M-Instruct (built in)"


@dataclass(frozen=True)
class CatalogueEntry:
    """A model Reader can download: one GGUF file in a Hugging Face repository."""

    id: str  # what the command line calls it: reader models download gpt-oss-20b
    name: str
    repo_id: str
    filename: str
    size: int  # bytes: for the list and the disk-space check before the hub says
    description: str
    # The commit to download from; the catalogue's own entries name one (see is_pinned), a
    # branch ("main") is only for entries made elsewhere, such as tests' stand-in hubs.
    revision: str = "main"
    # The file's SHA-256; None (entries made elsewhere): the hub's own (its LFS object id).
    sha256: str | None = None

    @property
    def is_pinned(self) -> bool:
        """Pinned to a commit and a content hash, so the bytes cannot change under Reader."""
        return bool(_COMMIT.fullmatch(self.revision)
                    and self.sha256 is not None and _SHA256.fullmatch(self.sha256))


_COMMIT = re.compile(r"[0-9a-f]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


# To move an entry to a newer upload, take the commit and the file's SHA-256 (its LFS object id)
# and size from the file's page on the hub: downloads fetch that commit and check that hash.
CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        id="gpt-oss-20b",
        name="GPT-OSS-20b",
        repo_id="ggml-org/gpt-oss-20b-GGUF",
        filename="gpt-oss-20b-mxfp4.gguf",
        size=12_109_566_560,
        description="OpenAI's open-weight reasoning model: the best summaries here; wants "
                    "16 GB of memory or more.",
        revision="e1dc459feff949ff451ce107337a2026daa80df8",
        sha256="be37a636aca0fc1aae0d32325f82f6b4d21495f06823b5fbc1898ae0303e9935",
    ),
    CatalogueEntry(
        id="qwen3-4b",
        name="Qwen3-4B-Instruct-2507",
        repo_id="unsloth/Qwen3-4B-Instruct-2507-GGUF",
        filename="Qwen3-4B-Instruct-2507-Q4_K_M.gguf",
        size=2_497_281_120,
        description="A 4B instruct model (Q4_K_M): good summaries in many languages on an "
                    "8 GB laptop.",
        revision="a06e946bb6b655725eafa393f4a9745d460374c9",
        sha256="3605803b982cb64aead44f6c1b2ae36e3acdb41d8e46c8a94c6533bc4c67e597",
    ),
    CatalogueEntry(
        id="llama-3.2-1b",
        name="Llama-3.2-1B-Instruct",
        repo_id="bartowski/Llama-3.2-1B-Instruct-GGUF",
        filename="Llama-3.2-1B-Instruct-Q4_K_M.gguf",
        size=807_694_464,
        description="A 1B instruct model (Q4_K_M): quick on any computer, rougher summaries.",
        revision="067b946cf014b7c697f3654f621d577a3e3afd1c",
        sha256="6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83",
    ),
)


@dataclass(frozen=True)
class ModelInfo:
    """One line of the models list."""

    id: str  # catalogue id, EMBEDDED_ID, or the name the user gave an added file
    name: str
    source: str  # "embedded", "catalogue" or "added"
    path: Path  # where the file is (or, for a catalogue model not downloaded, will be)
    present: bool  # the file is there
    size: int | None  # bytes: the file's, or the catalogue's estimate before download
    active: bool  # the model the settings choose
    entry: CatalogueEntry | None = None
    added: str | None = None  # when the user added it (ISO 8601), for added files


def models_dir() -> Path:
    """Where downloaded models go."""
    return paths.data_dir() / "models"


def registry_path() -> Path:
    return paths.config_dir() / "models.json"


def catalogue_entry(id_or_name: str) -> CatalogueEntry | None:
    wanted = id_or_name.strip().lower()
    for entry in CATALOGUE:
        if wanted in (entry.id.lower(), entry.name.lower(), entry.filename.lower()):
            return entry
    return None


def catalogue_path(entry: CatalogueEntry) -> Path:
    return models_dir() / entry.filename


def list_models(settings: Settings) -> list[ModelInfo]:
    """The embedded model, the catalogue (downloaded or not), then the user's own files."""
    active = _active_path(settings)
    models = []
    try:
        embedded = embedded_model_path()
        models.append(_info(EMBEDDED_ID, EMBEDDED_NAME, "embedded", embedded, active))
    except ModelError as error:  # the package is missing: say so in the log, list the rest
        log.warning("%s", error)
    for entry in CATALOGUE:
        path = catalogue_path(entry)
        models.append(_info(entry.id, entry.name, "catalogue", path, active, entry=entry))
    known = {_key(model.path) for model in models}
    for item in _read_registry():
        path = Path(item["path"])
        if _key(path) in known:
            continue
        known.add(_key(path))
        name = item["name"]
        models.append(_info(name, name, "added", path, active, added=item.get("added")))
    if active is not None and _key(active) not in known:  # set by hand in settings.json
        models.append(_info(active.stem, active.stem, "added", active, active))
    return models


def add_model(path: Path | str, name: str | None = None) -> ModelInfo:
    """Remember the GGUF file at ``path`` under ``name`` (by default its file name's stem).

    The file must be a readable GGUF: its header is checked now, not at the first summary.
    Adding a file again renames it; a name another model has already is refused.
    """
    path = Path(path).expanduser().resolve()
    gguf.read_metadata(path)  # ModelError: missing, a folder, not GGUF, truncated
    name = (name or path.stem).strip()
    if not name:
        raise ModelError("A model needs a name.")
    registry = [item for item in _read_registry() if _key(Path(item["path"])) != _key(path)]
    taken = {item["name"].lower() for item in registry}
    taken |= {entry.id.lower() for entry in CATALOGUE} | {entry.name.lower() for entry in CATALOGUE}
    taken |= {EMBEDDED_ID, EMBEDDED_NAME.lower()}
    if name.lower() in taken:
        raise ModelError(f"There is already a model called {name!r}; give this one another name.")
    added = datetime.now(UTC).replace(microsecond=0).isoformat()
    registry.append({"name": name, "path": str(path), "added": added})
    _write_registry(registry)
    return ModelInfo(id=name, name=name, source="added", path=path, present=True,
                     size=path.stat().st_size, active=False, added=added)


def remove_model(name: str) -> None:
    """Forget an added model (its file stays where it is)."""
    registry = _read_registry()
    kept = [item for item in registry if item["name"].lower() != name.strip().lower()]
    if len(kept) == len(registry):
        raise ModelError(f"No added model is called {name!r}.")
    _write_registry(kept)


def use_model(name_or_path: str, settings: Settings) -> ModelInfo:
    """Make the named model (or the GGUF file at a path) the one that summarises, and save.

    A name is looked up in the list (id or name, any case); anything else is taken as a path,
    checked, and added to the list. A catalogue model must be downloaded first.
    """
    wanted = name_or_path.strip()
    model = _find(wanted, settings)
    if model is None:
        path = Path(wanted).expanduser()
        if not path.exists() and not _looks_like_path(wanted):
            raise ModelError(f"No model is called {wanted!r}; `reader models list` shows them.")
        add_model(path)
        model = _find(str(path.resolve()), settings)
        assert model is not None
    if not model.present:
        if model.source == "catalogue":
            raise ModelError(f"{model.name} is not downloaded yet: "
                             f"`reader models download {model.id}` fetches it.")
        raise ModelError(f"The model file {model.path} is gone; add it again where it is now.")
    gguf.read_metadata(model.path)  # still a GGUF (a download may have been cut short by hand)
    settings.model_path = "" if model.source == "embedded" else str(model.path)
    settings.save()
    return dataclasses.replace(model, active=True)


# -- inside ----------------------------------------------------------------------------------------


def _info(id_, name, source, path, active, entry=None, added=None) -> ModelInfo:
    present = path.is_file()
    size = path.stat().st_size if present else (entry.size if entry else None)
    is_active = active is not None and _key(path) == _key(active)
    return ModelInfo(id=id_, name=name, source=source, path=path, present=present, size=size,
                     active=is_active, entry=entry, added=added)


def _active_path(settings: Settings) -> Path | None:
    if settings.model_path:
        return Path(settings.model_path).expanduser()
    try:
        return embedded_model_path()
    except ModelError:
        return None


def _find(wanted: str, settings: Settings) -> ModelInfo | None:
    lowered = wanted.lower()
    models = list_models(settings)
    for model in models:
        if lowered in (model.id.lower(), model.name.lower()):
            return model
    if lowered in ("embedded", "default", "built-in", "builtin"):
        return next((model for model in models if model.source == "embedded"), None)
    entry = catalogue_entry(wanted)
    if entry is not None:
        return next(model for model in models if model.entry == entry)
    path = Path(wanted).expanduser()
    for model in models:
        if _key(model.path) == _key(path):
            return model
    return None


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.lower().endswith(".gguf")


def _key(path: Path) -> str:
    try:
        return str(path.expanduser().resolve())
    except OSError:
        return str(path)


def _read_registry() -> list[dict]:
    path = registry_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        log.warning("Ignoring unreadable model list %s: %s", path, error)
        return []
    if not isinstance(data, list):
        log.warning("Ignoring model list %s: expected a JSON list", path)
        return []
    items = []
    for item in data:
        if (isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip()
                and isinstance(item.get("path"), str) and item["path"]):
            items.append(item)
        else:
            log.warning("Ignoring an entry of the model list %s: %r", path, item)
    return items


def _write_registry(items: list[dict]) -> None:
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(items, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
