"""Exporting the library (reader/export): Reader's JSON round-trips every article exactly
through ``reader import``'s importer into an empty library; Markdown is valid front matter and
Markdown; HTML stands alone; bookmarks and CSV come back through Reader's own importers."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.capture.images import image_url
from reader.capture.importers import detect_and_read, import_batch
from reader.capture.importers import items as formats
from reader.errors import LibraryError
from reader.export import ExportError, export, selected_ids
from reader.export.documents import file_name, yaml_string
from reader.export.html_markdown import to_markdown
from reader.library import Library, NewArticle, grounding_store, highlights
from reader.library.anchoring import Selector
from reader.library.images import link_images, store_image
from reader.library.records import restore_article
from reader.library.welcome import WELCOME_URL

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
HOSTILE_TITLE = 'CON: "quotes" — #1 / a\\b\u2028next\x07 [x]: {y}'


def fill(library: Library) -> dict[str, int]:
    """Articles with everything an article can have: text, page, image, tags, flags, position,
    a summary with checked sentences, a conversation, highlights with notes, a note."""
    digest = store_image(library, PNG, "image/png")
    body = (f"<h2>Tides</h2><p>The <strong>plant</strong> opens in <a href='https://ex.org/a'>"
            f"spring</a>.</p><p><img src='{image_url(digest)}' alt='turbine'></p>"
            "<ul><li>one</li><li>two <em>2</em></li></ul><blockquote><p>quoted</p></blockquote>"
            "<pre>x = `1`\n  y</pre><table><tr><th>a</th><th>b</th></tr>"
            "<tr><td>1</td><td>2|3</td></tr></table>")
    tidal, _ = library.add(NewArticle(
        url="https://gazette.example.com/tidal", original_url="https://gazette.example.com/tidal?x",
        title="Kelby Sound breaks ground", body_html=body, text="The plant opens in spring.",
        author="Maria Lindqvist", site="gazette.example.com", published="2024-03-14",
        language="en", tags=["energy", "Scotland"], favourite=True,
        added="2024-03-15T10:00:00+00:00", raw_html=b"<html>\xff page</html>",
        content_type="text/html"))
    link_images(library, tidal, [("https://gazette.example.com/t.png", digest)])
    library.save_summary(tidal, "smollm2", "v3", "A plant opens.")
    grounding_store.save_sentences(library, tidal, "smollm2", "v3", [
        {"text": "A plant opens.", "supported": True, "reason": "",
         "sources": [{"quote": "plant opens", "start": 4, "end": 15}]}])
    grounding_store.add_turn(library, tidal, "When?", "In spring.",
                             [{"quote": "spring", "start": 19, "end": 25}], [], "smollm2")
    library.set_position(tidal, 0.4)
    library.set_flag([tidal], "read", True)
    highlights.add(library, tidal, Selector("opens in spring"), exact=True, color="green",
                   note="*Soon*, and a # not heading")
    lost, _ = highlights.add(library, tidal, Selector("The plant"), exact=True)
    highlights.set_article_note(library, tidal, "Read again in *May*.")
    with library.transaction() as tx:  # one the current text no longer has
        tx.execute("UPDATE highlights SET text_start = -1, text_end = -1 WHERE id = ?",
                   (lost.id,))
    odd, _ = library.add(NewArticle(
        url="https://blog.invalid/odd", original_url="https://blog.invalid/odd",
        title=HOSTILE_TITLE, body_html="", text="", archived=True,
        added="2021-03-21T14:39:19+00:00"))
    gone, _ = library.add(NewArticle(url="https://blog.invalid/binned", original_url="x",
                                     title="Binned", body_html="", text=""))
    library.set_flag([gone], "deleted", True)
    return {"tidal": tidal, "odd": odd, "gone": gone}


def records(path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["articles"]


def test_json_round_trips_the_whole_library_exactly(library, tmp_path):
    ids = fill(library)
    first = tmp_path / "library.json"
    export(library, "json", first, selected_ids(library))
    batch = detect_and_read(first)
    assert batch.format == formats.READER_JSON

    empty = Library(tmp_path / "other" / "library.sqlite3")
    try:
        result = import_batch(empty, batch, extractor=None)
        assert (result.added, result.to_fetch) == (2, [])
        assert [reason for _, reason in result.skipped] == [
            "Reader's welcome article: every library has its own."]
        again = tmp_path / "again.json"
        export(empty, "json", again, selected_ids(empty))
        exported = [r for r in records(first) if r["url"] != WELCOME_URL]
        assert len(exported) == 2
        assert records(again) == exported  # every column, tag, page, image, summary...

        url = "https://gazette.example.com/tidal"
        before, after = library.get(ids["tidal"]), empty.get(empty.find_by_url(url))
        for name in ("url", "title", "author", "site", "published", "added", "tags",
                     "archived", "favourite", "read", "language", "body_html", "text",
                     "position", "word_count"):
            assert getattr(after, name) == getattr(before, name), name
        assert empty.raw_html(after.id) == b"<html>\xff page</html>"
        summary = grounding_store.stored_summary(empty, after.id)
        assert summary.sentences[0]["sources"][0]["quote"] == "plant opens"
        turns = grounding_store.conversation(empty, after.id)
        assert [turn.answer for turn in turns] == ["In spring."]
        assert [(h.quote, h.note, h.color, h.start, h.end, h.created) for h in
                highlights.for_article(empty, after.id)] == [
            (h.quote, h.note, h.color, h.start, h.end, h.created)
            for h in highlights.for_article(library, before.id)]
        assert [h.found for h in highlights.for_article(empty, after.id)] == [True, False]
        assert highlights.article_note(empty, after.id) == "Read again in *May*."
        assert empty.find_by_url("https://blog.invalid/binned") is None  # the bin stays behind
        counts = library.view_counts()  # less the welcome article, in the inbox
        assert empty.view_counts() == {**counts, "inbox": counts["inbox"] - 1,
                                       "all": counts["all"] - 1}
        assert dict(empty.tag_counts()) == dict(library.tag_counts())

        assert import_batch(empty, detect_and_read(first), None).added == 0  # nothing twice
    finally:
        empty.close()


def test_a_damaged_record_is_skipped_with_a_message(library, tmp_path):
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps({"format": "reader-json", "version": 1, "articles": [
        {"url": "https://a.example/1", "title": "no date"},
        {"url": "https://a.example/2", "added": "2024-01-01", "original_url": "x",
         "images": [{"url": "u", "data": {"base64": "!!"}}]}]}))
    result = import_batch(library, detect_and_read(path), None)
    assert result.added == 0 and len(result.skipped) == 2
    assert all("is damaged" in reason for _, reason in result.skipped)


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=9),
                    st.lists(st.dictionaries(st.text(max_size=12), st.text(max_size=5)),
                             max_size=2),
                    st.fixed_dictionaries({"base64": st.text(max_size=8)}))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(
    ["title", "added", "original_url", "archived", "position", "tags", "pages", "summaries",
     "article_questions", "images", "id", "deleted", "word_count", "nonsense"]), _values))
def test_any_record_is_restored_or_refused_with_a_message(tmp_path_factory, record):
    library = Library(tmp_path_factory.mktemp("lib") / "library.sqlite3")
    try:
        restore_article(library, {**record, "url": "https://a.example/x"})
    except LibraryError as error:
        assert "is damaged" in str(error)
    finally:
        library.close()


def front(text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert match, text[:200]
    return yaml.safe_load(match.group(1)), match.group(2)


def test_markdown_front_matter_summary_body_and_attachments(library, tmp_path):
    ids = fill(library)
    out = tmp_path / "notes"
    export(library, "markdown", out, [ids["tidal"], ids["odd"]])
    tidal = library.get(ids["tidal"])
    meta, body = front((out / file_name(tidal, "md")).read_text(encoding="utf-8"))
    assert meta == {"title": tidal.title, "url": tidal.url, "author": "Maria Lindqvist",
                    "site": "gazette.example.com", "published": "2024-03-14",
                    "saved": "2024-03-15T10:00:00+00:00", "tags": ["energy", "Scotland"],
                    "archived": False, "favourite": True, "read": True}
    assert "## Summary\n\nA plant opens." in body
    assert "## Note\n\nRead again in *May*.\n" in body
    assert ("## Highlights\n\n> opens in spring\n\n— green, " in body
            and "\n*Soon*, and a # not heading\n" in body)
    assert "> The plant\n\n— yellow, " in body and "(not found in the current text)" in body
    assert "## Tides" in body and "The **plant** opens in [spring](<https://ex.org/a>)." in body
    assert "- one\n- two *2*" in body and "> quoted" in body
    assert "```\nx = `1`\n  y\n```" in body
    assert "| a | b |\n| --- | --- |\n| 1 | 2\\|3 |" in body
    (image,) = list((out / "attachments").iterdir())
    assert image.read_bytes() == PNG and f"![turbine](<attachments/{image.name}>)" in body

    odd = library.get(ids["odd"])
    name = file_name(odd, "md")
    assert name == f"con-quotes-1-a-b-next-x-y-{odd.id}.md"
    meta, _ = front((out / name).read_text(encoding="utf-8"))
    assert meta["title"] == HOSTILE_TITLE and meta["archived"] is True

    export(library, "markdown", out, [ids["tidal"], ids["odd"]])  # again: the same files
    assert sorted(p.name for p in out.glob("*.md")) == sorted([file_name(tidal, "md"), name])


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_string_is_a_valid_yaml_string(text):
    text = text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates in a file
    assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": text}


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_file_names_are_safe_everywhere(title):
    article = type("A", (), {"title": title, "id": 7})()
    name = file_name(article, "md")
    stem = name[:-3]
    assert name.endswith("-7.md") and len(name) <= 80
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name) and stem.split(".")[0] not in (
        "con", "prn", "aux", "nul")


def test_markdown_escapes_what_would_be_markup():
    assert to_markdown("<p># not a heading *x* [y](z)</p>", str) == \
        "\\# not a heading \\*x\\* \\[y\\](z)\n"


def test_html_is_self_contained_and_escaped(library, tmp_path):
    ids = fill(library)
    out = tmp_path / "pages"
    export(library, "html", out, [ids["tidal"], ids["odd"]])
    page = (out / file_name(library.get(ids["tidal"]), "html")).read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "reader-image:" not in page
    assert ("<h2>Highlights</h2><blockquote>opens in spring</blockquote>"
            "<p>*Soon*, and a # not heading</p>") in page
    odd = (out / file_name(library.get(ids["odd"]), "html")).read_text(encoding="utf-8")
    assert "<title>CON: &quot;quotes&quot;" in odd


@pytest.mark.parametrize("format_name, expected", [("bookmarks", formats.BOOKMARKS),
                                                    ("csv", formats.POCKET_CSV)])
def test_bookmarks_and_csv_come_back_through_the_importers(library, tmp_path, format_name,
                                                           expected):
    fill(library)
    path = tmp_path / f"out.{format_name}"
    ids = selected_ids(library)
    export(library, format_name, path, ids)
    batch = detect_and_read(path)
    assert batch.format == expected and not batch.skipped
    back = {item.url: item for item in batch.items}
    rows = [row for row in library.rows_by_ids(ids) if row.url != WELCOME_URL]
    assert len(rows) == len(back) == 2
    for row in rows:
        item = back[row.url]
        title = " ".join(row.title.split())  # importers make any white space one space
        assert (item.title, item.tags, item.added) == (title, row.tags, row.added)
        if format_name == "csv":
            assert item.archived == row.archived


def test_selection_and_bad_targets(library, tmp_path):
    ids = fill(library)
    assert selected_ids(library, view="archive") == [ids["odd"]]
    assert selected_ids(library, tag="energy") == [ids["tidal"]]
    with pytest.raises(LibraryError, match="no article"):
        selected_ids(library, ids=[ids["gone"]])
    with pytest.raises(ExportError, match="is a folder"):
        export(library, "json", tmp_path, [ids["tidal"]])
    with pytest.raises(ExportError, match="cannot export"):
        export(library, "pdf", tmp_path / "x", [])
