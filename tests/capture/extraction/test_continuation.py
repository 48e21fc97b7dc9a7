"""An article written in several like containers (adverts between them) is read to its end, and
what follows it in the same markup (related posts, after a heading or as links) is not."""

from __future__ import annotations

import re
from pathlib import Path

from reader.capture.extract import extract

PAGE = Path(__file__).resolve().parents[2] / "fixtures" / "pages" / "split-article.html"
URL = "https://courier.example/nature/otters"
LAST_SENTENCE = "the schoolteacher's camera will have plenty of company."
RELATED = ("Beavers are back", "garden birds")


def test_the_article_continued_after_an_advert_is_read_to_its_end_but_not_past_a_heading():
    # trafilatura's reading stops at the first container's end ("...keep the camera running.")
    text = extract(PAGE.read_text(encoding="utf-8"), URL).text
    assert "keep the camera running." in text
    assert "Since then, volunteers have logged tracks" in text
    assert text.endswith(LAST_SENTENCE)
    assert not any(related in text for related in RELATED)


def test_related_posts_written_with_the_article_s_markup_are_no_continuation_when_mostly_links():
    html = PAGE.read_text(encoding="utf-8").replace("<h2>More from Nature</h2>", "")
    teasers = re.sub(r"<p>((?:Beavers|A survey)[^<]*)</p>", r'<p><a href="/more">\1</a></p>', html)
    text = extract(teasers, URL).text
    assert text.endswith(LAST_SENTENCE)
    assert not any(related in text for related in RELATED)
