"""The page's tree as a browser builds it, where libxml2 (lxml's parser, and trafilatura's) would
build another.

A page whose text was encoded to UTF-8 twice is read as it was written, first.

Two of libxml2's ways differ from the HTML standard on real pages, and both lose the article:
- It drops what follows an early ``</body>`` or ``</html>``; browsers put it in the body (a half-A
  page closed itself after its menu, then had its article). Those end tags are taken out first.
- An end tag such as ``</nav>`` or ``</header>`` does not close a ``<div>`` left open inside the
  element: libxml2 ignores it (its end tags close only what ranks below them, and a div ranks
  above), so the rest of the page is built inside the menu or the header, and trafilatura drops
  it with them. Browsers close the div (three half-A pages kept a fifth of their article or
  less: docs/extraction.md, ninth round). Such a page is parsed again by lexbor, an HTML5
  parser, and its standard tree given to libxml2 to read.

Only such pages are parsed twice (2 % of the development pages, found from libxml2's own report
of the ignored end tag): lexbor's pass costs about 4 % of bare trafilatura's time a page.
"""

from __future__ import annotations

import re

from lxml.etree import ElementDefaultClassLookup
from lxml.html import (HtmlComment, HtmlElement, HtmlEntity, HTMLParser,
                       HtmlProcessingInstruction, fromstring)
from selectolax.lexbor import LexborHTMLParser
from trafilatura.utils import is_dubious_html, repair_faulty_html

# trafilatura's parser (``utils.HTML_PARSER``), each element of its tree an ``HtmlElement``.
# lxml.html's own parser looks up in Python which class an element gets (a form's, an input's:
# nothing Reader or trafilatura uses), each time a pass over the tree reaches it, and on a copy
# of it: Reader's passes and trafilatura's, 1.7 ms a page of WCXB's sample (1.44x -> 1.39x bare
# trafilatura's CPU, whose own parser is left alone).
PAGE_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                         remove_comments=True, remove_pis=True)
PAGE_PARSER.set_element_class_lookup(ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))

# Text encoded to UTF-8, read as Latin-1 and encoded again (a database or a template in the wrong
# charset; 8 of the 443 half-A WCXB pages): a curly apostrophe comes as "â" and two C1 control
# characters, which browsers show as they are. A UTF-8 lead byte followed by a C1 control is
# never text, so where one is found, each character so encoded is decoded back. Looked for in the
# page's UTF-8 (the two as bytes): a quarter of the time of a search of the text (1.1 ms a page).
_TWICE_ENCODED = re.compile(rb"\xc3[\x82-\xb4]\xc2[\x80-\x9f]")
_ENCODED_CHARACTER = re.compile("[\u00c2-\u00df][\u0080-\u00bf]|[\u00e0-\u00ef][\u0080-\u00bf]{2}"
                                "|[\u00f0-\u00f4][\u0080-\u00bf]{3}")
_EARLY_END = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
# libxml2's report of an end tag it ignored while a <div> (or a table) was open inside: these are
# the elements trafilatura drops with all they hold (and a header, which it reads as no article).
_SWALLOWING = re.compile(
    r"Opening and ending tag mismatch: (?:nav|header|footer|aside|form|menu) and ")
# libxml2 stops at 256 nested elements. lexbor does not, and its time grows with the square of
# the depth (100,000 nested divs: 26 s), so a page that deep is left as libxml2 read it.
_TOO_DEEP = "Excessive depth"


def parse_page(html: str) -> HtmlElement | None:
    """The page's tree, or None where trafilatura takes it for no HTML at all."""
    if _TWICE_ENCODED.search(html.encode("utf-8", "surrogatepass")):
        html = _ENCODED_CHARACTER.sub(_decoded_once, html)
    source = _EARLY_END.sub("", html)
    tree = _parsed(source)
    errors = [error.message for error in PAGE_PARSER.error_log] if tree is not None else []
    if any(map(_SWALLOWING.match, errors)) and not any(_TOO_DEEP in e for e in errors):
        standard = LexborHTMLParser(source).html
        reparsed = _parsed(standard) if standard else None
        tree = tree if reparsed is None else reparsed
    return tree


def _parsed(html: str) -> HtmlElement | None:
    """``html`` parsed by ``PAGE_PARSER`` as trafilatura's ``load_html`` parses text: its
    repairs first, the text's UTF-8 parsed where the text itself gives no tree (it declares an
    encoding, or gives an empty one), and None for a page that neither names itself HTML nor
    parses into two elements at least."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    try:
        tree = fromstring(html, parser=PAGE_PARSER)
    except Exception:  # noqa: BLE001 - ValueError for a declared encoding, ParserError if empty
        tree = None
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(html.encode("utf-8", "surrogatepass"), parser=PAGE_PARSER)
        except Exception:  # noqa: BLE001 - as trafilatura's: no HTML in it
            tree = None
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _decoded_once(match: re.Match) -> str:
    try:
        return match.group().encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:  # Latin-1 text that only looks like UTF-8's bytes
        return match.group()
