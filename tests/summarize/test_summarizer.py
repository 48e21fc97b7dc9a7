"""Summaries through the real tiny model and llama.cpp."""

import threading

import pytest

from reader.errors import ModelError
from reader.library import NewArticle
from reader.summarize import prompt
from reader.summarize.backends.local import LocalModel
from reader.summarize.summarizer import summarize_and_store

pytestmark = pytest.mark.slow

ARTICLE = (
    "The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour. "
    "Six turbines will be placed on the seabed, and the plant will power about four thousand "
    "homes from 2028. Fishermen worried about the noise, but a two-year study found that seals "
    "and fish kept using the channel. The plant is paid for by a cooperative of local residents."
)


def add_article(library, text=ARTICLE, url="https://example.org/tidal"):
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Kelby goes tidal",
                                           body_html=f"<p>{text}</p>", text=text))
    return article_id


def test_summary_streams_in_pieces_and_is_stored(library, tiny_model):
    article_id = add_article(library)
    pieces = list(summarize_and_store(library, article_id, tiny_model))
    assert len(pieces) > 5, "the summary should arrive token by token"
    summary = "".join(pieces).strip()
    assert len(summary.split()) >= 5
    assert library.summary(article_id) == summary
    assert library.summary(article_id, tiny_model.name, prompt.version("short", None)) == summary


def test_cancel_stops_the_stream_and_stores_nothing(library, tiny_model):
    article_id = add_article(library)
    cancelled = threading.Event()
    pieces = []
    for piece in summarize_and_store(library, article_id, tiny_model, cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
    assert len(pieces) == 3
    assert library.summary(article_id) is None


def test_an_article_longer_than_the_context_is_summarised_in_parts(library, home):
    from reader.summarize.models import embedded_model_path

    small = LocalModel(embedded_model_path(), context_limit=768)
    paragraphs = "\n".join(f"Paragraph {n}: " + ARTICLE for n in range(12))
    article_id = add_article(library, paragraphs, "https://example.org/long")
    steps = []
    summary = "".join(summarize_and_store(library, article_id, small,
                                          progress=lambda part, parts: steps.append((part, parts))))
    parts = steps[0][1]
    assert parts >= 3, "12 paragraphs cannot fit a 768-token context in one pass"
    assert steps == [(n, parts) for n in range(1, parts + 2)]  # every part, then combining
    assert len(summary.split()) >= 5 and library.summary(article_id) == summary.strip()
    assert "(Summary of the first" not in summary


def test_cancel_during_map_reduce_stores_nothing(library, home):
    from reader.summarize.models import embedded_model_path

    small = LocalModel(embedded_model_path(), context_limit=768)
    article_id = add_article(library, "\n".join(ARTICLE for _ in range(12)), "https://example.org/l")
    cancelled = threading.Event()

    def stop_after_first(part, parts):
        if part == 2:
            cancelled.set()

    pieces = list(summarize_and_store(library, article_id, small, cancelled,
                                      progress=stop_after_first))
    assert pieces == [] and library.summary(article_id) is None


def test_an_empty_article_is_a_clear_error(library, tiny_model):
    article_id = add_article(library, "   ", "https://example.org/empty")
    with pytest.raises(ModelError, match="no text"):
        list(summarize_and_store(library, article_id, tiny_model))
