"""Generation driven through llama.cpp's own API, one token at a time, with nothing in between.

llama-cpp-python's ``create_completion`` costs about 0.4 ms a token outside ``llama_decode``
(3-4 % of a token of the tiny model): a sampler chain with a repeat penalty run over all 49,152
tokens of the vocabulary, the logits copied into numpy, and the whole answer detokenised again at
every token. Here:

- the prompt goes in with ``llama_batch_get_one``, and the part of it already in the context's KV
  cache (the system message and instruction a previous request started with) is not evaluated
  again;
- the sampler chain is native and only what Reader samples with: the 40 likeliest tokens, then
  the repeat penalty over the last 64 generated tokens, top-p 0.95 and min-p 0.05 (the tail
  llama-cpp-python cut, so answers stay as they were), temperature 0.2, a draw from a fixed seed
  (the same prompt gives the same answer);
- each token's text is its own piece, decoded as UTF-8 incrementally (a character split across
  tokens comes out whole with the token that ends it);
- generation stops at an end-of-generation token, at ``max_tokens``, at the end of the context, or
  when ``cancelled`` is set: looked at between tokens, and while the prompt is read by llama.cpp
  itself (its abort callback, between the steps of a batch), so that a cancel comes within
  milliseconds even while a long prompt is read (a batch of 512 tokens takes seconds on a big
  model, and a worker that does not answer a cancel within 2 s is killed, its model reloaded);
- the number of threads follows the load (``threads.GenerationThreads``);
- ``reading(done, total)`` hears how much of the prompt is read (a cached prefix not counted):
  before its first batch (the model is loaded: the wait now is the prompt's) and after each.
"""

from __future__ import annotations

import codecs
import ctypes
import threading
from collections.abc import Iterator

import llama_cpp as L

from reader.errors import ModelError
from reader.summarize.backends.base import Reading
from reader.summarize.backends.threads import GenerationThreads

TEMPERATURE = 0.2
REPEAT_PENALTY = 1.1
PENALTY_LAST_N = 64  # llama-cpp-python's default, which Reader used
TOP_K, TOP_P, MIN_P = 40, 0.95, 0.05
SEED = 1130
PIECE_BYTES = 256  # more than any token's text
ABORTED = 2  # llama_decode: the abort callback stopped it


class Generator:
    """Generates from one llama.cpp context; not thread-safe (one generation at a time)."""

    def __init__(self, ctx, model, batch: int, threads: GenerationThreads):
        self._ctx = ctx
        self._vocab = L.llama_model_get_vocab(model)
        self._n_ctx = L.llama_n_ctx(ctx)
        self._batch = batch
        self.threads = threads
        self._batch_threads = L.llama_n_threads_batch(ctx)
        self._cached: list[int] = []  # the tokens in the context's KV cache, in order
        self._sampler = _sampler_chain(L.llama_vocab_n_tokens(self._vocab))

    @property
    def context_tokens(self) -> tuple[int, ...]:
        """The tokens the context holds now (the last prompt and answer), in order."""
        return tuple(self._cached)

    def forget(self) -> None:
        """The context was used by someone else (llama-cpp-python): nothing cached is ours."""
        self._cached = []

    def stream(self, ids: list[int], max_tokens: int, cancelled: threading.Event | None = None,
               reading: Reading | None = None) -> Iterator[str]:
        if not ids:
            raise ModelError("The model was given an empty prompt.")
        if len(ids) >= self._n_ctx:
            raise ModelError(f"The prompt ({len(ids)} tokens) does not fit the model's context "
                             f"of {self._n_ctx} tokens.")
        if not self._evaluate_prompt(ids, cancelled, reading):
            return
        L.llama_sampler_reset(self._sampler)  # no penalties from the last answer; the seed again
        text = TextPieces(self._vocab)
        one = (L.llama_token * 1)()
        left = min(max_tokens, self._n_ctx - len(self._cached))
        while left > 0:
            if cancelled is not None and cancelled.is_set():
                return
            token = L.llama_sampler_sample(self._sampler, self._ctx, -1)
            if L.llama_vocab_is_eog(self._vocab, token):
                break
            piece = text.add(token)
            if piece:
                yield piece
            left -= 1
            if not left:
                break  # the last token needs no evaluating
            one[0] = token
            self._decode(one, 1)
            self._cached.append(token)
            self._follow_load()
        tail = text.end()
        if tail:
            yield tail

    def _evaluate_prompt(self, ids: list[int], cancelled: threading.Event | None,
                         reading: Reading | None) -> bool:
        """Bring the KV cache to ``ids``: keep the prefix it holds already, evaluate the rest
        (told to ``reading`` batch by batch). At least the last token is evaluated, so that its
        logits are there to sample from. False if ``cancelled`` was set meanwhile (the cache is
        then emptied)."""
        kept = 0
        for cached, wanted in zip(self._cached, ids[:-1]):
            if cached != wanted:
                break
            kept += 1
        L.llama_memory_seq_rm(L.llama_get_memory(self._ctx), -1, kept, -1)
        self._cached = self._cached[:kept]
        rest = ids[kept:]
        self._use_threads(self.threads.begin())
        with _AbortWhen(self._ctx, cancelled):
            for start in range(0, len(rest), self._batch):
                if start and cancelled is not None and cancelled.is_set():
                    return False  # (where the backend has no abort callback: a GPU's)
                if reading is not None:
                    reading(start, len(rest))
                part = rest[start:start + self._batch]
                self._follow_load()
                if not self._decode((L.llama_token * len(part))(*part), len(part)):
                    return False
                self._cached.extend(part)
        if reading is not None:
            reading(len(rest), len(rest))
        return True

    def _follow_load(self) -> None:
        self._use_threads(self.threads.choose())

    def _use_threads(self, threads: int | None) -> None:
        if threads is not None:  # all of them for prompts while the cores are free
            batch = self._batch_threads if threads == self.threads.most else threads
            L.llama_set_n_threads(self._ctx, threads, batch)

    def _decode(self, tokens, count: int) -> bool:
        """Evaluate ``tokens``; False if the abort callback stopped it (set only while a prompt
        is read). Short of success, what the cache holds is unknown, so it is emptied."""
        status = L.llama_decode(self._ctx, L.llama_batch_get_one(tokens, count))
        if status != 0:
            self.forget()
            L.llama_memory_clear(L.llama_get_memory(self._ctx), True)
        if status == ABORTED:
            return False
        if status != 0:
            raise ModelError(f"llama.cpp could not evaluate the text (llama_decode: {status}).")
        return True

    def close(self) -> None:
        if self._sampler is not None:
            L.llama_sampler_free(self._sampler)
            self._sampler = None

    def __del__(self):
        self.close()


class _AbortWhen:
    """llama.cpp's abort callback set to ``cancelled.is_set`` while prompt batches are read:
    llama.cpp asks it between the steps of its computation and stops the batch when it is set
    (``llama_decode`` then returns ``ABORTED``). It is asked about 500 times a batch of the
    tiny model (2.5 us each on the worker's pipe: 0.1 % of a prompt), as often for a token,
    so not while tokens are generated: a tenth of a 13 ms token, for a cancel a token sees.

    ``is_set`` may raise (the worker's flag, when Reader has gone): nothing may leave a ctypes
    callback, so the computation is stopped and the error raised again once out of it."""

    def __init__(self, ctx, cancelled: threading.Event | None):
        self._ctx = ctx
        self._cancelled = cancelled
        self._error: BaseException | None = None
        self._callback = L.ggml_abort_callback(self._abort)  # kept alive while it is set

    def _abort(self, _data) -> bool:
        if self._error is not None:
            return True
        try:
            return self._cancelled.is_set()
        except BaseException as error:  # noqa: BLE001 - raised again in __exit__
            self._error = error
            return True

    def __enter__(self) -> _AbortWhen:
        if self._cancelled is not None:
            L.llama_set_abort_callback(self._ctx, self._callback, None)
        return self

    def __exit__(self, *exc) -> None:
        if self._cancelled is not None:
            L.llama_set_abort_callback(self._ctx, L.ggml_abort_callback(), None)
        if self._error is not None:
            raise self._error


class TextPieces:
    """The text of generated tokens, one token at a time: each token's bytes, decoded as UTF-8
    incrementally, so that a character split across tokens comes out whole, with the token that
    ends it. (Decoding each token alone would turn both halves into U+FFFD; decoding the whole
    answer at every token, as llama-cpp-python does, costs time that grows with the answer.)"""

    def __init__(self, vocab):
        self._vocab = vocab
        self._buffer = ctypes.create_string_buffer(PIECE_BYTES)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add(self, token: int) -> str:
        """The text ``token`` completes ("" while a character is still incomplete)."""
        length = L.llama_token_to_piece(self._vocab, token, self._buffer, PIECE_BYTES, 0, False)
        return self._decoder.decode(self._buffer.raw[:max(length, 0)])

    def end(self) -> str:
        """What is left at the end: a character cut off by the answer's end, as U+FFFD."""
        return self._decoder.decode(b"", final=True)


def _sampler_chain(n_vocab: int):
    chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
    for sampler in (
        L.llama_sampler_init_top_k(TOP_K),
        L.llama_sampler_init_penalties(n_vocab, PENALTY_LAST_N, REPEAT_PENALTY, 0.0, 0.0),
        L.llama_sampler_init_top_p(TOP_P, 1),
        L.llama_sampler_init_min_p(MIN_P, 1),
        L.llama_sampler_init_temp(TEMPERATURE),
        L.llama_sampler_init_dist(SEED),
    ):
        L.llama_sampler_chain_add(chain, sampler)  # the chain owns it now
    return chain

