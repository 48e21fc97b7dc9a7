"""Nothing is lost when Reader is killed: an import of a list of links is killed (SIGKILL) at
random moments, again and again (bench/soak.py; ``python -m bench --only soak`` runs the full
20 kills of a 1,000-link import); then the library is sound, every article a killed run reported
saved is there, no page is there twice, and one more run finishes the import."""

from __future__ import annotations

import random

from bench.soak import soak

LINKS = 40
KILLS = 6


def test_an_import_killed_again_and_again_loses_nothing(tmp_path, site):
    links = site.page_urls(LINKS)

    found = soak(links, KILLS, tmp_path, random.Random(7))

    assert any(1 < saved < 1 + LINKS for saved in found.saved_at_kills)  # kills mid-import
    assert "Traceback" not in found.last_stderr
    assert found.integrity == "ok"
    assert found.reported and found.missing_reported == []  # what was said saved is there
    assert found.duplicates == 0
    # Every link is an article, unless it was in flight at two kills (given up, and said so).
    assert found.missing_links(links) == set()
    # and the welcome article (a link given up may be kept as an article that says why)
    assert 1 + LINKS - len(found.given_up) <= len(found.articles) <= 1 + LINKS
    assert found.unfinished == 0 and found.unfetched == [] and found.orphaned_links == 0
    assert found.pictures_lost == 0  # pictures a kill cut short are still to be fetched
    assert found.last_exit == (1 if found.given_up else 0), found.last_stderr
