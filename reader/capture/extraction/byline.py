"""The author named in a page's byline, found as trafilatura finds it, at a tenth of the cost.

trafilatura (2.3.1, ``metadata.extract_author``) copies the page, prunes comments, sidebars,
quotes, dates and figures from the copy, then runs three XPath scans over every element, testing
attributes with regular expressions: 9-10 ms a page on the development sets where it ran. Every
element those scans can match carries a byline mark (below) in an attribute, or is an <author>
element or the parent of a <rel> one: so the same scans' conditions are tested here on those few
elements only, in the same order, each checked for a pruned ancestor, and read from a pruned copy
of itself. The conditions are trafilatura's own expressions, each ``//`` turned into ``self::``;
tests/capture/extraction/test_byline.py holds the result to trafilatura's on tricky markup. One
difference: a schema.org author block that names itself (``itemprop="name"``) gives that name,
not all of its text (an author card's reputation score and badges).
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

# Checked against trafilatura 2.3.1's AUTHOR_XPATHS, case as there.
BYLINE_MARK = re.compile("uthor|byl|Byl|BBL|username|screenname|writer|zuozhe|bianji|xiaobian|"
                         "channel-name|submitted-by|posted-by|journalist-name")
# Relative: a page parsed into two <html> elements has the second outside ``tree``, as it is
# outside the copy that trafilatura searches.
_MARKED = XPath(".//@class|.//@id|.//@rel|.//@itemprop|.//@data-testid|.//@data-component|"
                ".//author|.//rel")
_FROM_ANYWHERE = re.compile(r"(^|\|)\s*\.?//")
_NAME_PROP = XPath(".//*[@itemprop='name']")
# trafilatura's limit on a byline's length.
MAX_LENGTH = 120


def _on_itself(expression: XPath) -> XPath:
    """``expression`` (a union of ``//...`` paths) as a test of the context element itself."""
    return XPath(_FROM_ANYWHERE.sub(r"\1self::", expression.path.strip()),
                 namespaces={"re": "http://exslt.org/regular-expressions"})


_IS_BYLINE = [_on_itself(expression) for expression in AUTHOR_XPATHS]
_IS_PRUNED = [_on_itself(expression) for expression in AUTHOR_DISCARD_XPATHS]


def byline_author(tree: HtmlElement) -> str | None:
    """The author in the page's byline (None without one); ``tree`` is left as it was."""
    candidates = _marked_elements(tree)
    if not candidates:
        return None
    for is_byline in _IS_BYLINE:
        for element in candidates:
            if not is_byline(element) or any(_pruned(e) for e in element.iterancestors()):
                continue
            if _pruned(element):
                continue
            content = _schema_name(element) or trim(" ".join(prune_unwanted_nodes(
                deepcopy(element), AUTHOR_DISCARD_XPATHS).itertext()))
            if content and 2 < len(content) < MAX_LENGTH:
                return normalize_authors(None, content)
    return None


def _schema_name(element: HtmlElement) -> str:
    """The name a schema.org author block gives itself (where trafilatura reads all of the
    block's text: a Q&A page's author card gave "Marta K 1", her name and reputation score)."""
    if element.get("itemprop") != "author":
        return ""
    names = _NAME_PROP(element)
    return trim(names[0].text_content()) if names else ""


def _marked_elements(tree: HtmlElement) -> list[HtmlElement]:
    """The elements that can hold a byline, in page order."""
    found = {}
    # A page repeats its class and id values (a third of them distinct on WCXB's sample): each
    # searched once, 2.0 -> 1.85 ms a page.
    marked: dict[str, bool] = {}
    for node in _MARKED(tree):
        if isinstance(node, str):
            if node not in marked:
                marked[node] = BYLINE_MARK.search(node) is not None
            if marked[node]:
                found.setdefault(node.getparent(), None)
        elif node.tag == "rel":
            found.setdefault(node.getparent(), None)
        else:
            found.setdefault(node, None)
    return [element for element in found if element is not None]


def _pruned(element: HtmlElement) -> bool:
    return any(is_pruned(element) for is_pruned in _IS_PRUNED)
