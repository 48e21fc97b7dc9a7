"""Whether a page is a discussion (forum thread, Q&A) or an article, from the page alone.

The page says so itself more often than not: schema.org types in its JSON-LD or microdata
(QAPage, DiscussionForumPosting), or markup naming posts and replies. Never from the site's name:
a rule about sites is a rule about the pages it was tuned on. (Documentation needs no kind of its
own: trafilatura's defaults keep its code, tables and headings, and reading it favouring recall
scored lower on the tuning half.)
"""

from __future__ import annotations

import re
from itertools import islice

ARTICLE, DISCUSSION, UNDECLARED = "article", "discussion", "undeclared"

_DISCUSSION_TYPES = frozenset({"DiscussionForumPosting", "QAPage"})
_ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle",
                            "TechArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
                            "ReportageNewsArticle"})
# (Two patterns, each starting with a literal, which the regex engine scans for quickly.)
_MICRODATA_TYPE = re.compile(r"schema\.org/(\w+)")
_JSON_LD_TYPE = re.compile(r"""@type["']\s*:\s*\[?\s*["'](\w+)""")
# Forum software names its posts in the markup; so do comment sections (which the posts' text
# then fails to cover the article, see thread.py). (Searched in the lowercased page, counted only
# up to MIN_POST_MARKS: case-blind, the pattern has no literal for the engine to scan for, and
# took 1.6 ms a page of both sets against 1.1; the same answer on all 1,030.)
_POST_MARK = re.compile(r"""class\s*=\s*["'][^"'<>]*(?:post|message|comment|reply|answer|topic)""")
MIN_POST_MARKS = 4


def page_kind(html: str) -> str:
    """DISCUSSION or ARTICLE where the page's structured data says so (a discussion type wins:
    a thread's page may call its posts articles), else UNDECLARED."""
    types = set(_MICRODATA_TYPE.findall(html)) | set(_JSON_LD_TYPE.findall(html))
    if types & _DISCUSSION_TYPES:
        return DISCUSSION
    return ARTICLE if types & _ARTICLE_TYPES else UNDECLARED


def may_hold_posts(html: str) -> bool:
    """Whether the markup looks like a discussion's, worth looking for posts in (on a page that
    does not say what it is: on a declared article, such markup is its comment section, and
    looking for posts there lost on both halves of the development sets)."""
    marks = islice(_POST_MARK.finditer(html.lower()), MIN_POST_MARKS)
    return len(list(marks)) >= MIN_POST_MARKS
