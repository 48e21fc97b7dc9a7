"""Extraction by kind of page: a Q&A page and a forum thread keep every post in order under its
author and date, documentation keeps its code and tables, and the kind comes from the page."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from hypothesis import given, strategies as st
from trafilatura.utils import is_image_file

from reader.capture.extract import MAX_WORD, _is_image_file, bounded_words, extract, word_count
from reader.capture.extraction.kind import (
    ARTICLE,
    DISCUSSION,
    UNDECLARED,
    may_hold_posts,
    page_kind,
)

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def _page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def _posts(body_html: str) -> list[tuple[str, str]]:
    """(heading, text) of each post section in the reader view's HTML."""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    return [(section.findtext("h4"), " ".join(section.text_content().split()))
            for section in root.iter("section")]


# What kind of page


def test_structured_data_marks_a_discussion():
    assert page_kind(_page("qa-thread.html")) == DISCUSSION  # microdata QAPage
    assert page_kind(_page("forum-thread.html")) == DISCUSSION  # JSON-LD DiscussionForumPosting


def test_questions_and_answers_of_an_faq_do_not_make_an_article_a_discussion():
    faq = ('<script type="application/ld+json">{"@type": "FAQPage", "mainEntity": [{"@type": '
           '"Question", "acceptedAnswer": {"@type": "Answer", "text": "Yes."}}]}</script>')
    assert page_kind(f"<html><head>{faq}</head><body><p>Story</p></body></html>") == UNDECLARED


def test_an_article_is_no_discussion_but_forum_markup_is_worth_a_look():
    assert page_kind(_page("news-article.html")) == ARTICLE  # JSON-LD NewsArticle
    assert page_kind(_page("docs-page.html")) == UNDECLARED
    assert may_hold_posts(_page("forum-thread.html").replace("DiscussionForumPosting", "WebPage"))
    assert not may_hold_posts(_page("docs-page.html"))
    assert may_hold_posts('<li CLASS = "Thread-Reply">Thanks</li>' * 4)  # as browsers read it
    assert not may_hold_posts('<li class="item">reply</li>' * 4)  # a class, not the text


# A Q&A page


def test_a_question_and_its_three_answers_in_order_each_under_author_and_date():
    page = extract(_page("qa-thread.html"), "https://cooking.example/questions/4411")
    posts = _posts(page.body_html)
    assert [heading for heading, _ in posts] == [
        "Marta K · 2024-03-02", "Jonas Baker · 2024-03-02", "Priya Natarajan · 2024-03-03",
        "Ollie Grant · 2024-03-05"]
    assert "three weeks" in posts[0][1] and "Feed it a thick meal" in posts[1][1]
    assert "dry some of it" in posts[2][1] and "Freezing works too" in posts[3][1]


def test_votes_user_cards_and_related_questions_are_left_out():
    page = extract(_page("qa-thread.html"), "https://cooking.example/questions/4411")
    for widget in ("Up vote", "Improve this answer", "Share", "45.1k", "gold badges",
                   "Related questions", "Can I freeze bread dough", "Hot Network Questions"):
        assert widget not in page.text and widget not in page.body_html, widget
    assert not any(text.split()[-1].isdigit() for _, text in _posts(page.body_html))


def test_the_whole_thread_counts_its_words():
    page = extract(_page("qa-thread.html"), "https://cooking.example/questions/4411")
    answers_only = "Whatever you choose, write the date on the jar."
    assert answers_only in page.text
    posts_words = sum(word_count(text) for _, text in _posts(page.body_html))
    assert word_count(page.text) == posts_words > 200


# A forum thread


def test_a_forum_thread_keeps_the_opening_post_and_every_reply_without_signatures():
    page = extract(_page("forum-thread.html"), "https://repair.example/threads/dishwasher.55/")
    posts = _posts(page.body_html)
    assert [heading for heading, _ in posts] == [
        "Rosa Lindqvist · 2025-01-14", "handyhal · 2025-01-14", "Rosa Lindqvist · 2025-01-15",
        "M. Okafor · 2025-01-15", "Dishwasher Dan · 2025-01-16"]
    assert "non-return valve" in posts[1][1] and "impeller is jammed" in posts[4][1]
    for junk in ("Sent from my kitchen", "fixing things since 1987", "spray arms", "Reaction score",
                 "Report", "Similar threads", "Washing machine will not spin", "#3"):
        assert junk not in page.text, junk
    assert page.title == "Dishwasher leaves water at the bottom after every cycle"


def test_posts_are_their_text_without_edit_notes_and_signatures_written_as_posts():
    # Each post's signature is written with the post's own markup (a second "bbWrapper"), and
    # each post carries an edit note: the posts are found by their text alone, so neither is
    # taken for a post nor kept in one.
    page = extract(_page("board-thread.html"), "https://baking.example/threads/starter.88/")
    posts = _posts(page.body_html)
    assert [heading for heading, _ in posts] == [
        "Ines Barros · 2025-02-03", "crumbshot · 2025-02-03", "Ines Barros · 2025-02-05",
        "Paul Heddle · 2025-02-06"]
    assert "nail polish remover" in posts[0][1] and "stiffer starter" in posts[3][1]
    for junk in ("Last edited", "Tartine", "twenty years of wild yeast", "retired miller"):
        assert junk not in page.text, junk


def test_a_reply_quoting_an_earlier_post_does_not_repeat_it_but_keeps_other_quotes():
    opener = ("My rye starter is three weeks old and until last Friday it doubled within six hours "
              "of every feed.")
    book = ("A young starter is a restless thing; it settles only once the same bacteria have "
            "won the jar for a few weeks.")
    html = _page("board-thread.html").replace(
        "<p>That smell", f"<blockquote><p>{opener}</p></blockquote><p>That smell"
    ).replace("<p>Glad it", f"<blockquote><p>{book}</p></blockquote><p>Glad it")
    page = extract(html, "https://baking.example/threads/starter.88/")
    posts = _posts(page.body_html)
    assert page.text.count("doubled within six hours") == 1 and opener in posts[0][1]
    assert "That smell is acetone" in posts[1][1] and "doubled" not in posts[1][1]
    assert book in posts[3][1]


def test_a_short_question_is_not_left_out_for_its_longer_answers():
    # The answers' own group holds most of the thread's words and fewer in all than the group
    # of every post's text: tighter, but one post short.
    page = extract(_page("qa-short-question.html"), "https://cycling.example/questions/77")
    posts = _posts(page.body_html)
    assert [heading.split(" · ")[0] for heading, _ in posts] == [
        "Tomas Reed", "Ana Lucia Prieto", "Gideon Marsh", "Sunniva Holt"]
    assert "stand on the pedals" in posts[0][1] and "stiff link" in posts[3][1]


def test_a_thread_is_sanitised_like_any_article():
    hostile = _page("forum-thread.html").replace(
        "Good find.", 'Good find.<script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">look</a>')
    page = extract(hostile, "https://repair.example/threads/dishwasher.55/")
    assert "Good find." in page.text
    for unsafe in ("<script", "alert", "onclick", "javascript:"):
        assert unsafe not in page.body_html


# Documentation


def test_documentation_keeps_code_blocks_tables_and_headings_intact():
    page = extract(_page("docs-page.html"), "https://docs.example/reading.html")
    root = lxml.html.fragment_fromstring(page.body_html, create_parent="div")
    code = [pre.text_content() for pre in root.iter("pre")]
    assert len(code) == 2
    assert '    settings = tomlkit_lite.load(handle)\nprint(settings["server"]["port"])' in code[0]
    assert [h.text_content() for h in root.iter("h2")] == ["Loading a file", "Value types", "Errors"]
    rows = [[cell.text_content().strip() for cell in row] for row in root.iter("tr")]
    assert rows[0] == ["TOML value", "Python type", "Example"]
    assert rows[2] == ["integer", "int", "port = 8080"]
    # a name in a sentence stays in its sentence
    sentence = next(p for p in root.iter("p") if "function reads" in p.text_content())
    assert sentence.find("code").text == "load"
    assert "Quick search" not in page.text and "Table of Contents" not in page.text


def test_a_sentence_with_formatted_code_in_it_keeps_all_its_words():
    # trafilatura moves the <i> out of the <code> and drops the words between them
    sentence = ("The specified <code><i>condition</i></code> is evaluated. If true, the "
                "directives inside the braces are executed with the <code>if</code> block.")
    filler = "".join(f"<p>Directive number {n} is processed in order at the server level of the "
                     f"file, after the {n - 1} before it.</p>" for n in range(2, 8))
    html = f"<html><body><main><h1>Rewrite</h1><p>{sentence}</p>{filler}</main></body></html>"
    text = " ".join(extract(html, "https://docs.example/rewrite.html").text.split())
    assert ("The specified condition is evaluated. If true, the directives inside the braces are "
            "executed with the if block.") in text


@pytest.mark.parametrize("name", ["news-article.html", "blog-post.html"])
def test_an_article_has_no_post_sections(name):
    page = extract(_page(name), "https://news.example/story")
    assert "<section" not in page.body_html


def test_a_declared_article_keeps_its_story_however_much_its_markup_looks_like_a_forum():
    # the forum thread's page declared as an article: its posts are then its comments
    forum = _page("forum-thread.html")
    as_article = forum.replace("DiscussionForumPosting", "NewsArticle")
    assert page_kind(as_article) == ARTICLE and may_hold_posts(as_article)
    assert "<section" in extract(forum, "https://forum.example/t/1").body_html
    assert "<section" not in extract(as_article, "https://forum.example/t/1").body_html


def test_a_declared_discussion_keeps_its_posts_when_trafilatura_reads_a_notice_instead():
    # a site's long terms notice above the thread is what trafilatura reads as the page's text;
    # on a page that declares itself a discussion the posts are still its point
    terms = ("The content of this service was compiled, arranged and revised by us with our own "
             "methods and judgment, at the expense of substantial time and effort, and is "
             "protected by these terms, by copyright law and by the treaties on collective works. ")
    notice = (f'<div class="p-body-notice"><div class="notice-content"><p>{terms * 4}</p>'
              f"<p>{terms * 4}</p></div></div>")
    page = _page("forum-thread.html").replace('<div class="p-body">',
                                              '<div class="p-body">' + notice, 1)
    thread = extract(page, "https://forum.example/t/1")
    assert len(_posts(thread.body_html)) == 5
    assert "compiled, arranged" not in thread.text


def test_a_threads_author_is_who_opened_it_not_the_first_byline_on_the_page():
    forum = _page("forum-thread.html").replace(
        '"author": {"@type": "Person", "name": "Rosa Lindqvist"}, ', "").replace(
        '<div class="p-body">', '<div class="p-body"><p class="p-description">Moderated by '
        '<span class="author">Max Moderator</span></p>', 1)
    assert "Rosa Lindqvist\"}" not in forum and "Max Moderator" in forum
    assert extract(forum, "https://forum.example/t/1").author == "Rosa Lindqvist"


def test_a_declared_discussion_without_signed_posts_keeps_the_replies_after_the_question():
    question = ("<h1>Is a mirrored disk a backup?</h1><p>My two disks are mirrored, so every file "
                "is written twice. Friends say this is still no backup, and I cannot see why not "
                "when a failed disk loses nothing at all. The machine holds ten years of family "
                "photographs and letters, and I would like to know before buying a third disk "
                "whether the money is better spent elsewhere.</p>")
    replies = "".join(
        f'<div class="reply"><p>Reply {n}: a deleted or corrupted file is deleted or corrupted on '
        f"both disks at once, so the mirror keeps you running but keeps no copy in time, "
        f"and only a copy made at another moment brings a file back, point {n}.</p></div>"
        for n in range(1, 4))
    page = (f'<html><head><script type="application/ld+json">{{"@type": "%s"}}</script></head>'
            f'<body><article>{question}</article><section id="comments">{replies}</section>'
            f"</body></html>")
    thread = extract(page % "DiscussionForumPosting", "https://forum.example/t/2").text
    assert "My two disks are mirrored" in thread and "Reply 1:" in thread and "Reply 3:" in thread
    article = extract(page % "NewsArticle", "https://news.example/2").text
    assert "My two disks are mirrored" in article and "Reply 1:" not in article


def test_a_forum_without_structured_data_is_found_by_its_markup():
    plain = _page("forum-thread.html").replace("DiscussionForumPosting", "WebPage")
    page = extract(plain, "https://repair.example/threads/dishwasher.55/")
    assert len(_posts(page.body_html)) == 5


@pytest.mark.parametrize("name, words_in_it", [
    ("wcxb/0575.html", "Rust Project goals"),  # a thread of short replies: every paragraph
    ("wcxb/4111.html", "Affordable"),  # short blocks only a recall-first reading keeps
])
def test_a_page_trafilatura_passes_over_still_gives_its_text(name, words_in_it):
    article = extract(_page(name), f"https://example.org/{name}")
    assert word_count(article.text) > 300
    assert words_in_it in article.title + article.text


def test_words_are_counted_by_spaces_and_chinese_by_characters():
    assert word_count("The bridge opened on Monday.") == 5
    assert word_count("桥梁周一开通 The bridge") == 2 + 3


def test_an_overlong_word_is_cut_and_the_rest_left_alone():
    text = "A " + "x" * (MAX_WORD + 50) + " end"
    assert bounded_words(text) == "A " + "x" * MAX_WORD + "… end"
    assert bounded_words("A short sentence.") == "A short sentence."


def test_links_and_images_are_made_absolute_against_the_page():
    story = "<p>" + "The ferry crossed the bay twice that morning in the fog. " * 8 + "</p>"
    html = (f"<html><body><article><h1>Ferry</h1>{story}"
            '<p>See <a href="timetable.html">the timetable</a> and <a href="/fares">fares</a>.</p>'
            '<img src="//cdn.example/boat.jpg" alt="The boat">'
            '<img src="pier.jpg" alt="The pier">'
            f"{story}</article></body></html>")
    body = lxml.html.fragment_fromstring(
        extract(html, "https://news.example/2024/ferry/story.html").body_html, create_parent="div")
    assert [a.get("href") for a in body.iter("a")] == [
        "https://news.example/2024/ferry/timetable.html", "https://news.example/fares"]
    assert [img.get("src") for img in body.iter("img")] == [
        "https://cdn.example/boat.jpg", "https://news.example/2024/ferry/pier.jpg"]


def test_comments_under_a_question_or_answer_are_left_out():
    comments = ('<div class="comments js-comments-container"><ul class="comments-list">' + "".join(
        f'<li class="comment"><div class="comment-body"><span class="comment-copy">Comment {n}: '
        "have you tried keeping it in the cold cellar next to the potatoes and the apples, where "
        "it stays cool all winter without any attention from anyone in the house at all?</span>"
        f'<a class="comment-user">Commenter {n}</a></div></li>' for n in range(4)) + "</ul></div>")
    html = _page("qa-thread.html").replace('<div class="post-signature', comments
                                           + '<div class="post-signature')
    page = extract(html, "https://cooking.example/questions/4411")
    assert "Comment 0:" not in page.text and "cold cellar" not in page.body_html
    assert len(_posts(page.body_html)) == 4 and "Freezing works too" in page.text


def test_the_words_after_an_image_in_a_paragraph_are_in_the_text():
    story = "<p>" + "The ferry crossed the bay twice that morning in the fog. " * 8 + "</p>"
    html = (f"<html><body><article><h1>Ferry</h1>{story}"
            '<p>Updated: 9 December<img src="/boat.jpg" alt="The boat">The harbour master '
            "counted every passenger off the boat at the pier.</p>"
            f"{story}</article></body></html>")
    page = extract(html, "https://news.example/2024/ferry/story.html")
    assert "9 December The harbour master counted every passenger" in page.text
    assert "The harbour master" in page.body_html and "boat.jpg" in page.body_html


def test_icons_and_pictures_linking_to_other_pages_are_no_part_of_the_article():
    story = "<p>" + "The ferry crossed the bay twice that morning in the fog. " * 8 + "</p>"
    html = (f"<html><body><article><h1>Ferry</h1>{story}"
            '<p><a href="/photos/boat-large.jpg"><img src="/boat.jpg" alt="The boat"></a></p>'
            '<p>Share <img src="/share.svg" width="16" height="16" alt=""> it.</p>'
            f"{story}"
            '<div class="related"><a href="/2024/pier/story.html"><img src="/pier.jpg"></a>'
            '<a href="/2024/pier/story.html">The pier reopens</a></div></article></body></html>')
    page = extract(html, "https://news.example/2024/ferry/story.html")
    body = lxml.html.fragment_fromstring(page.body_html, create_parent="div")
    assert [img.get("src") for img in body.iter("img")] == ["https://news.example/boat.jpg"]
    assert "Share it." in page.text


def test_a_lazy_loaded_image_is_shown_and_an_image_without_a_picture_keeps_the_words_after_it():
    story = "<p>" + "The ferry crossed the bay twice that morning in the fog. " * 8 + "</p>"
    placeholder = "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="
    html = (f"<html><body><article><h1>Ferry</h1>{story}<div>"
            f'<h3>The boat</h3> <img src="{placeholder}" data-lazy="/img/boat.jpg" width="600"> '
            "The harbour master counted every passenger off the boat at the pier."
            f'<h3>The pier</h3> <img src="{placeholder}" width="600"> The pilot walked home '
            f"along the pier in the rain that night.</div>{story}</article></body></html>")
    page = extract(html, "https://news.example/2024/ferry/story.html")
    body = lxml.html.fragment_fromstring(page.body_html, create_parent="div")
    assert [img.get("src") for img in body.iter("img")] == ["https://news.example/img/boat.jpg"]
    assert "The harbour master counted" in page.text and "The pilot walked home" in page.text


@given(st.lists(st.one_of(st.sampled_from([".png", ".JPG", ".jpeg?w=3", ".webp#x", ".heic", ".gif.",
                                           "data:image/png;base64,", " ", "\n", "/", "a.b", "é"]),
                          st.text(max_size=12)), max_size=20))
def test_an_image_address_is_told_as_trafilatura_tells_it(pieces):
    """Reader's linear test of an image address answers as trafilatura's own (whose pattern
    took time growing with the square of an address's length)."""
    address = "".join(pieces)
    assert _is_image_file(address) is is_image_file(address)


def test_a_lazy_loaded_picture_of_a_post_is_its_picture_not_the_placeholder():
    """A forum's posts are read from the page itself: a picture there is the one its
    ``data-src`` names (the ``src`` is a placeholder the page's script replaces)."""
    html = _page("board-thread.html").replace(
        "bigger feeds and it is back to doubling by lunchtime, and the smell has gone back to yoghurt and green apples. I also moved the jar to the shelf by the back door, which is a few degrees cooler than the counter.</p>",
        'bigger feeds and it is back to doubling by lunchtime, and the smell has gone back to yoghurt and green apples. I also moved the jar to the shelf by the back door, which is a few degrees cooler than the counter.</p>'
        '<p><img src="/spacer.png" data-src="/uploads/jar.png" alt="The jar"></p>', 1)
    assert "/uploads/jar.png" in html
    page = extract(html, "https://forum.example/t/1")
    sources = [img.get("src") for img in
               lxml.html.fragment_fromstring(page.body_html, create_parent="div").iter("img")]
    assert sources == ["https://forum.example/uploads/jar.png"]



