"""Nothing is lost when Reader is killed: ``reader import`` of a list of links is killed
(SIGKILL) at random moments, again and again; then the library is sound, holds no page twice,
and one more run finishes the import."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

from reader.library.queue_rows import POISON_REASON

KILLS = 6


def test_an_import_killed_again_and_again_loses_nothing(tmp_path, site):
    links = site.page_urls(40)
    export = tmp_path / "links.txt"
    export.write_text("\n".join(links) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "reader", "--home", str(tmp_path / "home"), "import",
               str(export)]
    rng = random.Random(7)
    for _ in range(KILLS):
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        run.send_signal(signal.SIGKILL)
        run.wait()

    last = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in last.stderr
    database = sqlite3.connect(tmp_path / "home" / "library.sqlite3")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        urls = [row[0] for row in database.execute("SELECT url FROM articles")]
        given_up = {row[0] for row in database.execute(
            "SELECT url FROM capture_queue WHERE state = 'failed' AND reason = ?",
            (POISON_REASON,))}
        unfinished = database.execute(
            "SELECT count(*) FROM capture_queue WHERE state IN ('queued', 'fetching',"
            " 'extracting')").fetchone()[0]
        orphaned_links = database.execute(
            "SELECT count(*) FROM article_images WHERE article_id NOT IN"
            " (SELECT id FROM articles)").fetchone()[0]
    finally:
        database.close()
    assert len(urls) == len(set(urls))  # no page twice
    # Every link is an article, unless it was in flight at two kills (given up, and said so).
    assert set(links) - given_up <= set(urls)
    assert len(urls) == 1 + len(set(links) - given_up)  # and the welcome article
    assert unfinished == 0 and orphaned_links == 0
    assert last.returncode == (1 if given_up else 0), last.stderr
