"""What is not a discussion's post: a repeated block in the page's footer, or one with no words.
(Whole threads, read through ``extract``, are in tests/capture/test_extract.py.)"""

from __future__ import annotations

import lxml.html

from reader.capture.extraction.thread import Thread, cleaned, thread_of

STORY = ("The council voted on Tuesday to rebuild the old river bridge in stone, after two years "
         "of arguing about its cost, its look and the months of closed roads it will bring. ")


def _thread(body: str) -> Thread | None:
    root = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
    return thread_of(root, STORY * 6)


def test_the_page_footer_repeating_the_articles_markup_makes_no_thread():
    article = (f'<article><span class="author">Ann Lee</span><time datetime="2024-05-02">May 2'
               f'</time><div class="content"><p>{STORY * 3}</p><p>{STORY * 3}</p></div></article>')
    footer = ('<footer><div class="content"><p>About us: a newsroom that has told this town its '
              "news since 1994, with readers who pay for it and a staff of eleven reporters "
              "and editors who answer every letter.</p></div></footer>")
    assert _thread(article + footer) is None
    # the same two blocks outside a footer are two posts, one of them signed
    assert _thread(article + footer.replace("footer>", "div>")) is not None


def test_a_repeated_block_without_words_is_no_post():
    article = (f'<div class="block main"><span class="author">Ann Lee</span><time datetime='
               f'"2024-05-02">May 2</time><p>{STORY * 3}</p><p>{STORY * 3}</p></div>')
    assert _thread('<div class="block main"><span> </span></div>' + article) is None
    assert _thread('<div class="block main"><span>See also</span></div>' + article) is not None


def test_a_post_leading_into_its_links_keeps_its_sentences_and_a_block_of_links_goes():
    links = "".join(f'<br><a href="/t/{n}">The campaign thread of party number {n}</a>'
                    for n in range(8))
    post = lxml.html.fragment_fromstring(
        f'<div class="post"><span>{STORY}<br>Other threads you may like:{links}</span>'
        f'<div class="related"><a href="/a">Older thread</a> <a href="/b">Newer thread</a>'
        f"</div></div>")
    text = " ".join(cleaned(post).text_content().split())
    assert STORY.strip() in text and "party number 7" in text
    assert "Older thread" not in text


def test_an_author_box_holding_more_than_a_name_gives_its_profile_link_and_opens_the_thread():
    def post(name: str, n: int, day: str) -> str:
        return (f'<div class="post_wrapper"><div class="poster"> <h4><a href="/profile/{n}">'
                f'{name}</a></h4> <ul> <li class="postcount">Posts: 3,760</li> '
                f'<li class="poster_ip">Logged</li> </ul></div><div class="postarea">'
                f'<div class="keyinfo"><time datetime="2024-06-0{n}">June {n}</time></div>'
                f'<div class="inner">Reply {n}: {STORY.replace("Tuesday", day)}</div></div></div>')

    thread = _thread("".join(post(name, n, day) for n, (name, day) in enumerate(
        (("Biology Forums", "Monday"), ("Arantor", "Friday"), ("Doug Heffernan", "Sunday")),
        start=1)))
    assert thread is not None and thread.opener == "Biology Forums"
    assert "<h4>Arantor · 2024-06-02</h4>" in thread.html and "Logged" not in thread.html


def _side_cards(count: int) -> str:
    """A sidebar's cards, unsigned, with more words than the thread's short posts."""
    return "".join(f'<div class="card"><h5>Community guide {n}</h5><p>{STORY}</p></div>'
                   for n in range(count))


def test_signed_posts_are_found_beside_unsigned_cards_holding_more_words():
    posts = "".join(
        f'<article class="entry"><h3 class="entry-username"><a href="/u/{name}">{name}</a></h3>'
        f'<time datetime="2024-08-2{n}">Aug 2{n}</time><div class="entry-text"><p>Reply {n}: '
        f"is there a roadmap for the next versions of the builder and its templates?</p></div>"
        f"</article>" for n, name in enumerate(("ron", "paul"), start=6))
    root = lxml.html.document_fromstring(f"<html><body>{posts}{_side_cards(5)}</body></html>")
    thread = thread_of(root, "")  # a page declaring itself a discussion
    assert thread is not None and thread.opener == "ron"
    assert "<h4>paul · 2024-08-27</h4>" in thread.html and "Community guide" not in thread.html


def test_signed_rows_without_sentences_are_no_posts_in_place_of_an_unsigned_thread():
    # the posts' header rows (an author and a time each) are signed, but hold no post's text
    rows = "".join(f'<div class="row head"><a class="username" href="/u/{n}">walker{n}</a> '
                   f'<time datetime="2026-02-0{n}">posted on Feb {n}, 2026 at 9:0{n} pm, from '
                   f'the trail</time></div><div class="post">{STORY}</div>' for n in range(1, 7))
    root = lxml.html.document_fromstring(f"<html><body>{rows}</body></html>")
    assert thread_of(root, "") is None


def test_a_group_of_blocks_without_a_letter_gives_way_to_the_signed_posts_after_it():
    figures = "".join(f'<div class="stats">{" ".join(str(n * k) for k in range(40))}</div>'
                      for n in range(1, 4))  # more words than the posts, and not one letter
    posts = "".join(f'<div class="post"><span class="username">{name}</span><time datetime='
                    f'"2024-03-0{n}">March {n}</time><div class="text">{STORY}</div></div>'
                    for n, name in enumerate(("Ann", "Bo"), start=1))
    root = lxml.html.document_fromstring(f"<html><body>{figures}{posts}</body></html>")
    thread = thread_of(root, "")
    assert thread is not None and thread.opener == "Ann"
    assert "<h4>Bo · 2024-03-02</h4>" in thread.html
