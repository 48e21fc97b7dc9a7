"""The rest of an article written in several like containers (an advert between two
``article__body`` blocks): trafilatura reads the first of them and stops there."""

from __future__ import annotations

import re
from itertools import islice

from lxml.etree import SubElement, XPath

# A paragraph of the continuation has at least this many words: prose, not a caption or a label.
MIN_PARAGRAPH_WORDS = 30
# A continuation holds at least this many such paragraphs: an article's body, not a newsletter
# box or an author's note beside it.
MIN_PARAGRAPHS = 2
# How far above the last paragraph read the article's container is looked for.
MAX_DEPTH = 4
# A continuation whose words are more than this share link text is teasers, not the article.
MAX_LINK_SHARE = 0.2
_STARTING = XPath("//p[starts-with(normalize-space(.), $start)]")
_WORD = re.compile(r"\w+")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def continue_article(tree, body) -> None:
    """Append to trafilatura's reading ``body`` the prose of the containers that continue the one
    holding its last paragraph on the page ``tree``: the run of later elements of its tag and
    classes under the same grandparent (``_later_like``), each holding prose (``_append_prose``)."""
    source = _source(tree, body)
    if source is None:
        return
    for container in islice(source.iterancestors(), MAX_DEPTH):
        parent = container.getparent()
        grandparent = None if parent is None else parent.getparent()
        if grandparent is None:
            return
        following = _later_like(grandparent, container) if container.get("class") else []
        if following:
            read = {_words("".join(p.itertext())) for p in body.iter("p")}
            # The first that is not the article's prose (links, a label, a tag list) ends the
            # run: what follows it is related posts or comments.
            for element in following:
                if not _append_prose(body, element, read):
                    return
            return


def _source(tree, body):
    """The page's paragraph that is the last prose paragraph of trafilatura's reading ``body``."""
    last = next((p for p in reversed(list(body.iter("p")))
                 if len("".join(p.itertext()).split()) >= MIN_PARAGRAPH_WORDS), None)
    if last is None:
        return None
    text = " ".join("".join(last.itertext()).split())
    words = _words(text)
    # The page's paragraphs that start with its first words, found by libxml2 (reading every
    # paragraph's words in Python cost half a millisecond a page).
    starting = _STARTING(tree, start=" ".join(text.split()[:4]))
    return next((p for p in starting if _words(p.text_content()) == words), None)


def _later_like(grandparent, container) -> list:
    """Elements under ``grandparent`` after ``container``, of its tag and classes, in a parent
    like its own (the same, or of the same tag and classes), with no heading between: a heading
    opens another part of the page (related posts, comments)."""
    classes, parent = container.get("class"), container.getparent()
    if not any(e.get("class") == classes and e is not container and _alike(e.getparent(), parent)
               for e in grandparent.iter(container.tag)):
        return []  # most pages: nothing like it, no need to walk the page in order
    end = _last_descendant(grandparent)
    later, skip_to = [], None
    for element in container.xpath("following::*"):
        if skip_to is not None:
            skip_to = None if element is skip_to else skip_to
        elif element.tag in _HEADINGS:
            break
        elif (element.tag == container.tag and element.get("class") == classes
              and _alike(element.getparent(), parent)):
            later.append(element)
            skip_to = _last_descendant(element)
            skip_to = None if skip_to is element else skip_to
        if element is end:
            break
    return later


def _last_descendant(element):
    last = element.xpath("(descendant::*)[last()]")
    return last[0] if last else element


def _alike(element, other) -> bool:
    return element is other or (element.tag == other.tag and element.get("class") == other.get("class"))


def _append_prose(body, container, read: set) -> bool:
    """Append the prose paragraphs of ``container`` not yet read; False where it has none or is
    mostly links."""
    words = len(container.text_content().split())
    linked = sum(len(a.text_content().split()) for a in container.iter("a"))
    if not words or linked > MAX_LINK_SHARE * words:
        return False
    prose = {}
    for paragraph in container.iter("p"):
        text = " ".join(paragraph.text_content().split())
        key = _words(text)
        if len(key) >= MIN_PARAGRAPH_WORDS and key not in read:
            prose[key] = text
    if len(prose) < MIN_PARAGRAPHS:
        return False
    for key, text in prose.items():
        SubElement(body, "p").text = text
        read.add(key)
    return True


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))
