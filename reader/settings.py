"""Typed settings, declared once, stored as JSON in the config dir.

The file is for people too: unknown keys are kept out with a warning, a value of the wrong type
falls back to its default with a warning, and a broken file never stops Reader from starting.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from reader import paths
from reader.files import write_atomically

log = logging.getLogger(__name__)


@dataclass
class Settings:
    model_path: str = field(
        default="", metadata={"help": "GGUF model file for summaries; empty: the embedded model"}
    )
    context_limit: int = field(
        default=8192,
        metadata={"help": "Largest context (tokens) to give the model; its trained size caps it",
                  "range": (512, 262144)},
    )
    threads: int = field(
        default=0,
        metadata={"help": "CPU threads for the model; 0: one per physical core", "range": (0, 256)},
    )
    model_idle_minutes: int = field(
        default=10,
        metadata={"help": "Minutes a loaded model stays in memory unused; 0: until quit",
                  "range": (0, 24 * 60)},
    )
    backend: str = field(
        default="local",
        metadata={"help": "local: the model runs on this computer; server: an OpenAI-compatible "
                          "server (llama.cpp server, vLLM, Ollama, LM Studio)",
                  "choices": {"local": "On this computer (llama.cpp)",
                              "server": "A model server (OpenAI-compatible)"}},
    )
    server_url: str = field(default="", metadata={"help": "The server, e.g. http://127.0.0.1:8080"})
    server_model: str = field(default="", metadata={"help": "The model name the server knows"})
    server_api_key: str = field(default="", metadata={"help": "API key, if the server wants one"})
    server_allow_plain_http_key: bool = field(
        default=False,
        metadata={"help": "Send the API key over plain http to a server that is not on this "
                          "computer (anyone on the network can read it)"},
    )
    summary_style: str = field(
        default="short",
        metadata={"help": "short (2-3 sentences), key_points or detailed",
                  "choices": {"short": "Short (2-3 sentences)", "key_points": "Key points",
                              "detailed": "Detailed"}},
    )
    summary_language: str = field(
        default="", metadata={"help": "Language of summaries, e.g. English; empty: the article's"}
    )
    reasoning_effort: str = field(
        default="low",
        metadata={"help": "For reasoning models (GPT-OSS): low, medium or high",
                  "choices": {"low": "Low", "medium": "Medium", "high": "High"}},
    )
    theme: str = field(
        default="system",
        metadata={"help": "Reader view: system (light or dark), light, dark, sepia",
                  "choices": {"system": "System (light or dark)", "light": "Light",
                              "dark": "Dark", "sepia": "Sepia"}},
    )
    font_family: str = field(default="", metadata={"help": "Reader view font; empty: the system's"})
    font_size: int = field(
        default=12, metadata={"help": "Reader view font size, points", "range": (6, 48)}
    )
    line_width: int = field(
        default=42, metadata={"help": "Longest reading line, in ems", "range": (20, 200)}
    )
    wayback_enabled: bool = field(
        default=True,
        metadata={"help": "When a page is gone (404, 410, no such server), save the Internet "
                          "Archive's snapshot of it instead"},
    )
    wayback_endpoint: str = field(
        default="",
        metadata={"help": "The Internet Archive's availability API; empty: archive.org's"},
    )
    keys: dict = field(
        default_factory=dict,
        metadata={"help": 'Key overrides: command id -> list of keys, e.g. {"archive": ["E"]}'},
    )

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or paths.settings_path()
        settings = cls()
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return settings
        except (OSError, ValueError) as error:
            log.warning("Ignoring unreadable settings file %s: %s", path, error)
            return settings
        if not isinstance(stored, dict):
            log.warning("Ignoring settings file %s: expected a JSON object", path)
            return settings
        for item in dataclasses.fields(cls):
            if item.name not in stored:
                continue
            value = stored.pop(item.name)
            if type(value) is not type(getattr(settings, item.name)) or not _valid(item.name, value):
                log.warning("Setting %s: expected %s, got %r; using the default", item.name,
                            type(getattr(settings, item.name)).__name__, value)
                continue
            setattr(settings, item.name, value)
        for unknown in stored:
            log.warning("Ignoring unknown setting %r in %s", unknown, path)
        return settings

    def save(self, path: Path | None = None) -> None:
        """Written atomically, readable by the user only (it may hold the server's API key)."""
        write_atomically(path or paths.settings_path(),
                         json.dumps(dataclasses.asdict(self), indent=2) + "\n")


def _field(name: str) -> dataclasses.Field:
    for item in dataclasses.fields(Settings):
        if item.name == name:
            return item
    raise KeyError(name)


def choices(name: str) -> dict[str, str]:
    """The values setting ``name`` may take, each with its title for people, in display order:
    declared once, on the field, for the settings dialog, the command line and the core."""
    return dict(_field(name).metadata["choices"])


def bounds(name: str) -> tuple[int, int]:
    """The smallest and largest value of the number setting ``name``."""
    return _field(name).metadata["range"]


def clamp(name: str, value: int) -> int:
    """``value`` brought within the bounds of setting ``name``."""
    low, high = bounds(name)
    return max(low, min(high, value))


def default(name: str):
    return _field(name).default


def _valid(name: str, value: object) -> bool:
    """Range checks beyond the type, for values a person may have typed into the file."""
    metadata = _field(name).metadata
    if "choices" in metadata:
        return value in metadata["choices"]
    if "range" in metadata:
        low, high = metadata["range"]
        return low <= value <= high
    if name == "keys":
        return all(isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
                   for k, v in value.items())
    return True
