"""Around an article's prose: a standfirst before the first paragraph and boxes after the last
that are mostly headings (a newsletter sign-up's states, teaser cards' titles and standfirsts)
are left out; a last section, a heading and a list, is kept."""

from __future__ import annotations

import re
from pathlib import Path

from reader.capture.extract import extract

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"
PAGE = PAGES / "newsletter-tail.html"
URL = "https://gazette.example/local/cycle-lanes"
LAST_SENTENCE = "with the work done one block at a time."


def test_a_newsletter_box_and_teaser_cards_after_the_article_are_left_out():
    # trafilatura's reading keeps both (the box's picture keeps its block; a list ends it)
    text = extract(PAGE.read_text(encoding="utf-8"), URL).text
    assert text.endswith(LAST_SENTENCE)
    assert "Thanks for signing up" not in text and "Ferry fares" not in text


def test_a_last_section_of_a_heading_and_a_list_stays():
    further = ("<h2>Where the lanes will run</h2><ul>"
               + "".join(f"<li>{street}, from the station to the quay, with a kerb between the lane"
                         " and the parked cars</li>" for street in ("Harbour Road", "Quay Street",
                                                                   "Mill Lane"))
               + "</ul>")
    html = re.sub(r'<div class="Briefing-box">.*?</ul>', further, PAGE.read_text(encoding="utf-8"),
                  flags=re.DOTALL)
    text = extract(html, URL).text
    assert "Where the lanes will run" in text
    assert "Mill Lane, from the station to the quay" in text


def test_the_standfirst_before_the_first_paragraph_is_left_out():
    # trafilatura's reading starts with the <h2> standfirst (the <h1> title is stored apart)
    html = (PAGES / "standfirst-article.html").read_text(encoding="utf-8")
    text = extract(html, "https://gazette.example/transport/night-buses").text
    assert text.startswith("The regional transport board confirmed on Monday")
    assert "every hour after midnight" not in text


def test_teaser_cards_whose_text_is_links_are_no_prose_and_are_left_out():
    from lxml import etree

    from reader.capture.extraction.ends import trim_headed_ends

    story = "<p>The council voted on Tuesday to rebuild the old river bridge in stone, again.</p>"
    cards = "".join(f"<head>Another story from the town {n} today</head><p><ref>A teaser's "
                    f"standfirst of twelve words linking to story number {n} here</ref></p>"
                    for n in range(3))
    body = etree.fromstring(f"<body>{story * 3}{cards}</body>")
    trim_headed_ends(body)
    assert [child.tag for child in body] == ["p", "p", "p"]


def test_related_products_after_the_article_each_a_linked_paragraph_are_left_out():
    from lxml import etree

    from reader.capture.extraction.ends import trim_headed_ends

    story = ("<p>A robot vacuum maps a room with a laser on its top, turning as it goes, and "
             "keeps the map for the next run.</p>")
    products = "".join(f"<p><ref>Vacuum model {n} with a mop, a station and a long battery: "
                       f"cleans carpets and tiles, and empties itself</ref></p>" for n in range(3))
    sources = ("<p>The figures come from <ref>the maker's laboratory</ref>, measured on a hard "
               "floor at the lowest setting.</p>")
    body = etree.fromstring(f"<body>{story * 3}<head>Related products</head>{products}</body>")
    trim_headed_ends(body)
    assert [child.tag for child in body] == ["p", "p", "p"]
    # a closing paragraph with a link in its sentence is the article's own
    body = etree.fromstring(f"<body>{story * 3}<head>Where the figures come from</head>"
                            f"{sources}</body>")
    trim_headed_ends(body)
    assert len(body) == 5
