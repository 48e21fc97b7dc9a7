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

from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser
from trafilatura.utils import HTML_PARSER, load_html

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
    tree = load_html(source)  # parses with HTML_PARSER, whose log then tells of this page
    errors = [error.message for error in HTML_PARSER.error_log] if tree is not None else []
    if any(map(_SWALLOWING.match, errors)) and not any(_TOO_DEEP in e for e in errors):
        standard = LexborHTMLParser(source).html
        reparsed = load_html(standard) if standard else None
        tree = tree if reparsed is None else reparsed
    return tree


def _decoded_once(match: re.Match) -> str:
    try:
        return match.group().encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:  # Latin-1 text that only looks like UTF-8's bytes
        return match.group()
