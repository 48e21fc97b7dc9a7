"""What kind of page this is (article, discussion, documentation), from the page alone.

The page says so itself more often than not: schema.org types in its JSON-LD or microdata
(QAPage, DiscussionForumPosting, TechArticle...), the generator that built it (documentation tools
name themselves), and its markup (documentation shows code in <pre> blocks). Never from the site's
name: a rule about sites is a rule about the pages it was tuned on.
"""

from __future__ import annotations

import re

ARTICLE, DISCUSSION, DOCUMENTATION = "article", "discussion", "documentation"

_DISCUSSION_TYPES = frozenset({"DiscussionForumPosting", "QAPage"})
_DOCUMENTATION_TYPES = frozenset({"TechArticle", "APIReference"})
# Generators that build documentation sites (a blog engine can host documentation too, but these
# build nothing else).
_DOCUMENTATION_GENERATORS = ("sphinx", "docutils", "mkdocs", "rustdoc", "docusaurus", "gitbook",
                             "bookdown", "vitepress", "docfx", "javadoc", "doxygen", "mdbook",
                             "antora", "pdoc", "starlight")
# A page showing at least this many code blocks reads as documentation.
MIN_CODE_BLOCKS = 3
# (Two patterns, each starting with a literal, which the regex engine scans for quickly.)
_MICRODATA_TYPE = re.compile(r"schema\.org/(\w+)")
_JSON_LD_TYPE = re.compile(r"""@type["']\s*:\s*\[?\s*["'](\w+)""")
_GENERATOR = re.compile(
    r"""<meta[^>]+name\s*=\s*["']generator["'][^>]*content\s*=\s*["']([^"']*)""", re.IGNORECASE)
# Forum software names its posts in the markup; so do comment sections (which the posts' text
# then fails to cover the article, see thread.py).
_POST_MARK = re.compile(r"""class\s*=\s*["'][^"']*(?:post|message|comment|reply|answer|topic)""",
                        re.IGNORECASE)
MIN_POST_MARKS = 4
_CODE_BLOCK = re.compile(r"<(?:pre|PRE)[\s>]")


def page_kind(html: str) -> str:
    """ARTICLE, DISCUSSION or DOCUMENTATION."""
    types = set(_MICRODATA_TYPE.findall(html)) | set(_JSON_LD_TYPE.findall(html))
    if types & _DISCUSSION_TYPES:
        return DISCUSSION
    if types & _DOCUMENTATION_TYPES or _documentation_generator(html):
        return DOCUMENTATION
    if len(_CODE_BLOCK.findall(html)) >= MIN_CODE_BLOCKS:
        return DOCUMENTATION
    return ARTICLE


def _documentation_generator(html: str) -> bool:
    match = _GENERATOR.search(html)
    return bool(match) and match.group(1).lower().startswith(_DOCUMENTATION_GENERATORS)


def may_hold_posts(html: str) -> bool:
    """Whether the markup looks like a discussion's, worth looking for posts in."""
    return len(_POST_MARK.findall(html)) >= MIN_POST_MARKS
