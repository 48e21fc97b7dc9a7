"""Everything out of the library: Reader's own JSON (lossless; ``reader import`` restores it),
Markdown and HTML files (one per article), and a bookmark file and Pocket-style CSV that other
readers import. Imports no Qt: the CLI and the window's Library → Export… share it.

    files.py          the single-file formats: json, bookmarks, csv
    documents.py      the one-file-per-article formats: markdown, html
    html_markdown.py  article HTML as Markdown
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.errors import LibraryError, UserError
from reader.export import documents, files
from reader.library import Library
from reader.library.listing import VIEWS, ListQuery

Progress = Callable[[int, int], None]  # (done, total)

# format -> (writes a folder rather than one file, the writer)
_WRITERS = {
    "json": (False, files.write_json),
    "bookmarks": (False, files.write_bookmarks),
    "csv": (False, files.write_csv),
    "markdown": (True, documents.write_markdown),
    "html": (True, documents.write_html),
}
FORMATS = tuple(_WRITERS)
TITLES = {  # what the window offers, in this order
    "json": "Reader JSON: everything, to import back into Reader (one file)",
    "markdown": "Markdown for notes apps, with front matter (a folder)",
    "html": "Web pages to read anywhere, pictures included (a folder)",
    "bookmarks": "Browser bookmarks, Netscape HTML (one file)",
    "csv": "Pocket-style CSV (one file)",
}


def writes_folder(format_name: str) -> bool:
    return _WRITERS[format_name][0]


class ExportError(UserError):
    """The export could not be written: where, and why."""


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    articles: int


def selected_ids(library: Library, view: str = "all", tag: str | None = None,
                 ids: Iterable[int] = ()) -> list[int]:
    """The articles to export: the given ids (each must exist), else the view and tag, newest
    first. The bin is never exported."""
    ids = list(ids)
    if ids:
        missing = [i for i in ids if not library.query_one(
            "SELECT 1 FROM articles WHERE id = ? AND deleted = 0", (i,))]
        if missing:
            raise LibraryError(f"There is no article {missing[0]} in the library.")
        return list(dict.fromkeys(ids))
    if view not in VIEWS:
        raise LibraryError(f"There is no view {view!r}; the views are {', '.join(VIEWS)}.")
    return library.ids(ListQuery(view=view, tag=tag))


def export(library: Library, format_name: str, output: Path, ids: list[int],
           progress: Progress | None = None,
           cancelled: Callable[[], bool] = lambda: False) -> ExportResult:
    """Write ``ids`` in ``format_name`` to ``output`` (a file, or for markdown and html a
    folder, made if need be). Raises ExportError when it cannot be written, or was stopped
    (``cancelled`` is asked after each article)."""
    if format_name not in _WRITERS:
        raise ExportError(f"Reader cannot export {format_name!r}; it exports "
                          f"{', '.join(FORMATS)}.")
    is_folder, write = _WRITERS[format_name]
    output = Path(output)
    try:
        if is_folder:
            if output.exists() and not output.is_dir():
                raise ExportError(f"{output} is a file; {format_name} export writes a folder.")
            output.mkdir(parents=True, exist_ok=True)
        elif output.is_dir():
            raise ExportError(f"{output} is a folder; {format_name} export writes one file.")
        write(library, ids, output, _stoppable(progress or (lambda done, total: None),
                                               cancelled, output))
    except OSError as error:
        raise ExportError(f"Cannot write {output}: {error.strerror or error}") from None
    return ExportResult(format_name, output, len(ids))


def _stoppable(progress: Progress, cancelled: Callable[[], bool], output: Path) -> Progress:
    def report(done: int, total: int) -> None:
        if cancelled():
            raise ExportError(f"Export stopped; what was written to {output} is incomplete.")
        progress(done, total)

    return report


__all__ = ["FORMATS", "TITLES", "ExportError", "ExportResult", "export", "selected_ids",
           "writes_folder"]
