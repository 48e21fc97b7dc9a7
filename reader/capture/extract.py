"""From a page's HTML to an article: trafilatura finds the text, we keep its structure safely."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from lxml.etree import strip_tags
from lxml_html_clean import Cleaner
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.xml import xmltotxt

from reader.errors import CaptureError

# Fewer words than this is a login wall, a cookie page or an app shell, not an article.
MIN_WORDS = 40
ALLOWED_TAGS = frozenset(
    "h1 h2 h3 h4 h5 h6 p br hr ul ol li blockquote pre code a strong em b i u s del sub sup "
    "table thead tbody tr th td img figure figcaption div span dl dt dd".split()
)
_LINK_SCHEMES = ("http", "https", "mailto")
_HTML_LANG = re.compile(r"""<html[^>]*\slang\s*=\s*["']?([A-Za-z]{2,3})""", re.IGNORECASE)
_cleaner = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    embedded=True,
    frames=True,
    forms=True,
    meta=True,
    page_structure=True,
    processing_instructions=True,
    remove_unknown_tags=False,
    allow_tags=ALLOWED_TAGS,
    safe_attrs_only=True,
    safe_attrs=frozenset({"href", "src", "alt", "title"}),
)


@dataclass(frozen=True)
class Extracted:
    title: str
    author: str
    site: str
    published: str
    language: str
    body_html: str
    text: str


def extract(html: str, url: str) -> Extracted:
    """The article in ``html`` (fetched from ``url``). Raises CaptureError if there is none."""
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_links=True,
        include_images=True,
        include_tables=True,
    )
    if document is None or document.body is None:
        raise CaptureError(f"No article text found on this page: {url}")
    text = plain_text(document.body)
    if len(text.split()) < MIN_WORDS:
        raise CaptureError(f"No article text found on this page: {url}")
    body_html = sanitise(lxml.html.tostring(convert_to_html(document.body), encoding="unicode"), url)
    return Extracted(
        title=(document.title or "").strip() or _fallback_title(text, url),
        author=(document.author or "").strip(),
        site=(document.sitename or "").strip() or (urlsplit(url).hostname or ""),
        published=document.date or "",
        language=document.language or _declared_language(html),
        body_html=body_html,
        text=text,
    )


def plain_text(body) -> str:
    """The article's words for search, counts and summaries: no link targets or image
    markup, which trafilatura's text output would write in Markdown."""
    words_only = deepcopy(body)
    strip_tags(words_only, "ref")
    for graphic in words_only.findall(".//graphic"):
        graphic.getparent().remove(graphic)
    return xmltotxt(words_only, False).strip()


def sanitise(html: str, base_url: str) -> str:
    """Article HTML reduced to structural tags and safe attributes, links made absolute.

    The reader view shows this and nothing else: no scripts, styles, forms or event handlers,
    and only http(s)/mailto links.
    """
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    fragment = _cleaner.clean_html(fragment)
    for element in fragment.iter("a", "img"):
        attribute = "href" if element.tag == "a" else "src"
        value = (element.get(attribute) or "").strip()
        if not value:  # also what the cleaner leaves of a javascript: link
            element.attrib.pop(attribute, None)
            continue
        absolute = urljoin(base_url, value)
        if urlsplit(absolute).scheme in _LINK_SCHEMES:
            element.set(attribute, absolute)
        else:
            del element.attrib[attribute]
    for nested in fragment.xpath("//pre/pre"):
        nested.drop_tag()  # trafilatura wraps code blocks twice
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment)
    return (fragment.text or "") + inner


def _declared_language(html: str) -> str:
    match = _HTML_LANG.search(html[:4096])
    return match.group(1).lower() if match else ""


def _fallback_title(text: str, url: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    return first_line[:120] or url
