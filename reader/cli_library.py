"""The ``reader`` subcommands that change the library, through the same undoable operations the
window uses (``Library.set_flag`` and ``Library.tag``): tag, untag, archive, unarchive,
favourite, unfavourite, read, unread, delete (to the bin) and restore (from it); and
``reader export``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reader.cli_model import resolve_article
from reader.export import FORMATS, export, selected_ids
from reader.library import Library
from reader.library.listing import VIEWS

# command -> (flag, value, what is printed: "Archived 3: Title")
_FLAG_COMMANDS = {
    "archive": ("archived", True, "Archived"),
    "unarchive": ("archived", False, "Back in the inbox"),
    "favourite": ("favourite", True, "Favourite"),
    "unfavourite": ("favourite", False, "No longer a favourite"),
    "read": ("read", True, "Read"),
    "unread": ("read", False, "Unread"),
    "delete": ("deleted", True, "In the bin (`reader restore` brings it back)"),
    "restore": ("deleted", False, "Restored"),
}
COMMANDS = ("tag", "untag", *_FLAG_COMMANDS, "export")


def add_commands(commands: argparse._SubParsersAction) -> None:
    for name, present in (("tag", True), ("untag", False)):
        sub = commands.add_parser(name, help=f"{'add tags to' if present else 'remove tags from'}"
                                  " an article")
        sub.add_argument("article", metavar="ID|URL")
        sub.add_argument("tags", nargs="+", metavar="TAG")
        sub.set_defaults(handler=tag_command, present=present)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
    for name in _FLAG_COMMANDS:
        sub = commands.add_parser(name, help=f"{name} articles")
        sub.add_argument("articles", nargs="+", metavar="ID|URL")
        sub.set_defaults(handler=flag_command, flag_command=name)
        sub.add_argument("--json", action="store_true", help="machine-readable output")

    exporting = commands.add_parser(
        "export", help="export the library (or a view, a tag, or given articles)")
    exporting.add_argument("ids", nargs="*", type=int, metavar="ID")
    exporting.add_argument("--format", required=True, choices=FORMATS)
    exporting.add_argument("--output", required=True, type=Path, metavar="PATH",
                           help="the file (json, bookmarks, csv) or folder (markdown, html)")
    exporting.add_argument("--view", choices=VIEWS, default="all")
    exporting.add_argument("--tag", help="only the articles with this tag")
    exporting.add_argument("--json", action="store_true", help="machine-readable output")
    exporting.set_defaults(handler=export_command)


def tag_command(library: Library, args: argparse.Namespace) -> int:
    article_id = resolve_article(library, args.article)
    for name in args.tags:
        library.tag([article_id], name, present=args.present)
    return _report(library, [article_id], args, "Tagged" if args.present else "Untagged")


def flag_command(library: Library, args: argparse.Namespace) -> int:
    flag, value, done = _FLAG_COMMANDS[args.flag_command]
    # An id finds a binned article too, so that restore can.
    ids = list(dict.fromkeys(resolve_article(library, reference) for reference in args.articles))
    library.set_flag(ids, flag, value)
    return _report(library, ids, args, done)


def export_command(library: Library, args: argparse.Namespace) -> int:
    from reader.cli import _progress  # the CLI's one progress line (cli.py imports this module)

    ids = selected_ids(library, args.view, args.tag, args.ids)
    result = export(library, args.format, args.output, ids,
                    _progress(f"Exporting {len(ids)} articles"))
    if args.json:
        print(json.dumps({"format": result.format, "path": str(result.path),
                          "articles": result.articles}, ensure_ascii=False))
    else:
        print(f"Exported {result.articles} articles ({result.format}) to {result.path}")
    return 0


def _report(library: Library, ids: list[int], args: argparse.Namespace, done: str) -> int:
    articles = [library.get(article_id) for article_id in ids]
    if args.json:
        deleted = dict(library.query(
            f"SELECT id, deleted FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids))
        print(json.dumps([{"id": a.id, "title": a.title, "url": a.url, "tags": a.tags,
                           "archived": a.archived, "favourite": a.favourite, "read": a.read,
                           "deleted": bool(deleted[a.id])} for a in articles],
                         indent=2, ensure_ascii=False))
        return 0
    for article in articles:
        tags = f" [{', '.join(article.tags)}]" if args.handler is tag_command else ""
        print(f"{done} {article.id}: {article.title}{tags}")
    return 0
