"""Grounding: summary sentences traced to the article, altered ones flagged with a reason.

A news-like article and claims of each kind a small model gets wrong; then the evaluation script
on a sample of the development pages, so that a change that loses the measured figures fails.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from reader.summarize.grounding import (
    NOT_FOUND,
    STITCHED,
    Grounder,
    article_passages,
    ground,
    summary_claims,
)

ARTICLE = """OpenAI released two open-weight language models, GPT-OSS-120b and GPT-OSS-20b, on August 5, 2025. The company said the larger model runs on a single 80 GB GPU.

The models are not trained on customer data, according to the announcement. Sam Altman called the release a return to the company's roots.

Analysts at Morgan Stanley said the move puts pressure on Meta, whose Llama models had led the open field since 2023. Chinese labs such as DeepSeek and Alibaba have also released strong open models this year.

Microsoft will offer the smaller model on Windows devices. Dr. Lisa Chen, who tested the models for the U.S. government, found no sign of the data leaks seen in earlier systems. The models are available under the Apache 2.0 licence."""


@pytest.fixture(scope="module")
def grounder():
    return Grounder(ARTICLE)


def passage_with(words: str) -> tuple[int, int]:
    start = ARTICLE.index(words)
    return next((p.start, p.end) for p in article_passages(ARTICLE) if p.start <= start < p.end)


# Supported sentences, linked to the right passages


def test_a_sentence_of_the_article_is_supported_and_cites_its_passage(grounder):
    result = grounder.check("Microsoft will offer the smaller model on Windows devices.")
    assert result.supported and result.reason == ""
    (source,) = result.sources
    assert (source.start, source.end) == passage_with("Microsoft will offer")
    assert ARTICLE[source.start : source.end] == source.quote
    assert source.quote == "Microsoft will offer the smaller model on Windows devices."


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("The larger model runs on a single 80 GB GPU, the company says.", "The company said the larger"),
        ("GPT-OSS-120b was released by OpenAI.", "OpenAI released two"),
        ("Altman describes the release as a return to the company's roots.", "Sam Altman called"),
        ("The models were not trained on customer data, the announcement says.", "The models are not"),
        ("The models can be used under the Apache 2.0 licence.", "The models are available"),
        ("Meta's Llama models had led the open field since 2023, analysts said.", "Analysts at Morgan"),
        ("Chen found no sign of data leaks.", "Dr. Lisa Chen"),
    ],
)
def test_a_faithful_paraphrase_is_kept_and_linked(grounder, claim, passage):
    result = grounder.check(claim)
    assert result.supported, result.reason
    assert passage_with(passage) in {(s.start, s.end) for s in result.sources}


def test_two_adjacent_sentences_merged_cite_both(grounder):
    result = grounder.check(
        "The models are not trained on customer data, and Sam Altman called the release "
        "a return to the company's roots."
    )
    assert result.supported, result.reason
    assert [(s.start, s.end) for s in result.sources] == [
        passage_with("The models are not trained"),
        passage_with("Sam Altman called"),
    ]


# Altered sentences, flagged with the reason


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        # two names in each other's roles
        ("Analysts at Meta said the move puts pressure on Morgan Stanley.", "roles"),
        ("GPT-OSS-120b released OpenAI.", "roles"),
        ("Windows will offer the smaller model on Microsoft devices.", "roles"),
        # a name, number or date changed
        ("DeepSeek released two open-weight language models on August 5, 2025.", "“DeepSeek”"),
        ("The company said the larger model runs on a single 40 GB GPU.", "“40”"),
        ("OpenAI released GPT-OSS-150b on August 5, 2025.", "“GPT-OSS-150b”"),
        ("Meta's Llama models had led the open field since 2021.", "“2021”"),
        # a negation added or dropped
        ("The models are trained on customer data.", "denies “trained”"),
        ("Microsoft will not offer the smaller model on Windows devices.", "does not deny “offer”"),
        ("Dr. Lisa Chen found signs of the data leaks seen in earlier systems.", "“sign"),
    ],
)
def test_an_altered_sentence_is_flagged_with_its_reason(grounder, claim, reason):
    result = grounder.check(claim)
    assert not result.supported
    assert reason in result.reason
    # it points at the passage it contradicts
    assert result.sources and all(ARTICLE[s.start : s.end] == s.quote for s in result.sources)


def test_a_claim_stitched_from_two_far_passages_is_flagged(grounder):
    result = grounder.check(
        "Analysts at Morgan Stanley said the move puts pressure on the smaller model's Windows devices."
    )
    assert not result.supported
    assert result.reason == STITCHED
    cited = {(s.start, s.end) for s in result.sources}
    assert {passage_with("Analysts at Morgan"), passage_with("Microsoft will offer")} <= cited


@pytest.mark.parametrize(
    "claim",
    [
        "The company that unveiled the new models is Chinese.",  # what the tiny model said
        "Apple has bought the startup for three billion dollars.",
    ],
)
def test_an_invented_sentence_is_not_found(grounder, claim):
    result = grounder.check(claim)
    assert not result.supported
    assert result.reason == NOT_FOUND and result.sources == ()


def test_word_overlap_alone_is_not_support():
    # every word of the claim is in the article, and the claim is still false
    claim = "Meta released two open-weight language models, and OpenAI led the open field."
    words = {w.strip(".,").lower() for w in ARTICLE.split()}
    assert all(w.strip(".,").lower() in words for w in claim.split())
    assert not Grounder(ARTICLE).check(claim).supported


# Cutting summaries and articles


def test_a_summary_is_cut_into_sentences_and_key_points():
    summary = (
        "## Summary\nOpenAI released two models. They run on one GPU!\n\nKey points:\n"
        "- **Open weights** under Apache 2.0.\n* Dr. Chen found no leaks.\n1. Microsoft ships it."
    )
    assert summary_claims(summary) == [
        "OpenAI released two models.",
        "They run on one GPU!",
        "Open weights under Apache 2.0.",
        "Dr. Chen found no leaks.",
        "Microsoft ships it.",
    ]


def test_passages_are_the_article_sentences_with_exact_offsets():
    passages = article_passages(ARTICLE)
    quotes = [ARTICLE[p.start : p.end] for p in passages]
    assert len(quotes) == 9
    assert quotes[7].startswith("Dr. Lisa Chen, who tested the models for the U.S. government")
    assert [p.paragraph for p in passages] == [0, 0, 1, 1, 2, 2, 3, 3, 3]
    assert all(q == q.strip() and q[-1] == "." for q in quotes)


def test_ground_checks_each_sentence_of_a_summary():
    results = ground("- OpenAI released GPT-OSS-20b.\n- OpenAI released GPT-OSS-70b.", ARTICLE)
    assert [(r.text, r.supported) for r in results] == [
        ("OpenAI released GPT-OSS-20b.", True),
        ("OpenAI released GPT-OSS-70b.", False),
    ]


@pytest.mark.parametrize("article", ["", "   \n\n", "no sentence ends here", "é" * 5000])
def test_odd_articles_and_claims_give_answers_not_errors(article):
    grounder = Grounder(article)
    assert not grounder.check("OpenAI released two models.").supported
    assert grounder.check("the of and.").reason == "says nothing that can be checked"
    assert ground("", article) == []


def test_hostile_sizes_are_bounded():
    # one "sentence" of 60,000 words (a table without full stops), and an endless claim
    article = " ".join(f"OpenAI Meta {i} released" for i in range(15000))
    grounder = Grounder(article)
    assert max(p.end - p.start for p in grounder.passages) < 2000
    claim = " ".join(["OpenAI released Meta 7"] * 100)
    started = time.perf_counter()
    assert "too long" in grounder.check(claim).reason
    assert grounder.check("Meta 12 released OpenAI.").supported
    assert not grounder.check("Apple bought Meta in 2019.").supported
    assert time.perf_counter() - started < 1


def test_a_5000_word_article_is_grounded_well_under_a_second():
    article = "\n".join([ARTICLE] * 40)  # about 5,000 words, every sentence 40 times
    assert 4500 < len(article.split()) < 5500
    summary = "\n".join(f"- {p}" for p in summary_claims(ARTICLE)) + "\n- Apple bought Meta in 2019."
    best = min(_seconds(lambda: ground(summary, article)) for _ in range(3))
    assert best < 0.5, f"{best:.2f} s"


def _seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


# The evaluation on real pages

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "grounding_eval.py"
_spec = importlib.util.spec_from_file_location("grounding_eval", SCRIPT)
grounding_eval = importlib.util.module_from_spec(_spec)
sys.modules["grounding_eval"] = grounding_eval  # dataclasses look their module up there
_spec.loader.exec_module(grounding_eval)
SAMPLE_PAGES = 30


@pytest.mark.skipif(
    not (grounding_eval.DEFAULT_DATA / "wcxb-dev" / "ground-truth.json").is_file(),
    reason=f"development pages not found at {grounding_eval.DEFAULT_DATA}",
)
def test_grounding_quality_on_a_sample_of_the_held_out_pages():
    articles = grounding_eval.load_articles(half="B")[:SAMPLE_PAGES]
    report = grounding_eval.evaluate(articles)
    scores = report["grounding"]
    assert sum(report["claims"].values()) > 8 * SAMPLE_PAGES
    # Measured on all held-out pages: see docs/grounding.md. Below the aims, it fails.
    assert scores["kept"] >= 0.9
    assert scores["recall_hard"] >= 0.8
    assert scores["precision_balanced"] >= 0.9
    # and the baseline really does miss what grounding is for
    assert report["overlap"]["recall_hard"] < 0.2
