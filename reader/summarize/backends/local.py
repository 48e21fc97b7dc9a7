"""The local backend: a GGUF model run by llama.cpp through llama-cpp-python."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path


from reader.errors import ModelError
from reader.summarize import gguf, prompt
from reader.summarize.backends.base import ChatModel, Reading
from reader.summarize.backends.decoding import Generator
from reader.summarize.backends.threads import GenerationThreads, physical_cores

log = logging.getLogger(__name__)
BATCH_SIZE = 512


class LocalModel(ChatModel):
    """One GGUF model, loaded on first use and kept while this object lives.

    llama-cpp-python's defaults (n_ctx=512, half the cores for generation) suit no real use:
    the context comes from the model's trained size, capped by ``context_limit``, and the
    threads from the machine: ``threads`` 0 means one per physical core, fewer while other
    processes keep cores busy (``threads.GenerationThreads``); prompts are read on every core
    while the cores are free, on the same count as generation when they are not.
    llama-cpp-python loads the model and tokenises; ``decoding.Generator`` generates.
    """

    takes_tokens = True

    def __init__(self, path: Path, context_limit: int = 8192, threads: int = 0,
                 reasoning_effort: str = "low"):
        self.path = path
        self.name = path.name
        self.metadata = gguf.read_metadata(path)  # fails fast on a missing or broken file
        trained = gguf.trained_context(self.metadata) or context_limit
        self.context_size = min(trained, context_limit)
        self.has_reasoning = prompt.template_reasons(self.metadata)
        self.threads = threads or physical_cores()
        self.adapt_threads = not threads
        self.reasoning_effort = reasoning_effort
        self._llama = None
        self._generator: Generator | None = None
        self._lock = threading.Lock()  # llama.cpp contexts are not thread-safe: one generation
        self._loading = threading.Lock()  # tokenising may go on while a generation runs

    def _model(self):
        with self._loading:
            return self._load()

    def _load(self):
        if self._llama is None:
            from llama_cpp import Llama  # loads the native library; only when a model is used

            log.info("Loading %s (context %d, %s)", self.path, self.context_size,
                     f"up to {self.threads} threads, fewer while other processes keep cores busy"
                     if self.adapt_threads else f"{self.threads} threads")
            try:
                self._llama = Llama(
                    model_path=str(self.path),
                    n_ctx=self.context_size,
                    n_batch=min(BATCH_SIZE, self.context_size),
                    n_threads=self.threads,
                    n_threads_batch=os.cpu_count() or self.threads,
                    flash_attn=True,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as error:
                raise ModelError(f"The model {self.name} could not be loaded: {error}") from error
            self._generator = Generator(self._llama.ctx, self._llama.model, self._llama.n_batch,
                                        GenerationThreads(self.threads, self.adapt_threads))
        return self._llama

    @property
    def generator(self) -> Generator:
        """What generates from the loaded model (loading it), for ``stream_tokens``."""
        self._model()
        return self._generator

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def tokenize(self, text: str) -> list[int]:
        return self._model().tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def build_prompt(self, data: str, instruction: str) -> prompt.Prompt:
        return prompt.build(self._model(), data, instruction,
                            reasoning_effort=self.reasoning_effort)

    def stream_tokens(
        self, ids: list[int], max_tokens: int, cancelled: threading.Event | None = None,
        reading: Reading | None = None,
    ) -> Iterator[str]:
        with self._lock:
            # llama-cpp-python must not take what is in the context for what it last put there.
            self._model().reset()
            yield from self.generator.stream(ids, max_tokens, cancelled, reading)

    def stream_chat(
        self, messages: list[dict], max_tokens: int, cancelled: threading.Event | None = None
    ) -> Iterator[str]:
        with self._lock:
            self.generator.forget()  # llama-cpp-python is about to fill the context
            stream = self._model().create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.2,
                repeat_penalty=1.1,
                stream=True,
            )
            try:
                for chunk in stream:
                    if cancelled is not None and cancelled.is_set():
                        return
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            finally:
                stream.close()
