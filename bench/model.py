"""Benchmarks 1 and 2: Reader's summary path against llama.cpp driven directly.

1. Summary speed. Reader's path is ``summarizer.summarize`` over the model
   ``backends.open_model(Settings())`` gives, as the window and the CLI use it: the local model
   in its worker process, with Reader's default settings (context 8192, threads 0 = one per
   physical core). The reference is ``llama_raw.RawModel`` on the same GGUF with the same prompt
   tokens (read from an in-process ``LocalModel`` after the same summary) and the same number of
   generated tokens, at 1 and at 2 threads. Reader samples at temperature 0.2 from a fixed seed,
   so its answer, and so its length, is the same every run; the worker's answer is checked
   against the in-process one. Neither side reuses a cached prompt prefix: the in-process
   model's cache is emptied, and the worker is a fresh process, warmed up on text that shares
   no prefix with the prompt.
   Times are from the call to the model's first token and to the end of its stream (its last,
   end-of-generation token sampled) as they reach Reader (``ModelTokens``): raw's are its first
   and last sampled tokens. The summary's first words, which the output parser may hold a few
   tokens longer, are noted beside them. Reader's generated tokens are its answer's and the
   end-of-generation token: raw generates as many, none of them that one.
   Then the same again with one core kept busy by another process (``python -c "while True:
   pass"``): Reader against raw llama.cpp at its best thread count under that load.
2. Long article (alone: ``python -m bench.model [--quick]``). ``summarize`` with a 4,096-token
   context on a ~20,000-token article, whole (whatever summarize does today: map-reduce, or the
   first part with a note; see the coverage row), on the in-process ``LocalModel`` so that
   llama.cpp's counters can say how many tokens it evaluated and generated; against the least
   work that reads the whole article: every token evaluated once, in 4,096-token windows.
"""

from __future__ import annotations

import gc
import time

import llama_cpp as L

from bench import textgen
from bench.common import Row, median
from bench.llama_raw import RawModel
from bench.summary_runs import RAW_GENERATION_LIMIT_S, Rounds, one_core_busy, raw_run, reader_run
from bench.summary_runs import worker_run
from reader.capture.extract import extract
from reader.library import Article
from reader.settings import Settings
from reader.summarize import summarizer
from reader.summarize.backends.local import LocalModel
from reader.summarize.models import embedded_model_path

PROMPT_TOKENS = 970
# Five quiet rounds: a run on this VM moves 3-5 % either way (six alternating pairs on 12-02 read
# 0.96-1.03 of raw), as much as the target leaves; three rounds under load, where raw's runs
# at two threads take their 10 s limit.
REPS, BUSY_REPS = 5, 3
LONG_TOKENS, LONG_CONTEXT = 20_000, 4096
QUICK_LONG_TOKENS, QUICK_LONG_CONTEXT = 4_000, 2048
GROUP1 = "1. Summary speed"
GROUP2 = "2. Long article"


def _article(title: str, text: str) -> Article:
    return Article(id=1, url="https://example.org/bench", title=title, author="", site="",
                   published="", added="", word_count=len(text.split()), tags=[],
                   archived=False, favourite=False, text=text)


def bench_article(model: LocalModel, prompt_tokens: int = PROMPT_TOKENS) -> Article:
    """The news fixture's article, cut or extended by paragraphs so that Reader's prompt for it
    is about ``prompt_tokens`` tokens. The prompt's own tokens (system message, instruction,
    template) are measured by a summary of one paragraph, whatever Reader's prompt is today."""
    html = (textgen.FIXTURE_PAGES / "news-article.html").read_text(encoding="utf-8")
    found = extract(html, "https://example.org/news")
    paragraphs = found.text.split("\n") + textgen.long_text(4000, model.count_tokens).split("\n")
    probe, _ = reader_run(model, _article(found.title, paragraphs[0]))
    kept, used = [], probe.prompt_tokens - model.count_tokens(paragraphs[0])
    for paragraph in paragraphs:
        cost = model.count_tokens(paragraph + "\n")
        if used + cost > prompt_tokens:
            break
        kept.append(paragraph)
        used += cost
    return _article(found.title, "\n".join(kept))


def summary_speed(quick: bool) -> tuple[list[Row], int]:
    from reader.summarize.backends.factory import open_model

    settings = Settings()  # Reader's defaults, as a new user has them
    path = embedded_model_path()
    worker = open_model(settings)
    options = getattr(worker, "options", {})
    local = LocalModel(path, getattr(worker, "context_limit", settings.context_limit),
                       settings.threads, **options)
    local._model()  # loading is not what is measured
    article = bench_article(local)
    # Warm-up, and the prompt tokens and answer length that every run then uses.
    calibration, info = reader_run(local, article)
    prompt, generate = info["prompt_ids"], calibration.generated_tokens
    local_timing, local_extra = reader_run(local, article)
    answer = info["text"]
    raw = RawModel(path, local.context_size, threads=1)
    raw_run(raw, 1, prompt[:64], 4)
    # The worker loads its model on its first summary: a run before the rounds, as raw has one
    # (in the first full run of 12-01 afternoon, the unwarmed first run read 0.89 of raw and
    # the two after it 0.97 and 1.03).
    worker_run(worker, article)
    reps, busy_reps = (1, 1) if quick else (REPS, BUSY_REPS)
    quiet = Rounds(worker, raw, article, prompt, generate, answer, reps, local.count_tokens)
    with one_core_busy():
        busy = Rounds(worker, raw, article, prompt, generate, answer, busy_reps,
                      local.count_tokens)
    worker.close()
    raw.close()
    reader_threads = (f"up to {local.threads} threads (fewer while other processes keep cores "
                      f"busy), {local._model().n_threads_batch} for prompts, "
                      f"context {local.context_size}")
    del local
    gc.collect()

    best_prompt = quiet.best("prompt_tps")
    best_gen = quiet.best("gen_tps")
    best_ttft = quiet.best("ttft_s", min)
    busy_gen = busy.best("gen_tps")
    detail = {
        "prompt_tokens": len(prompt), "generated_tokens": generate,
        "reps": reps, "busy_reps": busy_reps, "reader_threads": reader_threads,
        "worker_answer_same_as_in_process": quiet.same_answer and busy.same_answer,
        **quiet.detail(), **busy.detail("busy_"),
        **{f"raw{n}_decode_{k}_s": median(extra[f"decode_{k}_s"] for _, extra in quiet.runs[f"raw{n}"])
           for n in (1, 2) for k in ("prompt", "gen")},
        "in_process": {"prompt_tps": local_timing.prompt_tps, "gen_tps": local_timing.gen_tps,
                       "ttft_s": local_timing.ttft_s, "total_s": local_timing.total_s,
                       "decode_prompt_s": local_extra["decode_prompt_s"],
                       "decode_gen_s": local_extra["decode_gen_s"]},
        "answer": answer[:300],
        "reader_thread_changes": [extra["thread_changes"] for _, extra in quiet.runs["reader"]],
        "busy_reader_thread_changes": [extra["thread_changes"]
                                       for _, extra in busy.runs["reader"]],
    }

    def shape(rounds: Rounds, attribute: str) -> str:
        return (f"{len(prompt)} prompt tokens, {generate} generated; medians of "
                f"{len(rounds.runs['reader'])} runs, ratio = median of per-run pairs; Reader "
                f"range {rounds.spread('reader', attribute)}")

    path_note = f"Reader: summarize() over open_model(Settings()) (worker process), {reader_threads}"
    if not detail["worker_answer_same_as_in_process"]:
        path_note += "; NOTE the worker's answer differed from the in-process one"
    rows = [
        Row(GROUP1, "prompt tok/s", "tok/s", quiet.med("reader", "prompt_tps"),
            quiet.med(best_prompt, "prompt_tps"), f"raw llama.cpp, {best_prompt[-1]} thread(s)",
            target=0.95, note=shape(quiet, "prompt_tps") + ". " + path_note,
            detail=detail, paired_ratio=quiet.paired("prompt_tps", best_prompt)),
        Row(GROUP1, "generated tok/s", "tok/s", quiet.med("reader", "gen_tps"),
            quiet.med(best_gen, "gen_tps"), f"raw llama.cpp, {best_gen[-1]} thread(s)",
            target=0.97, note=shape(quiet, "gen_tps") + quiet.thread_changes(),
            paired_ratio=quiet.paired("gen_tps", best_gen)),
        Row(GROUP1, "time to first token", "s", quiet.med("reader", "ttft_s"),
            quiet.med(best_ttft, "ttft_s"), f"raw llama.cpp, {best_ttft[-1]} thread(s)",
            better="lower", target=1.03, note=shape(quiet, "ttft_s") +
            "; the first token as the model hands it to Reader. The summary's first words show "
            f"at {median(extra['shown_s'] for _, extra in quiet.runs['reader']):.2f} s: the "
            "output parser holds them while they may still be an opening it cuts",
            paired_ratio=quiet.paired("ttft_s", best_ttft)),
        Row(GROUP1, "generated tok/s, one other core busy", "tok/s", busy.med("reader", "gen_tps"),
            busy.med(busy_gen, "gen_tps"), f"raw llama.cpp, {busy_gen[-1]} thread(s), same load",
            target=0.9, note=shape(busy, "gen_tps") +
            "; raw under that load: " + ", ".join(
                f"{n} thread(s) {busy.med(f'raw{n}', 'gen_tps'):.1f} tok/s "
                f"(range {busy.spread(f'raw{n}', 'gen_tps')})" for n in (1, 2)) +
            f" (raw generates for at most {RAW_GENERATION_LIMIT_S:g} s a run)"
            f"; Reader's first token {busy.med('reader', 'ttft_s'):.2f} s against raw's "
            f"{busy.med(busy.best('ttft_s', min), 'ttft_s'):.2f} s",
            paired_ratio=busy.paired("gen_tps", busy_gen)),
        Row(GROUP1, "in-process LocalModel (no worker): generated tok/s", "tok/s",
            local_timing.gen_tps, quiet.med(best_gen, "gen_tps"),
            f"raw llama.cpp, {best_gen[-1]} thread(s)",
            note=f"one run; prompt {local_timing.prompt_tps:.0f} tok/s, first token "
                 f"{local_timing.ttft_s:.2f} s; time in llama_decode: prompt "
                 f"{local_extra['decode_prompt_s']:.2f} s, generation {local_extra['decode_gen_s']:.2f} s"),
    ]
    for threads in (1, 2):
        name = f"raw{threads}"
        rows.append(Row(GROUP1, f"raw llama.cpp at {threads} thread(s): prompt tok/s", "tok/s",
                        quiet.med(name, "prompt_tps"), quiet.med(best_prompt, "prompt_tps"),
                        "best raw",
                        note=f"range {quiet.spread(name, 'prompt_tps')}; generated "
                             f"{quiet.med(name, 'gen_tps'):.1f} tok/s (range "
                             f"{quiet.spread(name, 'gen_tps')}), first token "
                             f"{quiet.med(name, 'ttft_s'):.2f} s"))
    return rows, int(best_prompt[-1])


def long_article(quick: bool, threads_for_raw: int) -> list[Row]:
    tokens_wanted, context = (QUICK_LONG_TOKENS, QUICK_LONG_CONTEXT) if quick else (LONG_TOKENS, LONG_CONTEXT)
    settings = Settings()
    path = embedded_model_path()
    model = LocalModel(path, context, settings.threads)
    llama = model._model()
    text = textgen.long_text(tokens_wanted, model.count_tokens)
    article = _article("A long read", text)
    tokens = llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
    # Warm-up on a short text, then the measured summary.
    list(summarizer.summarize(_article("Warm-up", text[:2000]), model))
    model.generator.forget()
    L.llama_perf_context_reset(llama.ctx)
    started = time.perf_counter()
    first = None
    pieces = []
    parts = []  # how many parts summarize() read the article in (none: one pass)
    for piece in summarizer.summarize(article, model, progress=lambda _, count: parts.append(count)):
        first = first or time.perf_counter()
        pieces.append(piece)
    reader_s = time.perf_counter() - started
    perf = L.llama_perf_context(llama.ctx)
    answer = "".join(pieces)
    del model, llama
    gc.collect()

    raw = RawModel(path, context, threads=threads_for_raw)
    raw.evaluate_windows(tokens[:256], context)  # warm-up
    raw_s = raw.evaluate_windows(tokens, context)
    raw.close()

    read = perf.n_p_eval  # every prompt token Reader evaluated, all calls together
    coverage_note = answer.split("\n", 1)[0] if answer.startswith("(Summary of the first") else ""
    note = (f"{len(tokens)} article tokens, context {context}. Reader read it in "
            f"{parts[0] if parts else 1} part(s), evaluated {read} prompt tokens "
            f"and generated {perf.n_eval + 1}; "
            + (f"it says: {coverage_note}" if coverage_note else "no partial-summary note (whole article read)"))
    detail = {"article_tokens": len(tokens), "context": context, "reader_parts": parts[0] if parts else 1,
              "reader_prompt_tokens": read,
              "reader_generated": perf.n_eval + 1, "reader_first_piece_s": (first or started) - started,
              "reader_decode_prompt_s": perf.t_p_eval_ms / 1000, "reader_decode_gen_s": perf.t_eval_ms / 1000,
              "raw_threads": threads_for_raw, "answer_start": answer[:200]}
    # The share Reader says it summarised (by characters), or all of it when it says nothing.
    share = float(coverage_note.split("first ")[1].split("%")[0]) / 100 if coverage_note else 1.0
    return [
        Row(GROUP2, "total time of summarize()", "s", reader_s, raw_s,
            f"raw: evaluate all {len(tokens)} tokens ({threads_for_raw} thr.)", better="lower",
            target=1.15, note=note, detail=detail),
        Row(GROUP2, "share of the article's tokens the model read", "%", 100 * share, 100.0,
            "the whole article", target=1.0,
            note="from summarize()'s own note; 100% when it gives none"),
    ]


def run(quick: bool) -> list[Row]:
    rows, best_threads = summary_speed(quick)
    return rows + long_article(quick, best_threads)


def main() -> None:
    """The long-article figure alone (benchmark 2), without the summary-speed rounds."""
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.model", description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="a ~4,000-token article, context 2,048")
    parser.add_argument("--raw-threads", type=int, default=2, help="threads for raw llama.cpp")
    args = parser.parse_args()
    load = os.getloadavg()
    for row in long_article(args.quick, args.raw_threads):
        print(f"{row.figure}: Reader {row.reader:.4g} {row.unit}, {row.reference_name} "
              f"{row.reference:.4g} {row.unit}, ratio {row.ratio:.2f}. {row.note}")
    print(f"load {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
