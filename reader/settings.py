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

log = logging.getLogger(__name__)


@dataclass
class Settings:
    model_path: str = field(
        default="", metadata={"help": "GGUF model file for summaries; empty: the embedded model"}
    )
    context_limit: int = field(
        default=8192,
        metadata={"help": "Largest context (tokens) to give the model; its trained size caps it"},
    )
    threads: int = field(
        default=0, metadata={"help": "CPU threads for the model; 0: one per physical core"}
    )
    model_idle_minutes: int = field(
        default=10, metadata={"help": "Minutes a loaded model stays in memory unused; 0: until quit"}
    )
    backend: str = field(
        default="local",
        metadata={"help": "local: the model runs on this computer; server: an OpenAI-compatible "
                          "server (llama.cpp server, vLLM, Ollama, LM Studio)"},
    )
    server_url: str = field(default="", metadata={"help": "The server, e.g. http://127.0.0.1:8080"})
    server_model: str = field(default="", metadata={"help": "The model name the server knows"})
    server_api_key: str = field(default="", metadata={"help": "API key, if the server wants one"})
    summary_style: str = field(
        default="short", metadata={"help": "short (2-3 sentences), key_points or detailed"}
    )
    summary_language: str = field(
        default="", metadata={"help": "Language of summaries, e.g. English; empty: the article's"}
    )
    reasoning_effort: str = field(
        default="low", metadata={"help": "For reasoning models (GPT-OSS): low, medium or high"}
    )
    theme: str = field(
        default="system", metadata={"help": "Reader view: system (light or dark), light, dark, sepia"}
    )
    font_family: str = field(default="", metadata={"help": "Reader view font; empty: the system's"})
    font_size: int = field(default=12, metadata={"help": "Reader view font size, points"})
    line_width: int = field(default=42, metadata={"help": "Longest reading line, in ems"})
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
        path = path or paths.settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(dataclasses.asdict(self), indent=2) + "\n", "utf-8")
        temporary.replace(path)


THEMES = ("system", "light", "dark", "sepia")
BACKENDS = ("local", "server")


def _valid(name: str, value: object) -> bool:
    """Range checks beyond the type, for values a person may have typed into the file."""
    if name == "theme":
        return value in THEMES
    if name == "backend":
        return value in BACKENDS
    if name == "summary_style":
        return value in ("short", "key_points", "detailed")
    if name == "reasoning_effort":
        return value in ("low", "medium", "high")
    if name == "font_size":
        return 6 <= value <= 48
    if name == "line_width":
        return 20 <= value <= 200
    if name == "keys":
        return all(isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
                   for k, v in value.items())
    return True
