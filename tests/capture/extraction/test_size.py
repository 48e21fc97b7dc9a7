"""A page's size decides how much of trafilatura reads it: past a bound no real page reaches,
without its fallbacks (jusText's time grows with the square of the short blocks); past a larger
one, not at all."""

from __future__ import annotations

import pytest
import trafilatura.external
from trafilatura.utils import load_html

from reader.capture.extract import extract
from reader.capture.extraction import size
from reader.capture.extraction.size import FALLBACK_PIECES, MAX_PARAGRAPHS, without_fallbacks
from reader.errors import CaptureError

URL = "https://example.com/page"
SENTENCE = "The ferry left the harbour at dawn while the tide was still turning in the bay. "


def _page(article_sentences: int, blocks: int, tag: str = "div") -> str:
    """An article of ``article_sentences`` sentences, then ``blocks`` one-word blocks."""
    article = "".join(f"<p>{SENTENCE}</p>" for _ in range(article_sentences))
    return (f"<html><head><title>Tides</title></head><body><article>{article}</article>"
            f"{f'<{tag}>word</{tag}>' * blocks}</body></html>")


def _bare(pieces: int, tag: str = "div") -> str:
    """A page of exactly ``pieces`` pieces of text, each in a block of its own."""
    return f"<html><body>{f'<{tag}>word</{tag}>' * pieces}</body></html>"


def test_past_so_many_pieces_of_text_a_page_is_read_without_fallbacks():
    assert not without_fallbacks(load_html(_bare(FALLBACK_PIECES)), URL)
    assert without_fallbacks(load_html(_bare(FALLBACK_PIECES + 1)), URL)


def test_blank_pieces_between_the_blocks_are_not_counted():
    spaced = _bare(FALLBACK_PIECES).replace("</div>", "</div>\n ")  # twice as many pieces
    assert not without_fallbacks(load_html(spaced), URL)
    assert without_fallbacks(load_html(spaced.replace("<div>", "<div>word</div>\n<div>", 1)), URL)


def test_a_page_of_more_paragraphs_than_any_article_is_refused():
    assert without_fallbacks(load_html(_bare(MAX_PARAGRAPHS, "p")), URL)
    with pytest.raises(CaptureError, match=f"is {MAX_PARAGRAPHS + 1:,} paragraphs, not an article"):
        extract(_bare(MAX_PARAGRAPHS + 1, "p"), URL)


@pytest.fixture
def justext_readings(monkeypatch) -> list[int]:
    """How many paragraphs jusText was given, each time trafilatura asked it."""
    readings: list[int] = []
    revise = trafilatura.external.revise_paragraph_classification

    def counted(paragraphs, *args):
        readings.append(len(paragraphs))
        return revise(paragraphs, *args)

    monkeypatch.setattr(trafilatura.external, "revise_paragraph_classification", counted)
    return readings


# 12 sentences: one reading; 2 (under MIN_WORDS): a second one, favouring recall.
@pytest.mark.parametrize("sentences", [12, 2])
def test_past_the_bound_jusText_is_not_asked_and_the_article_is_the_same(
        monkeypatch, justext_readings, sentences):
    monkeypatch.setattr(size, "FALLBACK_PIECES", 1_500)  # smaller pages, the same reading
    try:
        under = extract(_page(sentences, 1_400), URL).text
    except CaptureError as refused:
        under = str(refused)
    assert justext_readings, "the page does not reach jusText: the test shows nothing"
    justext_readings.clear()

    try:
        past = extract(_page(sentences, 1_600), URL).text
    except CaptureError as refused:
        past = str(refused)

    assert justext_readings == []
    assert past == under
