"""Highlights through a real re-extraction (``r``): a later version of the page, extracted in the
extraction processes, finds every highlight again where a word changed or text moved, and keeps
the one whose passage was removed, listed as not found."""

from __future__ import annotations

from reader.capture import pipeline
from reader.library import highlights
from reader.library.anchoring import Selector
from tests.fixture_site import PAGES

URL = "https://www.harbourgazette.example/news/2026/03/14/kelby-sound-tidal-energy-plant"
MOON = "Because tides follow the moon rather than the weather"
TURBINES = "The first phase will install six turbines, each rated at 1.5 megawatts"
SEALS = "marine biologists raised concerns about a colony of grey seals"


def _store(library, extractor, html: str) -> int:
    article = pipeline.saved_article(extractor, html, URL, raw_html=html.encode())
    return library.add(article)[0]


def test_a_later_version_of_the_page_reanchors_every_highlight(library, extractor):
    page = (PAGES / "news-article.html").read_text(encoding="utf-8")
    article_id = _store(library, extractor, page)
    for quote in (MOON, TURBINES, SEALS):
        highlights.add(library, article_id, Selector(quote), exact=True, note=quote[:10])

    later = (page.replace("<p>The first steel foundation",
                          "<p>Update: the council confirmed the timetable on Monday.</p>"
                          "<p>The first steel foundation", 1)
             .replace("six turbines, each rated", "six tidal turbines, each rated")
             .replace(SEALS, "people raised questions"))
    assert later.count("six tidal turbines") == 1 and SEALS not in later
    with library.transaction() as tx:  # the page as it is now, kept for re-extraction
        tx.execute("UPDATE pages SET html = ? WHERE article_id = ?",
                   (later.encode(), article_id))
    pipeline.reextract(library, extractor, article_id)

    text = library.get(article_id).text
    assert "Update: the council confirmed" in text
    found = {h.note: h for h in highlights.for_article(library, article_id)}
    assert text[found[MOON[:10]].start:found[MOON[:10]].end] == MOON
    assert text[found[TURBINES[:10]].start:found[TURBINES[:10]].end] == \
        "The first phase will install six tidal turbines, each rated at 1.5 megawatts"
    lost = found[SEALS[:10]]
    assert not lost.found and lost.quote == SEALS  # kept, with its words, not dropped
    assert [h.found for h in highlights.for_article(library, article_id)] == [True, True, False]
