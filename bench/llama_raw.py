"""The reference for the model benchmarks: llama.cpp driven through llama-cpp-python's low-level
ctypes API, with nothing of Reader (nor of llama-cpp-python's ``Llama`` class) in between.

Prompt tokens go in with ``llama_batch_get_one`` (no per-token Python loop), each generated token
is picked by a native greedy sampler with every end-of-generation token banned, so a run
generates exactly the number of tokens it is asked for.
"""

from __future__ import annotations

import ctypes
import math
import time
from dataclasses import dataclass
from pathlib import Path

import llama_cpp as L

BATCH = 512  # Reader's n_batch (reader.summarize.backends.local.BATCH_SIZE)


@dataclass
class Timing:
    prompt_tokens: int
    generated_tokens: int  # tokens sampled, the first one included
    ttft_s: float  # start to first sampled token (prompt evaluation and one sample)
    total_s: float

    @property
    def prompt_tps(self) -> float:
        return self.prompt_tokens / self.ttft_s

    @property
    def gen_tps(self) -> float:
        # Tokens after the first, over the time after the first: decode + sample per token.
        steps = self.generated_tokens - 1
        return steps / (self.total_s - self.ttft_s) if steps > 0 else math.nan


class RawModel:
    """One model and one context, set up as Reader sets up its own (context size, batch, flash
    attention), with ``threads`` for both generation and prompt batches."""

    def __init__(self, path: Path, n_ctx: int, threads: int):
        L.llama_backend_init()
        L.llama_log_set(_QUIET, ctypes.c_void_p())
        self.model = L.llama_model_load_from_file(str(path).encode(), L.llama_model_default_params())
        if not self.model:
            raise RuntimeError(f"could not load {path}")
        params = L.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = min(BATCH, n_ctx)
        params.n_ubatch = min(BATCH, n_ctx)
        params.n_threads = threads
        params.n_threads_batch = threads
        params.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_ENABLED
        params.no_perf = False
        self.ctx = L.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise RuntimeError("could not create a llama.cpp context")
        self.n_ctx = n_ctx
        self.threads = threads
        self.vocab = L.llama_model_get_vocab(self.model)
        n_vocab = L.llama_vocab_n_tokens(self.vocab)
        eog = [t for t in range(n_vocab) if L.llama_vocab_is_eog(self.vocab, t)]
        biases = (L.llama_logit_bias * len(eog))(*[L.llama_logit_bias(t, -math.inf) for t in eog])
        self.sampler = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
        L.llama_sampler_chain_add(self.sampler, L.llama_sampler_init_logit_bias(n_vocab, len(eog), biases))
        L.llama_sampler_chain_add(self.sampler, L.llama_sampler_init_greedy())

    def clear(self) -> None:
        L.llama_memory_clear(L.llama_get_memory(self.ctx), True)
        L.llama_sampler_reset(self.sampler)

    def evaluate(self, tokens: list[int]) -> None:
        """Run ``tokens`` through the model from where the context is, in batches of BATCH."""
        for start in range(0, len(tokens), BATCH):
            part = tokens[start : start + BATCH]
            array = (L.llama_token * len(part))(*part)
            if L.llama_decode(self.ctx, L.llama_batch_get_one(array, len(part))) != 0:
                raise RuntimeError("llama_decode failed")

    def run(self, prompt: list[int], generate: int, limit_s: float = math.inf) -> Timing:
        """Evaluate ``prompt`` in a cleared context, then sample ``generate`` tokens (greedy, no
        end-of-generation token), evaluating each but the last, as a chat completion does; or
        fewer, if generating takes over ``limit_s`` (the rate is the same, in less time)."""
        self.clear()
        one = (L.llama_token * 1)()
        started = time.perf_counter()
        self.evaluate(prompt)
        token = L.llama_sampler_sample(self.sampler, self.ctx, -1)
        first = ended = time.perf_counter()
        generated = 1
        while generated < generate and ended - first < limit_s:
            one[0] = token
            if L.llama_decode(self.ctx, L.llama_batch_get_one(one, 1)) != 0:
                raise RuntimeError("llama_decode failed")
            token = L.llama_sampler_sample(self.sampler, self.ctx, -1)
            generated += 1
            ended = time.perf_counter()
        return Timing(len(prompt), generated, first - started, ended - started)

    def evaluate_windows(self, tokens: list[int], window: int) -> float:
        """Seconds to evaluate all of ``tokens``, ``window`` at a time, each window in a fresh
        context: the least work that reads a text longer than the context."""
        started = time.perf_counter()
        for start in range(0, len(tokens), window):
            self.clear()
            self.evaluate(tokens[start : start + window])
        L.llama_synchronize(self.ctx)
        return time.perf_counter() - started

    def close(self) -> None:
        L.llama_sampler_free(self.sampler)
        L.llama_free(self.ctx)
        L.llama_model_free(self.model)


@L.llama_log_callback
def _QUIET(level, text, user_data):  # llama.cpp's load log would drown the benchmark's output
    pass
