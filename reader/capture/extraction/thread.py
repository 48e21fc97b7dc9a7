"""A discussion's posts in order (question and answers, or a thread's replies), found in the markup.

Forum software and Q&A sites differ in everything but one thing: every post's text sits in an
element of the same kind (the same tag and classes), once per post. So the posts are the group of
like elements, none inside another, that holds most of the page's prose (words outside links);
of the groups that hold nearly as much, the tightest (fewest words in all) is the post text alone,
without the author box, signature, vote buttons and "similar questions" around it.
"""

from __future__ import annotations

import re
from copy import deepcopy
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import lxml.html
from lxml.etree import XPath
from lxml.html import HtmlElement

# A group of post texts may hold this share of the best group's prose and still be preferred for
# being tighter (the post text rather than the whole post with its author box and signature).
# The prose compared leaves out what surrounds a post's text (``_JUNK``: signatures, author cards,
# comments under an answer), which the posts' text loses anyway; then 0.8 is what either half
# of the development sets' forum pages chose (docs/extraction.md).
TIGHTNESS = 0.8
# Where the group holding the most prose is not mostly signed (a sidebar's cards, a cookie
# notice's sections), the next groups are tried, this many in all: an Invision thread's posts
# were the fifth group of its page. A group tried after the first must hold this many prose words
# a post on average: posts have sentences; the signed header rows above unsigned posts, or a list
# of thread titles with their dates, do not (docs/extraction.md).
TRIED_GROUPS = 8
POST_WORDS = 15
# Fewer prose words than this in all posts together is a page of snippets, not a discussion.
MIN_THREAD_WORDS = 30
# Posts are kept only if their words include this share of what trafilatura read as the page's
# text: below it, the group of posts was something else (a list of teasers, say).
COVERAGE = 0.6
# A block of a post that is mostly links (a menu, "related threads") is left out of its text,
# unless it holds this many words outside its links: the post's own sentences leading into them.
LINK_BLOCK_PROSE = 20
# A quote inside a post is left out when this share of its word 4-grams is in the posts before.
QUOTED = 0.8
# Markup that is never part of a post's text, nor is anything inside it (a page's footer can
# repeat the article's own container: a fact-check page read as an article and its footer).
# (Not <noscript>: Discourse and Flarum serve their posts inside it, for readers without
# JavaScript. Not <form>: forum software wraps a whole thread in one.)
_NOT_TEXT = ("script", "style", "template", "button", "svg", "select", "textarea", "input", "nav",
             "footer", "aside")
_DIGITS = re.compile(r"\d+")
_AUTHOR_CLASS = re.compile(r"author|user-?name|poster|user-details|byline|member-?name|user-?link",
                           re.IGNORECASE)
_DATE_CLASS = re.compile(r"date|time|posted", re.IGNORECASE)
# (Compiled once, and the classed elements around a post listed once for its author and date:
# the post search on WCXB's sample's discussion-like pages, 7.6 -> 7.2 ms a page.)
_AUTHOR_PROP = XPath(".//*[@itemprop='author']")
_NAME_PROP = XPath(".//*[@itemprop='name']")
_DATE_PROPS = [XPath(f".//*[@itemprop='{prop}']")
               for prop in ("datePublished", "dateCreated", "uploadDate")]
_CLASSED = XPath(".//*[@class]")
# Classes and ids of what surrounds a post's text rather than being part of it. (Comments too:
# the remarks under a question or an answer, which the post's group can take in where they hold
# many words; forum pages of the development sets 0.753 -> 0.764, both halves up.)
_JUNK = re.compile(r"vote|score|signature|badge|reputation|share|social|reaction|avatar|"
                   r"user-?info|user-?details|user-?card|author|poster|profile|post-?meta|byline|"
                   r"toolbar|actions|button|permalink|post-?number|likes|flair|attribution|"
                   r"comment")  # searched in lowercased names (IGNORECASE: each search 8x slower)
_SIGNATURES = "//*[contains(@class, 'signature') or contains(@id, 'signature')]"
_BLOCKS = ("div", "ul", "ol", "li", "p", "span", "section", "header", "table", "dl")
_LINE_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "tr",
                "section", "dt", "dd", "table", "ul", "ol")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Thread:
    html: str  # a <section> per post, headed by its author and date
    text: str
    opener: str  # who opened it: the first post's author ("" when it is not signed)


def thread_of(root: HtmlElement, article_text: str) -> Thread | None:
    """The discussion on the page ``root``: a <section> per post, headed by its author and
    date. None when the page shows no posts (repeated blocks, most of them signed with an author
    or a date), or posts that leave out much of what trafilatura read as the page's text
    (``article_text``, empty where the page declares itself a discussion): then they were
    comments under an article, not the page's point."""
    posts = find_posts(root)
    if len(posts) < 2:
        return None
    if _covered(article_text, " ".join(post.body.text_content() for post in posts)) < COVERAGE:
        return None
    thread = lxml.html.Element("div")
    earlier: set[tuple[str, ...]] = set()  # the word 4-grams of the posts before
    for post in posts:
        section = lxml.html.Element("section")
        heading = " · ".join(part for part in (post.author, _day(post.date)) if part)
        if heading:
            section.append(lxml.html.Element("h4"))
            section[0].text = heading
        body = cleaned(post.body)
        _drop_quotes_of(earlier, body)
        earlier |= _shingles(body.text_content().casefold())
        section.append(body)
        thread.append(section)
    return Thread(lxml.html.tostring(thread, encoding="unicode"), block_text(thread),
                  posts[0].author)


def _drop_quotes_of(earlier: set[tuple[str, ...]], body: HtmlElement) -> None:
    """Take out of a post ``body`` the quotes of earlier posts (``earlier``: their word 4-grams):
    the thread holds those posts already, and each reply quoting the question repeated it."""
    for quote in list(body.iter("blockquote")):
        quoted = _shingles(quote.text_content().casefold())
        repeated = quoted and len(quoted & earlier) >= QUOTED * len(quoted)
        if repeated and quote.getparent() is not None:
            quote.drop_tree()


def block_text(element: HtmlElement) -> str:
    """The text of ``element`` with a line break after each block (paragraph, item, heading)."""
    copy = deepcopy(element)
    for block in copy.iter(*_LINE_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    for line_break in copy.iter("br"):
        line_break.tail = "\n" + (line_break.tail or "")
    lines = (_SPACE.sub(" ", line).strip() for line in copy.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _covered(wanted: str, text: str) -> float:
    """The share of ``wanted``'s word 4-grams that ``text`` also has (1 when ``wanted`` is
    empty). Phrases, not words: many comments hold most of a short article's words, never its
    sentences."""
    want, have = _shingles(wanted.casefold()), _shingles(text.casefold())
    return len(want & have) / len(want) if want else 1.0


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text)
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def _day(date: str) -> str:
    """An ISO timestamp as its day; any other date as written."""
    return date[:10] if _ISO_DAY.match(date) else date


@dataclass(frozen=True)
class Post:
    author: str
    date: str
    body: HtmlElement  # the post's text, an element of the page (not a copy)


def find_posts(root: HtmlElement) -> list[Post]:
    """The discussion's posts in page order: those of the first group, by prose, of two or
    more posts mostly signed ([] when no group is)."""
    words = _prose_words(root)
    # A signature is written with the forum's own post markup: what is in one is no post; nor is
    # what is in markup that is never a post's text (``_NOT_TEXT``), that markup included.
    outside = [*root.xpath(_SIGNATURES), *root.iter(*_NOT_TEXT)]
    no_posts = {e for element in outside for e in element.iter()}
    groups = defaultdict(list)
    for element in root.iter():
        if isinstance(element.tag, str) and element not in no_posts:
            signature = _signature(element)
            if signature:
                groups[signature].append(element)
    candidates = []
    for members in groups.values():
        outermost = _outermost(members)
        if len(outermost) >= 2:
            prose = sum(words[m][0] - words[m][2] for m in outermost)
            total = sum(words[m][0] + words[m][1] for m in outermost)
            candidates.append((prose, total, outermost))
    tried_groups: set[int] = set()  # (the tighter group chosen for two can be the same)
    tag_classes: dict[str, set[frozenset[str]]] = {}  # the page's class sets, by tag
    for tried, (best, _, best_members) in enumerate(sorted(candidates, key=lambda c: -c[0])):
        if best < MIN_THREAD_WORDS or tried == TRIED_GROUPS:
            break
        # Tighter, but with as many posts: one post less (the answers without their question)
        # is no tighter reading of the same thread.
        prose, _, bodies = min((c for c in candidates
                                if c[0] >= TIGHTNESS * best and len(c[2]) >= len(best_members)),
                               key=lambda c: c[1])
        if id(bodies) in tried_groups or (tried and prose < POST_WORDS * len(bodies)):
            continue
        tried_groups.add(id(bodies))
        tag = bodies[0].tag
        if tag not in tag_classes:
            tag_classes[tag] = {_classes(element) for element in root.iter(tag)}
        posts = _signed_posts(_with_opener(root, bodies, tag_classes[tag]))
        if posts is not None:
            return posts
    return []


def _signed_posts(bodies: list[HtmlElement]) -> list[Post] | None:
    """The posts around ``bodies``, None unless there are two or more and at least half name
    their author or date, as a discussion's do (given up as soon as more than half cannot: a
    group can be thousands of elements). A body without a word is no post: a news page's empty
    twin of its article container made a two-post "thread" of the article and the site's
    menus."""
    ancestor_counts = Counter(a for body in bodies for a in body.iterancestors())
    posts, unsigned = [], 0
    for body in bodies:
        if not _LETTERS.search(body.text_content()):
            continue
        post = _post(body, ancestor_counts)
        posts.append(post)
        if not (post.author or post.date):
            unsigned += 1
            if unsigned > len(bodies) / 2:
                return None
    return posts if len(posts) >= 2 and unsigned <= len(posts) / 2 else None


def _signature(element: HtmlElement) -> str:
    """What like elements share: tag and classes (numbers left out), or, without classes, the
    microdata property. Elements with neither are too common (every <p>) to mark a post."""
    classes = element.get("class")
    if classes and _class_names(classes):
        return f"{element.tag}.{_class_key(classes)}"
    prop = element.get("itemprop")
    return f"{element.tag}@{prop}" if prop else ""


def _classes(element: HtmlElement) -> frozenset[str]:
    return _class_names(element.get("class") or "")


# (A page repeats its class attributes: reading each once saves a few milliseconds a page.)
@lru_cache(maxsize=4096)
def _class_names(classes: str) -> frozenset[str]:
    """The names in a class attribute, numbers left out."""
    return frozenset(_DIGITS.sub("", classes).split())


@lru_cache(maxsize=4096)
def _class_key(classes: str) -> str:
    return " ".join(sorted(_class_names(classes)))


def _with_opener(root: HtmlElement, bodies: list[HtmlElement],
                 class_sets: set[frozenset[str]]) -> list[HtmlElement]:
    """``bodies`` and the like elements with a class more (the thread's first post is often
    marked as such), in page order. (``class_sets``: those of the page's elements of their tag,
    read once a page: several groups may be tried, and the page is walked again only where one
    has a class more.)"""
    tag, classes = bodies[0].tag, _classes(bodies[0])
    if not classes or not any(classes < other for other in class_sets):
        return bodies
    chosen = set(bodies)
    return _outermost([e for e in root.iter(tag) if e in chosen or classes < _classes(e)])


def _outermost(members: list[HtmlElement]) -> list[HtmlElement]:
    """The members (in page order) not inside another member (a reply's text nested in its
    parent's post)."""
    chosen = set(members)
    return [member for member in members if chosen.isdisjoint(member.iterancestors())]


def _prose_words(root: HtmlElement) -> dict[HtmlElement, tuple[int, int, int]]:
    """Each element's (words outside links, words in links, of the words outside links those in
    what surrounds a post's text: all of them in an element such as a signature or an author
    card (``_JUNK``), else those in such elements inside it)."""
    counts: dict[HtmlElement, tuple[int, int, int]] = {}
    for element in reversed(list(root.iter())):  # children before their parents
        if not isinstance(element.tag, str) or element.tag in _NOT_TEXT:
            counts[element] = (0, 0, 0)
            continue
        own = len((element.text or "").split())
        prose, links = (0, own) if element.tag == "a" else (own, 0)
        surrounding = 0
        for child in element:
            child_prose, child_links, child_surrounding = counts.get(child, (0, 0, 0))
            tail = len((child.tail or "").split())
            if element.tag == "a":
                links += child_prose + child_links + tail
            else:
                prose += child_prose + tail
                links += child_links
                surrounding += child_surrounding
        if prose > surrounding and _surrounds_text(element):
            surrounding = prose
        counts[element] = (prose, links, surrounding)
    return counts


def _surrounds_text(element: HtmlElement) -> bool:
    """Whether ``element`` is what surrounds a post's text (``_JUNK``) rather than part of it."""
    classes, identifier = element.get("class"), element.get("id")
    return (classes is not None and _junk_mark(classes)) or (
        identifier is not None and _junk_mark(identifier))


@lru_cache(maxsize=4096)
def _junk_mark(name: str) -> bool:
    """Whether a class or id names what surrounds a post's text (a page repeats its class names:
    searching each once took most of the post search's time)."""
    return _JUNK.search(name.lower()) is not None


def _post(body: HtmlElement, ancestor_counts: Counter) -> Post:
    """The post around ``body``: its largest ancestor holding no other post's text."""
    container = body
    for ancestor in body.iterancestors():
        if ancestor_counts[ancestor] > 1:  # also an ancestor of another post's text
            break
        container = ancestor
    inside = set(body.iter())  # the post's text, where its author and date are not
    classed = _outside(container, inside, _CLASSED)
    return Post(_author(container, inside, classed), _date(container, inside, classed), body)


def cleaned(body: HtmlElement) -> HtmlElement:
    """A copy of a post's text without what surrounds a post on a forum: author card, votes,
    signature, share and reply buttons, and blocks that are mostly links."""
    copy = deepcopy(body)
    junk = [e for e in copy.iterdescendants() if isinstance(e.tag, str) and (
        e.tag in _NOT_TEXT or e.tag == "time"
        or _surrounds_text(e))]
    for element in junk:
        if element.getparent() is not None:
            element.drop_tree()
    words = _prose_words(copy)
    for element in list(copy.iterdescendants(*_BLOCKS)):
        prose, links, _ = words.get(element, (0, 0, 0))
        link_block = links > prose and prose < LINK_BLOCK_PROSE
        if element.getparent() is not None and (link_block or _no_words(element)):
            element.drop_tree()
    return copy


def _no_words(element: HtmlElement) -> bool:
    """Counts, post numbers and empty boxes: nothing to read, no picture to see."""
    return not _LETTERS.search(element.text_content()) and next(element.iter("img"), None) is None


def _outside(container: HtmlElement, inside: set[HtmlElement], xpath: XPath) -> list[HtmlElement]:
    return [e for e in xpath(container) if e not in inside]


def _author(container: HtmlElement, inside: set[HtmlElement], classed: list[HtmlElement]) -> str:
    """The post's author: its microdata, else a short text with an author's class (``classed``:
    the elements with a class around the post's text)."""
    for element in _outside(container, inside, _AUTHOR_PROP):
        named = _NAME_PROP(element)
        name = (named[0].get("content") or _text(named[0])) if named else _text(element)
        if name:
            return name[:80]
    for element in classed:
        if _AUTHOR_CLASS.search(element.get("class")):
            # (Its first link with a few words first, the profile's: an author box can hold
            # more than a name, as SMF's holds the post count, icons and "Logged".)
            for named in (next(element.iter("a"), None), element):
                if named is not None and 0 < len(_text(named).split()) <= 4:
                    return _text(named)[:80]
    return ""


def _date(container: HtmlElement, inside: set[HtmlElement], classed: list[HtmlElement]) -> str:
    for element in container.iter("time"):  # the post's own, even where it heads the text
        when = element.get("datetime") or element.get("title") or _text(element)
        if when:
            return when.strip()[:40]
    for date_prop in _DATE_PROPS:
        for element in _outside(container, inside, date_prop):
            when = element.get("content") or element.get("datetime") or _text(element)
            if when:
                return when.strip()[:40]
    for element in classed:
        if _DATE_CLASS.search(element.get("class")) and 0 < len(_text(element).split()) <= 6:
            return _text(element)[:40]
    return ""


def _text(element: HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()
