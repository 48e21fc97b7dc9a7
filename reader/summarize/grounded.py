"""Grounding results in the JSON form the library keeps and ``reader ... --json`` prints:
a sentence ``{"text", "supported", "reason", "sources"}``, a source ``{"quote", "start",
"end"}`` (offsets into the article's plain text)."""

from __future__ import annotations

from reader.summarize.grounding import GroundedSentence, Source


def source_json(source: Source) -> dict:
    return {"quote": source.quote, "start": source.start, "end": source.end}


def sentence_json(sentence: GroundedSentence) -> dict:
    return {"text": sentence.text, "supported": sentence.supported, "reason": sentence.reason,
            "sources": [source_json(source) for source in sentence.sources]}
