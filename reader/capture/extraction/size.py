"""What a page's size leaves of trafilatura's reading: all of it, its main reading alone, or none.

Two of trafilatura's steps take time growing with the square of a page's blocks. jusText, which
it asks to rescue a reading that is short or covers little of the page, walks from each short
paragraph over every short one beside it: a short article beside 6,000 one-word paragraphs took
3.1 s, beside 12,000 twelve. Its main reading asks libxml2 for ``//p//text()``, which answers in
3.4 s for 48,000 paragraphs (0.5 for 24,000). No real page comes near either bound below: the
most on the 1,030 pages of the development sets are 4,095 pieces of text and 626 paragraphs.
"""

from __future__ import annotations

from lxml.etree import XPath

from reader.errors import CaptureError

# Counted by libxml2, without Python objects; the blank pieces told apart only on a page of more
# pieces than the bound (a test of each piece took 0.4 ms a page of the development sets).
_PIECES = XPath("count(//text())")
_TEXT_PIECES = XPath("count(//text()[normalize-space()])")
_PARAGRAPHS = XPath("count(//p)")
# Past this many pieces of text (jusText's paragraphs are at most as many), trafilatura reads
# without its fallbacks, readability and jusText (its ``fast`` mode).
FALLBACK_PIECES = 5_000
# Past this many paragraphs a page is refused: it is no article, and even trafilatura's main
# reading of it would take seconds (0.6 s for 20,000, and four times that for twice as many).
MAX_PARAGRAPHS = 20_000


def without_fallbacks(tree, url: str) -> bool:
    """Whether ``tree`` (the page from ``url``) is to be read without trafilatura's fallbacks.
    Raises CaptureError for a page of more paragraphs than any article."""
    paragraphs = int(_PARAGRAPHS(tree))
    if paragraphs > MAX_PARAGRAPHS:
        raise CaptureError(f"This page is {paragraphs:,} paragraphs, not an article: {url}")
    return _PIECES(tree) > FALLBACK_PIECES and _TEXT_PIECES(tree) > FALLBACK_PIECES
