"""Benchmark 1's runs: one summary through Reader's path (in-process or through the worker) or
raw llama.cpp on the same prompt, timed alike, and the rounds that alternate them
(``bench.model`` makes the rows)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from contextlib import contextmanager

import llama_cpp as L

from bench.common import median
from bench.llama_raw import RawModel, Timing
from reader.library import Article
from reader.summarize import summarizer
from reader.summarize.backends.local import LocalModel

# Raw llama.cpp stops generating after this long: at 2 threads with one core busy it made ~1 tok/s
# (OpenMP threads waiting on a busy core), and its 3 runs took 6 of the bench's 18 minutes; 10 s
# of it give that rate as well (a quiet run generates its ~140 tokens in under 5 s).
RAW_GENERATION_LIMIT_S = 10.0


class ModelTokens:
    """``model`` as ``summarize`` uses it, noting when the model hands over its first token and
    when its stream ends (its last token, the end-of-generation one, sampled): what raw
    llama.cpp's first-token and last-token times are. The summary's first piece can come a few
    tokens later: the output parser holds the first words while they may still be an opening it
    cuts ("Summary:"), which is the summary's behaviour, not the model's speed."""

    def __init__(self, model):
        self.model = model
        self.first: float | None = None
        self.last: float | None = None

    def __getattr__(self, name):
        return getattr(self.model, name)

    def stream_tokens(self, *args, **kwargs):
        for piece in self.model.stream_tokens(*args, **kwargs):
            if self.first is None:
                self.first = time.perf_counter()
            yield piece
        self.last = time.perf_counter()


def _summarised(model, article: Article) -> tuple[str, float, float, float]:
    """One summary through Reader's path: its text, and seconds from the call to the model's
    first token, to the summary's first piece and to the model's last token."""
    timed = ModelTokens(model)
    pieces = []
    shown = None
    started = time.perf_counter()
    for piece in summarizer.summarize(article, timed):
        if shown is None:
            shown = time.perf_counter()
        pieces.append(piece)
    return "".join(pieces), timed.first - started, shown - started, timed.last - started


def reader_run(model: LocalModel, article: Article) -> tuple[Timing, dict]:
    """One summary through Reader's path, timed from the call to the model's last token."""
    llama = model._model()
    model.generator.forget()  # no prompt prefix reused from the run before
    L.llama_perf_context_reset(llama.ctx)
    text, first, shown, total = _summarised(model, article)
    perf = L.llama_perf_context(llama.ctx)
    # The last token sampled is not evaluated: n_eval is the tokens generated less one.
    timing = Timing(perf.n_p_eval, perf.n_eval + 1, first, total)
    return timing, {"text": text, "decode_prompt_s": perf.t_p_eval_ms / 1000,
                    "decode_gen_s": perf.t_eval_ms / 1000, "shown_s": shown,
                    "prompt_ids": list(model.generator.context_tokens[: perf.n_p_eval])}


def raw_run(raw: RawModel, threads: int, prompt: list[int], generate: int) -> tuple[Timing, dict]:
    L.llama_set_n_threads(raw.ctx, threads, threads)
    L.llama_perf_context_reset(raw.ctx)
    timing = raw.run(prompt, generate, RAW_GENERATION_LIMIT_S)
    perf = L.llama_perf_context(raw.ctx)
    return timing, {"decode_prompt_s": perf.t_p_eval_ms / 1000, "decode_gen_s": perf.t_eval_ms / 1000}


def worker_run(worker, article: Article) -> tuple[Timing, str, float]:
    """One summary through the path the window and the CLI take: ``summarize`` over the model
    ``backends.open_model`` gives (the model in a worker process, which stays loaded between
    summaries, as in the app). Before the clock, it generates from text that shares no prefix
    with the prompt: what its cache holds then is of no use to the summary, so the whole prompt
    is read, as raw's is. (Until 12-02 the worker was started afresh for each run, and each run
    was its first summary in a new process: 0.978 of raw's generation against 0.987 warm,
    medians of 8 and 10 alternating rounds; a user pays that once a session.)"""
    warm = worker.tokenize("Warm-up: a few words that have nothing to do with the article.")
    for _ in worker.stream_tokens(warm, 2):
        pass
    text, first, shown, total = _summarised(worker, article)
    # Token counts are not reported by the worker; they are those of the same prompt in-process.
    return Timing(0, 0, first, total), text, shown


class Rounds:
    """Reader (through the worker) and raw llama.cpp at 1 and 2 threads, one after the other,
    ``reps`` times, the order rotated so that a drifting load hits all alike."""

    ORDER = ("reader", "raw1", "raw2")

    def __init__(self, worker, raw: RawModel, article: Article, prompt: list[int], generate: int,
                 answer: str, reps: int, count_tokens):
        self.runs: dict[str, list[tuple[Timing, dict]]] = {name: [] for name in self.ORDER}
        self.same_answer = True
        for rep in range(reps):
            for name in self.ORDER[rep % 3:] + self.ORDER[: rep % 3]:
                if name == "reader":
                    with _thread_changes() as changes:
                        timing, text, shown = worker_run(worker, article)
                    # Its own length: with another thread count the answer may differ (llama.cpp's
                    # sums split differently), and its rate is what is compared.
                    # The tokens of its text and the end-of-generation one it sampled last
                    # (raw's count, with no such token, has its last token in that place).
                    timing = Timing(len(prompt), count_tokens(text) + 1, timing.ttft_s,
                                    timing.total_s)
                    self.same_answer = self.same_answer and text == answer
                    extra = {"shown_s": shown, "thread_changes": changes}
                else:
                    timing, extra = raw_run(raw, int(name[-1]), prompt, generate)
                self.runs[name].append((timing, extra))

    def med(self, name: str, attribute: str) -> float:
        return median(getattr(timing, attribute) for timing, _ in self.runs[name])

    def spread(self, name: str, attribute: str) -> str:
        values = [getattr(timing, attribute) for timing, _ in self.runs[name]]
        return f"{min(values):.3g}–{max(values):.3g}"

    def best(self, attribute: str, better=max) -> str:
        """The raw thread count with the best median of ``attribute``."""
        return better(("raw1", "raw2"), key=lambda name: self.med(name, attribute))

    def paired(self, attribute: str, best: str) -> float:
        """The median over repetitions of Reader's figure ÷ the best raw thread count's figure
        in the same repetition (the runs of one repetition follow each other)."""
        return median(getattr(r, attribute) / getattr(b, attribute)
                      for (r, _), (b, _) in zip(self.runs["reader"], self.runs[best]))

    def thread_changes(self) -> str:
        """What changed Reader's generation threads in its runs ("" if nothing did)."""
        changed = [extra["thread_changes"] for _, extra in self.runs["reader"]
                   if extra["thread_changes"]]
        if not changed:
            return ""
        return (f"; Reader's threads changed in {len(changed)} of {len(self.runs['reader'])} "
                f"runs ({'; '.join(', '.join(said) for said in changed)})")

    def detail(self, prefix: str = "") -> dict:
        return {f"{prefix}{name}_{attr}": [round(getattr(t, attr), 4) for t, _ in self.runs[name]]
                for name in self.runs for attr in ("prompt_tps", "gen_tps", "ttft_s", "total_s")}


@contextmanager
def _thread_changes():
    """The list of what the worker's generation threads logged meanwhile (each change of their
    count, with the load that made it: ``reader.summarize.backends.threads``)."""
    said: list[str] = []
    logger = logging.getLogger("reader.summarize.backends.threads")
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: said.append(record.getMessage())
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False  # noted in the row, not printed among the bench's lines
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def one_core_busy():
    """Another process keeping one core busy, as a build or a browser tab would."""
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)  # running before the first measurement starts
    try:
        yield
    finally:
        busy.kill()
        busy.wait()
