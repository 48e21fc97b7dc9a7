"""What trafilatura's reading keeps around the article's prose: before its first paragraph, the
title block (a kicker, a standfirst; the title is stored apart), and after its last, a
newsletter box or a row of teaser cards. Where those are mostly headings, they are left out."""

from __future__ import annotations

# A paragraph of this many words outside links is the article's prose (a teaser card's linked
# standfirst is not); what is before the first one is the lead, what follows the last the tail.
PROSE_WORDS = 10
# A tail with at least this share of its words in headings, or in paragraphs that are links
# through and through, is boxes' titles (a newsletter's "Thanks for signing up!", teaser cards'
# titles and standfirsts, a "Related products" heading over product links), not the article's
# sections: a section has prose under its heading. 0.3: what both halves of the development
# sets chose of 0.3, 0.5 and 0.7 (docs/extraction.md).
HEADING_SHARE = 0.3
# A lead with at least this share of its words in headings is the title block. 0.6: what the
# tuning half chose of 0.3 and 0.6 (docs/extraction.md).
LEAD_SHARE = 0.6


def trim_headed_ends(body) -> None:
    """Remove from ``body`` (trafilatura's XML reading) the elements before its first prose
    paragraph and those after its last where they are mostly headings (after it, or paragraphs
    that are one link each: related products and stories, each a linked name and blurb)."""
    children = list(body)
    prose = [i for i, child in enumerate(children)
             if child.tag == "p" and _words(child) - _linked_words(child) >= PROSE_WORDS]
    if not prose:
        return
    for end, share in ((children[prose[-1] + 1:], HEADING_SHARE), (children[:prose[0]], LEAD_SHARE)):
        words = sum(_words(child) for child in end)
        headings = sum(_words(heading) for child in end for heading in child.iter("head"))
        headings += sum(_words(child) for child in end  # (a list of links stays a list)
                        if child.tag == "p" and _linked_words(child) == _words(child))
        if words and headings >= share * words:
            for child in end:
                body.remove(child)


def _words(element) -> int:
    return len("".join(element.itertext()).split())


def _linked_words(element) -> int:
    return sum(_words(ref) for ref in element.iter("ref"))
