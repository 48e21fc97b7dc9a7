"""The capture queue end to end: real HTTP servers (counting the requests in flight, holding
them, failing once), extraction in real worker processes, real SQLite."""

from __future__ import annotations

from reader.capture.importers import ImportedItem
from reader.capture.queue import Counts
from reader.capture.retry import Retry
from reader.capture.urls import canonical_url
from reader.library import pending, queue_rows
from reader.library.images import image_bytes
from tests.capture.queue_helpers import Tally, run_queue, wait_until
from tests.fixture_site import PAGES


# Many pages


def test_fifty_links_are_all_saved(library, site, make_queue):
    queue = make_queue(library)
    links = [site.url(f"news-article.html?n={n}") for n in range(1, 51)]

    report = queue.add(links)
    assert len(report.queued) == 50 and report.duplicates == 0 and not report.invalid
    assert queue.counts() == Counts(queued=50)
    run_queue(queue)

    assert queue.counts() == Counts(saved=50)
    assert library.count() == 51  # and the welcome article
    for link in links:
        article_id = library.find_by_url(canonical_url(link))
        assert library.get(article_id).title == "Kelby Sound breaks ground on tidal energy plant"
    # Every item went queued -> fetching -> extracting -> saved, each step an event.
    steps: dict[int, list[str]] = {}
    for event in queue.events:
        if event.item is not None:
            steps.setdefault(event.item.id, []).append(event.item.state)
    assert sorted(steps) == sorted(report.queued)
    assert all(states == ["fetching", "extracting", "saved"] for states in steps.values())
    seqs = [event.seq for event in queue.events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    saved = [event for event in queue.events if event.item and event.item.state == "saved"]
    assert all(event.is_new and event.item.article_id for event in saved)
    # The one picture of the page is stored once, for all fifty articles.
    assert library.query_one("SELECT count(*) FROM images") == (1,)
    assert library.query_one("SELECT count(*) FROM article_images") == (50,)


def test_duplicates_are_reported_not_queued(library, site, make_queue):
    queue = make_queue(library)
    first, second, third = (site.url(f"news-article.html?d={n}") for n in (1, 2, 3))

    report = queue.add([first, f"{first}&utm_source=feed#top", second])
    assert len(report.queued) == 2
    assert report.already_queued == [f"{first}&utm_source=feed#top"]
    assert queue.add([second]).already_queued == [second]
    run_queue(queue)

    report = queue.add([first, second, third, "ftp://example.org/file", "no address"])
    assert report.in_library == [first, second]
    assert len(report.queued) == 1 and report.duplicates == 2
    assert [text for text, _reason in report.invalid] == ["ftp://example.org/file", "no address"]
    assert "ftp: links are not supported" in report.invalid[0][1]
    run_queue(queue)
    assert library.count() == 4
    # Adding to an idle queue started a new batch: the counts are about it alone.
    assert queue.counts() == Counts(saved=1)


def test_a_short_link_and_its_target_are_one_article(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("go/blog-post.html"), site.url("blog-post.html")])
    run_queue(queue)

    assert queue.counts() == Counts(saved=2)
    assert library.count() == 2
    saved = [event for event in queue.events if event.item and event.item.state == "saved"]
    assert sorted(event.is_new for event in saved) == [False, True]
    assert len({event.item.article_id for event in saved}) == 1


# Limits


def test_at_most_two_requests_to_one_server(library, sites, make_queue):
    server = sites(delay=0.2)  # long enough for requests to overlap on a busy machine
    queue = make_queue(library)
    queue.add([server.url(f"news-article.html?n={n}") for n in range(6)])
    run_queue(queue)

    assert queue.counts() == Counts(saved=6)
    assert len(server.requests) == 12  # each page, and its picture
    assert server.tally.most[server.base] == 2


def test_at_most_eight_requests_in_all(library, sites, make_queue):
    tally = Tally()
    servers = [sites(tally=tally, delay=0.15) for _ in range(6)]
    queue = make_queue(library)
    queue.add([server.url(f"news-article.html?n={n}") for n in range(4) for server in servers])
    run_queue(queue)

    assert queue.counts() == Counts(saved=24)
    assert max(tally.most.values()) == 2
    assert 2 < tally.most_total <= 8


# Failures, retry, cancel


def test_failed_items_say_why(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url(path) for path in
               ("missing.html", "status/500", "report.pdf", "no-article.html")])
    run_queue(queue)

    snapshot = queue.snapshot()
    assert snapshot.counts == Counts(failed=4)
    reasons = {item.url.rsplit("/", 1)[1]: item.reason for item in snapshot.failed}
    assert reasons["missing.html"].startswith("The server answered 404")
    assert reasons["500"].startswith("The server answered 500")
    assert reasons["report.pdf"].startswith("This is not an HTML page (it is application/pdf)")
    assert reasons["no-article.html"].startswith("No article text found on this page")
    # Each link stays an article (the welcome article is the fifth), saying why it has no text.
    assert library.count() == 5
    for item in snapshot.failed:
        status = pending.fetch_status(library, item.article_id)
        assert (status.state, status.reason) == (pending.FAILED, item.reason)


def test_retry_after_a_failure(library, sites, make_queue):
    server = sites(fail_once=("/news-article.html",))
    queue = make_queue(library, retry=Retry(max_attempts=1))  # not by itself: asked for
    queue.add([server.url("news-article.html")])
    run_queue(queue)
    [failed] = queue.snapshot().failed
    assert "500" in failed.reason and failed.attempts == 1

    assert queue.retry() == 1
    assert queue.wait(30)

    assert queue.counts() == Counts(saved=1)
    assert queue.snapshot().failed == []
    article_id = library.find_by_url(canonical_url(server.url("news-article.html")))
    assert article_id is not None
    [item] = queue_rows.queue_items(library, queue.owner)
    assert item.attempts == 2 and item.article_id == article_id


def fetch_state(library, link: str) -> str:
    return pending.fetch_state(library, canonical_url(link))[1]


def test_cancel_queued_items(library, site, make_queue):
    queue = make_queue(library)
    links = [site.url(f"news-article.html?c={n}") for n in range(4)]
    report = queue.add(links)

    assert queue.cancel(report.queued[:2]) == 2
    run_queue(queue)

    assert queue.counts() == Counts(saved=2, cancelled=2)
    # The cancelled links stay as they were given: not fetched.
    assert [fetch_state(library, link) for link in links] == [
        pending.PENDING, pending.PENDING, pending.FETCHED, pending.FETCHED]


def test_cancel_while_fetching_stores_nothing(library, sites, make_queue):
    server = sites()
    server.gate.clear()  # requests wait
    queue = make_queue(library)
    queue.add([server.url("news-article.html")])
    queue.start()
    wait_until(lambda: server.tally.total == 1)
    assert queue.counts() == Counts(fetching=1)

    assert queue.cancel() == 1
    assert queue.counts() == Counts(cancelled=1)
    server.gate.set()
    assert queue.wait(30)

    assert queue.counts() == Counts(cancelled=1)
    assert fetch_state(library, server.url("news-article.html")) == pending.PENDING
    assert not [event for event in queue.events if event.item and event.item.state == "saved"]
    # A cancelled item can be asked for again, and then it is saved.
    assert queue.retry([queue_rows.queue_items(library, queue.owner)[0].id]) == 1
    assert queue.wait(30)
    assert queue.counts() == Counts(saved=1)


def test_a_failed_item_can_be_dismissed(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("missing.html")])
    run_queue(queue)
    [failed] = queue.snapshot().failed

    assert queue.cancel([failed.id]) == 1
    assert queue.snapshot().failed == []
    assert queue.clear_finished() == 1
    assert queue.counts() == Counts()


# Imports


def test_imported_items_keep_what_the_export_said(library, site, make_queue):
    queue = make_queue(library)
    item = ImportedItem(
        url=site.url("blog-post.html"),
        title="Saved from Pocket",
        tags=["energy", "Read later"],
        archived=True,
        favourite=True,
        added="2019-05-04T03:02:01+00:00",
    )
    untitled = ImportedItem(url=site.url("german-article.html"),
                            title=site.url("german-article.html"))
    queue.add([item, untitled])
    run_queue(queue)

    article = library.get(library.find_by_url(canonical_url(item.url)))
    assert article.title == "Saved from Pocket"
    assert article.tags == ["energy", "Read later"]
    assert article.archived and article.favourite
    assert article.added == "2019-05-04T03:02:01+00:00"
    other = library.get(library.find_by_url(canonical_url(untitled.url)))
    assert other.title != untitled.url and other.tags == []


# Images


def test_images_of_queued_pages_are_local(library, site, make_queue):
    queue = make_queue(library)
    queue.add([site.url("news-article.html")])
    run_queue(queue)

    article = library.get(library.find_by_url(canonical_url(site.url("news-article.html"))))
    assert "http://" not in article.body_html.split("<img", 1)[1].split(">", 1)[0]
    digest = article.body_html.split('src="reader-image:', 1)[1].split('"', 1)[0]
    assert image_bytes(library, digest) == (PAGES / "images" / "turbine.png").read_bytes()


def test_add_reports_every_entry_in_order(library, site, make_queue):
    queue = make_queue(library)
    link = site.url("blog-post.html?o=1")
    report = queue.add(["nonsense", link, "reader:welcome", link])
    assert [(text, outcome) for text, outcome, _id in report.entries] == [
        ("nonsense", "invalid"), (link, "queued"), ("reader:welcome", "invalid"),
        (link, "already_queued")]
    assert report.entries[1][2] == report.entries[3][2] == report.queued[0]
