"""Reading what a model writes: the summary apart from its reasoning, while it streams.

Models answer in one of three shapes, and one parser reads them all, for every backend:

- GPT-OSS's *harmony* format: messages, each a header and a body,
  ``<|channel|>analysis<|message|>...<|end|>``
  ``<|start|>assistant<|channel|>final<|message|>...<|return|>``.
  Only the ``final`` channel is the summary; ``analysis``, ``commentary`` and anything else is
  reasoning. llama-cpp-python leaves out ``<|end|>`` (a control token) when it turns tokens into
  text, so a new ``<|start|>`` or ``<|channel|>`` also ends a message, and a header may come
  without its ``<|start|>assistant``.
- ``<think>...</think>`` models (Qwen3, DeepSeek-R1 distills). ``<think>`` counts only at the very
  start of the output. Where the chat template itself opened ``<think>`` (R1's does), the output
  starts inside the thinking with no tag to say so: the prompt knows this
  (``prompt.Prompt.starts_in_reasoning``) and the parser is told, rather than guessing from text
  it would have to hold back.
- Plain models: everything is the summary.

Text before any tag belongs to the message the output starts in: the summary, unless the parser
was told the output starts in reasoning. A ``</think>`` that closes nothing is dropped.

Chatty openings ("Sure! Here's a short summary:", "Summary:", a "## Summary" heading line) are
cut from the very start of the summary, and so is leading whitespace. Nothing else is cut.

The parser is fed text pieces as they arrive, split anywhere (inside a tag too). It holds back
only what it cannot yet decide about: a possible partial tag at the end of what it has, or the
first words of the summary while they may still be an opening to cut, and hands the rest on at
once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)

FINAL = "final"
REASONING = "reasoning"

_ENDS = ("<|end|>", "<|return|>", "<|call|>")
_HARMONY_TAGS = ("<|start|>", "<|channel|>", "<|message|>", "<|constrain|>", *_ENDS)
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
# A harmony header ("assistant<|channel|>final") is short; longer text is a message body whose
# <|message|> tag went missing.
HEADER_LIMIT = 64
_CHANNELS = ("final", "analysis", "commentary")
_CHANNEL_WORD = re.compile(rf"\s*({'|'.join(_CHANNELS)})", re.IGNORECASE)
_ROLE_ONLY = re.compile(r"\s*(assistant|user|system|developer)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    kind: str  # FINAL or REASONING
    text: str


class Parser:
    """Splits a model's streamed output into summary (``final``) and ``reasoning`` text."""

    def __init__(self, *, starts_in_reasoning: bool = False, strip_preamble: bool = True):
        self._pending = ""  # received, not yet read: may end in the start of a tag
        self._in_header = False
        self._role = ""  # header text before <|channel|>
        self._channel: str | None = None  # header text after <|channel|>
        self._kind = REASONING if starts_in_reasoning else FINAL
        self._seen_text = False  # any non-blank text yet; <think> only counts before it
        self._opening = _Opening(strip_preamble)
        self._final: list[str] = []
        self._reasoning: list[str] = []

    @property
    def final(self) -> str:
        """The summary so far (what the ``final`` events carried)."""
        return "".join(self._final)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    def feed(self, text: str) -> list[Event]:
        """Read one more piece of output; returns what can be told apart already."""
        self._pending += text
        events: list[Event] = []
        self._read(events, at_end=False)
        return _merged(events)

    def finish(self) -> list[Event]:
        """The output is complete: hand on everything still held back."""
        events: list[Event] = []
        self._read(events, at_end=True)
        if self._in_header and self._header_has_text():
            self._break_header()
            self._read(events, at_end=True)
        self._emit_final(self._opening.finish(), events)
        return _merged(events)

    def stream(self, pieces: Iterable[str | Event]) -> Iterator[Event]:
        """Events for a whole stream of pieces, ending with what ``finish`` hands on.

        A piece may be an ``Event`` already: reasoning a server told apart from the answer. It
        is passed on as it is, after what the text before it held.
        """
        for piece in pieces:
            if isinstance(piece, Event):
                yield from self._told(piece)
            else:
                yield from self.feed(piece)
        yield from self.finish()

    def _told(self, event: Event) -> list[Event]:
        (self._reasoning if event.kind == REASONING else self._final).append(event.text)
        return [event]

    # Reading

    def _active_tags(self) -> tuple[str, ...]:
        if self._in_header:
            return _HARMONY_TAGS
        if not self._seen_text:
            return (*_HARMONY_TAGS, _THINK_OPEN, _THINK_CLOSE)
        return (*_HARMONY_TAGS, _THINK_CLOSE)

    def _read(self, events: list[Event], at_end: bool) -> None:
        while self._pending:
            tags = self._active_tags()
            held = 0 if at_end else _partial_tag_length(self._pending, tags)
            index, tag = min(
                ((self._pending.find(tag), tag) for tag in tags if tag in self._pending),
                default=(len(self._pending) - held, ""),
            )
            text = self._pending[:index]
            if not self._in_header:
                self._text(text, events)
            elif self._header_breaks(text, tag):
                continue  # what the header held is back in _pending, to be read as a message
            self._pending = self._pending[index + len(tag):]
            if tag in self._active_tags():
                self._tag(tag)
            elif tag:  # "<think>" after text: that text made it plain text
                self._text(tag, events)
            if not tag:
                return  # nothing left but, perhaps, the start of a tag

    def _tag(self, tag: str) -> None:
        if tag == _THINK_OPEN:
            self._kind = REASONING
        elif tag == _THINK_CLOSE:
            if self._kind == REASONING:
                self._kind = FINAL
            else:
                log.debug("Dropped a </think> that closes no thinking")
        elif tag == "<|channel|>":
            if not self._in_header:
                self._start_header()
            self._channel = ""
        elif tag == "<|message|>":
            if self._in_header:
                self._in_header = False
                self._kind = self._kind_from_header()
        elif tag == "<|constrain|>":
            if self._in_header:
                self._channel = (self._channel or "") + " "
        elif tag in ("<|start|>", *_ENDS):  # a new header, or the end of a message
            self._start_header()

    # Harmony headers

    def _start_header(self) -> None:
        self._in_header = True
        self._role = ""
        self._channel = None

    def _header_has_text(self) -> bool:
        return self._channel is not None or not _ROLE_ONLY.fullmatch(self._role)

    def _kind_from_header(self) -> str:
        if self._channel is None:
            role = self._role.strip().lower()
            return FINAL if role in ("", "assistant") else REASONING
        words = self._channel.split()
        return FINAL if words and words[0].lower() == "final" else REASONING

    def _header_breaks(self, text: str, tag: str) -> bool:
        """Take ``text`` into the header, unless it shows the header is not one: then break it."""
        room = HEADER_LIMIT - len(self._role) - len(self._channel or "")
        if len(text) > room:  # far too long for a header: a body whose <|message|> went missing
            self._add_to_header(text[: room + 1])
            self._pending = self._pending[room + 1:]
            self._break_header()
            return True
        self._add_to_header(text)
        # A new header, or an end, where this one has said something but never <|message|>.
        new_channel = tag == "<|channel|>" and self._channel is not None
        if (tag in ("<|start|>", *_ENDS) or new_channel) and self._header_has_text():
            self._pending = self._pending[len(text):]
            self._break_header()
            return True
        return False

    def _add_to_header(self, text: str) -> None:
        if self._channel is None:
            self._role += text
        else:
            self._channel += text

    def _break_header(self) -> None:
        """Read a header that never got its <|message|> as a message, its text put back to read.

        ``<|channel|>finalThe council...`` is the final channel and its body; text after an end
        with no header at all continues the kind of message before it.
        """
        if self._channel is not None:
            match = _CHANNEL_WORD.match(self._channel)
            word = match.group(1).lower() if match else ""
            body = self._channel[match.end():] if match else self._channel
            if not match and any(name.startswith(body.strip().lower()) for name in _CHANNELS):
                body = ""  # cut off inside the channel's name
            self._kind = FINAL if word == "final" else REASONING
        else:
            body = self._role
        self._in_header = False
        self._pending = body + self._pending

    # Text

    def _text(self, text: str, events: list[Event]) -> None:
        if not text:
            return
        if text.strip():
            self._seen_text = True
        if self._kind == REASONING:
            self._reasoning.append(text)
            events.append(Event(REASONING, text))
        else:
            self._emit_final(self._opening.feed(text), events)

    def _emit_final(self, text: str, events: list[Event]) -> None:
        if text:
            self._final.append(text)
            events.append(Event(FINAL, text))


def _merged(events: list[Event]) -> list[Event]:
    merged: list[Event] = []
    for event in events:
        if merged and merged[-1].kind == event.kind:
            merged[-1] = Event(event.kind, merged[-1].text + event.text)
        else:
            merged.append(event)
    return merged


def parse(text: str, *, starts_in_reasoning: bool = False) -> tuple[str, str]:
    """``(final, reasoning)`` of a complete output."""
    parser = Parser(starts_in_reasoning=starts_in_reasoning)
    parser.feed(text)
    parser.finish()
    return parser.final, parser.reasoning


def _partial_tag_length(text: str, tags: tuple[str, ...]) -> int:
    """How many characters at the end of ``text`` may be the start of a tag."""
    start = text.rfind("<")
    if start < 0:
        return 0
    tail = text[start:]
    return len(tail) if any(tag.startswith(tail) and tag != tail for tag in tags) else 0


# Openings to cut from the start of a summary

_OPENER = r"(?:sure|certainly|absolutely|of\s+course|okay|ok|alright|all\s+right)\b[!.,]?\s*"
_TOPIC = (
    r"(?:summary|summari[sz]ation|overview|(?:key|main)\s+(?:points|takeaways)|recap|rundown"
    r"|tl;?dr|bullet\s+points)"
)
_LABEL = (
    r"(?:[#]{1,6}\s*)?(?:\*\*|__)?(?:(?:short|brief|detailed|article)\s+)?"
    r"(?:summary|(?:key|main)\s+(?:points|takeaways)|tl;?dr)(?:\*\*|__)?"
)
_PREAMBLE = re.compile(
    rf"""(?:{_OPENER})?(?:\*\*)?(?:here(?:'s|’s|\s+is|\s+are)|below\s+(?:is|are))\b
         [^:\n]{{0,80}}?\b{_TOPIC}\b[^:\n]{{0,80}}:(?:\*\*)?
       | {_LABEL}\s*:(?:\*\*|__)?
       | {_LABEL}[ \t]*\n""",
    re.IGNORECASE | re.VERBOSE,
)
_OPENER_START = re.compile(_OPENER, re.IGNORECASE)
_FIRST_WORD = re.compile(r"[#*_\s]*([\w'’;]*)")
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
# First words an opening can start with; anything else is the summary itself.
_OPENING_WORDS = (
    "sure", "certainly", "absolutely", "of", "okay", "ok", "alright", "all", "here", "here's",
    "here’s", "below", "summary", "key", "main", "tl;dr", "tldr", "short", "brief", "detailed",
    "article",
)
_OPENING_MAX = 220


class _Opening:
    """Holds the first words of the summary until it is clear whether they are an opening."""

    def __init__(self, strip_preamble: bool):
        self._held = ""
        self._state = "opening" if strip_preamble else "blank"  # then "blank", then "body"

    def feed(self, text: str) -> str:
        """The part of ``text`` that is summary and may be handed on now."""
        if self._state == "body":
            return text
        self._held += text
        return self._decide(at_end=False)

    def finish(self) -> str:
        return self._decide(at_end=True) if self._state != "body" else ""

    def _decide(self, at_end: bool) -> str:
        held = self._held.lstrip()
        self._held = held
        if not held:
            return ""
        if self._state == "opening":
            cut = _opening_length(held, at_end)
            if cut is None:
                return ""
            self._state = "blank"
            if cut:
                self._held = ""
                return self.feed(held[cut:])
        self._state, self._held = "body", ""
        return held


def _opening_length(text: str, at_end: bool) -> int | None:
    """Length of the opening at the start of ``text``: 0 when there is none, None if unclear yet."""
    match = _PREAMBLE.match(text)
    if match and _quotes_balanced(match.group()):
        if at_end or text[match.end():].strip(" \t\n*_"):
            return match.end()
        return None  # "Summary:" so far; a closing "**" may follow
    if at_end or len(text) > _OPENING_MAX:
        return 0
    opener = _OPENER_START.match(text)
    rest = text[opener.end():] if opener else text
    # An opening is one line ending in ":" (or a heading line), with no full stop before it.
    if "\n" in rest or ":" in rest or _SENTENCE_END.search(rest):
        return 0
    if not _may_open(text) or (opener and rest and not _may_open(rest)):
        return 0
    return None


def _may_open(text: str) -> bool:
    """Whether the first word of ``text`` is, or may become, one an opening starts with."""
    word = _FIRST_WORD.match(text)
    first = word.group(1).lower()
    if word.end() < len(text):
        return first in _OPENING_WORDS
    return any(candidate.startswith(first) for candidate in _OPENING_WORDS)


def _quotes_balanced(text: str) -> bool:
    # 'Here is a summary of "Kelby: a town...": ' must not be cut inside the title.
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")
