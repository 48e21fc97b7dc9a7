"""Highlights survive kill -9: a process making, noting and removing highlights (and
re-extracting, which anchors them all again) is killed at random moments, again and again; then
the library is sound, its highlight index agrees with its highlights, and every highlight the
process reported made (after its commit) is there."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from reader.library import Library, NewArticle, highlights

TEXT = " ".join(f"Sentence {n} tells of tides and turbines number {n}." for n in range(400))

WRITER = """
import random, sys
from pathlib import Path
from reader.library import Library, highlights
from reader.library.anchoring import Selector
library = Library(Path(sys.argv[1]))
rng = random.Random(int(sys.argv[2]))
text = library.get(1).text
while True:
    n = rng.randrange(400)
    made, _ = highlights.add(library, 1, Selector(f"Sentence {n} tells"), exact=True,
                             note="x" * rng.randrange(2000))
    print("made", made.id, flush=True)
    if rng.random() < 0.3:
        highlights.remove(library, [made.id])
        print("removed", made.id, flush=True)
    if rng.random() < 0.1:
        library.replace_content(1, "Tides", "<p>t</p>", "Preface. " + text)
"""


def test_highlights_killed_again_and_again_lose_nothing(tmp_path):
    path = tmp_path / "library.sqlite3"
    library = Library(path)
    library.add(NewArticle(url="https://example.org/t", original_url="https://example.org/t",
                           title="Tides", body_html="<p>t</p>", text=TEXT))
    library.close()
    made, removed = set(), set()
    rng = random.Random(11)
    for kill in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(kill)],
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(0.4 + rng.random())
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        for line in out.splitlines():
            what, _, ident = line.partition(" ")
            if ident.isdigit():
                (made if what == "made" else removed).add(int(ident))
    assert made, "the writer made no highlight before it was killed"

    library = Library(path)
    try:
        assert library.query("PRAGMA integrity_check") == [("ok",)]
        library.query("INSERT INTO highlights_fts(highlights_fts) VALUES ('integrity-check')")
        there = {h.id for h in highlights.for_article(library, 1)}
        assert made - removed <= there
        assert all(h.found for h in highlights.for_article(library, 1))
    finally:
        library.close()
