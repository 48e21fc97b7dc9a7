"""A paragraph written over several lines of the page's source, read as the one line a browser
shows.

trafilatura trims a paragraph's text to single spaces only where the paragraph has no markup
inside; with links kept (Reader keeps them, bare trafilatura does not), a paragraph holding a
link keeps the source's line breaks and indentation. Its length tests then count that
indentation: on a documentation page, a 35-word "submit a correction" box passed as a reading
long enough, jusText was never asked, and the page was read as its news banner (docs/extraction.md).
The stored text kept the breaks too, in the middle of sentences."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\s*\n\s*")
# Only paragraphs holding a link: elsewhere trafilatura trims the text itself (every other page of
# both development sets reads the same either way), and one XPath keeps it at 0.3 ms a page.
_BROKEN_TEXT = "//p[.//a]//text()[contains(., '\n')][not(ancestor::pre)]"


def collapse_line_breaks(tree) -> None:
    """Line breaks and the indentation around them in ``tree``'s paragraphs that hold a link
    made one space, as a browser shows them (not in <pre>, where they are the text)."""
    for piece in tree.xpath(_BROKEN_TEXT):
        parent = piece.getparent()
        if piece.is_tail:
            parent.tail = _BREAK.sub(" ", piece)
        else:
            parent.text = _BREAK.sub(" ", piece)
