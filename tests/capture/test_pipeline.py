"""The capture pipeline end to end: a link in, through a real HTTP server, trafilatura in the
extraction processes and SQLite, an article out; saved pages, re-extraction, one transaction."""

from __future__ import annotations

import socket

import re

import pytest

from reader.capture import fetch as fetch_module
from reader.capture.pipeline import reextract, store_saved_page
from reader.capture.urls import canonical_url
from reader.errors import CaptureError
from reader.library import NewArticle, pending, queue_rows
from reader.library.images import PendingPictures, pending_pictures
from tests.fixture_site import PAGES

NEWS_TITLE = "Kelby Sound breaks ground on tidal energy plant"

# Phrases that appear on news-article.html only outside its <article>: cookie banner, masthead,
# section navigation, comments teaser, related articles, most read, newsletter, footer.
BOILERPLATE = [
    "We use cookies to remember your preferences",
    "Reject non-essential",
    "Subscribe from £1 a week",
    "Food & Drink",
    "Weather & Tides",
    "Join the conversation",
    "Related articles",
    "Summer ferry timetable adds late crossing",
    "Oyster festival returns to the esplanade",
    "Most read",
    "Town sets unwanted record for pothole complaints",
    "Cup replay tickets sell out",
    "The Morning Tide newsletter",
    "Also send me offers from our partners",
    "Advertise with us",
    "Registered in Scotland",
    "No part of this site may be reproduced",
    "Advertisement",
]


@pytest.fixture
def news(library, site, capture):
    """news-article.html captured into a fresh library: (captured, stored article)."""
    captured = capture(site.url("news-article.html"))
    return captured, library.get(captured.article_id)


# A real article


def test_news_article_metadata(library, site, news):
    captured, article = news
    assert captured.is_new is True
    assert captured.title == NEWS_TITLE
    assert article.title == NEWS_TITLE
    assert article.author == "Maria Lindqvist"
    assert article.site == "The Harbour Gazette"
    assert article.published.startswith("2026-03-14")
    assert article.language == "en"
    assert article.url == canonical_url(site.url("news-article.html"))
    assert library.count() == 2


def test_news_article_text_is_the_story(news):
    _, article = news
    assert article.word_count > 500
    assert article.word_count == len(article.text.split())
    assert article.text.startswith("The first steel foundation for the Kelby Sound tidal energy")
    for phrase in [
        "It seemed daft not to use it.",
        "How the tidal plant will work",
        "a 2.1-kilometre subsea export cable to the slipway",
        "annual estimate: 27,400 MWh",
        "We are not against it.",
        "It can start earning its keep now.",
    ]:
        assert phrase in article.text, phrase


def test_news_article_body_keeps_structure(news):
    _, article = news
    html = article.body_html
    for tag in ["<h2", "<ul", "<li", "<blockquote", "<pre", '<a href="http', "<strong"]:
        assert tag in html, tag
    assert "<h2>How the tidal plant will work</h2>" in html
    assert html.count("<li>") == 8  # the bulleted list and the numbered stages
    assert '<a href="https://marine-survey.example.org/kelby-seal-study">' in html
    assert "capacity factor: 0.35</pre>" in html


@pytest.mark.parametrize("phrase", BOILERPLATE)
def test_news_article_leaves_out_boilerplate(news, phrase):
    _, article = news
    assert phrase not in article.text
    assert phrase.replace("&", "&amp;") not in article.body_html


def test_news_article_body_is_sanitised(news, site, library):
    _, article = news
    html = article.body_html.lower()
    for unsafe in ["<script", "onclick", "style=", "<style", "<form", "<input", "<button",
                   "gtagstub", "hganalytics", "class=", "itemprop="]:
        assert unsafe not in html, unsafe
    # The picture was downloaded and is shown from the library, never from the web.
    from reader.capture.images import SCHEME
    from reader.library.images import image_bytes

    sources = re.findall(r'src="([^"]+)"', article.body_html)
    assert sources and all(src.startswith(f"{SCHEME}:") for src in sources)
    assert image_bytes(library, sources[0].split(":", 1)[1]) == (
        PAGES / "images" / "turbine.png").read_bytes()


def test_news_article_raw_html_is_the_served_page(library, news):
    captured, _ = news
    assert library.raw_html(captured.article_id) == (PAGES / "news-article.html").read_bytes()


def test_news_article_is_found_by_search(library, news):
    captured, _ = news
    assert [row.id for row in library.search("tidal")] == [captured.article_id]
    assert [row.id for row in library.search("Lindqvist")] == [captured.article_id]
    assert [row.id for row in library.search("pothole")] == []  # boilerplate was not indexed


def test_german_article_language(library, site, capture):
    captured = capture(site.url("german-article.html"))
    article = library.get(captured.article_id)
    assert article.language == "de"
    assert article.title == "Neue Fahrradbrücke über den Rhein soll 2028 fertig sein"
    assert article.author == "Jonas Becker"
    assert "Stadtrat" in article.text


def test_blog_post_author(library, site, capture):
    captured = capture(site.url("blog-post.html"))
    article = library.get(captured.article_id)
    assert article.author == "Sam Okafor"
    assert article.title == "Bringing a 1987 keyboard back from the dead"
    assert article.site == "Notes from the Workshop"
    assert article.published.startswith("2025-11-02")


# Duplicates


def test_same_page_with_tracking_and_fragment_is_one_article(library, site, news, capture):
    captured, _ = news
    count = library.count()

    again = capture(site.url("news-article.html?utm_source=x#top"))

    assert again.article_id == captured.article_id
    assert again.is_new is False
    assert again.title == NEWS_TITLE
    assert library.count() == count == 2


def test_redirect_after_direct_link_is_one_article(library, site, news, capture):
    captured, _ = news

    again = capture(site.url("/go/news-article.html"))

    assert again.article_id == captured.article_id
    assert again.is_new is False
    assert library.count() == 2


def test_redirect_first_stores_the_final_address(library, site, capture):
    via_link = capture(site.url("/go/blog-post.html"))
    article = library.get(via_link.article_id)
    assert via_link.is_new is True
    assert article.url == canonical_url(site.url("blog-post.html"))

    direct = capture(site.url("blog-post.html"))
    assert direct.article_id == via_link.article_id
    assert direct.is_new is False
    assert library.count() == 2


def test_tracking_link_first_stores_the_canonical_address(library, site, capture):
    tracked = capture(site.url("german-article.html?utm_source=feed&id=7#kommentare"))
    article = library.get(tracked.article_id)
    assert tracked.is_new is True
    assert article.url == site.url("german-article.html?id=7")
    # The fetched page is kept with the address as fetched.
    assert library.raw_html(tracked.article_id) == (PAGES / "german-article.html").read_bytes()

    plain = capture(site.url("german-article.html?id=7&utm_medium=email"))
    assert plain.article_id == tracked.article_id
    assert plain.is_new is False
    assert library.count() == 2


# Bad input: a message for each, and the link kept (without text)


def unfetched(library) -> list[str]:
    """The fetch states of the articles whose page is not in (the links kept without it)."""
    return [state for (state,) in library.query(
        "SELECT fetch_state FROM articles WHERE fetch_state != ''")]


def _refused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("not a url", "Not a web address"),
        ("ftp://example.org/x", "not supported"),
        ("http://no-such-host.invalid/", "Could not find the server"),
        ("refused", "refused"),
        ("/missing.html", "404"),
        ("/no-article.html", "No article text"),
        ("/empty.html", "No article text"),
        ("/images/turbine.png", "not an HTML page (it is image/png)"),
        ("/report.pdf", "not an HTML page (it is application/pdf)"),
        ("/archive.zip", "not an HTML page (it is application/zip)"),
        ("/disguised.html", "not an HTML page (it is a PDF document)"),
    ],
)
def test_bad_input_is_refused_with_a_reason(library, site, target, message, capture):
    if target == "refused":
        url = f"http://127.0.0.1:{_refused_port()}/page.html"
    elif target.startswith("/"):
        url = site.url(target)
    else:
        url = target

    with pytest.raises(CaptureError) as caught:
        capture(url)

    assert message in str(caught.value)
    # A link is kept (saying why it has no text); what is not a link is not.
    assert library.count() == 1 + len(unfetched(library))
    assert unfetched(library) == ([] if target in ("not a url", "ftp://example.org/x")
                                  else [pending.FAILED])


def test_slow_server_times_out(library, site, capture):
    with pytest.raises(CaptureError) as caught:
        capture(site.url("/slow.html"), timeout=0.5)
    assert "too long" in str(caught.value)
    assert "0.5 s" in str(caught.value)
    assert unfetched(library) == [pending.FAILED]  # the link is kept


def test_page_over_the_size_cap_is_refused(library, site, monkeypatch, capture):
    monkeypatch.setattr(fetch_module, "MAX_BYTES", 1000)
    with pytest.raises(CaptureError) as caught:
        capture(site.url("news-article.html"))
    assert "larger than" in str(caught.value)
    assert unfetched(library) == [pending.FAILED]  # the link is kept


# Saved pages and re-extraction: extraction in the worker processes too


def test_a_saved_page_is_stored_as_it_is(library, extractor):
    path = PAGES / "news-article.html"
    url = "https://news.example/kelby"
    captured = store_saved_page(library, extractor, path, url)
    assert captured.is_new and captured.title == NEWS_TITLE
    assert library.raw_html(captured.article_id) == path.read_bytes()
    assert store_saved_page(library, extractor, path, url + "#again").is_new is False
    with pytest.raises(CaptureError, match="No article text"):
        store_saved_page(library, extractor, PAGES / "no-article.html", "https://x.example/")
    with pytest.raises(CaptureError, match="Cannot read"):
        store_saved_page(library, extractor, PAGES / "gone.html", "https://y.example/")
    assert library.count() == 2


def test_reextract_reads_the_stored_page_again(library, news, extractor):
    captured, _ = news
    library.replace_content(captured.article_id, "Old title", "<p>old</p>", "old")
    assert reextract(library, extractor, captured.article_id).title == NEWS_TITLE
    article = library.get(captured.article_id)
    assert article.title == NEWS_TITLE and "tidal" in article.text
    assert "reader-image:" in article.body_html  # the stored picture, not fetched again
    welcome = library.find_by_url("reader:welcome")
    with pytest.raises(CaptureError, match="no saved page"):
        reextract(library, extractor, welcome)


def test_an_article_and_its_pictures_to_come_are_one_transaction(library, monkeypatch):
    """A failure (or a kill) between storing the article and noting that its pictures are to
    be fetched leaves neither: the item is still in flight, and the next try stores both."""
    owner = "test"
    [(_, item)] = queue_rows.enqueue(library, owner, [("https://a.example/", "https://a.example/",
                                                       {})])
    item = queue_rows.start_attempt(library, owner, item.id)
    article = NewArticle(url="https://a.example/", original_url="https://a.example/",
                         title="A", body_html='<p>a<img src="https://a.example/p.png"></p>',
                         text="a")

    def dies(*args):
        raise KeyboardInterrupt  # the moment of a kill

    monkeypatch.setattr(queue_rows, "await_pictures", dies)
    with pytest.raises(KeyboardInterrupt):
        queue_rows.save_captured(library, item, article, pictures=("https://a.example/", False))
    assert unfetched(library) == [pending.PENDING]  # the link, still waiting for its page
    assert queue_rows.item_state(library, item) == queue_rows.FETCHING
    assert pending_pictures(library) == []

    monkeypatch.undo()
    heard = []
    library.subscribe(heard.append)
    article_id, is_new = queue_rows.save_captured(library, item, article,
                                                  pictures=("https://a.example/", False))
    assert is_new and pending_pictures(library) == [
        PendingPictures(article_id, "https://a.example/", local=False)]
    assert queue_rows.item_state(library, item) == queue_rows.SAVED
    # The link was an article from the start: it is filled in, in one announced change.
    assert [change.updated for change in heard] == [{article_id}]


def test_a_failing_server_is_tried_again_later(library, site, capture):
    outcome = capture(site.url("/status/500"))

    assert outcome.waiting.startswith("The server answered 500")
    assert pending.fetch_status(library, outcome.article_id).state == pending.PENDING
    [(state, not_before)] = library.query("SELECT state, not_before FROM capture_queue")
    assert state == queue_rows.QUEUED and not_before > 0  # for the next queue
