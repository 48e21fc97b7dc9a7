"""A page's title, author, site name and date, from its markup.

trafilatura's own readers, less what Reader never shows (categories, tags and licence, a quarter
of what trafilatura's metadata step costs); its search for a byline on the elements that can hold
one (byline.py). The date: htmldate's reading of the markup (meta tags, structured data, <time>
and date-like classes, the URL) without its extensive search, then, where the markup names no
date, a written full date in the page's words (docs/extraction.md, "the date").
"""

from __future__ import annotations

import re

from htmldate import find_date
from htmldate.core import search_page
from htmldate.utils import Extractor as DateSearch
from htmldate.validators import get_max_date, get_min_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
)
from trafilatura.settings import Document, set_date_params

from reader.capture.extraction.byline import byline_author

# The page's words, for a date written only there (scripts and styles are no words; their text
# is theirs alone, never an element's inside them: ``parent::`` reads as ``ancestor::``, in 1.4
# ms a page against 2.1).
_PAGE_WORDS = XPath("//body//text()[not(parent::script or parent::style)]", smart_strings=False)
# Every date htmldate's text patterns read holds a digit, and is shorter than this: only the
# words this near a digit are searched, the same dates as in all the page's words on the 148 of
# the development sets' 1,030 pages that reach this search, in a quarter of the time (8.7 ->
# 2.5 ms a page there). Between those stretches are no digits, so a pattern reaching over them
# ("Copyright", any non-digits, a year) reads as in the whole text (a property test holds it).
DATE_REACH = 100
_DIGITS = re.compile(r"\d+")
# A year alone (htmldate's last resorts: a copyright line, any year in the page) is no day of
# publication; on the development sets half of what the extensive search found was one.
_YEAR_ONLY = "-01-01"


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
    if not metadata.author:
        metadata.author = byline_author(tree)
    sitename = (metadata.sitename or extract_sitename(tree) or "").lstrip("@")
    if sitename and "." not in sitename and not sitename[0].isupper():
        sitename = sitename.title()
    metadata.sitename = sitename
    metadata.date = find_date(tree, url=url, **set_date_params(False)) or _written_date(tree)
    metadata.clean_and_trim()
    return metadata


def _written_date(tree: HtmlElement) -> str | None:
    """A full date written in the page's words ("Published on 17 March 2024"), by htmldate's
    patterns alone: its extensive search also ran dateparser on every phrase of the page (18 ms
    a page where it ran, and a second on the first page of each language), for dates that were
    mostly a copyright year."""
    options = DateSearch(True, get_max_date(set_date_params()["max_date"]), get_min_date(None),
                         True, "%Y-%m-%d")
    date = search_page(near_digits(" ".join(_PAGE_WORDS(tree))), options)
    return None if date is None or date.endswith(_YEAR_ONLY) else date


def near_digits(text: str) -> str:
    """The stretches of ``text`` within ``DATE_REACH`` characters of a digit, in order, a space
    between them."""
    stretches: list[list[int]] = []
    for digits in _DIGITS.finditer(text):
        start, end = max(0, digits.start() - DATE_REACH), digits.end() + DATE_REACH
        if stretches and start <= stretches[-1][1]:
            stretches[-1][1] = end
        else:
            stretches.append([start, end])
    return " ".join(text[start:end] for start, end in stretches)
