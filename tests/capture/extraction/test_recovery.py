"""trafilatura's last resort, read for recall: a page with no article frame keeps its lists, a box
of labels stays out, and trafilatura used anywhere else reads as it always did."""

from __future__ import annotations

import threading

import trafilatura

from reader.capture.extract import extract
from reader.capture.extraction.recovery import wild_blocks_for_recall

ADVICE = "".join(f"<p>Choosing a website builder for a small shop takes some care, point {n}, "
                 "because the plans differ in price and in what they include.</p>"
                 for n in range(5))
STEPS = "".join(f"<li><strong>Step {n}</strong>: compare the templates and the store features "
                "of each builder before paying.</li>" for n in range(4))
# No element trafilatura knows as an article's frame: it recovers the page's blocks one by one.
PAGE = ('<html><body><div class="notice">Spring sale: every plan is half price this week</div>'
        f'<div class="w-richtext">{ADVICE}<ul>{STEPS}</ul></div>'
        '<div class="profile"><ul><li>Member</li><li>Posts: 1</li><li>Joined</li></ul></div>'
        "</body></html>")


def test_a_page_without_an_article_frame_keeps_its_lists_and_leaves_out_banners_and_labels():
    text = extract(PAGE, "https://shop.example/builders").text
    assert "point 4," in text
    assert [line for line in text.splitlines() if line.startswith("- Step")] == [
        f"- Step {n}: compare the templates and the store features of each builder before paying."
        for n in range(4)]
    assert "Member" not in text and "Posts: 1" not in text and "Spring sale" not in text


def test_trafilatura_used_elsewhere_reads_as_its_own_after_and_beside_readers_reading():
    bare = trafilatura.extract(PAGE)
    assert "point 4," in bare and "Step 0" not in bare  # its default recovery: paragraphs only
    extract(PAGE, "https://shop.example/builders")
    assert trafilatura.extract(PAGE) == bare
    beside = []
    with wild_blocks_for_recall():  # Reader reading on this thread, another thread beside it
        reading = threading.Thread(target=lambda: beside.append(trafilatura.extract(PAGE)))
        reading.start()
        reading.join()
        assert "Step 0" in trafilatura.extract(PAGE)
    assert beside == [bare]


def test_a_reading_inside_another_leaves_the_outer_reading_for_recall():
    with wild_blocks_for_recall():
        with wild_blocks_for_recall():
            pass
        assert "Step 0" in trafilatura.extract(PAGE)
    assert "Step 0" not in trafilatura.extract(PAGE)
