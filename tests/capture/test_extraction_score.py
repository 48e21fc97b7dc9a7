"""Extraction quality on real pages: scripts/extraction_score.py on samples of both development
sets (each page type of WCXB against bare trafilatura), and both metrics on hand-made strings."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "extraction_score.py"
_spec = importlib.util.spec_from_file_location("extraction_score", SCRIPT)
score = importlib.util.module_from_spec(_spec)
sys.modules["extraction_score"] = score  # dataclasses look their module up there
_spec.loader.exec_module(score)

SAMPLE = 25
# Measured on this sample with trafilatura 2.3.1: Reader 0.958 (0.957 before the second round's
# image changes, 0.949 before the first round's, in docs/extraction.md), bare
# trafilatura.extract() 0.936.
# (Reader read each page twice, for precision and for recall, and scored 0.979 here at 2.6 times
# the CPU; on WCXB's articles that lost, see docs/extraction.md.) A change that gives back the
# gain over trafilatura falls below this.
MIN_SAMPLE_F1 = 0.95


# The metric


def test_one_page_counts_shared_and_unshared_shingles():
    # truth shingles: (a b c d), (b c d e); predicted: (a b c d), (b c d x): 1 TP, 1 FP, 1 FN
    counts = score.page_counts("a b c d e", "a b c d x")
    assert counts == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert score.page_precision(*counts) == pytest.approx(0.5)
    assert score.page_recall(*counts) == pytest.approx(0.5)
    assert score.page_f1(*counts) == pytest.approx(0.5)


def test_words_are_runs_of_word_characters_case_kept_punctuation_ignored():
    assert score.tokenize("Don't stop—now, 2019!") == ["Don", "t", "stop", "now", "2019"]
    assert score.page_f1(*score.page_counts("One two, three four.", "one two three four")) == 0.0
    assert score.page_f1(*score.page_counts("One two, three four.", "One (two) three... four")) == 1.0


def test_shingles_are_a_multiset_and_short_texts_are_one_shingle():
    assert score.shingles("a b c") == {("a", "b", "c"): 1}
    assert score.shingles("") == {}
    # the truth says it twice, the prediction once: 5 shingles true, 1 of them missed
    tp, fp, fn = score.page_counts("w x y z w x y z", "w x y z")
    assert (tp, fp, fn) == pytest.approx((1 / 5, 0, 4 / 5))


def test_benchmark_f1_is_from_mean_precision_and_mean_recall():
    pages = [
        score.page_counts("a b c d e", "a b c d x"),  # P 0.5, R 0.5
        score.page_counts("a b c d e f", "a b c d e f z"),  # 3 true shingles found, 1 extra: P 0.75, R 1
        score.page_counts("a b c d e", ""),  # nothing extracted: no precision, recall 0
    ]
    metrics = score.aggregate(pages)
    precision, recall = (0.5 + 0.75) / 2, (0.5 + 1 + 0) / 3
    assert metrics["precision"] == pytest.approx(precision)
    assert metrics["recall"] == pytest.approx(recall)
    assert metrics["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert metrics["f1"] == pytest.approx(0.5555556)


def test_a_perfect_page_and_an_empty_pair():
    assert score.page_f1(*score.page_counts("exactly the same words here", "exactly the same words here")) == 1.0
    assert score.page_counts("", "") == (0.0, 0.0, 0.0)
    assert score.aggregate([score.page_counts("", "")])["f1"] == 0.0  # no page to average


def test_wcxb_words_are_lowercase_multisets_and_f1_is_averaged_per_page():
    counts = score.word_counts("The cat saw the Dog", "the dog the cat")  # 4 shared, 1 missed
    assert counts == pytest.approx((4 / 5, 0, 1 / 5))
    pages = [counts, score.word_counts("a b", "c d")]
    assert score.aggregate_mean_f1(pages)["f1"] == pytest.approx((2 * 1 * 0.8 / 1.8 + 0) / 2)


def test_each_page_keeps_its_half_whatever_else_is_scored():
    keys = [f"{n:04d}" for n in range(200)]
    halves = [score.half(key) for key in keys]
    assert 70 < halves.count("A") < 130  # an even split, not all one way
    assert halves == [score.half(key) for key in keys]


def test_cross_validation_scores_each_half_with_the_value_the_other_half_chose():
    def page(key, f1_counts):
        return score.PageResult(key, "", f1_counts, 0.0, 0, half=score.half(key))
    a_key = next(k for k in map(str, range(100)) if score.half(k) == "A")
    b_key = next(k for k in map(str, range(100)) if score.half(k) == "B")
    good, bad = (1.0, 0.0, 0.0), (0.0, 0.5, 0.5)
    # value 1 is best on A, value 2 best on B: each page gets the other half's choice
    by_value = {1: [page(a_key, good), page(b_key, bad)], 2: [page(a_key, bad), page(b_key, good)]}
    held_out, chosen = score.cross_validated("wcxb-dev", by_value)
    assert chosen == {"A": 1, "B": 2}
    assert sorted(p.f1 for p in held_out) == [0.0, 0.0]


# Reader on real pages


@pytest.mark.skipif(not (score.DEFAULT_DATA / "ground-truth.json").is_file(),
                    reason=f"extraction benchmark not found at {score.DEFAULT_DATA}")
def test_reader_extraction_quality_on_a_benchmark_sample():
    pages = score.load_pages(sample=SAMPLE)
    assert len(pages) == SAMPLE
    (result,) = score.score(pages, ["reader"])
    metrics = result.metrics
    worst = ", ".join(f"{p.url} {p.f1:.2f}" for p in result.worst(3))
    assert not [p.error for p in result.pages if p.error]
    assert metrics["f1"] >= MIN_SAMPLE_F1, f"F1 {metrics['f1']:.4f}; worst pages: {worst}"


WCXB = score.DATA_ROOT / "wcxb-dev"
PER_TYPE = 4
# Measured on this sample (4 pages of each type, spread over the set) with trafilatura 2.3.1.
# Reader must not fall below bare trafilatura on any page type by more than the noise of 4 pages.
MARGIN = 0.03


@pytest.mark.skipif(not (WCXB / "ground-truth.json").is_file(), reason=f"WCXB not found at {WCXB}")
@pytest.mark.parametrize("page_type", ["article", "documentation", "forum"])
def test_each_page_type_scores_at_least_bare_trafilatura_on_a_wcxb_sample(page_type):
    pages = score.load_pages(WCXB, sample=PER_TYPE, page_type=page_type)
    assert len(pages) == PER_TYPE and {p.type for p in pages} == {page_type}
    reader, trafilatura = score.score(pages, ["reader", "trafilatura"])
    assert not [p.error for p in reader.pages if p.error]
    worst = ", ".join(f"{p.url} {p.f1:.2f}" for p in reader.worst(2))
    assert reader.metrics["f1"] >= trafilatura.metrics["f1"] - MARGIN, (
        f"{page_type}: Reader {reader.metrics['f1']:.3f}, trafilatura "
        f"{trafilatura.metrics['f1']:.3f}; worst pages: {worst}")


@pytest.mark.skipif(not (WCXB / "ground-truth.json").is_file(), reason=f"WCXB not found at {WCXB}")
def test_a_documentation_page_whose_feedback_box_passed_for_its_text_is_read_like_trafilatura():
    # PostgreSQL's chapter page: with links kept, the indentation inside its "submit a
    # correction" paragraph passed trafilatura's length test, so the page was read as its news
    # banner (F1 0.07 against bare trafilatura's 0.44; extraction/spacing.py).
    pages = score.load_pages(WCXB, keys=["2864"])
    reader, trafilatura = score.score(pages, ["reader", "trafilatura"])
    assert reader.pages[0].f1 >= trafilatura.pages[0].f1 > 0.3


@pytest.mark.skipif(not (WCXB / "ground-truth.json").is_file(), reason=f"WCXB not found at {WCXB}")
def test_an_article_libxml2_builds_inside_the_pages_menu_is_read_whole():
    # LegalZoom's guide leaves a <div> open in its menu: libxml2 ignored </nav> and </header> and
    # built the guide inside them, so only its last fifth was read (F1 0.30, bare trafilatura
    # the same; extraction/parsing.py).
    pages = score.load_pages(WCXB, keys=["4267"])
    reader, trafilatura = score.score(pages, ["reader", "trafilatura"])
    assert reader.pages[0].f1 > 0.9 > trafilatura.pages[0].f1

@pytest.mark.skipif(not (WCXB / "ground-truth.json").is_file(), reason=f"WCXB not found at {WCXB}")
def test_a_page_trafilatura_reads_block_by_block_keeps_its_lists():
    # A Webflow ranking page has no article frame trafilatura knows: its last resort, read for
    # recall, keeps the pros, cons and prices of each builder (0.589 before; recovery.py).
    pages = score.load_pages(WCXB, keys=["4859"])
    reader, trafilatura = score.score(pages, ["reader", "trafilatura"])
    assert reader.pages[0].f1 > 0.85 > 0.65 > trafilatura.pages[0].f1

PROBED = "untuned"  # a setting of this module, tuned by the test below


def test_a_tuned_setting_is_put_back_after_each_page(tmp_path, monkeypatch):
    page_file = tmp_path / "page.html.gz"
    with score.gzip.open(page_file, "wt", encoding="utf-8") as handle:
        handle.write("<html></html>")
    page = score.Page("key", "", "untuned", page_file, "wcxb-dev")
    monkeypatch.setitem(score.EXTRACTORS, "probe", lambda html, url: sys.modules[__name__].PROBED)
    setting = f"{__name__}.PROBED"
    (tuned,) = score.score([page], ["probe"], settings={setting: "tuned"})
    (plain,) = score.score([page], ["probe"])  # one process: the same module as the tuned run
    assert tuned.pages[0].f1 == 0.0
    assert plain.pages[0].f1 == 1.0
    assert PROBED == "untuned"
