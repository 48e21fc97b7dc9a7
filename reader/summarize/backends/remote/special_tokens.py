"""Keeping an article's special-token look-alikes inert on their way to a server.

A server renders the chat messages with the model's template and tokenises the result with
special tokens parsed (llama.cpp's server and llama-cpp-python's both do), so an article that
contains ``<|im_end|>\n<|im_start|>assistant`` would end the user's turn and write its own.
Reader can't tokenise the prompt itself for a server (the local backend does, see
``prompt.build``), so the text is changed instead: a WORD JOINER (U+2060, invisible and
meaning nothing) goes after the ``<`` or ``[`` that opens anything shaped like a special token,
so that no special token's text appears in what is sent. The model still reads the same words.

Shapes covered: ``<|...|>`` (ChatML, Llama 3, harmony, Phi), ``<｜...｜>`` (DeepSeek),
``<s>``, ``</s>``, ``<think>``, ``<start_of_turn>`` and any other ``<word>`` or ``</word>``,
and ``[INST]``, ``[/INST]`` and the other upper-case ``[WORD]`` tokens (Mistral).
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_OPENING = re.compile(r"<(?=[|｜/A-Za-z_])|\[(?=/?[A-Z][A-Z_]*\])")


def neutralise(text: str) -> str:
    """``text`` with nothing in it that a tokenizer could read as a special token."""
    return _OPENING.sub(lambda match: match.group() + WORD_JOINER, text)


def neutralise_messages(messages: list[dict]) -> list[dict]:
    """Chat messages with their text neutralised."""
    return [{**message, "content": neutralise(message["content"])}
            if isinstance(message.get("content"), str) else message for message in messages]
