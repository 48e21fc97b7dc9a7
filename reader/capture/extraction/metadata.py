"""A page's title, author, site name and date, from its markup.

trafilatura's own readers, less what Reader never shows (categories, tags and licence, a quarter
of what trafilatura's metadata step costs), and its search for a byline only where the markup
has a byline mark. (htmldate's search for a date in the page's words, dateparser on every
date-like phrase, stays: without it 44 of 421 pages of the development sets had no date.)
"""

from __future__ import annotations

import re

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import Document, set_date_params

# trafilatura looks for a byline with three XPath scans of a copy of the page, testing attributes
# with regular expressions (12 ms a page, where no meta tag names the author). Every element those
# scans can match has one of these in an attribute, or is an <author> or <rel> element (checked
# against trafilatura 2.3.1's AUTHOR_XPATHS, case as there): where none has, there is no byline
# to find. On the development sets that skips the search on 274 of 576 pages, finding the same
# 228 authors.
_BYLINE_MARK = re.compile("uthor|byl|Byl|BBL|username|screenname|writer|zuozhe|bianji|xiaobian|"
                          "channel-name|submitted-by|posted-by|journalist-name")
_MARKED_ATTRIBUTES = XPath("//@class|//@id|//@rel|//@itemprop|//@data-testid|//@data-component",
                           smart_strings=False)


def page_metadata(tree: HtmlElement, url: str) -> Document:
    """Title, author, sitename and date of the page ``tree`` (fetched from ``url``); the tree is
    left as it was."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # one word in a meta tag is a handle or a site (as in trafilatura)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - trafilatura guards its JSON-LD reader the same way
        pass
    metadata.title = metadata.title or extract_title(tree)
    if not metadata.author and _may_have_byline(tree):
        metadata.author = extract_author(tree)
    sitename = (metadata.sitename or extract_sitename(tree) or "").lstrip("@")
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    metadata.sitename = sitename
    metadata.date = find_date(tree, url=url, **set_date_params(True))
    metadata.clean_and_trim()
    return metadata


def _may_have_byline(tree: HtmlElement) -> bool:
    return (_BYLINE_MARK.search("\n".join(_MARKED_ATTRIBUTES(tree))) is not None
            or tree.find(".//author") is not None or tree.find(".//rel") is not None)
