"""Counting tokens with a server's own tokenizer, by the routes servers offer, or estimating."""

from __future__ import annotations

import math
from dataclasses import dataclass

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class TokenRoute:
    path: str
    text_key: str
    extra: tuple[tuple[str, object], ...]
    answer_key: str  # "tokens" (a list) or "count"

    def body(self, text: str, model: str) -> dict:
        return {self.text_key: text, "model": model, **dict(self.extra)}

    def count(self, answer: object) -> int | None:
        value = answer.get(self.answer_key) if isinstance(answer, dict) else None
        if isinstance(value, list):
            return len(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


TOKEN_ROUTES = (
    TokenRoute("/tokenize", "content", (("add_special", False),), "tokens"),  # llama.cpp
    TokenRoute("/extras/tokenize/count", "input", (), "count"),  # llama-cpp-python
)


def estimate_tokens(text: str) -> int:
    """A guess at the tokens in ``text`` for a server that cannot count them: characters / 4."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)
