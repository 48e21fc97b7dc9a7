"""The ``reader`` subcommands that use a model: ``summarize`` and ``ask``, with what the article
supports marked; and finding the article a command names (an id, or a saved page's URL)."""

from __future__ import annotations

import argparse
import json
import sys
import threading

from reader.capture.urls import canonical_url, check_url
from reader.errors import CaptureError, LibraryError
from reader.library import Library, grounding_store
from reader.settings import Settings
from reader.summarize import prompt
from reader.summarize.ask import ask_and_store
from reader.summarize.backends.factory import open_model
from reader.summarize.summarizer import grounded_summary, summarize_and_store

COMMANDS = ("summarize", "summarise", "ask")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The model's subcommands, each with the same model options."""
    summarize = commands.add_parser("summarize", aliases=["summarise"],
                                    help="summarise an article with the local model")
    summarize.add_argument("article", metavar="ID|URL")
    summarize.set_defaults(handler=summarize_command)

    ask = commands.add_parser("ask", help="ask a question about an article (follow-up questions "
                              "go on from the ones before)")
    ask.add_argument("article", metavar="ID|URL")
    ask.add_argument("question", nargs="+", metavar="QUESTION")
    ask.add_argument("--new", action="store_true",
                     help="start a new conversation about the article")
    ask.set_defaults(handler=ask_command)

    for sub in (summarize, ask):
        sub.add_argument("--model", help="GGUF model file (default: the settings, else the "
                         "embedded model); with --endpoint, the model's name on the server")
        sub.add_argument("--endpoint", metavar="URL",
                         help="use an OpenAI-compatible server instead (llama.cpp, vLLM, Ollama)")
        sub.add_argument("--json", action="store_true", help="machine-readable output")


def summarize_command(library: Library, args: argparse.Namespace) -> int:
    """Stream the summary; then each sentence the article does not support is named on stderr
    (``--json``: every sentence, with its sources, in the output)."""
    article_id = resolve_article(library, args.article, add_missing=True)
    model = open_model(Settings.load(), args.model, args.endpoint)
    cancelled = threading.Event()
    reading = _ReadingLine("Reading the article")
    try:
        for piece in summarize_and_store(library, article_id, model, cancelled,
                                         progress=reading.part, reading=reading):
            if not args.json:
                sys.stdout.write(piece)
                sys.stdout.flush()
    except KeyboardInterrupt:
        cancelled.set()
        raise
    finally:
        model.close()
    stored = grounded_summary(library, article_id, model.name, prompt.version())
    assert stored is not None  # stored once written; a model that wrote nothing raised
    if args.json:
        print(json.dumps({"id": article_id, "model": model.name, "summary": stored.text,
                          "sentences": stored.sentences}, ensure_ascii=False))
        return 0
    sys.stdout.write("\n")
    _warn_unsupported(stored.sentences or [])
    return 0


def ask_command(library: Library, args: argparse.Namespace) -> int:
    article_id = resolve_article(library, args.article)
    if args.new:
        grounding_store.forget_conversation(library, article_id)
    model = open_model(Settings.load(), args.model, args.endpoint)
    cancelled = threading.Event()
    try:
        answer = ask_and_store(library, article_id, " ".join(args.question), model, cancelled,
                               reading=_ReadingLine("Reading the article's passages"))
    except KeyboardInterrupt:
        cancelled.set()
        raise
    finally:
        model.close()
    assert answer is not None  # only cancelling gives none, and that raised above
    if args.json:
        print(json.dumps(answer.as_json(), ensure_ascii=False))
        return 0
    print(answer.text)
    if answer.sources:
        print()
    for number, source in enumerate(answer.sources, start=1):
        print(f"[{number}] {' '.join(source.quote.split())}")
    if answer.sources:  # else the answer is that the article does not say
        _warn_unsupported(answer.as_json()["sentences"])
    return 0


class _ReadingLine:
    """How much of its prompt the model has read, as a progress line on a terminal (nothing when
    stderr is not one): the wait before a big model's first word can be a minute."""

    def __init__(self, label: str):
        self.label = label

    def part(self, number: int, count: int) -> None:
        """A long article's step (``summarizer.Progress``): its parts, then their summaries."""
        self.label = (f"Reading part {number} of {count}" if number <= count
                      else "Reading the parts' summaries")

    def __call__(self, done: int, total: int) -> None:
        from reader.cli import _progress  # the CLI's one progress line (cli.py imports this)

        line = _progress(self.label)
        if line is not None:
            line(done, total)


def _warn_unsupported(sentences: list[dict]) -> None:
    for sentence in sentences:
        if not sentence["supported"]:
            print(f"reader: {sentence['reason']}: {sentence['text']}", file=sys.stderr)


def resolve_article(library: Library, reference: str, add_missing: bool = False) -> int:
    """An article id from what the user typed: an id, or the URL of a saved page."""
    if reference.isdigit():
        library.get(int(reference))  # raises a clear error if there is no such article
        return int(reference)
    found = library.find_by_url(canonical_url(check_url(reference)))
    if found is not None:
        return found
    if add_missing:
        from reader.capture.batch import capture_all  # see reader.cli: loaded when needed

        (outcome,) = capture_all(library, [reference])
        if outcome.error or outcome.article_id is None:
            raise CaptureError(outcome.error or f"Reader is saving {reference} in its window; "
                               "try again in a moment.")
        return outcome.article_id
    raise LibraryError(f"No article with the address {reference} in the library.")
