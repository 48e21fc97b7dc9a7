"""``reader highlight``, ``reader highlights`` and ``reader unhighlight``: the highlights of the
window, from a terminal, through the same library operations."""

from __future__ import annotations

import argparse
import json

from reader.cli_model import resolve_article
from reader.library import Library, highlights
from reader.library.anchoring import Selector

COMMANDS = ("highlight", "highlights", "unhighlight")


def add_commands(commands: argparse._SubParsersAction) -> None:
    making = commands.add_parser(
        "highlight", help="highlight the first place TEXT is in an article")
    making.add_argument("article", metavar="ID|URL")
    making.add_argument("text", metavar="TEXT")
    making.add_argument("--note", default="", help="a note on the highlight (Markdown)")
    making.add_argument("--color", default=highlights.COLOURS[0], choices=highlights.COLOURS)
    making.add_argument("--json", action="store_true", help="machine-readable output")
    making.set_defaults(handler=highlight_command)

    listing = commands.add_parser(
        "highlights", help="list the highlights of an article, or of the whole library")
    listing.add_argument("article", nargs="?", metavar="ID|URL")
    listing.add_argument("--search", default="", help="only those with these words")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=highlights_command)

    removing = commands.add_parser("unhighlight", help="remove highlights")
    removing.add_argument("highlights", nargs="+", type=int, metavar="HID")
    removing.add_argument("--json", action="store_true", help="machine-readable output")
    removing.set_defaults(handler=unhighlight_command)


def highlight_command(library: Library, args: argparse.Namespace) -> int:
    article_id = resolve_article(library, args.article)
    made, _ = highlights.add(library, article_id, Selector(args.text), color=args.color,
                             note=args.note, exact=True)
    return _print(args, [made], "Highlighted")


def highlights_command(library: Library, args: argparse.Namespace) -> int:
    if args.article is None:
        found = highlights.listing(library, args.search)
    else:
        found = highlights.for_article(library, resolve_article(library, args.article),
                                       args.search)
    return _print(args, found, "")


def unhighlight_command(library: Library, args: argparse.Namespace) -> int:
    gone = [highlights.get(library, highlight_id) for highlight_id in args.highlights]
    for article_id in {h.article_id for h in gone}:
        highlights.remove(library, [h.id for h in gone if h.article_id == article_id])
    return _print(args, gone, "Removed")


def _print(args: argparse.Namespace, listed: list[highlights.Highlight], done: str) -> int:
    if args.json:
        print(json.dumps([h.as_json() for h in listed], indent=2, ensure_ascii=False))
        return 0
    for h in listed:
        where = "" if h.found else "  (not found in the current text)"
        print(f"{done + ' ' if done else ''}{h.id} [{h.color}] article {h.article_id} "
              f"{h.article_title}{where}")
        print(f"    “{' '.join(h.quote.split())}”")
        for line in h.note.splitlines():
            print(f"    {line}")
    if not listed and not done:
        print("No highlights.")
    return 0
