"""Text for the benchmarks: English-looking articles drawn from real article text.

The word source is the hand-made article bodies of the extraction benchmark in shared/data (121
news and blog articles, about 85,000 words), or the fixture pages' text where that is missing.
Sentences are cut from that text and recombined, so word frequencies, sentence lengths and the
tokenizer's work look like real articles; every generated article is a different combination.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUND_TRUTH = ROOT.parent / "shared" / "data" / "extraction-benchmark" / "ground-truth.json"
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
_WORD = re.compile(r"[A-Za-z][a-z]{3,}")
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
               "Kira", "Liam", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
               "Uma", "Viktor", "Wen", "Yara", "Zoe")
LAST_NAMES = ("Abbott", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
              "Ito", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
              "Quist", "Rossi", "Singh", "Tanaka", "Ueda", "Varga", "Weber", "Young")
# A term put into a known number of generated articles: the rarest search there is.
MARKER = "zyxquorbel"


@cache
def source_texts() -> tuple[str, ...]:
    if GROUND_TRUTH.exists():
        data = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
        return tuple(item["articleBody"] for item in data.values() if item.get("articleBody"))
    from reader.capture.extract import extract
    from reader.errors import CaptureError

    texts = []
    for page in sorted(FIXTURE_PAGES.glob("*.html")):
        try:
            texts.append(extract(page.read_text(encoding="utf-8"), "https://example.org/").text)
        except CaptureError:  # a page with no article (the no-article fixture)
            continue
    return tuple(texts)


@cache
def sentences() -> tuple[str, ...]:
    found = []
    for text in source_texts():
        for match in _SENTENCE.finditer(text):
            sentence = " ".join(match.group().split())
            if 6 <= len(sentence.split()) <= 45:
                found.append(sentence)
    return tuple(found)


@cache
def title_words() -> tuple[str, ...]:
    words = {w for text in source_texts() for w in _WORD.findall(text)}
    return tuple(sorted(words))


@cache
def sites() -> tuple[str, ...]:
    rng = random.Random(7)
    words = [w.lower() for w in title_words() if len(w) <= 9]
    return tuple(f"{rng.choice(words)}{rng.choice(['news', 'times', 'blog', 'post', 'daily', 'review', 'journal'])}.example"
                 for _ in range(300))


def title(rng: random.Random) -> str:
    words = rng.sample(title_words(), rng.randint(4, 9))
    return " ".join(word.capitalize() if i == 0 else word for i, word in enumerate(words))


def author(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def paragraphs(rng: random.Random, words: int) -> list[str]:
    """Paragraphs of recombined sentences, ``words`` words in all (give or take a sentence)."""
    pool = sentences()
    result: list[str] = []
    count = 0
    while count < words:
        paragraph = [rng.choice(pool) for _ in range(rng.randint(2, 6))]
        count += sum(len(s.split()) for s in paragraph)
        result.append(" ".join(paragraph))
    return result


def article_text(rng: random.Random, words: int) -> str:
    return "\n".join(paragraphs(rng, words))


def long_text(tokens_wanted: int, count_tokens) -> str:
    """Real article bodies one after another (then recombined sentences) until the text is about
    ``tokens_wanted`` tokens long by ``count_tokens``."""
    parts: list[str] = []
    rng = random.Random(20)
    texts = list(source_texts())
    rng.shuffle(texts)
    total = 0
    while total < tokens_wanted:
        text = texts.pop() if texts else article_text(rng, 800)
        parts.append(text)
        total += count_tokens(text + "\n")
    return "\n".join(parts)

