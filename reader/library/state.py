"""Reading state, tags and undo: each change made in a transaction, recorded for the listeners,
and returned as a ``Change`` that puts it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.errors import LibraryError
from reader.library.rows import marks

if TYPE_CHECKING:
    from reader.library.store import Transaction

FLAGS = ("archived", "favourite", "read", "deleted")
# Flags that move an article between views (the read flag moves no count).
COUNTED_FLAGS = ("archived", "favourite", "deleted")


@dataclass(frozen=True)
class Change:
    """What an action changed, so that undo can put it back."""

    description: str
    flag: str = ""
    before: dict[int, bool] = field(default_factory=dict)
    tag: str = ""
    tagged: dict[int, bool] = field(default_factory=dict)  # had the tag before (for tag edits)
    renamed_from: str = ""
    # Highlight edits: the rows as they were (all columns, put back by undo), the ids of those
    # the change made (removed by undo), and the article they are in.
    highlights_before: tuple[tuple, ...] = ()
    highlights_made: tuple[int, ...] = ()
    highlighted_article: int = 0

    @property
    def article_ids(self) -> list[int]:
        """The articles it touched, in the order they were given."""
        return [*self.before, *self.tagged,
                *([self.highlighted_article] if self.highlighted_article else [])]


def set_flag(tx: Transaction, ids: list[int], flag: str, value: bool) -> Change:
    """Set archived/favourite/read/deleted on ``ids``. Deleting moves to the bin, which undo
    can bring back whole: to listeners it is an update that takes the article out of every view."""
    if flag not in FLAGS:
        raise ValueError(flag)
    before = {article_id: bool(state) for article_id, state in tx.execute(
        f"SELECT id, {flag} FROM articles WHERE id IN ({marks(ids)})", ids)}
    tx.execute(f"UPDATE articles SET {flag} = ? WHERE id IN ({marks(ids)})", [value, *ids])
    tx.record(updated=before, counts=flag in COUNTED_FLAGS)
    return Change(f"{flag} {'on' if value else 'off'}", flag=flag, before=before)


def tag(tx: Transaction, ids: list[int], name: str, present: bool = True) -> Change:
    """Add (or with ``present=False`` remove) tag ``name`` on ``ids``."""
    name = name.strip()
    if not name:
        raise LibraryError("A tag needs a name.")
    tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (name,))
    tag_id = tx.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
    tagged = {row[0] for row in tx.execute(
        f"SELECT article_id FROM article_tags WHERE tag_id = ? AND article_id IN ({marks(ids)})",
        [tag_id, *ids])}
    _set_tag(tx, ids, tag_id, present)
    return Change(f"tag {name}", tag=name, tagged={i: i in tagged for i in ids})


def rename_tag(tx: Transaction, old: str, new: str) -> Change:
    new = new.strip()
    if not new:
        raise LibraryError("A tag needs a name.")
    found = tx.execute("SELECT id FROM tags WHERE name = ?", (old,)).fetchone()
    if found is None:
        raise LibraryError(f"There is no tag {old!r}.")
    target = tx.execute("SELECT id FROM tags WHERE name = ?", (new,)).fetchone()
    if target and new.lower() != old.lower():
        raise LibraryError(f"There is already a tag {new!r}.")
    tx.execute("UPDATE tags SET name = ? WHERE id = ?", (new, found[0]))
    tx.record(updated=[row[0] for row in tx.execute(
        "SELECT article_id FROM article_tags WHERE tag_id = ?", (found[0],))], counts=True)
    return Change(f"rename tag {old}", tag=new, renamed_from=old)


def undo(tx: Transaction, change: Change) -> None:
    if change.highlighted_article:
        from reader.library import highlights  # (it builds on this module)
        highlights.put_back(tx, change)
    elif change.flag:
        tx.executemany(f"UPDATE articles SET {change.flag} = ? WHERE id = ?",
                       [(state, article_id) for article_id, state in change.before.items()])
        tx.record(updated=change.before, counts=change.flag in COUNTED_FLAGS)
    elif change.renamed_from:
        rename_tag(tx, change.tag, change.renamed_from)
    elif change.tag:
        found = tx.execute("SELECT id FROM tags WHERE name = ?", (change.tag,)).fetchone()
        if found is None:  # the tag went with the bin since
            return
        for had in (True, False):
            _set_tag(tx, [i for i, was in change.tagged.items() if was == had], found[0], had)


def purge_deleted(tx: Transaction) -> int:
    """Empty the bin; returns how many articles went. Their tags were not counted (binned
    articles are in no view), so no count moves."""
    gone = [row[0] for row in tx.execute("SELECT id FROM articles WHERE deleted = 1")]
    tx.execute("DELETE FROM articles WHERE deleted = 1")
    tx.execute("DELETE FROM tags WHERE id NOT IN (SELECT DISTINCT tag_id FROM article_tags)")
    tx.record(removed=gone)
    return len(gone)


def _set_tag(tx: Transaction, ids: list[int], tag_id: int, present: bool) -> None:
    if not ids:
        return
    if present:
        tx.executemany("INSERT OR IGNORE INTO article_tags (article_id, tag_id) VALUES (?, ?)",
                       [(article_id, tag_id) for article_id in ids])
    else:
        tx.execute(f"DELETE FROM article_tags WHERE tag_id = ? AND article_id IN ({marks(ids)})",
                   [tag_id, *ids])
    tx.record(updated=ids, counts=True)
