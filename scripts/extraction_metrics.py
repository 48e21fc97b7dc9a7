"""The two development sets' metrics, as their own evaluation scripts compute them (see
extraction_score.py, which scores with them)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from typing import Sequence

NGRAM_N = 4

# --- the metrics --------------------------------------------------------------------------------

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
    return _normalised_counts(true_shingles, pred_shingles)


def word_counts(true: str | None, pred: str | None) -> tuple[float, float, float]:
    """WCXB's (TP, FP, FN): lowercase words as multisets, normalised like ``page_counts``."""
    return _normalised_counts(Counter(tokenize((true or "").lower())),
                              Counter(tokenize((pred or "").lower())))


def _normalised_counts(true: Counter, pred: Counter) -> tuple[float, float, float]:
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


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
    """The article benchmark's figures: mean precision, mean recall, F1 of the two."""
    precisions = [page_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [page_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "pages": len(counts)}


def aggregate_mean_f1(counts: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    """WCXB's figures: the mean of the per-page precision, recall and F1."""
    if not counts:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0, "pages": 0}
    return {"f1": statistics.mean(page_f1(*c) for c in counts),
            "precision": statistics.mean(page_precision(*c) for c in counts),
            "recall": statistics.mean(page_recall(*c) for c in counts), "pages": len(counts)}


# Per set: how a page is counted and how a set of pages is summed up.
METRICS = {
    "extraction-benchmark": (page_counts, aggregate),
    "wcxb-dev": (word_counts, aggregate_mean_f1),
}
