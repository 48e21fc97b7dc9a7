"""What the page hides and nothing on it reveals is not read.

A schema.org block of the article's metadata, a "republish this article" box holding a second
copy of it, unused templates: kept out of sight with an inline ``display:none``. Tab panels and
other regions a control shows (a role, a label, an ``aria-controls`` naming them) are content: a
documentation page's code in its other languages. What the page's classes say is shown only
when it is printed (a print edition's header and footer: "This copy is for your personal use",
"Retrieved from ...") is not on the screen either, and goes the same way. trafilatura drops
hidden elements only inside the part it chose, and not where that would remove too much; these
are marked on the page and pruned from trafilatura's copy of it (``MARKED_HIDDEN``, its
``prune_xpath``).
"""

from __future__ import annotations

from lxml.etree import XPath

# The usual names of print-only blocks (hand-written and CSS frameworks' own: Bootstrap 3,
# Foundation), and Bootstrap 4-5's way: "d-none" with a print display ("d-print-block"), which
# alone shows the block on screen too. Names that hide on screen in general ("hide", "hidden",
# "d-none") are not enough: scripts show those, and taking them out lost on half A
# (docs/extraction.md).
PRINT_ONLY = frozenset({"print-header", "print-footer", "printfooter", "print-only", "printonly",
                        "visible-print", "visible-print-block", "visible-print-inline",
                        "visible-print-inline-block", "show-for-print"})
_PRINT_DISPLAYS = frozenset(f"d-print-{display}" for display in (
    "block", "inline", "inline-block", "flex", "inline-flex", "grid", "inline-grid", "table",
    "table-row", "table-cell", "contents"))
# (A substring test of the class attributes in XPath, the names compared in Python: each name
# tested in XPath took the marking of WCXB's pages from 0.5 to 3.1 ms a page, this 0.7.)
_SHOWN = "[not(@role or @aria-labelledby)]"
_HIDDEN = XPath(f"//@style[contains(translate(., ' ', ''), 'display:none')]/parent::*{_SHOWN}")
_PRINTED = XPath(f"//@class[contains(., 'print')]/parent::*{_SHOWN}")
_CONTROLLED = XPath("//@aria-controls")
_MARK = "data-reader-hidden"  # gone from the stored article, as every attribute but a few
MARKED_HIDDEN = f"//@{_MARK}/parent::*"  # (as ``//*[@...]``, in a third of the time)


def mark_hidden(tree) -> None:
    """Mark what ``tree`` hides and no control on it names. The names are gathered once: asked
    of every hidden element in XPath (``@id = //@aria-controls``), they took 1.6 s for a page of
    3,000 such panels, and grew with its square."""
    controlled = {name for names in _CONTROLLED(tree) for name in names.split()}
    printed_only = [element for element in _PRINTED(tree)
                    if _printed_only(set(element.get("class").split()))]
    for element in _HIDDEN(tree) + printed_only:
        if element.get("id") not in controlled:
            element.set(_MARK, "")


def _printed_only(names: set[str]) -> bool:
    """Whether the class ``names`` show a block only when the page is printed."""
    return not names.isdisjoint(PRINT_ONLY) or ("d-none" in names
                                                and not names.isdisjoint(_PRINT_DISPLAYS))
