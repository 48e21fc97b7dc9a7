"""Benchmark: extraction quality and CPU on the two development sets, against bare trafilatura.

``scripts/extraction_score.py`` on an evenly spread sample of each set (``../shared/data/``
beside the repository), Reader's extraction and bare ``trafilatura.extract(html)`` page by page in
turn in this process: each set's own metric (4-gram F1 on the article-extraction benchmark, word
F1 per page on WCXB, also per page type) and the extracting process's CPU time per page, timed
on a second pass over the sample. The full run, both halves and cross-validated tuning are the
script's: ``python scripts/extraction_score.py`` (see docs/extraction.md).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

from bench.common import Row

GROUP = "7. Extraction"
SAMPLE, QUICK_SAMPLE = 120, 40  # pages of each set
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "extraction_score.py"
# Issue 15's targets: F1 on each set, each WCXB page type at least bare trafilatura's, CPU.
F1_TARGETS = {"extraction-benchmark": 97.5, "wcxb-dev": 93.0}  # percent
METRIC_NAMES = {"extraction-benchmark": "word 4-gram F1", "wcxb-dev": "word F1 per page"}
CPU_TARGET = 1.5


def _score_script():
    spec = importlib.util.spec_from_file_location("extraction_score", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["extraction_score"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _set_rows(score, set_name: str, sample: int) -> list[Row]:
    folder = score.DATA_ROOT / set_name
    if not (folder / "ground-truth.json").is_file():
        raise FileNotFoundError(f"no development set at {folder} (ground-truth.json and html/)")
    pages = score.load_pages(folder, sample=sample)
    # Timed on a second pass: in the first, each new language's date words are compiled on first
    # use, which a long-running extraction process pays once (3x trafilatura on 40 pages).
    score.score(pages, ["reader", "trafilatura"])
    reader, bare = score.score(pages, ["reader", "trafilatura"])
    reference = "bare trafilatura.extract(html)"
    note = f"{len(pages)} pages spread over the set; full set: scripts/extraction_score.py"

    def f1(result, keep=lambda page: True):
        # In percent: the report prints one decimal.
        return 100 * score.summed_up(set_name, [p for p in result.pages if keep(p)])["f1"]

    halves = {f"{name} half {h}": f1(result, lambda p, h=h: p.half == h)
              for name, result in (("reader", reader), ("trafilatura", bare)) for h in "AB"}
    rows = [Row(GROUP, f"{set_name}: {METRIC_NAMES[set_name]}", "% F1", f1(reader), f1(bare),
                reference, target=F1_TARGETS[set_name], target_on_value=True, note=note,
                detail=halves)]
    kinds = defaultdict(int)
    for page in pages:
        kinds[page.type] += 1
    if len(kinds) > 1:
        rows += [Row(GROUP, f"{set_name}: F1 on {kind} pages", "% F1",
                     f1(reader, lambda p, k=kind: p.type == k),
                     f1(bare, lambda p, k=kind: p.type == k), reference, target=1.0,
                     note=f"{count} pages of the sample")
                 for kind, count in sorted(kinds.items())]
    rows.append(Row(GROUP, f"{set_name}: CPU per page", "ms", 1000 * reader.cpu_per_page,
                    1000 * bare.cpu_per_page, reference, better="lower", target=CPU_TARGET,
                    note="the extracting process's own CPU time, both warmed up, page by page"))
    return rows


def run(quick: bool) -> list[Row]:
    score = _score_script()
    sample = QUICK_SAMPLE if quick else SAMPLE
    return [row for set_name in score.SETS for row in _set_rows(score, set_name, sample)]
