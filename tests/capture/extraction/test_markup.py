"""What a page's markup says about what is read: what it hides or shows only in print, text
a page builder calls an embed, and an article after the page's early end tags or a menu's
unclosed block."""

from __future__ import annotations

import time

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.utils import load_html

from reader.capture.extract import extract
from reader.capture.extraction.embeds import read_embedded_text
from reader.capture.extraction.parsing import _parsed, parse_page
from reader.capture.extraction.spacing import collapse_line_breaks


def test_an_article_after_the_pages_early_end_tags_is_read_as_a_browser_shows_it():
    story = "".join(f"<p>The ferry crossed the bay at dawn, trip {n}, in a thick sea fog.</p>"
                    for n in range(12))
    html = ('<!DOCTYPE html><html><head><title>Ferry</title></head><body><header><nav>'
            '<a href="/">Home</a> <a href="/news">News</a></nav></header></body></html>\n'
            f'<div class="post-page"><article><h1>Ferry</h1>{story}</article></div>'
            "</body></html>")
    text = extract(html, "https://news.example/ferry.html").text
    assert "trip 0," in text and "trip 11," in text



def test_a_block_left_open_in_the_menu_does_not_take_the_article_into_the_menu():
    # libxml2 ignores </nav> and </header> while the <div> is open (a browser closes it); the
    # page is then parsed as a browser does. A well-formed menu is parsed once, as it was.
    menu = '<header><nav><div class="menu"><a href="/">Home</a> <a href="/news">News</a>'
    article = "<main><article><h1>Ferry</h1><p>The ferry crossed the bay.</p></article></main>"
    for closing in ("</nav></header>", "</div></nav></header>"):
        tree = parse_page(f"<html><body>{menu}{closing}{article}</body></html>")
        assert tree.xpath("//main/article/p") and not tree.xpath("//header//main")
        assert tree.xpath("//nav//a/text()") == ["Home", "News"]


def test_a_page_nested_deeper_than_libxml2_reads_is_not_parsed_again():
    # lexbor's time grows with the square of the depth: 100,000 nested divs took it 26 s
    page = ('<html><body><header><nav><div class="menu">Menu</nav></header>'
            + "<div>" * 100_000 + "<p>Deep.</p></body></html>")
    started = time.monotonic()
    tree = parse_page(page)
    assert time.monotonic() - started < 1.0 and tree is not None


def test_text_encoded_to_utf8_twice_is_read_as_written_and_latin_text_is_left_alone():
    # "we’ve", "café" and "—" encoded to UTF-8, read as Latin-1 and encoded again: browsers show
    # "weâ" and two control characters. A UTF-8 lead byte before a C1 control is never text.
    twice = "we’ve had café — déjà vu".encode().decode("latin-1")
    tree = parse_page(f"<html><head><title>{twice}</title></head><body><p>{twice}</p></body></html>")
    assert tree.xpath("//p/text()") == tree.xpath("//title/text()") == ["we’ve had café — déjà vu"]
    latin = "Ã©tait is how a Latin-1 text may begin, and Â© is no sign of UTF-8"
    assert parse_page(f"<html><body><p>{latin}</p></body></html>").xpath("//p/text()") == [latin]


# Text a page may hold, with the characters whose UTF-8 holds a C1 byte (quotes, dashes, euro).
_WRITTEN = st.text(alphabet=st.sampled_from(list("ab ’“”—–€éßçØ中文🙂.,")), min_size=1,
                   max_size=40)
# Pieces of a hostile page: markup the parsing rules react to, broken encodings, lone surrogates.
_PIECES = st.lists(st.sampled_from([
    "<nav>", "</nav>", "<header>", "</header>", "<div>", "</div>", "</body>", "</html>", "<p>",
    "â\x80\x99", "Ã©", "Ã", "\x85", "\xc2", "\udcff", "\x00", "&", "<", "word "]) | st.text(max_size=8),
    max_size=40)


@settings(max_examples=150, deadline=None)
@given(written=_WRITTEN)
def test_any_text_encoded_twice_reads_back_exactly(written):
    twice = f"’{written}".encode().decode("latin-1")  # the apostrophe: a C1 byte for certain
    tree = parse_page(f"<html><body><p>{twice}</p></body></html>")
    assert tree.xpath("string(//p)") == f"’{written}"


@settings(max_examples=200, deadline=None)
@given(pieces=_PIECES)
def test_any_page_parses_to_a_tree_or_none_and_never_raises(pieces):
    tree = parse_page("<html><body>" + "".join(pieces))
    assert tree is None or tree.tag == "html"


# How a text may begin: as HTML, as XHTML declaring its encoding (which lxml refuses in a str),
# as a self-closed <html/>, or as no HTML at all.
_BEGINNINGS = st.sampled_from(["", "<html>", "<!DOCTYPE html>\n<html>", "<html/>\n",
                               "<?xml version='1.0' encoding='utf-8'?>\n<html>", "plain words ",
                               "<p>one block</p>", "<form><input name=q><select></select></form>"])


@settings(max_examples=200, deadline=None)
@given(beginning=_BEGINNINGS, pieces=_PIECES)
def test_any_text_parses_as_trafilatura_parses_it_with_every_element_an_html_element(
        beginning, pieces):
    html = beginning + "".join(pieces)
    ours, trafilaturas = _parsed(html), load_html(html)
    assert (ours is None) == (trafilaturas is None)
    if ours is not None:
        assert lxml.html.tostring(ours) == lxml.html.tostring(trafilaturas)
        assert {type(element) for element in ours.iter()} <= {
            lxml.html.HtmlElement, lxml.html.HtmlComment, lxml.html.HtmlProcessingInstruction,
            lxml.html.HtmlEntity}


def test_trafilaturas_own_parser_is_left_as_it_was():
    parse_page("<html><body><form><input name=q></form></body></html>")
    form = load_html("<html><body><form><input name=q></form></body></html>").find(".//form")
    assert isinstance(form, lxml.html.FormElement)


def test_text_a_page_builder_wraps_in_an_embed_block_is_read_and_a_social_embed_is_not():
    story = "".join(f"<p>Tipping at a coffee shop is smaller than at a restaurant, note {n}, "
                    f"and most people round up to the next dollar.</p>" for n in range(6))
    rows = "".join(f"<tr><td>${n}0.00 bill</td><td>${n}.50 tip</td></tr>" for n in range(1, 9))
    chart = (f'<div class="w-embed"><h3>Tip chart for calculations</h3><table>{rows}</table>'
             "<p>Tipping on the total before tax is the usual way, and either is polite.</p></div>")
    tweet = ('<div class="social-embed"><blockquote class="twitter-tweet"><p>Round up, always, '
             "says a barista with opinions about tips and about everyone's coffee order."
             '</p></blockquote><script src="https://platform.example/widgets.js"></script></div>')
    html = (f"<html><body><article><h1>Tips</h1>{story}{chart}{tweet}</article></body></html>")
    text = extract(html, "https://guide.example/tips").text
    assert "Tip chart for calculations" in text and "$80.00 bill" in text
    assert "Tipping on the total before tax" in text
    assert "barista with opinions" not in text


def test_what_the_page_shows_only_when_printed_is_not_read():
    notice = "This copy is for your personal, non-commercial use only. Order reprints online."
    story = "".join(f"<p>Shares of the retailer fell in early trading, report {n}, after the "
                    f"company cut its sales outlook for the year.</p>" for n in range(10))
    html = (f'<html><body><main><article class="blueprint-story"><h1>Shares fall</h1>'
            f'<div class="print-header"><p>{notice}</p></div>{story}'
            f'<div class="print-footer clearfix"><p>{notice}</p></div></article></main>'
            "</body></html>")
    text = extract(html, "https://news.example/shares.html").text
    assert "report 9," in text  # a class that only holds the word "print" is no print edition
    assert "personal, non-commercial" not in text


def test_a_block_bootstrap_shows_in_print_is_print_only_where_it_is_hidden_on_screen():
    def text(classes: str) -> str:
        credit = (f'<div class="{classes}"><p>Reporting by Ann Lee and Tom Ortiz in Seattle, '
                  "with additional reporting by the business desk.</p></div>")
        story = "".join(f"<p>Shares of the retailer fell in early trading, report {n}, after "
                        f"the company cut its sales outlook for the year.</p>" for n in range(10))
        return extract(f"<html><body><article><h1>Shares fall</h1>{story}{credit}</article>"
                       "</body></html>", "https://news.example/shares.html").text

    assert "Reporting by Ann Lee" in text("d-print-block credits")  # on screen and in print
    assert "Reporting by Ann Lee" not in text("d-none d-print-block credits")


def test_what_the_page_hides_is_not_read():
    story = "".join(f"<p>The ferry crossed the bay at dawn, trip {n}, in a thick sea fog.</p>"
                    for n in range(12))
    # Beside the story, a schema.org block of its metadata and a copy of it, hidden.
    html = ("<html><body><article><h1>Ferry</h1>" + story + "</article>"
            '<div style="display: none;" itemscope itemtype="http://schema.org/NewsArticle">'
            '<div itemprop="headline">Ferry</div><div itemprop="datePublished">2019-11-19</div>'
            f'<div itemprop="articleBody">{story}</div></div></body></html>')
    page = extract(html, "https://news.example/ferry.html")
    assert page.text.count("trip 3,") == 1
    assert "2019-11-19" not in page.text


def test_hidden_tabs_and_panels_that_a_control_shows_are_read():
    def steps(tool: str, flag: str) -> str:
        return "".join(f"<p>Step {n}: install the {tool} tools and run the planner with the "
                       f"{flag} flag set.</p>" for n in range(8))

    html = ("<html><body><main><h1>Quickstart</h1><p>Send your first message in minutes.</p>"
            '<div role="tablist"><button aria-controls="shell">Shell</button>'
            '<button aria-controls="python ruby">Scripts</button><button>Node</button></div>'
            f'<div id="shell" role="tabpanel">{steps("shell", "kestrel")}</div>'
            f'<div id="python" style="display:none">{steps("Python", "marmot")}</div>'
            f'<div id="ruby" style="display:none">{steps("Ruby", "plover")}</div>'
            f'<div role="tabpanel" style="display: none">{steps("Node", "heron")}</div>'
            "</main></body></html>")
    text = extract(html, "https://docs.example/quickstart").text
    assert all(f"{flag} flag" in text for flag in ("kestrel", "marmot", "plover", "heron"))


def test_embed_blocks_nested_deep_are_tested_once_each_and_a_block_with_a_player_stays_out():
    # each block reading its whole inside again took 2.9 s on this page
    depth, paragraphs = 250, 15_000
    tree = load_html("<html><body>" + '<div class="embed">' * depth
                     + "<p>Three plain words.</p>" * paragraphs + "</div>" * depth
                     + "</body></html>")
    started = time.monotonic()
    read_embedded_text(tree)
    assert time.monotonic() - started < 1.0
    assert not tree.xpath("//*[contains(@class, 'embed')]")  # the author's text, all of it

    player = load_html('<html><body><div class="embed"><video src="/clip.mp4"></video>'
                       '<div class="embed-text"><p>A caption of more than fifteen words, '
                       "written under the clip by the page's author for its readers.</p>"
                       "</div></div></body></html>")
    read_embedded_text(player)
    assert len(player.xpath("//*[contains(@class, 'embed')]")) == 2


def test_a_paragraph_written_over_several_source_lines_reads_as_one_line():
    story = "".join(f"<p>The library opens at nine on weekdays, note {n}, and at ten on "
                    f"Saturdays.</p>" for n in range(6))
    wrapped = ("<p>\n        If you see anything in this guide that is not correct, please use\n"
               '        <a href="/feedback">this\n          form</a>\n'
               "        to tell us about it.\n      </p>")
    code = '<pre>if open:\n    <a href="/doc">read()</a>\n        wait()</pre>'
    html = f"<html><body><article><h1>Hours</h1>{story}{wrapped}{code}</article></body></html>"
    tree = load_html(html)
    collapse_line_breaks(tree)
    assert "".join(tree.find(".//pre").itertext()) == "if open:\n    read()\n        wait()"
    text = extract(html, "https://library.example/hours").text
    assert ("If you see anything in this guide that is not correct, please use this form to "
            "tell us about it.") in text
