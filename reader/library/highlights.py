"""Highlights and notes: passages of an article the reader marked, each in a colour and with an
optional note (Markdown), and a note on the whole article.

Each highlight is anchored in the article's plain text (``anchoring``): its quote, context and
offsets. When the text changes (re-extraction, a page fetched at last, a later version) every
highlight of the article is anchored again; one no longer found keeps its quote and is listed as
not found, never dropped. Every edit is undoable (a ``Change``) and announced to listeners as
``highlighted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.errors import LibraryError
from reader.library.anchoring import Selector, anchor, first_occurrence
from reader.library.listing import fts_query
from reader.library.rows import marks, utc_now
from reader.library.state import Change

if TYPE_CHECKING:
    from reader.library.store import Library, Transaction

COLOURS = ("yellow", "green", "blue", "pink", "purple")
MAX_NOTE_CHARS = 100_000
COLUMNS = ("id", "article_id", "quote", "prefix", "suffix", "text_start", "text_end", "color",
           "note", "created")
_SELECT = ", ".join(f"h.{name}" for name in COLUMNS)


@dataclass(frozen=True)
class Highlight:
    id: int
    article_id: int
    quote: str
    prefix: str
    suffix: str
    start: int  # offsets in the article's text; -1: not found in the current text
    end: int
    color: str
    note: str
    created: str
    article_title: str = ""  # filled in library-wide lists

    @property
    def found(self) -> bool:
        return self.start >= 0

    def as_json(self) -> dict:
        return {"id": self.id, "article": self.article_id, "text": self.quote, "note": self.note,
                "color": self.color, "created": self.created, "found": self.found}


def add(library: Library, article_id: int, selector: Selector, color: str = COLOURS[0],
        note: str = "", exact: bool = False) -> tuple[Highlight, Change]:
    """Highlight the passage ``selector`` describes in the article's current text: where its
    quote and context put it (``exact``: the first place the quote is, allowing any
    whitespace between words). LibraryError if the text has no such passage."""
    _check_colour(color)
    with library.transaction() as tx:
        text = _text(tx, article_id)
        span = (first_occurrence(text, selector.quote) if exact
                else anchor(text, selector))
        if span is None:
            raise LibraryError("That passage is not in the article's text (a title, a caption "
                               "or a word changed), so it cannot be highlighted.")
        made = _insert(tx, article_id, Selector.of(text, *span), span, color, note, utc_now())
        tx.record(highlighted=[article_id])
        return get(library, made), Change("highlight", highlights_made=(made,),
                                          highlighted_article=article_id)


def add_imported(tx: Transaction, article_id: int, highlights: list[dict]) -> None:
    """Highlights an export carried ({"text", "note", "color", "created"}), anchored in the
    article's text as it is now: an article still waiting for its page has none, so they wait,
    not found, until it arrives (``reanchor``)."""
    text = _text(tx, article_id)
    for highlight in highlights:
        quote = highlight.get("text", "")
        if not quote and not highlight.get("note"):
            continue
        span = anchor(text, Selector(quote)) if quote else None
        selector = Selector.of(text, *span) if span else Selector(quote)
        color = highlight.get("color", "")
        _insert(tx, article_id, selector, span or (-1, -1),
                color if color in COLOURS else COLOURS[0], highlight.get("note", ""),
                highlight.get("created") or utc_now())
    if highlights:
        tx.record(highlighted=[article_id])


def edit(library: Library, highlight_id: int, *, note: str | None = None,
         color: str | None = None) -> Change:
    """Change the note or the colour of a highlight."""
    if color is not None:
        _check_colour(color)
    with library.transaction() as tx:
        before = _rows(tx, [highlight_id])
        if not before:
            raise LibraryError(f"There is no highlight {highlight_id}.")
        if note is not None:
            tx.execute("UPDATE highlights SET note = ? WHERE id = ?",
                       (note[:MAX_NOTE_CHARS], highlight_id))
        if color is not None:
            tx.execute("UPDATE highlights SET color = ? WHERE id = ?", (color, highlight_id))
        article_id = before[0][1]
        tx.record(highlighted=[article_id])
        return Change("note" if note is not None else "colour", highlights_before=tuple(before),
                      highlighted_article=article_id)


def remove(library: Library, highlight_ids: list[int]) -> Change:
    """Remove highlights (of one article); the Change brings them back."""
    with library.transaction() as tx:
        before = _rows(tx, highlight_ids)
        if not before:
            raise LibraryError(f"There is no highlight {', '.join(map(str, highlight_ids))}.")
        tx.execute(f"DELETE FROM highlights WHERE id IN ({marks(highlight_ids)})",
                   highlight_ids)
        articles = {row[1] for row in before}
        tx.record(highlighted=articles)
        return Change("remove highlight", highlights_before=tuple(before),
                      highlighted_article=min(articles))


def put_back(tx: Transaction, change: Change) -> None:
    """Undo a highlight ``Change``: rows made go, rows changed or removed come back as they
    were (unless their article has gone for good since)."""
    if change.highlights_made:
        tx.execute(f"DELETE FROM highlights WHERE id IN ({marks(change.highlights_made)})",
                   change.highlights_made)
    tx.executemany(
        f"INSERT OR REPLACE INTO highlights ({', '.join(COLUMNS)}) SELECT {marks(COLUMNS)} "
        f"WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?)",
        [(*row, row[1]) for row in change.highlights_before])
    tx.record(highlighted=[change.highlighted_article])


def set_article_note(library: Library, article_id: int, note: str) -> None:
    with library.transaction() as tx:
        if not tx.execute("UPDATE articles SET note = ? WHERE id = ?",
                          (note[:MAX_NOTE_CHARS], article_id)).rowcount:
            raise LibraryError(f"There is no article {article_id} in the library.")
        tx.record(highlighted=[article_id])


def article_note(library: Library, article_id: int) -> str:
    row = library.query_one("SELECT note FROM articles WHERE id = ?", (article_id,))
    return row[0] if row else ""


def reanchor(tx: Transaction, article_id: int, text: str) -> None:
    """The article's text is now ``text``: find each highlight in it again. A highlight found
    takes the new text's passage and context; one not found keeps its quote, waiting."""
    rows = list(tx.execute("SELECT id, quote, prefix, suffix, text_start FROM highlights "
                           "WHERE article_id = ?", (article_id,)))
    for highlight_id, quote, prefix, suffix, start in rows:
        span = anchor(text, Selector(quote, prefix, suffix, start))
        if span is None:
            tx.execute("UPDATE highlights SET text_start = -1, text_end = -1 WHERE id = ?",
                       (highlight_id,))
            continue
        found = Selector.of(text, *span)
        tx.execute("UPDATE highlights SET quote = ?, prefix = ?, suffix = ?, text_start = ?, "
                   "text_end = ? WHERE id = ?", (found.quote, found.prefix, found.suffix,
                                                 *span, highlight_id))
    if rows:
        tx.record(highlighted=[article_id])


def get(library: Library, highlight_id: int) -> Highlight:
    found = _listed(library, "WHERE h.id = ?", [highlight_id])
    if not found:
        raise LibraryError(f"There is no highlight {highlight_id}.")
    return found[0]


def for_article(library: Library, article_id: int, search: str = "") -> list[Highlight]:
    """The article's highlights in reading order, those not found in its text last; with
    ``search``, those whose quote or note has its words."""
    return _listed(library, "WHERE h.article_id = ?", [article_id], search,
                   "ORDER BY h.text_start < 0, h.text_start, h.id")


def listing(library: Library, search: str = "", limit: int = 1000) -> list[Highlight]:
    """Highlights of every article outside the bin, newest first; with ``search``, those whose
    quote or note has its words (as the article list searches)."""
    return _listed(library, "WHERE a.deleted = 0", [], search,
                   "ORDER BY h.created DESC, h.id DESC LIMIT ?", [limit])


def _listed(library: Library, where: str, params: list, search: str = "", order: str = "",
            order_params: list = ()) -> list[Highlight]:
    """Highlights ``where`` says (and matching ``search``, as the article list searches), in
    ``order``."""
    if search:
        query = fts_query(search)
        if not query:  # nothing but punctuation: nothing matches
            return []
        where += " AND h.id IN (SELECT rowid FROM highlights_fts WHERE highlights_fts MATCH ?)"
        params = [*params, query]
    return [Highlight(*row) for row in library.query(
        f"SELECT {_SELECT}, a.title FROM highlights h JOIN articles a ON a.id = h.article_id "
        f"{where} {order}", [*params, *order_params])]


def _insert(tx: Transaction, article_id: int, selector: Selector, span: tuple[int, int],
            color: str, note: str, created: str) -> int:
    return tx.execute(
        "INSERT INTO highlights (article_id, quote, prefix, suffix, text_start, text_end, "
        "color, note, created) VALUES (?,?,?,?,?,?,?,?,?)",
        (article_id, selector.quote, selector.prefix, selector.suffix, *span, color,
         note[:MAX_NOTE_CHARS], created)).lastrowid


def _rows(tx: Transaction, highlight_ids: list[int]) -> list[tuple]:
    return list(tx.execute(f"SELECT {', '.join(COLUMNS)} FROM highlights "
                           f"WHERE id IN ({marks(highlight_ids)})", highlight_ids))


def _text(tx: Transaction, article_id: int) -> str:
    row = tx.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise LibraryError(f"There is no article {article_id} in the library.")
    return row[0]


def _check_colour(color: str) -> None:
    if color not in COLOURS:
        raise LibraryError(f"{color!r} is not a highlight colour: choose one of "
                           f"{', '.join(COLOURS)}.")
