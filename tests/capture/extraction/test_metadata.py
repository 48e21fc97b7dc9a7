"""A page's title, author, site and date come from its markup; where the markup names no date,
a full date written in the page's words is found, a copyright year is not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from htmldate.core import search_page
from htmldate.utils import Extractor as DateSearch
from htmldate.validators import get_max_date, get_min_date
from trafilatura.utils import load_html

from reader.capture.extraction.metadata import DATE_REACH, near_digits, page_metadata

BODY = "<p>" + "The council met again on the question of the bridge and the river. " * 8 + "</p>"


def _page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body><article>{body}{BODY}</article></body></html>"


def test_structured_data_gives_title_author_site_and_date():
    html = _page(
        '<title>Bridge vote | The Town Paper</title>'
        '<meta property="og:site_name" content="The Town Paper">'
        '<meta name="author" content="Ann Example">'
        '<meta property="article:published_time" content="2025-03-04T10:00:00Z">',
        "<h1>Bridge vote</h1>")
    metadata = page_metadata(load_html(html), "https://paper.example/2025/bridge")
    assert (metadata.title, metadata.author, metadata.sitename, metadata.date) == (
        "Bridge vote", "Ann Example", "The Town Paper", "2025-03-04")


def test_a_byline_in_the_page_names_the_author_when_no_meta_tag_does():
    html = _page("<title>Bridge vote</title>",
                 '<h1>Bridge vote</h1><p class="byline">Ben Writer</p>')
    assert page_metadata(load_html(html), "https://paper.example/bridge").author == "Ben Writer"


def test_a_date_written_only_in_the_text_is_found():
    html = _page("<title>Bridge vote</title>",
                 "<h1>Bridge vote</h1><p>Published on 17 March 2024 by the desk.</p>")
    assert page_metadata(load_html(html), "https://paper.example/bridge").date == "2024-03-17"


def test_the_page_is_left_as_it_was():
    tree = load_html(_page("<title>Bridge vote</title>", '<p class="byline">Ben Writer</p>'))
    before = len(list(tree.iter()))
    page_metadata(tree, "https://paper.example/bridge")
    assert len(list(tree.iter())) == before


def test_no_author_where_the_markup_has_no_byline():
    html = _page("<title>Bridge vote</title>",
                 '<h1 class="headline">Bridge vote</h1><p class="lead">By the desk</p>')
    assert page_metadata(load_html(html), "https://paper.example/bridge").author is None


@pytest.mark.parametrize("byline", [
    '<span class="AuthorName">Cam Writer</span>', '<a rel="author" href="/cam">Cam Writer</a>',
    '<div data-component="Byline">Cam Writer</div>', '<p id="zuozhe">Cam Writer</p>'])
def test_each_kind_of_byline_mark_is_searched(byline):
    html = _page("<title>Bridge vote</title>", f"<h1>Bridge vote</h1>{byline}")
    assert page_metadata(load_html(html), "https://paper.example/bridge").author == "Cam Writer"


def test_a_copyright_year_alone_is_no_date():
    html = _page("<title>Bridge vote</title>",
                 "<h1>Bridge vote</h1><footer><p>© 2024 The Town Paper</p></footer>")
    assert page_metadata(load_html(html), "https://paper.example/bridge").date is None


# The pieces of a page's words a date is written with, and stretches of words without digits
# longer than the reach, so that the search leaves some out.
_DATE_PIECES = st.sampled_from([
    "March", "Mar.", "17th", "Published on", "Updated:", "Copyright", "©", "(c)", "2024", "1999",
    "2031", "17", "3", "09", "12:30", "-", "/", ".", ",", " ", "\n", "am", "Monday",
    "2024-03-17", "17.03.2024", "03/17/2024", "20240317"])
_FAR = st.integers(DATE_REACH + 1, 3 * DATE_REACH).map(lambda n: ("words " * n)[:n])
_WORDS = st.lists(st.one_of(_DATE_PIECES, _FAR), max_size=40).map("".join)
_SEARCH = DateSearch(True, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")


@settings(max_examples=300, deadline=None)
@given(_WORDS)
def test_the_words_near_digits_hold_the_same_date_as_all_the_words(words):
    assert search_page(near_digits(words), _SEARCH) == search_page(words, _SEARCH)


def test_the_words_far_from_any_digit_are_left_out():
    far = "word " * DATE_REACH
    kept = near_digits(f"{far}Published on 17 March 2024 by the desk.{far}{far}© 2023{far}")
    assert "Published on 17 March 2024 by the desk." in kept and "© 2023" in kept
    assert len(kept) < 6 * DATE_REACH
