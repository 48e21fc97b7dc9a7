"""The links in dragged or pasted HTML (reader.capture.sources.html_links)."""

from __future__ import annotations

import pytest

from reader.capture.sources import Link, decode_drop
from reader.errors import CaptureError
from tests.capture.sources.payloads import problems_of


# text/html


def test_html_selection_gives_every_web_link_with_its_text():
    html = (
        '<ul><li><a href="https://a.example/1">First <b>story</b></a></li>'
        '<li><a href="https://b.example/2?x=1&amp;y=2" title="t">Second &amp; last</a></li>'
        '<li><a href="https://c.example/3"><img src="x.png" alt="A picture"></a></li>'
        '<li><a href="mailto:editor@example.org">Write to us</a></li>'
        '<li><a href="javascript:void(0)">Menu</a> <a href="#top">Top</a> <a name="x">x</a></li>'
        '<li><a href="ftp://files.example/f">files</a> <a href="/relative">skipped</a></li>'
        '<li><a href="https://a.example/1#comments">First story, again</a></li></ul>'
    )
    drop = decode_drop({"text/html": html.encode()})
    assert drop.links == [
        Link("https://a.example/1", "First story"),
        Link("https://b.example/2?x=1&y=2", "Second & last"),
        Link("https://c.example/3", "A picture"),
    ]
    assert drop.duplicates == 1
    assert drop.problems == []


def test_html_relative_links_resolve_against_its_base():
    html = (b'<base href="https://news.example/section/index.html">'
            b'<a href="story-1">One</a> <a href="/top/story-2">Two</a> '
            b'<a href="//cdn.example/story-3">Three</a>')
    assert [link.url for link in decode_drop({"text/html": html}).links] == [
        "https://news.example/section/story-1",
        "https://news.example/top/story-2",
        "https://cdn.example/story-3",
    ]


def test_html_relative_links_resolve_against_a_windows_source_url():
    html = (b"Version:0.9\r\nStartHTML:00000097\r\nEndHTML:00000170\r\n"
            b"SourceURL:https://news.example/today/\r\n"
            b'<html><body><!--StartFragment--><a href="story">Story</a><!--EndFragment-->'
            b"</body></html>")
    assert decode_drop({"text/html": html}).links == [
        Link("https://news.example/today/story", "Story")]


def test_html_with_only_relative_links_and_no_base_has_nothing_to_add():
    assert problems_of({"text/html": b'<a href="/story">Story</a>'}) == \
        "Not a web address: Story"


def test_html_selection_without_links_falls_back_to_its_text():
    html = (b"<p>Worth reading: https://a.example/1 and</p><p>www.b.example/2.</p>"
            b"<script>var u = 'https://script.example/';</script>")
    assert decode_drop({"text/html": html}).links == [
        Link("https://a.example/1"), Link("https://www.b.example/2")]


def test_html_in_utf16_with_a_bom_as_firefox_gives_it_on_linux():
    html = '\ufeff<a href="https://a.example/caf%C3%A9">Café</a>'.encode("utf-16-le")
    assert decode_drop({"text/html": html}).links == [
        Link("https://a.example/caf%C3%A9", "Café")]


def test_html_that_breaks_the_parser_keeps_the_links_before_the_break():
    html = b'<a href="https://a.example/1">One</a><![</'
    drop = decode_drop({"text/html": html})
    assert drop.links == [Link("https://a.example/1", "One")]
    assert drop.problems == ["Part of the dropped HTML could not be read"]


def test_a_character_reference_of_thousands_of_digits_is_a_problem_not_a_crash():
    html = f'<a href="https://a.example/">&#{"9" * 5000};</a>'.encode()
    drop = decode_drop({"text/html": html, "text/plain": b"https://b.example/"})
    assert drop.links == [Link("https://a.example/")]  # read before the reference
    with pytest.raises(CaptureError, match="could not be read"):
        decode_drop({"text/html": f'<p title="&#{"9" * 5000};">'.encode()})
