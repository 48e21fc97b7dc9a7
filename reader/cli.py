"""The ``reader`` command: no arguments opens the window; subcommands work on the same library."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader import __version__, paths
from reader.cli_highlights import COMMANDS as HIGHLIGHT_COMMANDS
from reader.cli_highlights import add_commands as add_highlight_commands
from reader.cli_library import COMMANDS as LIBRARY_COMMANDS
from reader.cli_library import add_commands as add_library_commands
from reader.cli_model import COMMANDS as MODEL_COMMANDS
from reader.cli_model import add_commands as add_model_commands
from reader.cli_model import resolve_article
from reader.errors import ModelError, UserError, database_problem
from reader.library import Library, open_library
from reader.library.listing import MATCH_END, MATCH_START
from reader.logs import setup_cli_logging
from reader.settings import Settings
from reader.terminal import PlainTextStream, is_link, unknown_command

# The capture modules (httpx, the importers: 0.2 s) load when a command needs them: the
# extraction processes, spawned, import the app's main module again (this one, under `reader`
# and `reader-gui`) before they can start, at the app's priority.
if TYPE_CHECKING:
    from reader.capture.batch import Outcome
    from reader.capture.importers import ImportResult


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    options, links = _split_links(argv)
    if links and not is_link(links[0]):
        parser.error(unknown_command(links[0], _COMMANDS))  # exits with status 2
    args = parser.parse_args(options)
    if args.home:
        os.environ[paths.HOME_ENV] = str(args.home)
    if args.command is None:
        from reader.ui.app import run_gui  # Qt is loaded only for the window

        return run_gui(links)
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PlainTextStream(stdout), PlainTextStream(stderr)
    try:
        if args.handler is not _install_desktop:  # the menu entry makes no Reader home
            setup_cli_logging(args.verbose)
        return _run(args)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(args: argparse.Namespace) -> int:
    """The subcommand, with every failure a user can act on told as one line."""
    try:
        if args.handler in (_install_desktop, _models):  # these need no library
            return args.handler(None, args)
        library = open_library()
        try:
            return args.handler(library, args)
        finally:
            library.close()
    except UserError as error:
        print(f"reader: {error}", file=sys.stderr)
        return 1
    except (sqlite3.OperationalError, sqlite3.IntegrityError) as error:
        message = database_problem(error)
        if message is None:  # a bug, for the traceback
            raise
        print(f"reader: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reader: interrupted", file=sys.stderr)
        return 130


def gui_main() -> int:
    """The ``reader-gui`` entry point for desktop launchers: links arrive as arguments (%U).

    Qt is imported here, not by this module: worker processes (model, extraction) start by
    importing the launcher script, and have no use for a GUI toolkit.
    """
    from reader.ui.app import run_gui

    return run_gui(sys.argv[1:])


def _add(library: Library, args: argparse.Namespace) -> int:
    """Save pages through the capture queue (as the window does: a few at a time, at most two
    per site, extraction in worker processes), each reported as it is done: one line per page,
    and a progress bar too on a terminal."""
    from reader.capture.batch import capture_all

    progress = _progress("Saving")

    def report(outcome: Outcome, done: int) -> None:
        if progress:
            sys.stderr.write("\r\x1b[K")  # the line goes above the bar, which is redrawn
        if outcome.error:
            print(f"reader: {outcome.error}", file=sys.stderr)
        elif outcome.elsewhere:
            print(f"Already being saved by Reader's window: {outcome.text}", flush=True)
        elif not args.json:
            verb = "Added" if outcome.is_new else "Already in the library:"
            print(f"{verb} {outcome.article_id}: {outcome.title}", flush=True)
        if progress:
            progress(done, len(args.urls))

    outcomes = capture_all(library, args.urls, report)
    if args.json:
        print(json.dumps([outcome.as_dict() for outcome in outcomes], indent=2,
                         ensure_ascii=False))
    return 1 if any(outcome.error for outcome in outcomes) else 0


def _import(library: Library, args: argparse.Namespace) -> int:
    """Store what each export carries (saved pages extracted in worker processes), then save
    its other links through the capture queue, with the export's tags, state and dates."""
    from reader.capture.batch import import_links
    from reader.capture.extractor import Extractor
    from reader.capture.importers import detect_and_read, import_batch

    status = 0
    reports = []
    extractor = Extractor()
    try:
        for name in args.files:
            try:
                batch = detect_and_read(Path(name))
            except UserError as error:
                print(f"reader: {error}", file=sys.stderr)
                status = 1
                continue
            result = import_batch(library, batch, extractor, _progress(f"Importing {name}"))
            if not args.no_fetch and result.to_fetch:
                import_links(library, result, extractor, _progress("Fetching pages"))
            status = _report_import(name, result, args.json, reports) or status
    finally:
        extractor.close()
    if args.json:
        print(json.dumps(reports, indent=2, ensure_ascii=False))
    return status


def _report_import(name: str, result: ImportResult, as_json: bool, reports: list) -> int:
    for entry, reason in result.skipped:
        print(f"reader: skipped {entry}: {reason}", file=sys.stderr)
    for _url, reason in result.failed:
        print(f"reader: {reason}", file=sys.stderr)
    for url, reason in result.needs_fetching:
        print(f"reader: saved without text (fetch it again later): {url}: {reason}",
              file=sys.stderr)
    reports.append({
        "file": name, "format": result.format, "added": result.added,
        "duplicates": result.duplicates, "skipped": len(result.skipped),
        "failed": len(result.failed), "not_fetched": len(result.to_fetch),
    })
    if not as_json:
        print(f"{name} ({result.format}): {result.added} added, {result.duplicates} already "
              f"in the library, {len(result.skipped)} skipped, {len(result.failed)} failed"
              + (f", {len(result.to_fetch)} links not fetched (--no-fetch)"
                 if result.to_fetch else ""))
    return 1 if result.failed else 0


def _progress(label: str):
    """A progress line that redraws itself on a terminal, and stays quiet when piped."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def _list(library: Library, args: argparse.Namespace) -> int:
    rows = library.rows()
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row.id:>5}  {row.title}  ({row.site}, {row.reading_minutes} min)")
    return 0


def _search(library: Library, args: argparse.Namespace) -> int:
    rows = library.search(" ".join(args.query), limit=args.limit)
    if args.json:
        print(json.dumps([{**row.as_dict(), "snippet": _plain_snippet(row.snippet)}
                          for row in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No articles match.", file=sys.stderr)
        return 1
    for row in rows:
        print(f"{row.id:>5}  {row.title}  ({row.site})")
        print(f"       {_plain_snippet(row.snippet, '[', ']')}")
    return 0


def _plain_snippet(snippet: str, start: str = "", end: str = "") -> str:
    return " ".join(snippet.replace(MATCH_START, start).replace(MATCH_END, end).split())


def _show(library: Library, args: argparse.Namespace) -> int:
    article = library.get(resolve_article(library, args.article))
    if args.json:
        print(json.dumps({**article.as_dict(), "summary": library.summary(article.id)},
                         indent=2, ensure_ascii=False))
        return 0
    byline = ", ".join(part for part in (article.author, article.site, article.published) if part)
    print(article.title)
    print(byline)
    print(f"{article.url}  ·  {article.reading_minutes} min read")
    summary = library.summary(article.id)
    if summary:
        print(f"\nSummary: {summary}")
    print()
    print(article.text)
    return 0


def _install_desktop(_library: None, args: argparse.Namespace) -> int:
    from reader import desktop_entry

    if args.uninstall:
        removed = desktop_entry.uninstall()
        print(f"Removed Reader from the desktop menu ({len(removed)} files).")
    else:
        written = desktop_entry.install()
        print(f"Reader is in the desktop menu now ({written[0]}).")
    return 0


def _models(library: Library | None, args: argparse.Namespace) -> int:
    from reader.summarize import catalogue, memory
    from reader.summarize.download import download, partial_bytes

    settings = Settings.load()
    if args.action == "list":
        models = catalogue.list_models(settings)
        if args.json:
            print(json.dumps([{
                "id": m.id, "name": m.name, "source": m.source, "path": str(m.path),
                "present": m.present, "size": m.size, "active": m.active,
            } for m in models], indent=2))
            return 0
        for m in models:
            if m.present:
                state = "ready"
            elif m.entry is not None and partial_bytes(m.entry):
                state = f"partly downloaded ({partial_bytes(m.entry) / 1e9:.1f} GB)"
            else:
                state = "not downloaded" if m.source == "catalogue" else "file missing"
            size = f"{m.size / 1e9:.1f} GB" if m.size else ""
            print(f"{'*' if m.active else ' '} {m.id:<22} {m.name:<32} {size:>8}  {state}")
        return 0
    if args.action == "add":
        model = catalogue.add_model(Path(args.target), args.name)
        print(f"Added {model.name} ({model.path}); `reader models use {model.id}` chooses it.")
        return 0
    if args.action == "use":
        model = catalogue.use_model(args.target, settings)
        print(f"Summaries are now written by {model.name}.")
        _warn_memory(memory, model.path, settings)
        return 0
    entry = catalogue.catalogue_entry(args.target)
    if entry is None:
        raise ModelError(f"No catalogue model is called {args.target!r}; "
                         "`reader models list` shows them.")
    try:
        path = download(entry, progress=_progress(f"Downloading {entry.name}"))
    except KeyboardInterrupt:
        print("\nreader: stopped; run the same command again to continue the download.",
              file=sys.stderr)
        return 130
    print(f"Downloaded {entry.name} to {path}.")
    if args.use:
        catalogue.use_model(entry.id, settings)
        print(f"Summaries are now written by {entry.name}.")
    _warn_memory(memory, path, settings)
    return 0


def _warn_memory(memory, path: Path, settings: Settings) -> None:
    fit = memory.check(path, settings.context_limit)
    if fit.warning:
        print(f"reader: {fit.warning}", file=sys.stderr)


def _split_links(argv: list[str]) -> tuple[list[str], list[str]]:
    """``reader [--home DIR] URL...`` opens the window with links (what a launcher's %U gives);
    anything else is a subcommand line. Returns (arguments for the parser, links)."""
    position = 0
    while position < len(argv) and argv[position].startswith("-"):
        position += 2 if argv[position] == "--home" else 1
    if position < len(argv) and argv[position] not in _COMMANDS:
        return argv[:position], argv[position:]
    return argv, []


_COMMANDS = ("add", "import", "list", "search", "show", *MODEL_COMMANDS, *LIBRARY_COMMANDS,
             *HIGHLIGHT_COMMANDS, "models", "install-desktop")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader", description="Reader: your saved web articles, summarised offline."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--home", help="keep the whole library in this folder (as READER_HOME)")
    parser.add_argument("--verbose", action="store_true",
                        help="show the log (libraries' warnings too) on stderr")
    parser.set_defaults(command=None, urls=[])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = commands.add_parser("add", help="save web pages to the library")
    add.add_argument("urls", nargs="+", metavar="URL")
    add.set_defaults(handler=_add)

    importing = commands.add_parser(
        "import", help="import an export from Pocket, Instapaper, Omnivore, Wallabag, Karakeep, "
        "Readwise Reader, a browser's bookmarks, or a list of links")
    importing.add_argument("files", nargs="+", metavar="FILE")
    importing.add_argument("--no-fetch", action="store_true",
                           help="store what the export carries; don't fetch the other links")
    importing.set_defaults(handler=_import)

    listing = commands.add_parser("list", help="list the articles, newest first")
    listing.set_defaults(handler=_list)

    search = commands.add_parser("search", help="full-text search, best matches first")
    search.add_argument("query", nargs="+", metavar="WORD")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.set_defaults(handler=_search)

    show = commands.add_parser("show", help="print an article")
    show.add_argument("article", metavar="ID|URL")
    show.set_defaults(handler=_show)

    add_model_commands(commands)
    add_library_commands(commands)
    add_highlight_commands(commands)

    models = commands.add_parser("models", help="the models that can write summaries")
    models_actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    models_list = models_actions.add_parser("list", help="the embedded, added and recommended models")
    models_list.add_argument("--json", action="store_true", help="machine-readable output")
    models_add = models_actions.add_parser("add", help="add a GGUF file you have")
    models_add.add_argument("target", metavar="PATH")
    models_add.add_argument("--name", help="what to call it")
    models_download = models_actions.add_parser(
        "download", help="download a recommended model (resumes an interrupted download)")
    models_download.add_argument("target", metavar="ID")
    models_download.add_argument("--use", action="store_true", help="and use it")
    models_use = models_actions.add_parser("use", help="choose the model for summaries")
    models_use.add_argument("target", metavar="ID|NAME|PATH")
    models.set_defaults(handler=_models)

    desktop = commands.add_parser("install-desktop",
                                  help="add Reader to this user's desktop menu (with its icon)")
    desktop.add_argument("--uninstall", action="store_true", help="remove it again")
    desktop.set_defaults(handler=_install_desktop)

    for sub in (add, importing, listing, search, show):
        sub.add_argument("--json", action="store_true", help="machine-readable output")
    for sub in set(commands.choices.values()):  # after the command word too
        sub.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                         help=argparse.SUPPRESS)
    return parser
