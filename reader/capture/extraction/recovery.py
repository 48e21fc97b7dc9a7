"""trafilatura's last resort, read for recall.

Where a page has no element trafilatura knows as an article's frame (its ``BODY_XPATH``: an
``<article>``, a class naming a post's or a story's body...), or that frame holds too little,
trafilatura recovers the page's "wild" blocks one by one. With its default focus those are
paragraphs, code, quotes and tables only: a guide built of page-builder blocks kept its long
paragraphs and lost every list and line of its steps (68 of the 443 half-A WCXB pages end in
this recovery; a Webflow ranking page read 42 % of its words, a medical guide 75 %).

Where the page has a list recall's focus could add (items of three words or more on average),
Reader's readings take trafilatura's recovery with its recall focus, in page order, and keep of
it the blocks the default focus recovers too (found by a default recovery on copies) and the
lists; the rest of the reading is as it was (the first reading, its fallbacks and their
comparison keep the default focus). What else recall's focus brings is left out: divisions and
lines outside any article frame are a news banner, a byline or a form's label, and on
PostgreSQL's chapter index their words also made the reading long enough that trafilatura no
longer asked jusText, whose reading is the right one there. So is a list of one- or two-word
items: a member's box ("Member", "Posts: 1"), a menu. (Adding the lists to the default
recovery's blocks instead also kept the paragraphs recall's recovery passes over as repeats of
a division's text: half A 0.9243 against 0.9254, a survival guide 0.995 -> 0.799.)

trafilatura calls ``recover_wild_text`` through its module (``extract_content``, trafilatura 2.3),
so Reader's reading is put there, the first time Reader reads; it reads for recall only inside
``wild_blocks_for_recall()`` on the same thread, and is trafilatura's own everywhere else (the
score script's and the benchmarks' bare trafilatura). Without that function the reading is
trafilatura's own, and the WCXB test of the ranking page fails.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from copy import copy, deepcopy

import trafilatura.main_extractor as main_extractor

# A recovered list whose items average fewer words is a box of labels, not the article's.
MIN_ITEM_WORDS = 3
_reading = threading.local()  # inside Reader's own reading: trafilatura elsewhere is untouched
_trafilaturas_recovery = None


@contextmanager
def wild_blocks_for_recall():
    """Within this, trafilatura's readings on this thread recover wild blocks for recall."""
    global _trafilaturas_recovery
    current = getattr(main_extractor, "recover_wild_text", None)
    if current is not None and current is not _recover_for_recall:
        _trafilaturas_recovery, main_extractor.recover_wild_text = current, _recover_for_recall
    within, _reading.active = getattr(_reading, "active", False), True
    try:
        yield
    finally:
        _reading.active = within  # as it was: a reading inside another leaves the outer one on


def _recover_for_recall(tree, body, options, *args, **kwargs):
    """trafilatura's recovery of the wild blocks of ``tree`` into ``body``; where Reader reads
    with the default focus, with the lists that recall's focus finds besides."""
    if (not getattr(_reading, "active", False) or options.focus != "balanced"
            or all(map(_label_box, tree.iter("list")))):  # no list recall's focus could add
        return _trafilaturas_recovery(tree, body, options, *args, **kwargs)
    # What the default focus recovers, on copies: recovery prunes the tree it is given.
    default = _trafilaturas_recovery(deepcopy(tree), deepcopy(body), options, *args, **kwargs)
    recovered = {_text(block) for block in default}
    recall = copy(options)
    recall.focus = "recall"
    body = _trafilaturas_recovery(tree, body, recall, *args, **kwargs)
    for block in list(body):
        if _text(block) not in recovered and (block.tag != "list" or _label_box(block)):
            body.remove(block)  # a division or line recall took besides: a banner, a byline
    return body


def _label_box(listed) -> bool:
    """Whether a list's items are one or two words each on average (a member's box, a menu)."""
    items = [len(_text(item).split()) for item in listed.iter("item")]
    return sum(items) < MIN_ITEM_WORDS * len(items)


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())
