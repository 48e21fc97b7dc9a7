"""The markdown page: the table of one run, the machine and its load, the method, and the
analysis written by hand (``bench/analysis.md``), which a run carries over unchanged."""

from __future__ import annotations

import math
from pathlib import Path

from bench.common import Row

ANALYSIS = Path(__file__).with_name("analysis.md")
METHOD = """\
## How each figure is measured

Each group runs in a fresh process; every ratio is Reader ÷ reference, both measured in the same
run, so machine speed cancels out (load does not: see the load columns).

1. **Summary speed** (`bench/model.py`, `bench/llama_raw.py`). Reader: `summarizer.summarize()` on
   the model `backends.open_model(Settings())` gives (the local model in its worker process, with
   Reader's default context and threads), loaded before the clock starts and kept between runs,
   as in the app; before each run it generates from unrelated text, so no prompt prefix is reused.
   Reference: llama.cpp through llama-cpp-python's low-level API (`llama_batch_get_one` +
   `llama_decode`, a native greedy sampler with end-of-generation tokens banned) on the same GGUF,
   with the very prompt tokens Reader built and exactly as many generated tokens as Reader's
   answer has (its end-of-generation token counted), at 1 and at 2 threads; the better of the two
   is the reference. Reader's first and last tokens are the model's, as they reach Reader (the
   summary's first words, which the output parser may hold a few tokens longer, are noted).
   Prompt tok/s = prompt tokens ÷ time to first token; generated tok/s = tokens after the first
   ÷ time after the first. Five rounds (three under load), each ratio the median of the rounds'
   pairs. An in-process `LocalModel`
   run (no worker) and llama.cpp's own decode timers show where any gap comes from. Then Reader
   and raw llama.cpp again, with another process keeping one core busy (`python -c "while True:
   pass"`); the reference is raw at its best thread count under that load.
2. **Long article** (`bench/model.py`). `summarize()` with a 4,096-token context on a ~20,000-token
   article (real article bodies from shared/data/extraction-benchmark, one after another), with
   the in-process `LocalModel` so that llama.cpp's counters can tell how many tokens it evaluated
   and generated; reference: every article token evaluated once, in 4,096-token windows.
3. **Ingest** (`bench/ingest.py`, `bench/pages.py`). 200 distinct pages made from the fixture
   pages (new titles and paragraph text, the same clutter), served on 127.0.0.1 by a thread of a
   separate process. Reader: the capture queue (`reader.capture.queue`, fetch threads +
   extraction processes), the one runner of the capture pipeline, with the CPU its own process,
   its extraction processes and the page server spent a page; then the same extraction processes
   alone, fed the same pages by threads (nothing fetched or stored). `bench/cli_add.py`: `reader
   add` of 1,000 real pages (WCXB articles, forums, docs) 3 times in a row, each run saving every
   page. Reference: `trafilatura.extract` on the same HTML, one page after another.
4. **UI responsiveness** (`bench/ui.py`). The real `MainWindow` (offscreen Qt) on a fresh library;
   a 5 ms `QTimer` probe; a stall = how late a tick ran. While a summary streams (first with the
   model loading, then warm) and while 1,000 links are added with `add_links` (pages on a local
   server); reference: the idle window. A watchdog thread samples the UI thread's Python stack
   during stalls over 12 ms.
5. **Library scale** (`bench/library_scale.py`, `bench/libgen.py`, `bench/window_probe.py`).
   Libraries of 10,000 and 100,000 generated articles (~600 words each, bulk SQL into a library
   made by `open_library`; cached in ~/.cache/reader-bench, keyed by schema version). Cold start =
   wall time from starting a process running `reader.ui.app.run_gui` to the window's first paint,
   after one unmeasured start that writes Python's bytecode cache (as an installed app has it);
   search = `Library.search` and the list model's query with a search (first page), rare and
   common terms (the last word is a prefix, as Reader searches while you type; rare terms are
   ranked, and the run checks the list's first 10 rows are FTS5's 10 best by rank; terms in over
   5,000 articles are not ranked: `python -m bench.library_scale [SIZE]` runs these alone); scroll =
   `ArticleListModel.row_at` every 50th row; G = the last row. References in the table.
6. **Soak** (`bench/soak.py`). An import of 1,000 links (pages on 127.0.0.1) killed with SIGKILL
   20 times at random moments, `reader import` and `reader add` taking turns, then run to the
   end. Counted as sound only if `PRAGMA integrity_check` is ok, every article a run reported
   saved is there, no page is there twice, the queue is empty and no image is left without its
   article. The reference is the number of kills: every run must come out sound.
7. **Extraction** (`bench/extraction.py`, `scripts/extraction_score.py`). An evenly spread sample
   of each development set in `../shared/data/` (the article-extraction benchmark, scored by word
   4-gram F1; WCXB-dev, scored by word F1 per page and per page type), Reader's extraction and
   bare `trafilatura.extract(html)` page by page in turn in one process. CPU = the process's own
   CPU time per page on a second pass (both warmed up). Each half's F1 is in the run's
   results.json: rules are tuned on half A and judged on half B (cross-validation); the full
   sets and both halves are `python scripts/extraction_score.py` (docs/extraction.md).
"""


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in ("MB", "%"):
        text = f"{value:,.0f}"
    elif unit == "ms":
        text = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    elif unit == "s":
        text = f"{value:.2f}" if value < 100 else f"{value:.0f}"
    else:
        text = f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    return f"{text} {unit}"


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    sign = "≥" if row.better == "higher" else "≤"
    if row.target_on_value:
        return f"{sign} {_fmt(row.target, row.unit)}"
    return f"ratio {sign} {row.target:.2f}"


def _met(row: Row) -> str:
    return {None: "", True: "yes", False: "**no**"}[row.met]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _load(triple) -> str:
    return " / ".join(f"{x:.2f}" for x in triple)


def markdown(run: dict, raw_path: Path | None = None) -> str:
    m = run["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    minutes, seconds = divmod(round(run["seconds"]), 60)
    lines = [
        "# Benchmarks",
        "",
        (f"Generated by `make bench` (`.venv/bin/python -m bench{' --quick' if run['quick'] else ''}`)"
        f" on {run['date'].replace('T', ' ')} ({'quick' if run['quick'] else 'full'} run, "
        f"{minutes} min {seconds} s). Re-run it to refresh this page; the analysis at the end is "
        "written by hand (bench/analysis.md)."),
        "",
        (f"- **Machine**: {m['nproc']} CPUs ({m['physical_cores']} physical cores), {m['cpu']}, "
        f"{m['ram_gib']} GiB RAM; {m['system']}; Python {m['python']}, SQLite {m['sqlite']}."),
        f"- **Versions**: Reader {run['reader']}; {versions}.",
        (f"- **Load average** (1 / 5 / 15 min): {_load(run['load_start'])} at the start, "
        f"{_load(run['load_end'])} at the end."),
    ]
    busy = max(run["load_start"][0], run["load_end"][0],
               *(g[k][0] for g in run["groups"] for k in ("load_before", "load_after")), 0)
    if busy > 0.5 * m["nproc"]:
        lines.append(
            f"- **Warning**: the 1-minute load reached {busy:.1f} on {m['nproc']} CPUs: other "
            "processes were using the machine while this ran. Ratios hold up better than absolute "
            "figures, but llama.cpp's thread counts and the UI stalls are sensitive to it; see the "
            "per-group load below and compare with a run on an idle machine.")
    lines += [
        "",
        ("Ratio = Reader ÷ reference (same run). For speeds higher is better; for times, stalls and "
        "memory lower is better. A target on a ratio reads e.g. `ratio ≥ 0.95`; an absolute "
        "target applies to Reader's own figure."),
        "",
        "| Group | Figure | Reader | Reference | Ratio | Target | Met | Notes |",
        "| --- | --- | ---: | --- | ---: | --- | --- | --- |",
    ]
    for group in run["groups"]:
        for data in group["rows"]:
            row = Row.from_dict(data)
            ratio = "–" if math.isnan(row.ratio) else f"{row.ratio:.2f}"
            lines.append(
                f"| {_cell(row.group)} | {_cell(row.figure)} | {_fmt(row.reader, row.unit)} | "
                f"{_fmt(row.reference, row.unit)} ({_cell(row.reference_name)}) | {ratio} | "
                f"{_target(row)} | {_met(row)} | {_cell(row.note)} |")
    lines += ["", "| Group | Time | Load before | Load after |", "| --- | ---: | --- | --- |"]
    for group in run["groups"]:
        lines.append(f"| {group['group']} | {group['seconds']:.0f} s | {_load(group['load_before'])} | "
                     f"{_load(group['load_after'])} |")
    for failure in run["failures"]:
        lines += ["", f"**{failure['group']} failed** (exit {failure['code']}):", "", "```",
                  failure["tail"][-1500:], "```"]
    if raw_path:
        lines += ["", (f"Raw results of this run (every repetition, llama.cpp timers, stall stacks): "
                      f"`{raw_path}` (a temporary file)."), ""]
    lines += ["", METHOD]
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)
