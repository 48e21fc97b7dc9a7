"""The command line's words and output: which words are links, what an unknown word may have
meant, and output that is text, never terminal control.

Titles, snippets, addresses and error messages come from web pages, servers and files: a title
holding ``ESC ] 0 ; ... BEL`` would retitle the terminal, other sequences rewrite the screen or
the clipboard. ``PlainTextStream`` wraps stdout and stderr so that every line the CLI prints is
cleaned on the way out, whichever command printed it. Imports no Qt.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from typing import TextIO

# C0 controls but tab and newline, DEL, C1 controls (U+009B is a CSI on some terminals), and the
# bidirectional overrides that make text read other than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Reader's own progress line redraws itself: a carriage return and "erase to the end of line".
_PROGRESS = re.compile(r"(\r\x1b\[K|\r)")


def plain(text: str) -> str:
    """``text`` without control characters (tab and newline stay)."""
    return _CONTROL.sub("", text)


class PlainTextStream:
    """A text stream that passes on what is written to it through ``plain``.

    Only the progress line's own redraw (a carriage return, with "erase line" when it comes
    right after it) gets through, and only while the stream is a terminal the progress line is
    drawn on.
    """

    def __init__(self, stream: TextIO):
        self._stream = stream
        self._redraws = stream.isatty()

    def write(self, text: str) -> int:
        if self._redraws:
            parts = _PROGRESS.split(text)
            cleaned = "".join(part if index % 2 else plain(part)
                              for index, part in enumerate(parts))
        else:
            cleaned = plain(text)
        self._stream.write(cleaned)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def is_link(word: str) -> bool:
    """A word the window can open: a URL (any scheme: the window says what it can't open), a
    ``www.`` address, or a file that exists."""
    return bool(_URL_START.match(word)) or word.lower().startswith("www.") or os.path.exists(word)


_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def unknown_command(word: str, commands: Iterable[str]) -> str:
    """The error for a first word that is neither a command, a link nor a file."""
    close = difflib.get_close_matches(word, list(commands), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else f"the commands are {', '.join(commands)}"
    return f"{plain(word)!r} is not a command, a web address or a file ({hint})"
