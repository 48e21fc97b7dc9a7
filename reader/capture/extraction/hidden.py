"""What the page hides and nothing on it reveals is not read.

A schema.org block of the article's metadata, a "republish this article" box holding a second
copy of it, unused templates: kept out of sight with an inline ``display:none``. Tab panels and
other regions a control shows (a role, a label, an ``aria-controls`` naming them) are content: a
documentation page's code in its other languages. trafilatura drops hidden elements only inside
the part it chose, and not where that would remove too much; these are marked on the page and
pruned from trafilatura's copy of it (``MARKED_HIDDEN``, its ``prune_xpath``).
"""

from __future__ import annotations

from lxml.etree import XPath

_HIDDEN = XPath("//*[@style][contains(translate(@style, ' ', ''), 'display:none')]"
                "[not(@role or @aria-labelledby)]")
_CONTROLLED = XPath("//@aria-controls")
_MARK = "data-reader-hidden"  # gone from the stored article, as every attribute but a few
MARKED_HIDDEN = f"//*[@{_MARK}]"


def mark_hidden(tree) -> None:
    """Mark what ``tree`` hides and no control on it names. The names are gathered once: asked
    of every hidden element in XPath (``@id = //@aria-controls``), they took 1.6 s for a page of
    3,000 such panels, and grew with its square."""
    controlled = {name for names in _CONTROLLED(tree) for name in names.split()}
    for element in _HIDDEN(tree):
        if element.get("id") not in controlled:
            element.set(_MARK, "")
