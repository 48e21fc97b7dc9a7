"""What a drop or a paste can hold that Reader can save."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reader.capture.sources.text import printable
from reader.capture.urls import check_url
from reader.errors import CaptureError


@dataclass(frozen=True)
class Link:
    """A web page to fetch."""

    url: str  # checked by check_url (a ``www.`` address gains ``https://``), otherwise as given
    title: str | None = None  # what the source called the page, when it said

    @classmethod
    def checked(cls, url: str, title: str | None = None) -> Link:
        """A link to ``url`` if check_url accepts it, else CaptureError with a message safe to
        show (a ValueError, ``http://[x``, says it is no web address). A title that is empty or
        the URL itself is no title."""
        try:
            checked = check_url(url)
        except CaptureError as error:
            raise CaptureError(printable(str(error))) from None
        except ValueError:
            raise CaptureError(f"Not a web address: {printable(url)}") from None
        title = " ".join((title or "").split())
        return cls(checked, title if title and title != url.strip() else None)


@dataclass(frozen=True)
class SavedPage:
    """A web page saved to disk (``.html``/``.htm``), to be stored as it is."""

    path: Path
    url: str  # the file's own ``file://`` URL: where the page came from


@dataclass
class Drop:
    """Everything usable in one drop or paste, in the order it came."""

    links: list[Link] = field(default_factory=list)  # one per page (canonical URL)
    pages: list[SavedPage] = field(default_factory=list)
    imports: list[Path] = field(default_factory=list)  # exports and link lists, for the importer
    duplicates: int = 0  # links (or files) left out because they repeat an earlier one
    problems: list[str] = field(default_factory=list)  # one line per item that was not usable
