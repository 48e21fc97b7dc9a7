"""From a page's HTML to an article, a thread or a documentation page: trafilatura finds the
text, the page's markup finds a discussion's posts, we keep the structure safely."""

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
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from reader.capture.extraction.continuation import continue_article
from reader.capture.extraction.embeds import read_embedded_text
from reader.capture.extraction.ends import trim_headed_ends
from reader.capture.extraction.hidden import MARKED_HIDDEN, mark_hidden
from reader.capture.extraction.kind import DISCUSSION, UNDECLARED, may_hold_posts, page_kind
from reader.capture.extraction.metadata import page_metadata
from reader.capture.extraction.parsing import parse_page
from reader.capture.extraction.recovery import wild_blocks_for_recall
from reader.capture.extraction.size import without_fallbacks
from reader.capture.extraction.spacing import collapse_line_breaks
from reader.capture.extraction.thread import thread_of
from reader.errors import CaptureError

# Fewer words than this is a login wall, a cookie page or an app shell, not an article.
MIN_WORDS = 40
# Bounds on what the reader view lays out on the UI thread: Qt's time for one word grows with
# the square of its length (100,000 letters: a second), and 20,000 links take half a second.
MAX_WORD = 200
MAX_LINKS = 2000
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
# Image captions and credits: with images kept, trafilatura keeps these too (it drops them only
# when it drops images). They describe a picture, not the story, so they stay out of the article.
# (Found from the attributes naming a caption: 0.45 ms a page, 1.5 testing every element.)
_CAPTION_BLOCK = " or ".join(f"self::{tag}" for tag in "div p span section ul ol li".split())
CAPTION_XPATHS = ("//figcaption", f"//@class[contains(., 'caption')]/parent::*[{_CAPTION_BLOCK}]"
                  f" | //@id[contains(., 'caption')]/parent::*[{_CAPTION_BLOCK}]")
# Chinese and Japanese are written without spaces: about two characters a word.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+")
ALLOWED_TAGS = frozenset(
    "h1 h2 h3 h4 h5 h6 p br hr ul ol li blockquote pre code a strong em b i u s del sub sup "
    "table thead tbody tr th td img figure figcaption div span dl dt dd section".split()
)
_CODE_FORMATTING = ("i", "b", "em", "strong", "var", "span")
_TEXT_BLOCKS = frozenset("p li td th dd dt h1 h2 h3 h4 h5 h6 a strong em b i".split())
_LINK_SCHEMES = ("http", "https", "mailto")
# An attribute longer than this is dropped: the reader view parses the body on the UI thread,
# and a page's 5 MB title="..." held it for over 100 ms (no real link or title is this long).
MAX_ATTRIBUTE = 10_000
# Images that are no part of an article: icons (declared under this many pixels wide or high) and
# pictures linking to another page (teasers, logos, ads; a picture linking to its own larger
# file stays). trafilatura never prunes a block holding an image as boilerplate by its links, so
# with these kept it took "related stories" teasers and, where an icon sat in the page's header,
# the header as the article's frame (docs/extraction.md).
ICON_PIXELS = 40
_PIXELS = re.compile(r"\s*(\d+)\s*(?:px)?\s*$")
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#]|$)", re.IGNORECASE)
# trafilatura's test of an image address (``is_image_file``), without its pattern's leading
# ``[^\s]+``: that retried from every letter of an address with no image file in it, so an inline
# ``data:`` picture of 5 kB took 90 ms, and a page of such pictures minutes (8 kB is its bound).
_IMAGE_ADDRESS = re.compile(r"(?<=\S)\.(?:avif|bmp|gif|hei[cf]|jpe?g|png|webp)(?:\b|$)",
                            re.IGNORECASE)
_MAX_IMAGE_ADDRESS = 8192
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
    """The article in ``html`` (fetched from ``url``). Raises CaptureError if there is none.

    The text is trafilatura's reading with its defaults, code blocks, tables and headings kept;
    on a discussion (extraction/kind.py) every post is kept in order instead, each a <section>
    under its author and date, where the posts can be found (extraction/thread.py), and where
    they cannot on a page declared a discussion, trafilatura's reading of its comments follows
    the text. Metadata from the same parsed page (extraction/metadata.py). One trafilatura pass
    a page otherwise (a second one, or recall on documentation, lost: docs/extraction.md). A page
    larger than any real one is read without trafilatura's fallbacks, or refused (size.py).
    """
    tree = parse_page(html)  # once: trafilatura reads a copy, the rest reads it
    fast = tree is not None and without_fallbacks(tree, url)
    if tree is not None:
        collapse_line_breaks(tree)
        _unformatted_code(tree)
        read_embedded_text(tree)
        _article_images(tree)
        _schemed_images(tree, url)
        mark_hidden(tree)
    document = None if tree is None else _bare_extraction(tree, fast=fast)
    if document is None or word_count(document.raw_text or "") < MIN_WORDS:  # trafilatura's own
        # Some real pages are all short blocks trafilatura's defaults pass over; read favouring
        # recall, they give their text (one of the 909 WCXB pages had no article without it).
        document = _bare_extraction(tree, favor_recall=True, fast=fast) or document
    if document is None:
        raise CaptureError(f"No article text found on this page: {url}")
    metadata = page_metadata(tree, url)
    title = (metadata.title or "").strip()
    continue_article(tree, document.body)
    trim_headed_ends(document.body)
    body_html, text = _html_and_text(document.body, title)
    kind = page_kind(html)
    posts = None
    if kind == DISCUSSION or (kind == UNDECLARED and may_hold_posts(html)):
        # (A declared discussion's posts are its point, whatever trafilatura read beside them.)
        thread = thread_of(tree, "" if kind == DISCUSSION else text)
        if thread is not None:  # its author is who opened it, not the first byline found
            posts, metadata.author = (thread.html, thread.text), thread.opener or metadata.author
    if posts is None and kind == DISCUSSION:
        # A declared discussion whose posts the markup does not show: the replies are what
        # trafilatura reads as its comments.
        posts = _with_comments(tree, title, fast)
    if posts is not None:
        body_html, text = posts
    if word_count(text) < MIN_WORDS:
        body_html, text = _every_paragraph(tree) or (body_html, text)
        if word_count(text) < MIN_WORDS:
            raise CaptureError(f"No article text found on this page: {url}")
    text, title = bounded_words(text), bounded_words(title)
    return Extracted(
        title=title or _fallback_title(text, url),
        author=(metadata.author or "").strip(),
        site=(metadata.sitename or "").strip() or (urlsplit(url).hostname or ""),
        published=metadata.date or "",
        language=_declared_language(html),
        body_html=sanitise(body_html, url),
        text=text,
    )


def _html_and_text(body, title: str) -> tuple[str, str]:
    """trafilatura's reading ``body`` as the article's HTML and text, without a repeated title."""
    _drop_leading_title(body, title)
    text = plain_text(body)  # before convert_to_html, which turns the body into HTML in place
    return lxml.html.tostring(_inline_code(convert_to_html(body)), encoding="unicode"), text


def _with_comments(tree, title: str, fast: bool) -> tuple[str, str] | None:
    """The page read with what trafilatura takes for its comments after the text (on a page
    declaring DiscussionForumPosting, trafilatura itself reads them into the text)."""
    document = _bare_extraction(tree, include_comments=True, fast=fast)
    if document is None:
        return None
    if document.commentsbody is not None:
        document.body.extend(list(document.commentsbody))
    return _html_and_text(document.body, title)


def _every_paragraph(page) -> tuple[str, str] | None:
    """The page's paragraphs, all of them (trafilatura's baseline), for a page whose text the
    extraction passes over, such as a thread of short replies: better than no article. (The
    baseline prunes ``page`` in place: the last reading of it.)"""
    tree, text, _length = trafilatura.baseline(page)
    if word_count(text) < MIN_WORDS:
        return None
    return lxml.html.tostring(tree, encoding="unicode"), text


def _bare_extraction(tree, include_comments: bool = False, **settings) -> Document | None:
    """trafilatura's reading of ``tree`` with Reader's settings. Without the page's address:
    sanitise() makes links and images absolute against it (trafilatura resolved every link against
    the site's root, wrongly for a relative path, and at 2 ms a page; the text is the same)."""
    with wild_blocks_for_recall():  # its last resort reads lists too (recovery.py)
        document = trafilatura.bare_extraction(
            tree,
            include_comments=include_comments,
            include_formatting=True,
            include_links=True,
            include_images=True,
            include_tables=True,
            prune_xpath=[*CAPTION_XPATHS, MARKED_HIDDEN],
            # Not "python": that writes the text out once more, with Markdown, which plain_text
            # does again without (a millisecond a page); the body and raw text are the same.
            output_format="xml",
            **settings,
        )
    return document if document is not None and document.body is not None else None


def _unformatted_code(tree) -> None:
    """Code without the italics, bold and spans inside it: trafilatura moves those out of the
    code and loses the words after the code (documentation's "the <code><i>condition</i></code>
    is evaluated" lost the rest of its sentence)."""
    for code in tree.iter("code"):
        if len(code):
            strip_tags(code, *_CODE_FORMATTING)


def _article_images(tree) -> None:
    """The page's images as the article can show them: icons and pictures linking to other
    pages taken out (``ICON_PIXELS``), each other picture given in ``src`` the source
    trafilatura would read (``_image_source``, or the first attribute naming a picture file, as
    a lazy-loaded picture does), and one with neither taken out with its text kept: trafilatura
    drops such an image with the text that follows it (a section's first sentences on one page).
    Its ``data-src`` attributes go, so trafilatura reads only that checked ``src``."""
    for image in list(tree.iter("img")):
        source = _shown_source(image)
        if source is None:
            image.drop_tree()  # keeps the text after it
            continue
        for name in [name for name in image.attrib if name.startswith("data-src")]:
            del image.attrib[name]
        image.set("src", source)


def _shown_source(image) -> str | None:
    """Where the article shows ``image`` from: None for an icon, a teaser's picture, or an
    image that names no picture file."""
    if _decorative(image):
        return None
    return _image_source(image) or next(
        (value for value in image.attrib.values() if _is_image_file(value)), None)


def _image_source(image) -> str | None:
    """trafilatura's choice of an image's source (``image_src``): ``data-src``, ``src``, then
    the first other ``data-src...`` attribute, that names a picture file."""
    for name in ("data-src", "src"):
        if _is_image_file(image.get(name)):
            return image.get(name)
    return next((value for name, value in image.attrib.items()
                 if name.startswith("data-src") and _is_image_file(value)), None)


def _is_image_file(address: str | None) -> bool:
    return bool(address) and len(address) <= _MAX_IMAGE_ADDRESS and bool(
        _IMAGE_ADDRESS.search(address))


def _decorative(image) -> bool:
    """An icon, or a picture linking to another page."""
    if _icon_sized(image.get("width")) or _icon_sized(image.get("height")):
        return True
    link = next((a for a in image.iterancestors("a") if a.get("href") is not None), None)
    return link is not None and not _IMAGE_FILE.search(link.get("href"))


def _icon_sized(size: str | None) -> bool:
    pixels = _PIXELS.match(size or "")
    return pixels is not None and int(pixels.group(1)) < ICON_PIXELS


def _schemed_images(tree, url: str) -> None:
    """Images addressed without a scheme (``//cdn.example/a.png``) given the page's: read
    without the page's address, trafilatura would make them http."""
    scheme = urlsplit(url).scheme or "https"
    for image in tree.iter("img"):
        for name, value in image.attrib.items():
            if value.startswith("//"):
                image.set(name, f"{scheme}:{value}")


def _inline_code(tree):
    """trafilatura writes every piece of code as a <pre> block, a name in a sentence included:
    that one becomes <code> again, or the HTML parser would end the paragraph at it."""
    for pre in tree.iter("pre"):
        one_line = "\n" not in "".join(pre.itertext()).strip()
        in_text = pre.getparent().tag in _TEXT_BLOCKS or (pre.tail or "").strip()
        if one_line and in_text:
            pre.tag = "code"
    return tree


def _drop_leading_title(body, title: str) -> None:
    """Remove a first heading or paragraph that only repeats the title (stored and shown apart)."""
    if not title or len(body) == 0:
        return
    first = body[0]
    if first.tag in ("head", "p") and _normalised(" ".join(first.itertext())) == _normalised(title):
        if first.tail and first.tail.strip():
            previous_text = body.text or ""
            body.text = previous_text + first.tail
        body.remove(first)


def _normalised(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def word_count(text: str) -> int:
    """Words in ``text``, counting Chinese and Japanese (written without spaces) by characters."""
    if not _CJK.search(text):
        return len(text.split())
    cjk = len(_CJK.findall(text))
    return len(_CJK.sub(" ", text).split()) + (cjk + 1) // 2


def plain_text(body) -> str:
    """The article's words for search, counts and summaries: no link targets or image
    markup, which trafilatura's text output would write in Markdown."""
    words_only = deepcopy(body)
    for graphic in words_only.iter("graphic"):
        # Its tail is the text after the image, which removing the element would remove too
        # (a paragraph's words after an inline picture were missing from the text).
        graphic.tail = _spaced(graphic, graphic.tail)
    strip_tags(words_only, "ref", "graphic")
    return xmltotxt(words_only, False).strip()


def _spaced(image, tail: str | None) -> str | None:
    """``tail`` with a space before it where the image alone kept it apart from the words before."""
    previous = image.getprevious()
    before = (image.getparent().text if previous is None else previous.tail) or ""
    if tail and before and not tail[0].isspace() and not before[-1].isspace():
        return " " + tail
    return tail


def bounded_words(text: str) -> str:
    """``text`` with any word longer than ``MAX_WORD`` cut there (no language has such words;
    a hostile page does, to stall the window's layout)."""
    if len(text) <= MAX_WORD:  # most of a page's text pieces: no word of them can be too long
        return text
    return _LONG_WORD.sub(lambda word: word.group()[:MAX_WORD] + "…", text)


def sanitise(html: str, base_url: str) -> str:
    """Article HTML reduced to structural tags and safe attributes, links made absolute,
    words bounded; a page that is a list of thousands of links is no article.

    The reader view shows this and nothing else: no scripts, styles, forms or event handlers,
    and only http(s)/mailto links.
    """
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    # lxml makes a Python object for an element each time a pass reaches it, and lxml.html looks
    # up its class in Python each time (the cleaner makes a dozen passes): holding them all
    # makes one, 2.1 -> 1.7 ms a page of WCXB's sample.
    _held = list(fragment.iter())
    _cleaner(fragment)  # in place (its clean_html would clean a copy)
    links = len(fragment.xpath("//a"))
    if links > MAX_LINKS:
        raise CaptureError(f"This page is a list of {links:,} links, not an article: {base_url}")
    for element in fragment.iter():
        for name, value in list(element.attrib.items()):
            if len(value) > MAX_ATTRIBUTE:
                del element.attrib[name]
        if element.text:
            element.text = bounded_words(element.text)
        if element.tail:
            element.tail = bounded_words(element.tail)
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
