"""Every link is an article at once (reader/library/pending.py), fetched later by the queue:
with the network unavailable (a closed port, hosts that cannot exist, "offline" injected into
the queue's retry policy), through ``reader import``, the real queue and SQLite."""

from __future__ import annotations

import json
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reader.capture.queue import Counts
from reader.capture.retry import WAITING_FOR_NETWORK, Retry
from reader.capture.urls import canonical_url
from reader.cli import main
from reader.library import open_library, pending, queue_rows
from tests.capture.queue_helpers import run_queue, wait_until
from tests.fixture_site import PAGES


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pocket_export(tmp_path):
    """A Pocket CSV export of five links that cannot be fetched here."""
    port = closed_port()
    links = [
        ("Tidal power in Kelby Sound", f"http://127.0.0.1:{port}/tidal", 1700000000,
         "energy|sea", "archive"),
        ("Restoring a 1987 keyboard", f"http://127.0.0.1:{port}/keyboard", 1710412800,
         "retro", "unread"),
        ("", "https://old-blog.invalid/2019/notes", 1546300800, "", "unread"),
        ("Ferries in winter", "https://ferries.invalid/winter?id=7", 1600000000, "travel",
         "archive"),
        ("Why we sleep less", "http://sleep.invalid/summer", 1620000000, "science|health",
         "unread"),
    ]
    path = tmp_path / "part_000000.csv"
    path.write_text("title,url,time_added,tags,status\n" + "".join(
        f"{title},{url},{added},{tags},{status}\n" for title, url, added, tags, status in links))
    return path, links


def stored_links(links) -> list[tuple]:
    library = open_library()
    try:
        found = []
        for title, url, _added, tags, status in links:
            article = library.get(library.find_by_url(canonical_url(url)))
            found.append((article.title, sorted(article.tags), article.archived,
                          article.added[:10], pending.fetch_status(library, article.id).state))
        return found
    finally:
        library.close()


def expected(links, state: str) -> list[tuple]:
    from datetime import UTC, datetime

    return [(title or url, sorted(filter(None, tags.split("|"))), status == "archive",
             datetime.fromtimestamp(added, UTC).date().isoformat(), state)
            for title, url, added, tags, status in links]


def test_an_export_imported_offline_keeps_every_link(home, pocket_export, monkeypatch,
                                                     capsys):
    path, links = pocket_export
    monkeypatch.setattr("reader.capture.retry.online", lambda: False)

    assert main(["--home", str(home), "import", str(path), "--json"]) == 0
    [report] = json.loads(capsys.readouterr().out)
    assert (report["added"], report["failed"]) == (5, 0)
    assert stored_links(links) == expected(links, pending.PENDING)

    # Importing the same file again changes nothing.
    assert main(["--home", str(home), "import", str(path), "--json"]) == 0
    [again] = json.loads(capsys.readouterr().out)
    assert (again["added"], again["duplicates"]) == (0, 5)
    assert stored_links(links) == expected(links, pending.PENDING)
    library = open_library()
    try:  # each waits in the queue for the network, for the next queue (the window's)
        rows = library.query("SELECT state, reason, not_before FROM capture_queue")
        assert len(rows) == 5 and all(state == queue_rows.QUEUED and reason == WAITING_FOR_NETWORK
                                      and not_before > 0 for state, reason, not_before in rows)
        assert library.count() == 6  # with the welcome article
    finally:
        library.close()


def test_no_fetch_keeps_every_link_too(home, pocket_export, capsys):
    path, links = pocket_export
    assert main(["--home", str(home), "import", str(path), "--no-fetch"]) == 0
    assert "5 added" in capsys.readouterr().out
    assert stored_links(links) == expected(links, pending.PENDING)


def test_online_dead_links_are_kept_saying_why(home, pocket_export, monkeypatch, capsys):
    """Online, a refused port and hosts that do not resolve are failures of those links (not
    of the network): each link is kept with its reason."""
    path, links = pocket_export
    monkeypatch.setattr("reader.capture.retry.online", lambda: True)

    assert main(["--home", str(home), "import", str(path)]) == 1
    assert stored_links(links) == expected(links, pending.FAILED)
    library = open_library()
    try:
        reasons = [pending.fetch_status(library, library.find_by_url(canonical_url(url))).reason
                   for _title, url, *_rest in links]
    finally:
        library.close()
    assert "refused" in reasons[0] and "Could not find the server" in reasons[2]


def test_offline_then_online_the_same_article_is_filled_in(library, make_queue):
    port = closed_port()
    url = f"http://127.0.0.1:{port}/blog-post.html"
    network = {"up": False}
    queue = make_queue(library, retry=Retry(online=lambda: network["up"], offline_pause=0.1))
    heard = []
    library.subscribe(heard.append)
    [item_id] = queue.add([url]).queued
    [article_id] = [row[0] for row in library.query(
        "SELECT article_id FROM capture_queue WHERE id = ?", (item_id,))]
    assert pending.fetch_status(library, article_id).state == pending.PENDING
    assert library.get(article_id).title == url  # what is known: the address
    queue.start()
    wait_until(lambda: any(event.item and event.item.reason == WAITING_FOR_NETWORK
                           for event in queue.events))
    assert queue.snapshot().failed == []  # waiting, not failed

    server = ThreadingHTTPServer(("127.0.0.1", port),
                                 partial(SimpleHTTPRequestHandler, directory=str(PAGES)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        network["up"] = True
        run_queue(queue)
    finally:
        server.shutdown()
        server.server_close()

    assert queue.counts() == Counts(saved=1)
    article = library.get(article_id)  # the same article, filled in
    assert article.title == "Bringing a 1987 keyboard back from the dead"
    assert article.word_count > 200
    assert pending.fetch_status(library, article_id) == pending.FetchStatus()
    assert any(article_id in change.updated for change in heard)
    attempts = library.query("SELECT attempts FROM capture_queue WHERE id = ?", (item_id,))
    assert attempts[0][0] >= 2
