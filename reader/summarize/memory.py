"""How much memory a model needs, and the largest context this computer can give it.

Read from the GGUF header before loading, so that a model too big for the computer is met with a
sentence saying so rather than minutes of swapping or the process being killed. The estimate is
what llama.cpp allocates on the CPU:

- the weights: the file, mapped into memory (all of it is read for every token);
- the KV cache: keys and values for every layer and every position of the context, in f16:
  ``2 (K and V) * layers * context * kv_heads * head_dim * 2 bytes`` (with key and value
  lengths apart where the GGUF gives them);
- the compute buffer: a batch's worth of logits (``vocab * batch`` floats) and activations;
- the worker process itself (Python and the llama.cpp library).

It errs on the high side: models that keep a short sliding window in some of their layers
(GPT-OSS, Gemma) need less KV cache than counted here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil

from reader.summarize import gguf

GB = 1_000_000_000  # sizes are told in decimal gigabytes, as disks and downloads are
F16_BYTES = 2
FLOAT_BYTES = 4
BATCH = 512  # LocalModel's n_batch (and llama.cpp's n_ubatch)
# What the worker process takes besides the model: Python, llama.cpp, the tokenizer's tables.
RUNTIME_BYTES = 200_000_000
# Left free for the rest of the computer when choosing a context.
HEADROOM_BYTES = 1 * GB
MIN_CONTEXT = 2048
# For a GGUF that does not say its vocabulary size (the token list itself is not read).
DEFAULT_VOCAB = 131_072


@dataclass(frozen=True)
class Shape:
    """What the memory estimate needs from a model's metadata."""

    layers: int
    kv_heads: int
    key_length: int
    value_length: int
    embedding: int
    feed_forward: int
    vocab: int
    trained_context: int | None

    @classmethod
    def from_metadata(cls, metadata: dict[str, object]) -> Shape:
        arch = metadata.get("general.architecture")

        def number(key: str) -> int | None:
            value = metadata.get(f"{arch}.{key}")
            positive = isinstance(value, int) and not isinstance(value, bool) and value > 0
            return int(value) if positive else None

        embedding = number("embedding_length") or 4096
        heads = number("attention.head_count") or 32
        head_dim = embedding // heads
        expert_ff, experts_used = number("expert_feed_forward_length"), number("expert_used_count")
        feed_forward = (expert_ff * experts_used if expert_ff and experts_used
                        else number("feed_forward_length") or 4 * embedding)
        return cls(
            layers=number("block_count") or 32,
            kv_heads=number("attention.head_count_kv") or heads,
            key_length=number("attention.key_length") or head_dim,
            value_length=number("attention.value_length") or head_dim,
            embedding=embedding,
            feed_forward=feed_forward,
            vocab=number("vocab_size") or DEFAULT_VOCAB,
            trained_context=gguf.trained_context(metadata),
        )


@dataclass(frozen=True)
class Need:
    """Bytes a model needs with a given context, by what they are for."""

    weights: int
    kv_cache: int
    compute: int
    runtime: int = RUNTIME_BYTES

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.runtime


def kv_cache_bytes(metadata: dict[str, object], context: int) -> int:
    shape = Shape.from_metadata(metadata)
    per_token = shape.layers * shape.kv_heads * (shape.key_length + shape.value_length)
    return per_token * context * F16_BYTES


def need(metadata: dict[str, object], file_size: int, context: int) -> Need:
    shape = Shape.from_metadata(metadata)
    batch = min(BATCH, context)
    compute = FLOAT_BYTES * batch * (shape.vocab + 6 * shape.embedding + shape.feed_forward)
    return Need(weights=file_size, kv_cache=kv_cache_bytes(metadata, context), compute=compute)


def available_memory() -> int:
    """Memory that can be had without swapping: free plus what the OS would give back at once."""
    return psutil.virtual_memory().available


@dataclass(frozen=True)
class MemoryCheck:
    """Whether a model with a context fits in the memory there is, and what to say if not."""

    name: str
    context: int
    need: Need
    available: int

    @property
    def fits(self) -> bool:
        return self.need.total <= self.available

    @property
    def warning(self) -> str | None:
        if self.fits:
            return None
        return (f"{self.name} needs about {self.need.total / GB:.1f} GB with "
                f"{_a(self.context)} {self.context}-token context; this computer has "
                f"{self.available / GB:.1f} GB free. Close other programs or choose a smaller "
                "model or context.")


def check(
    path: Path,
    context: int,
    *,
    name: str | None = None,
    metadata: dict[str, object] | None = None,
    available: int | None = None,
) -> MemoryCheck:
    """Whether the GGUF at ``path`` fits in memory with ``context`` tokens of context.

    ``name`` is how the model is called in the warning (a catalogue name); by default the
    file's name without ``.gguf``. ``available`` defaults to what the computer has free now.
    """
    metadata = gguf.read_metadata(path) if metadata is None else metadata
    return MemoryCheck(
        name=name or Path(path).stem,
        context=context,
        need=need(metadata, os.path.getsize(path), context),
        available=available_memory() if available is None else available,
    )


def choose_context(
    metadata: dict[str, object], available_bytes: int, limit: int, *, file_size: int
) -> int:
    """The largest context that fits, leaving ``HEADROOM_BYTES`` for the rest of the computer.

    Candidates are the powers of two from ``MIN_CONTEXT`` up, and the cap itself: the model's
    trained context, or ``limit`` if that is smaller. A cap below ``MIN_CONTEXT`` is returned
    as it is; when not even ``MIN_CONTEXT`` fits, that is the answer, and ``check`` will say why
    the model is unlikely to run.
    """
    trained = Shape.from_metadata(metadata).trained_context
    cap = min(limit, trained) if trained else limit
    if cap <= MIN_CONTEXT:
        return cap
    candidates = [cap]
    size = MIN_CONTEXT
    while size < cap:
        candidates.append(size)
        size *= 2
    budget = available_bytes - HEADROOM_BYTES
    for context in sorted(candidates, reverse=True):
        if need(metadata, file_size, context).total <= budget:
            return context
    return MIN_CONTEXT


def _a(number: int) -> str:
    """The article for a number said in English: "an 8192", "an 11000", "a 4096"."""
    digits = str(number)
    eleven_or_eighteen = digits[:2] in ("11", "18") and len(digits) % 3 == 2
    return "an" if digits.startswith("8") or eleven_or_eighteen else "a"
