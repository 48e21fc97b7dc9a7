#!/usr/bin/env python3
"""Score Reader's extraction on both development sets, per page type, beside bare trafilatura.

The sets live in ``../shared/data/`` beside the repository, each page under ``html/<key>.html.gz``
with its hand-made main text in ``ground-truth.json``; each set is scored with its own metric:

- ``extraction-benchmark`` (news and blog articles), the benchmark's ``evaluate.py``: ``\\w+``
  words (case kept) cut into word 4-gram shingles counted as a multiset (fewer than 4 words: one
  shingle); per page TP/FP/FN normalised to sum to 1; precision averaged over the pages with a
  prediction, recall over the pages with a truth; F1 from those two means.
- ``wcxb-dev`` (articles, documentation, forum threads and Q&A), WCXB's: lowercase ``\\w+``
  words counted as multisets; precision, recall and F1 per page; the mean of the per-page F1.

Cross-validation: a page belongs to half A or B by a hash of its key (its file name), so the
split never changes. Rules are designed looking at half A only; half B is the held-out check.
``--tune MODULE.NAME=v1,v2,...`` scores each value of a numeric setting on every page, chooses
the best value on each half and scores every page with the value chosen on the *other* half: the
"cross-validated" line. CPU time is the extracting process's own, per page.

    nice -n 10 .venv/bin/python scripts/extraction_score.py --jobs 2        # both sets, all pages
    nice -n 10 .venv/bin/python scripts/extraction_score.py --set wcxb-dev --type forum --half A
    nice -n 10 .venv/bin/python scripts/extraction_score.py --sample 60 --no-baseline \\
        --tune reader.capture.extraction.thread.COVERAGE=0.4,0.6,0.8
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Callable, Iterable, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
DEFAULT_DATA = DATA_ROOT / "extraction-benchmark"
SETS = ("extraction-benchmark", "wcxb-dev")
# The metrics live beside this script, importable however the script is loaded (the tests load
# it from its path and reach the metrics through it).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction_metrics import (  # noqa: E402
    METRICS,
    NGRAM_N,
    aggregate,
    aggregate_mean_f1,
    page_counts,
    page_f1,
    page_precision,
    page_recall,
    shingles,
    tokenize,
    word_counts,
)

# --- the data -----------------------------------------------------------------------------------


def half(key: str) -> str:
    """The page's fixed half for cross-validation: A (tuning) or B (held out)."""
    return "AB"[hashlib.sha1(key.encode()).digest()[0] % 2]


@dataclass(frozen=True)
class Page:
    key: str
    url: str
    truth: str
    path: Path
    set: str = "extraction-benchmark"
    type: str = "article"

    @property
    def half(self) -> str:
        return half(self.key)

    def html(self) -> str:
        with gzip.open(self.path, "rt", encoding="utf-8", errors="replace") as handle:
            return handle.read()


def load_pages(data_dir: Path | str = DEFAULT_DATA, limit: int | None = None,
               sample: int | None = None, keys: Iterable[str] | None = None,
               page_type: str | None = None, only_half: str | None = None) -> list[Page]:
    """One set's pages in key order: all or just ``keys``, of one type and/or half, then
    ``sample`` of them spread evenly over the key order, then the first ``limit``."""
    data_dir = Path(data_dir)
    ground_truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    wanted = sorted(ground_truth) if keys is None else list(keys)
    wanted = [k for k in wanted if (page_type is None or _type(ground_truth[k]) == page_type)
              and (only_half is None or half(k) == only_half)]
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
        pages.append(Page(key, entry.get("url") or "", entry.get("articleBody") or "", path,
                          data_dir.name, _type(entry)))
    return pages


def _type(entry: dict) -> str:
    return entry.get("page_type") or "article"


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
    seconds: float  # CPU seconds of the extracting process
    words: int
    error: str = ""
    type: str = "article"
    half: str = "A"

    @property
    def f1(self) -> float:
        return page_f1(*self.counts)


@dataclass
class Result:
    name: str
    set: str
    pages: list[PageResult]

    @property
    def metrics(self) -> dict[str, float]:
        return summed_up(self.set, self.pages)

    def worst(self, n: int = 10) -> list[PageResult]:
        return sorted(self.pages, key=lambda p: (p.f1, p.key))[:n]

    @property
    def cpu_per_page(self) -> float:
        return sum(p.seconds for p in self.pages) / max(1, len(self.pages))


def summed_up(set_name: str, pages: Sequence[PageResult]) -> dict[str, float]:
    return METRICS[set_name][1]([p.counts for p in pages])


_WARM_PAGE = "<html><body><article><h1>Warm</h1>" + "<p>Imports and first-use tables. </p>" * 30 + "</article></body></html>"
_warmed: set[str] = set()


def _warm(name: str) -> None:
    """Run an extractor once in this process before timing it: importing trafilatura and loading
    its stop lists would otherwise be charged to whichever extractor runs first."""
    if name not in _warmed:
        EXTRACTORS[name](_WARM_PAGE, "https://example.invalid/warm")
        _warmed.add(name)


def _score_page(job: tuple[str, Page, dict[str, float]]) -> PageResult:
    name, page, settings = job
    _warm(name)
    html = page.html()
    error = ""
    defaults = _apply(settings)
    start = time.process_time()
    try:
        text = EXTRACTORS[name](html, page.url)
    except Exception as exc:  # an extractor crash is a failed page, not a failed run
        text, error = "", f"{type(exc).__name__}: {exc}"
    seconds = time.process_time() - start
    _apply(defaults)  # with one process, a tuned value stayed set for the next set's plain run
    counts = METRICS[page.set][0](page.truth, text)
    return PageResult(page.key, page.url, counts, seconds, len(text.split()), error,
                      page.type, page.half)


def _apply(settings: dict[str, float]) -> dict[str, float]:
    """Set each ``module.NAME`` to its value in this process; the values they had before."""
    before = {}
    for dotted, value in settings.items():
        module_name, _, name = dotted.rpartition(".")
        module = importlib.import_module(module_name)
        before[dotted] = getattr(module, name)
        setattr(module, name, value)
    return before


def score(pages: Sequence[Page], names: Sequence[str] = ("reader",), jobs: int = 1,
          settings: dict[str, float] | None = None) -> list[Result]:
    """Run each named extractor over ``pages`` (of one set); one Result per name, in order."""
    if any(name not in EXTRACTORS for name in names):
        raise ValueError(f"unknown extractor in {names!r}")
    set_name = pages[0].set if pages else SETS[0]
    # Each page by every extractor in turn, so that all meet the same machine load and caches.
    work = [(name, page, dict(settings or {})) for page in pages for name in names]
    if jobs > 1:
        with Pool(jobs, maxtasksperchild=200) as pool:
            scored = pool.map(_score_page, work, chunksize=len(names))
    else:
        scored = [_score_page(job) for job in work]
    return [Result(name, set_name, scored[i :: len(names)]) for i, name in enumerate(names)]


def cross_validated(set_name: str, by_value: dict[float, list[PageResult]]) -> tuple[list[PageResult], dict[str, float]]:
    """Each page scored with the value chosen (best F1) on the other half; and the choices."""
    chosen = {}
    for tuning in "AB":
        chosen[tuning] = max(by_value, key=lambda v: summed_up(
            set_name, [p for p in by_value[v] if p.half == tuning])["f1"])
    held_out = [p for value in set(chosen.values()) for p in by_value[value]
                if chosen["B" if p.half == "A" else "A"] == value]
    return held_out, chosen


# --- the command --------------------------------------------------------------------------------


def _figures(set_name: str, pages: Sequence[PageResult]) -> str:
    """One line: F1 on all pages, on half A, on half B, then per page type."""
    def f1(chosen):
        return f"{summed_up(set_name, chosen)['f1']:.4f}" if chosen else "  -   "
    parts = [f"all {f1(pages)}  A {f1([p for p in pages if p.half == 'A'])}  "
             f"B {f1([p for p in pages if p.half == 'B'])}"]
    by_type = defaultdict(list)
    for p in pages:
        by_type[p.type].append(p)
    if len(by_type) > 1:
        parts += [f"{kind} {f1(chosen)} ({len(chosen)})" for kind, chosen in sorted(by_type.items())]
    return "  |  ".join(parts)


def _report(results: list[Result], worst: int) -> None:
    for result in results:
        m = result.metrics
        print(f"{result.set:<21} {result.name:<12} {_figures(result.set, result.pages)}")
        print(f"{'':<34} P {m['precision']:.4f}  R {m['recall']:.4f}  pages {m['pages']}  "
              f"CPU {1000 * result.cpu_per_page:.0f} ms/page")
    by_set = defaultdict(dict)
    for result in results:
        by_set[result.set][result.name] = result
    for set_name, named in by_set.items():
        if "reader" in named and "trafilatura" in named:
            ratio = named["reader"].cpu_per_page / max(1e-9, named["trafilatura"].cpu_per_page)
            print(f"{set_name}: Reader's CPU per page is {ratio:.2f}x bare trafilatura's")
        if "reader" in named and worst:
            print(f"{set_name} reader: worst {worst} pages (F1 P R words type half key url)")
            for p in named["reader"].worst(worst):
                print(f"  {p.f1:.3f} {page_precision(*p.counts):.3f} {page_recall(*p.counts):.3f} "
                      f"{p.words:6d} {p.type[:5]:<5} {p.half} {p.key[:12]} {p.url}"
                      + (f" [{p.error}]" if p.error else ""))


def _parse_tune(text: str) -> tuple[str, list[float]]:
    name, _, values = text.partition("=")
    if "." not in name or not values:
        raise argparse.ArgumentTypeError("expected MODULE.NAME=v1,v2,...")
    return name, [float(v) for v in values.split(",")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_ROOT,
                        help=f"folder holding the sets (default: {DATA_ROOT})")
    parser.add_argument("--set", choices=SETS, action="append", help="score only this set")
    parser.add_argument("--type", help="score only pages of this type (article, forum, ...)")
    parser.add_argument("--half", choices="AB", help="score only this half")
    parser.add_argument("--sample", type=int, help="N pages of each set, spread evenly")
    parser.add_argument("--limit", type=int, help="only the first N pages of each set")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="leave out bare trafilatura.extract(html)")
    parser.add_argument("--tune", type=_parse_tune, help="MODULE.NAME=v1,v2,...: cross-validate")
    parser.add_argument("--worst", type=int, default=8, help="how many worst pages to list")
    parser.add_argument("--json", type=Path, help="also write every page's figures here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO_ROOT))  # reader, when run from a checkout without installing
    names = ["reader"] + ([] if args.no_baseline else ["trafilatura"])
    dumped = []
    for set_name in args.set or SETS:
        folder = args.data / set_name
        if not (folder / "ground-truth.json").is_file():
            parser.error(f"no benchmark at {folder} (expected ground-truth.json and html/)")
        pages = load_pages(folder, args.limit, args.sample, page_type=args.type,
                           only_half=args.half)
        if not pages:
            continue
        results = score(pages, names, max(1, args.jobs))
        if args.tune:
            name, values = args.tune
            by_value = {v: score(pages, ["reader"], max(1, args.jobs), {name: v})[0].pages
                        for v in values}
            for value, scored in by_value.items():
                print(f"{set_name:<21} {name.rpartition('.')[2]}={value:<6g} {_figures(set_name, scored)}")
            held_out, chosen = cross_validated(set_name, by_value)
            print(f"{set_name:<21} cross-validated (A chose {chosen['A']:g}, B chose "
                  f"{chosen['B']:g}): {_figures(set_name, held_out)}")
        _report(results, args.worst)
        dumped += [{"set": set_name, "extractor": r.name, **vars(p)} for r in results for p in r.pages]
    if args.json:
        args.json.write_text(json.dumps(dumped, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
