"""The byline search finds what trafilatura's own finds (its extract_author is the reference),
on markup where the order of its scans, its pruning and its limits decide."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from reader.capture.extraction.byline import byline_author

TEXT = "<p>" + "The council met again on the question of the bridge and the river. " * 6 + "</p>"

BYLINES = {
    "none": '<p class="lead">By the desk</p>',
    "specific scan before generic, though later in the page":
        '<div class="post-author-box">Gen Eric</div><span class="author">Spec Ific</span>',
    "inside the comments": '<div id="comments"><span class="author">Com Menter</span></div>'
                           '<p class="byline">Real Writer</p>',
    "a date inside the byline is left out":
        '<p class="byline">Dee Writer <time datetime="2024-01-02">2 Jan</time></p>',
    "in a sidebar only": '<div class="sidebar"><span class="author">Side Bar</span></div>',
    "in a figure only": '<figure><span class="author">Photo Grapher</span></figure>',
    "too long, then a short one": '<div class="author">' + "word " * 40 + '</div>'
                                  '<span class="byline">Short Name</span>',
    "itemprop": '<span itemprop="author"><span itemprop="name">Item Prop</span></span>',
    "an <author> element": "<author>Tag Author</author>",
    "a class with the word in it": '<div class="c-writer-card">Card Writer</div>',
    "two names": '<span class="author">Ann One and Ben Two</span>',
    "the byline is itself a quote": '<p class="author quote">Quo Ted</p>',
}


@pytest.mark.parametrize("markup", BYLINES.values(), ids=BYLINES.keys())
def test_the_same_author_as_trafilatura(markup):
    tree = load_html(f"<html><body><article><h1>Bridge</h1>{markup}{TEXT}</article></body></html>")
    assert byline_author(tree) == extract_author(tree)


def test_a_byline_is_found_and_the_page_left_as_it_was():
    tree = load_html(f"<html><body><p class='byline'>Ann Writer <time>today</time></p>{TEXT}"
                     "</body></html>")
    before = [element.tag for element in tree.iter()]
    assert byline_author(tree) == "Ann Writer"
    assert [element.tag for element in tree.iter()] == before


def test_a_schema_author_card_gives_its_name_not_its_scores():
    """Unlike trafilatura, which reads the whole card ("Marta K 1")."""
    card = ('<div class="user-details" itemprop="author" itemscope itemtype="https://schema.org/'
            'Person"><a href="/users/77"><span itemprop="name">Marta K</span></a> <span class='
            '"reputation-score">1,203</span> <span class="badgecount">3 gold badges</span></div>')
    tree = load_html(f"<html><body><article><h1>Bridge</h1>{card}{TEXT}</article></body></html>")
    assert byline_author(tree) == "Marta K"
