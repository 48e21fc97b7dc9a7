"""Every claimed export format, as the services write it (tests/fixtures/imports), imported
with nothing fetched: every link is an article at once, with its title, tags, state and date."""

from __future__ import annotations

import json
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
    if name in ("omnivore", "raindrop.csv", "karakeep.json", "pinboard.json",
                "readwise-highlights.json"):
        assert annotated, f"the {name} fixture should carry highlights or notes"


def test_imported_highlights_are_found_once_the_page_is_fetched(home, tmp_path, site):
    """Readwise's export, pointed at the fixture site: the page is fetched by the real queue,
    and the highlights that waited for it are found in its text."""
    export = json.loads((IMPORTS / "readwise-highlights.json").read_text(encoding="utf-8"))
    article = export[0]
    article["source_url"] = article["unique_url"] = site.url("news-article.html")
    path = tmp_path / "readwise.json"
    path.write_text(json.dumps(export[:1]), encoding="utf-8")

    assert main(["--home", str(home), "import", str(path)]) == 0
    library = open_library()
    try:
        article_id = library.find_by_url(canonical_url(site.url("news-article.html")))
        kept = highlights.for_article(library, article_id)
        text = library.get(article_id).text
        assert [(h.found, text[h.start:h.end], h.color) for h in kept] == [
            (True, "The first phase will install six turbines", "blue"),
            (True, "Because tides follow the moon rather than the weather, output can be "
                   "predicted years in advance.", "yellow")]
        assert highlights.article_note(library, article_id) == "Compare with the Orkney scheme."
    finally:
        library.close()
