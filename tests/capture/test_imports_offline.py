"""Every claimed export format, as the services write it (tests/fixtures/imports), imported
with nothing fetched: every link is an article at once, with its title, tags, state and date."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reader.capture.importers import detect_and_read
from reader.capture.urls import canonical_url
from reader.cli import main
from reader.library import highlights, open_library

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
EXPORTS = sorted(path.name for path in IMPORTS.iterdir()
                 if path.is_file() and path.name != "README.md") + ["omnivore"]


def export_file(name: str, tmp_path: Path) -> Path:
    if name != "omnivore":
        return IMPORTS / name
    archive = tmp_path / "omnivore.zip"  # Omnivore exports a ZIP of this folder
    with zipfile.ZipFile(archive, "w") as out:
        for member in sorted((IMPORTS / "omnivore").rglob("*")):
            if member.is_file():
                out.write(member, member.relative_to(IMPORTS / "omnivore"))
    return archive


@pytest.mark.parametrize("name", EXPORTS)
def test_every_link_of_every_format_is_an_article_at_once(name, home, tmp_path, capsys):
    path = export_file(name, tmp_path)
    items = {canonical_url(item.url): item for item in detect_and_read(path).items}
    assert items, f"{name} holds no links"

    assert main(["--home", str(home), "import", str(path), "--no-fetch"]) == 0
    library = open_library()
    try:
        for key, item in items.items():
            article_id = library.find_by_url(key)
            assert article_id is not None, f"{item.url} of {name} was not kept"
            article = library.get(article_id)
            assert article.title == (item.display_title or article.title)
            assert set(item.tags) <= set(article.tags)
            assert (article.archived, article.favourite) == (item.archived, item.favourite)
            if item.added:
                assert article.added[:10] == item.added[:10]
            # The user's highlights and note come along, waiting for the page (not found yet
            # in a text that is only the export's description, if it has one).
            kept = highlights.for_article(library, article_id)
            assert [(h.quote, h.note) for h in kept] == [
                (h["text"], h["note"]) for h in item.highlights]
            assert highlights.article_note(library, article_id) == item.note
            if item.html is None:
                assert article.text == item.excerpt
    finally:
        library.close()
    annotated = [item for item in items.values() if item.highlights or item.note]
    if name in ("omnivore", "raindrop.csv", "karakeep.json", "pinboard.json"):
        assert annotated, f"the {name} fixture should carry highlights or notes"
