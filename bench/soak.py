"""Soak: an import of many links (pages on 127.0.0.1) killed with SIGKILL at random moments,
again and again, then run to the end; the library must come out sound.

The killed runs take turns: ``reader import LINKS.txt`` and ``reader add URL...`` (which says
"Added ID: title" as each page is saved, so what it reported can be checked afterwards). Then
one more ``reader import`` finishes the job. Checked: ``PRAGMA integrity_check`` is ok, every
article reported saved is there under its title, no page is there twice, every link is an
article unless it was given up (in flight at two kills, and said so), the queue is empty, no
image link is left without its article.

``python -m bench --only soak`` runs 20 kills of a 1,000-link import; tests/test_soak.py a
small one.
"""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

from bench.cli_add import _Handler, real_pages
from bench.common import Row
from reader.library.queue_rows import POISON_REASON

GROUP = "6. Soak"
LINKS, QUICK_LINKS = 1000, 100
KILLS, QUICK_KILLS = 20, 6
_ADDED = re.compile(r"^(?:Added|Already in the library:) (\d+): (.*)$", re.MULTILINE)


@dataclass
class Soak:
    """What a soak found."""

    links: int
    kills: int
    reported: dict[int, str] = field(default_factory=dict)  # id -> title said by killed runs
    saved_at_kills: list[int] = field(default_factory=list)  # pages saved after each kill
    last_exit: int = 0
    last_stderr: str = ""
    seconds: float = 0.0
    integrity: str = ""
    articles: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (url, title)
    given_up: set[str] = field(default_factory=set)
    unfinished: int = 0
    unfetched: list[str] = field(default_factory=list)  # links still waiting, not given up
    orphaned_links: int = 0
    # Articles showing pictures from the web that no one will fetch (not waiting for them).
    pictures_lost: int = 0

    @property
    def missing_reported(self) -> list[int]:
        return [id_ for id_, title in self.reported.items()
                if self.articles.get(id_, ("", None))[1] != title]

    @property
    def duplicates(self) -> int:
        urls = [url for url, _title in self.articles.values()]
        return len(urls) - len(set(urls))

    def missing_links(self, links: list[str]) -> set[str]:
        saved = {url for url, _title in self.articles.values()}
        return set(links) - self.given_up - saved


def soak(links: list[str], kills: int, work: Path, rng: random.Random,
         longest_run: float = 4.0) -> Soak:
    """Import ``links`` into a library under ``work``, killing the import ``kills`` times after
    0.5 to ``longest_run`` seconds each, then once more to the end; what came of it."""
    home = work / "home"
    export = work / "links.txt"
    export.write_text("\n".join(links) + "\n", encoding="utf-8")
    reader = [sys.executable, "-m", "reader", "--home", str(home)]
    found = Soak(len(links), kills)
    started = time.perf_counter()
    for number in range(kills):
        command = reader + (["import", str(export)] if number % 2 else ["add", *links])
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
        said: list[str] = []
        first_saved = threading.Event()

        def read(out=run.stdout, said=said, first_saved=first_saved) -> None:
            for line in out:
                said.append(line)
                if _ADDED.search(line):
                    first_saved.set()

        reading = threading.Thread(target=read)
        reading.start()
        if number % 2 == 0:
            # A `reader add` is killed once it has saved a page (a busy machine can take longer
            # than longest_run to start one), so some kills surely land mid-import.
            first_saved.wait(timeout=60)
            time.sleep(rng.uniform(0, 1))
        else:
            time.sleep(rng.uniform(0.5, longest_run))
        run.send_signal(signal.SIGKILL)
        run.wait()
        reading.join()
        found.reported.update((int(id_), title)
                              for id_, title in _ADDED.findall("".join(said)))
        found.saved_at_kills.append(_pages_saved(home))
    last = subprocess.run(reader + ["import", str(export)], capture_output=True, text=True,
                          timeout=3600)
    found.seconds = time.perf_counter() - started
    found.last_exit, found.last_stderr = last.returncode, last.stderr
    database = sqlite3.connect(home / "library.sqlite3")
    try:
        found.integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
        found.articles = {id_: (url, title) for id_, url, title in database.execute(
            "SELECT id, url, title FROM articles")}
        found.given_up = {url for (url,) in database.execute(
            "SELECT url FROM capture_queue WHERE state = 'failed' AND reason = ?",
            (POISON_REASON,))}
        found.unfinished = database.execute(
            "SELECT count(*) FROM capture_queue WHERE state IN ('queued', 'fetching',"
            " 'extracting')").fetchone()[0]
        found.unfetched = [url for (url,) in database.execute(
            "SELECT url FROM articles WHERE fetch_state = 'pending'") if url not in found.given_up]
        found.orphaned_links = database.execute(
            "SELECT count(*) FROM article_images WHERE article_id NOT IN"
            " (SELECT id FROM articles)").fetchone()[0]
        found.pictures_lost = database.execute(
            "SELECT count(*) FROM articles WHERE body_html LIKE '%src=\"http%'"
            " AND id NOT IN (SELECT article_id FROM pictures_pending)").fetchone()[0]
    finally:
        database.close()
    return found


def _pages_saved(home: Path) -> int:
    """Articles with their page (a link is kept as an article before it is fetched)."""
    if not (home / "library.sqlite3").exists():  # killed before it made the library
        return 0
    database = sqlite3.connect(home / "library.sqlite3")
    try:
        return database.execute(
            "SELECT count(*) FROM articles WHERE fetch_state = ''").fetchone()[0]
    finally:
        database.close()


def run(quick: bool) -> list[Row]:
    count, kills = (QUICK_LINKS, QUICK_KILLS) if quick else (LINKS, KILLS)
    pages = real_pages(count)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, pages))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    links = [f"http://127.0.0.1:{server.server_address[1]}{path}" for path in pages]
    try:
        found = soak(links, kills, Path(tempfile.mkdtemp(prefix="reader-bench-soak-")),
                     random.Random(11), longest_run=5.0)
    finally:
        server.shutdown()
        server.server_close()
    detail = {"seconds": found.seconds, "integrity": found.integrity,
              "articles": len(found.articles), "reported_saved": len(found.reported),
              "missing_reported": found.missing_reported, "duplicates": found.duplicates,
              "given_up": len(found.given_up), "missing_links": len(found.missing_links(links)),
              "saved_at_kills": found.saved_at_kills, "unfinished": found.unfinished,
              "unfetched": found.unfetched, "orphaned_image_links": found.orphaned_links,
              "pictures_lost": found.pictures_lost,
              "last_exit": found.last_exit, "last_stderr": found.last_stderr[-2000:]}
    print(f"[soak] {detail}", file=sys.stderr)
    # A page that fails for a reason of its own ("No article text found") is finished too.
    sound = (found.integrity == "ok" and not found.missing_reported and not found.duplicates
             and not found.missing_links(links) and not found.unfinished
             and not found.unfetched
             and not found.orphaned_links and not found.pictures_lost
             and "Traceback" not in found.last_stderr)
    return [Row(GROUP, f"{kills} SIGKILLs of a {count}-link import: the library sound after",
                "sound", float(sound), 1.0, "sound", target=1.0,
                note=f"pages saved after each kill: {found.saved_at_kills}; "
                     f"{len(found.reported)} reported saved by killed runs, "
                     f"{len(found.given_up)} given up after two kills, "
                     f"{found.seconds:.0f} s in all", detail=detail)]
