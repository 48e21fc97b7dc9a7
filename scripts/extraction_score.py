#!/usr/bin/env python3
"""Score Reader's article extraction on the article-extraction benchmark.

The benchmark (``../shared/data/extraction-benchmark`` from the repository root by default) holds
real pages under ``html/<key>.html.gz`` and their hand-made article bodies in
``ground-truth.json``. The metric is the benchmark's own (scrapinghub/article-extraction-benchmark,
``evaluate.py``):

- text is tokenised as ``\\w+`` runs (case kept), and cut into word 4-gram shingles, counted as a
  multiset (a text of fewer than 4 words is one shingle of all its words);
- per page, TP/FP/FN are the shingle counts in common / only predicted / only true, normalised
  by their sum so that long pages weigh no more than short ones;
- precision is averaged over the pages with a prediction (TP + FP > 0), recall over the pages
  with a true body (TP + FN > 0); a page whose prediction and truth are both empty scores 1;
- F1 = 2PR / (P + R) from those two means (not the mean of per-page F1s).

What is scored for Reader is the ``text`` field of ``reader.capture.extract.extract`` — the plain
text it stores. A page Reader refuses (CaptureError) counts as an empty prediction.

    .venv/bin/python scripts/extraction_score.py               # Reader, all pages
    .venv/bin/python scripts/extraction_score.py --baseline    # and bare trafilatura.extract()
    .venv/bin/python scripts/extraction_score.py --limit 25 --jobs 2 --json
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Callable, Iterable, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction-benchmark"
NGRAM_N = 4

# --- the metric ---------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str | None) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = NGRAM_N) -> Counter:
    """Word n-gram shingles of ``text`` with their counts. Fewer than n words: one shingle."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(true: str | None, pred: str | None, n: int = NGRAM_N) -> tuple[float, float, float]:
    """(TP, FP, FN) of one page's shingles, normalised to sum to 1 (all 0 if both are empty)."""
    true_shingles, pred_shingles = shingles(true, n), shingles(pred, n)
    tp = sum((true_shingles & pred_shingles).values())
    fp = sum((pred_shingles - true_shingles).values())
    fn = sum((true_shingles - pred_shingles).values())
    total = tp + fp + fn
    if total == 0:
        return (0.0, 0.0, 0.0)
    return (tp / total, fp / total, fn / total)


def page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def page_f1(tp: float, fp: float, fn: float) -> float:
    precision, recall = page_precision(tp, fp, fn), page_recall(tp, fp, fn)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def aggregate(counts: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    """The benchmark's figures for a set of pages: mean precision, mean recall, F1 of the two."""
    precisions = [page_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [page_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "pages": len(counts)}


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    truth: str
    path: Path

    def html(self) -> str:
        with gzip.open(self.path, "rt", encoding="utf-8") as handle:
            return handle.read()


def load_pages(data_dir: Path | str = DEFAULT_DATA, limit: int | None = None,
               sample: int | None = None, keys: Iterable[str] | None = None) -> list[Page]:
    """The benchmark's pages in key order: all, just ``keys``, ``sample`` of them spread evenly
    over the key order, and/or the first ``limit``."""
    data_dir = Path(data_dir)
    ground_truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    wanted = sorted(ground_truth) if keys is None else list(keys)
    if sample is not None and 0 < sample < len(wanted):
        wanted = [wanted[i * len(wanted) // sample] for i in range(sample)]
    if limit is not None:
        wanted = wanted[:limit]
    pages = []
    for key in wanted:
        entry = ground_truth[key]
        path = data_dir / "html" / f"{key}.html.gz"
        if not path.is_file():
            raise FileNotFoundError(f"benchmark page missing: {path}")
        pages.append(Page(key, entry.get("url") or "", entry.get("articleBody") or "", path))
    return pages


# --- the extractors -----------------------------------------------------------------------------


def reader_text(html: str, url: str) -> str:
    """What Reader stores as the article's text ('' where it refuses the page)."""
    from reader.capture.extract import extract
    from reader.errors import CaptureError

    try:
        return extract(html, url or "https://example.invalid/").text
    except CaptureError:
        return ""


def trafilatura_text(html: str, url: str) -> str:
    """Bare ``trafilatura.extract(html)`` with its default settings."""
    import trafilatura

    return trafilatura.extract(html) or ""


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "reader": reader_text,
    "trafilatura": trafilatura_text,
}


# --- scoring ------------------------------------------------------------------------------------


@dataclass
class PageResult:
    key: str
    url: str
    counts: tuple[float, float, float]
    seconds: float
    words: int
    error: str = ""

    @property
    def f1(self) -> float:
        return page_f1(*self.counts)


@dataclass
class Result:
    name: str
    pages: list[PageResult] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def metrics(self) -> dict[str, float]:
        return aggregate([p.counts for p in self.pages])

    def worst(self, n: int = 10) -> list[PageResult]:
        return sorted(self.pages, key=lambda p: (p.f1, p.key))[:n]

    def as_dict(self, worst: int = 10) -> dict:
        extract_seconds = [p.seconds for p in self.pages]
        return {
            "name": self.name,
            **self.metrics,
            "wall_seconds": round(self.wall_seconds, 3),
            "extract_seconds_total": round(sum(extract_seconds), 3),
            "extract_seconds_mean": round(statistics.mean(extract_seconds), 4) if extract_seconds else 0,
            "extract_seconds_max": round(max(extract_seconds), 3) if extract_seconds else 0,
            "errors": [{"key": p.key, "error": p.error} for p in self.pages if p.error],
            "worst": [
                {"key": p.key, "url": p.url, "f1": round(p.f1, 4),
                 "precision": round(page_precision(*p.counts), 4),
                 "recall": round(page_recall(*p.counts), 4), "words": p.words}
                for p in self.worst(worst)
            ],
            "per_page": [
                {"key": p.key, "f1": round(p.f1, 4), "precision": round(page_precision(*p.counts), 4),
                 "recall": round(page_recall(*p.counts), 4), "words": p.words,
                 "seconds": round(p.seconds, 4)}
                for p in self.pages
            ],
        }


def _score_page(job: tuple[str, Page]) -> PageResult:
    name, page = job
    html = page.html()
    error = ""
    start = time.perf_counter()
    try:
        text = EXTRACTORS[name](html, page.url)
    except Exception as exc:  # an extractor crash is a failed page, not a failed run
        text, error = "", f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    return PageResult(page.key, page.url, page_counts(page.truth, text), seconds,
                      len(text.split()), error)


def score(pages: Sequence[Page], names: Sequence[str] = ("reader",), jobs: int = 1) -> list[Result]:
    """Run each named extractor over ``pages``; one Result per name, in order."""
    results = []
    pool = Pool(jobs) if jobs > 1 else None
    try:
        for name in names:
            if name not in EXTRACTORS:
                raise ValueError(f"unknown extractor {name!r}")
            start = time.perf_counter()
            work = [(name, page) for page in pages]
            scored = pool.map(_score_page, work, chunksize=1) if pool else list(map(_score_page, work))
            results.append(Result(name, scored, time.perf_counter() - start))
    finally:
        if pool:
            pool.close()
            pool.join()
    return results


# --- the command --------------------------------------------------------------------------------


def _print_report(results: list[Result], worst: int) -> None:
    for result in results:
        m = result.metrics
        extract_total = sum(p.seconds for p in result.pages)
        print(f"{result.name:<12} F1={m['f1']:.4f}  precision={m['precision']:.4f}  "
              f"recall={m['recall']:.4f}  pages={m['pages']}  wall={result.wall_seconds:.1f}s  "
              f"extract={extract_total:.1f}s ({1000 * extract_total / max(1, len(result.pages)):.0f} ms/page)")
    for result in results:
        print(f"\n{result.name}: worst {worst} pages")
        print(f"  {'F1':>6} {'P':>6} {'R':>6} {'words':>6}  key / url")
        for p in result.worst(worst):
            print(f"  {p.f1:6.3f} {page_precision(*p.counts):6.3f} {page_recall(*p.counts):6.3f} "
                  f"{p.words:6d}  {p.key[:12]}  {p.url}" + (f"  [{p.error}]" if p.error else ""))
        errors = [p for p in result.pages if p.error]
        if errors:
            print(f"  {len(errors)} page(s) raised: " + "; ".join(f"{p.key[:12]} {p.error}" for p in errors))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"benchmark folder (default: {DEFAULT_DATA})")
    parser.add_argument("--limit", type=int, help="score only the first N pages (in key order)")
    parser.add_argument("--sample", type=int,
                        help="score N pages spread evenly over the benchmark (the test's sample)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--baseline", action="store_true",
                        help="also score bare trafilatura.extract(html) with its defaults")
    parser.add_argument("--worst", type=int, default=10, help="how many worst pages to list")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    if not (args.data / "ground-truth.json").is_file():
        parser.error(f"no benchmark at {args.data} (expected ground-truth.json and html/)")
    sys.path.insert(0, str(REPO_ROOT))  # reader, when run from a checkout without installing
    pages = load_pages(args.data, args.limit, args.sample)
    names = ["reader"] + (["trafilatura"] if args.baseline else [])
    start = time.perf_counter()
    results = score(pages, names, max(1, args.jobs))
    total = time.perf_counter() - start
    if args.json:
        print(json.dumps({"data": str(args.data), "pages": len(pages), "jobs": args.jobs,
                          "wall_seconds": round(total, 3),
                          "results": [r.as_dict(args.worst) for r in results]}, indent=2))
    else:
        _print_report(results, args.worst)
        print(f"\ntotal wall time {total:.1f}s with {args.jobs} job(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
