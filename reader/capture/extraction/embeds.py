"""Text that a page builder wraps in an "embed" container is read as the article's text.

trafilatura discards every element whose class names an embed, for the social posts and players
pages embed (a tweet, an Instagram post). Site builders use the same word for a block of the
author's own HTML: Webflow's ``w-embed`` holds an article's tables and its sections after them,
other builders a box of profiles or a quotation. Such a block, with text blocks, at least
``MIN_WORDS`` words and nothing embedded in it (no frame, object, video or script), loses the
word from its class before trafilatura reads the page, and so do the blocks named so inside it;
inside a block holding a player they all stay out (both sets read the same either way).
Decided on half A of the development sets: a half-A page listing movers went 0.77 -> 0.97, a tip
guide's first table came back; two half-A articles took in a block more (0.997 -> 0.982, 0.99 ->
0.98) (docs/extraction.md).
"""

from __future__ import annotations

from lxml.etree import XPath

# Words a block needs to be read (``--tune`` on half A: 15 and 30 the same on both sets, 60
# lower on the benchmark, from 100 up lower on both; held out, every value above the rule off).
MIN_WORDS = 15
# (The class attributes tested, then their elements: a third faster than testing every element.)
_NAMED_EMBED = XPath("//@class[contains(., 'embed')]/parent::*[not(self::body)]")
_EMBEDDING = XPath("boolean(.//iframe|.//embed|.//object|.//video|.//script)")
_TEXT_BLOCKS = XPath("boolean(.//p|.//table|.//h2|.//h3|.//li)")


def read_embedded_text(tree) -> None:
    """Take the word "embed" out of the classes of the blocks in ``tree`` that hold text and
    nothing embedded, and of the blocks named so inside them. Only the outermost blocks are
    tested, each once: testing every block of a page nesting 250 of them around 15,000
    paragraphs took 2.9 s (each read its whole inside again), this 0.1 s."""
    named = _NAMED_EMBED(tree)
    named_set = set(named)
    inside: set = set()
    for block in named:  # (in page order: a block before those inside it)
        if block in inside:
            continue
        within = [element for element in block.iterdescendants() if element in named_set]
        inside.update(within)
        if (not _EMBEDDING(block) and _TEXT_BLOCKS(block)
                and len(block.text_content().split()) >= MIN_WORDS):
            for element in (block, *within):
                kept = [name for name in element.get("class").split() if "embed" not in name]
                element.set("class", " ".join(kept))
