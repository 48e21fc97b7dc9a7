"""What trafilatura's reading keeps after the article's last paragraph: a newsletter box or a row
of teaser cards, mostly headings with no prose under them, is left out."""

from __future__ import annotations

# A paragraph of this many words is the article's prose; what follows the last one is the tail.
PROSE_WORDS = 10
# A tail with at least this share of its words in headings is boxes' titles (a newsletter's
# "Thanks for signing up!", teaser cards' titles and standfirsts), not the article's sections:
# a section has prose under its heading. 0.3: what both halves of the development sets chose
# of 0.3, 0.5 and 0.7 (docs/extraction.md).
HEADING_SHARE = 0.3


def trim_headed_tail(body) -> None:
    """Remove from ``body`` (trafilatura's XML reading) the elements after its last prose
    paragraph where ``HEADING_SHARE`` of their words are headings."""
    children = list(body)
    last = max((i for i, child in enumerate(children)
                if child.tag == "p" and _words(child) >= PROSE_WORDS), default=None)
    if last is None:
        return
    tail = children[last + 1:]
    words = sum(_words(child) for child in tail)
    headings = sum(_words(heading) for child in tail for heading in child.iter("head"))
    if words and headings >= HEADING_SHARE * words:
        for child in tail:
            body.remove(child)


def _words(element) -> int:
    return len("".join(element.itertext()).split())
