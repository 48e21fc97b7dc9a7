"""Dead links rescued: the Internet Archive's snapshot of a page that is gone.

When a page is gone (``is_gone``: 404, 410, no such server; or ``is_parked``: the domain now
shows a parking page, a domain for sale), ``Wayback.rescue`` asks the
availability API (``ENDPOINT?url=URL&timestamp=YYYYMMDD``) for the snapshot closest to the day
the link was saved, and fetches it through the same safe ``fetch`` in its raw form (``id_``:
the page as archived, without the archive's toolbar or rewritten links).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from reader.capture.addresses import NameNotFound, Reach
from reader.capture.fetch import Page, StatusError, fetch
from reader.capture.web import Cancelled, DownloadError, get
from reader.errors import CaptureError
from reader.library.pending import Snapshot
from reader.settings import Settings

PUBLIC_ENDPOINT = "https://archive.org/wayback/available"
GONE_STATUSES = (404, 410)
MAX_ANSWER_BYTES = 100_000  # the availability API's answer is a few hundred bytes
# ".../web/20200101123456/http://..." or with a form flag ("im_", "if_", "id_") after the time.
_SNAPSHOT = re.compile(r"^(https?://[^/]+/web/)(\d{4,14})(?:[a-z]{2}_)?/(.+)$")
_TOOLBAR = re.compile(r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?"
                      r"<!--\s*END WAYBACK TOOLBAR INSERT\s*-->", re.DOTALL | re.IGNORECASE)
_ARCHIVE_SCRIPTS = re.compile(r"<script[^>]*(?:archive\.org|wombat|__wm)[^>]*>.*?</script>",
                              re.DOTALL | re.IGNORECASE)


# A parking page says so, in its title or its few words; an article that mentions domains for
# sale is long. Decided from the page, not from a list of parking services.
_PARKED = re.compile(
    r"\b(?:(?:this|the) domain(?: name)? (?:(?:is|may be|might be) for sale|has expired"
    r"|is parked)|buy this domain|domain (?:is )?parked|parked (?:free|domain)"
    r"|(?:this )?domain (?:name )?(?:is )?available for (?:purchase|sale))\b", re.IGNORECASE)
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)
PARKED_MAX_WORDS = 300  # more words than this is a page with something to read
PARKED_SCAN_CHARS = 300_000  # parking pages are small; a long page is not read through
# Every phrase of ``_PARKED`` holds one of these words, written in one of these ways. Searched
# over a whole page, the case-blind phrases cost 8 ms of CPU a page (real pages of 100-300 kB:
# nearly half of `reader add`'s own process); these words are found at memory speed, and the
# phrases are looked for only around them.
_PARKED_WORDS = ("domain", "Domain", "DOMAIN", "parked", "Parked", "PARKED")
_AROUND = (40, 80)  # characters before and after such a word that a phrase may take


def is_parked(page: Page) -> bool:
    """Whether ``page`` is a parking page: the domain lapsed, the article is gone."""
    head = page.html[:PARKED_SCAN_CHARS]
    if not _says_parked(head):  # nearly every page: no markup is stripped for them
        return False
    text = _TAGS.sub(" ", head)
    return len(text.split()) <= PARKED_MAX_WORDS and bool(_PARKED.search(text))


def _says_parked(html: str) -> bool:
    """Whether a phrase of ``_PARKED`` is in ``html``, looked for around its words only."""
    before, after = _AROUND
    for word in _PARKED_WORDS:
        at = html.find(word)
        while at != -1:
            # pos and endpos, not a slice: a phrase's leading \b sees the letter before it. The
            # end of the window is one the page does not have: a phrase found to end there is
            # matched again against the whole page, at every place one may start.
            start, end = max(0, at - before), at + len(word) + after
            found = _PARKED.search(html, start, end)
            if found and (found.end() < end or any(_PARKED.match(html, place)
                                                   for place in range(start, at + 1))):
                return True
            at = html.find(word, at + len(word))
    return False


def is_gone(error: CaptureError) -> bool:
    """Whether ``error`` says the page is no longer there (not: the network failed)."""
    if isinstance(error, StatusError):
        return error.status in GONE_STATUSES
    return isinstance(error, DownloadError) and isinstance(error.__cause__, NameNotFound)


def from_settings(settings: Settings) -> Wayback | None:
    """The archive the settings name, or None when dead links are not to be looked up."""
    endpoint = settings.wayback_endpoint or PUBLIC_ENDPOINT
    return Wayback(endpoint) if settings.wayback_enabled and endpoint else None


@dataclass(frozen=True)
class Wayback:
    """The Internet Archive (or a stand-in for it at ``endpoint``)."""

    endpoint: str

    def rescue(self, url: str, saved: str, *, timeout: float,
               cancelled: Cancelled = None) -> tuple[Page, Snapshot] | None:
        """The archived page of ``url`` closest to ``saved`` (ISO date; "" for the latest), or
        None when the archive has none. Raises CaptureError if the archive cannot be reached."""
        found = self._closest(url, saved, timeout, cancelled)
        if found is None:
            return None
        shown, raw, stamp = found
        page = fetch(raw, timeout, cancelled=cancelled, local_redirects=False)
        return (replace(page, url=url, html=strip_toolbar(page.html)),
                Snapshot(shown, f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"))

    def _closest(self, url: str, saved: str, timeout: float, cancelled: Cancelled
                 ) -> tuple[str, str, str] | None:
        """(snapshot address, its raw form, its timestamp) from the availability API."""
        query = {"url": url}
        day = re.sub(r"\D", "", saved[:10])
        if len(day) == 8:
            query["timestamp"] = day
        separator = "&" if "?" in self.endpoint else "?"
        answer = get(f"{self.endpoint}{separator}{urlencode(query)}", accept="application/json",
                     max_bytes=MAX_ANSWER_BYTES, seconds=timeout, reach=Reach.for_page(False),
                     cancelled=cancelled)
        if answer.status != 200:
            raise CaptureError(f"The Internet Archive answered {answer.status} "
                               f"{answer.reason or 'error'}.")
        try:
            closest = json.loads(answer.body)["archived_snapshots"]["closest"]
            available, shown = closest["available"], str(closest["url"])
        except (ValueError, TypeError, KeyError):
            return None  # {"archived_snapshots": {}}: none kept
        match = _SNAPSHOT.match(shown)
        if available is not True or match is None or not self._ours(shown):
            return None
        prefix, stamp, original = match.groups()
        return shown, f"{prefix}{stamp}id_/{original}", stamp.ljust(8, "0")

    def _ours(self, snapshot: str) -> bool:
        """Whether ``snapshot`` is on the archive's own servers (web.archive.org for
        archive.org): an answer cannot send Reader anywhere else."""
        archive = (urlsplit(self.endpoint).hostname or "").split(".")
        host = (urlsplit(snapshot).hostname or "").split(".")
        domain = archive[-2:] if len(archive) > 2 and not archive[-1].isdigit() else archive
        return bool(archive) and host[-len(domain):] == domain


def strip_toolbar(html: str) -> str:
    """The archived page without what the archive adds to it, should it be there."""
    return _ARCHIVE_SCRIPTS.sub("", _TOOLBAR.sub("", html))
