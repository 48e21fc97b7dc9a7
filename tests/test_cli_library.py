"""``reader tag/untag/archive/.../delete/restore`` and ``reader export``, run as real processes
(reader/cli_library.py): each change is the library's own operation, seen by ``reader list``;
an export imports back into an empty home."""

import json

from tests.reader_command import reader


def listed(home) -> dict[str, dict]:
    return {row["url"]: row for row in json.loads(reader(home, "list", "--json").stdout)}


def test_tag_flags_bin_and_restore(tmp_path, site):
    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    article = listed(tmp_path)[url]
    ident = str(article["id"])

    tagged = json.loads(reader(tmp_path, "tag", ident, "energy", "Scotland", "--json").stdout)
    assert tagged[0]["tags"] == ["energy", "Scotland"]
    assert "Untagged" in reader(tmp_path, "untag", url, "energy").stdout  # by URL too
    for command in ("archive", "favourite", "read"):
        reader(tmp_path, command, ident)
    row = listed(tmp_path)[url]
    assert (row["tags"], row["archived"], row["favourite"], row["read"]) == (
        ["Scotland"], True, True, True)
    reader(tmp_path, "unarchive", ident)
    reader(tmp_path, "unread", ident)
    reader(tmp_path, "unfavourite", ident)
    row = listed(tmp_path)[url]
    assert (row["archived"], row["favourite"], row["read"]) == (False, False, False)

    deleted = json.loads(reader(tmp_path, "delete", ident, "--json").stdout)
    assert deleted[0]["deleted"] is True and url not in listed(tmp_path)
    reader(tmp_path, "restore", ident)
    assert listed(tmp_path)[url]["tags"] == ["Scotland"]

    missing = reader(tmp_path, "archive", "9999", check=False)
    assert missing.returncode == 1 and "no article 9999" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_export_then_import_into_an_empty_home(tmp_path, site):
    home, other = tmp_path / "home", tmp_path / "other"
    reader(home, "add", site.url("news-article.html"), site.url("blog-post.html"))
    first = listed(home)
    reader(home, "tag", str(first[site.url("blog-post.html")]["id"]), "retro")
    reader(home, "archive", str(first[site.url("blog-post.html")]["id"]))
    out = tmp_path / "library.json"
    result = json.loads(reader(home, "export", "--format", "json", "--output", str(out),
                               "--json").stdout)
    assert result["articles"] == 3

    reader(other, "import", str(out))
    before, after = listed(home), listed(other)
    del before["reader:welcome"], after["reader:welcome"]  # each home makes its own
    assert before.keys() == after.keys()
    for url, row in before.items():
        assert {k: v for k, v in after[url].items() if k != "id"} == \
            {k: v for k, v in row.items() if k != "id"}

    notes = tmp_path / "notes"
    reader(home, "export", "--format", "markdown", "--output", str(notes), "--tag", "retro")
    (note,) = notes.glob("*.md")
    assert note.read_text(encoding="utf-8").startswith("---\ntitle: ")

    bad = reader(home, "export", "--format", "json", "--output", str(tmp_path), check=False)
    assert bad.returncode == 1 and "is a folder" in bad.stderr


def test_highlights_from_the_terminal(tmp_path, site):
    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    ident = str(listed(tmp_path)[url]["id"])

    made = json.loads(reader(tmp_path, "highlight", ident, "tides follow the  moon",
                             "--note", "why it can be *planned*", "--color", "green",
                             "--json").stdout)
    assert [(h["text"], h["note"], h["color"], h["found"], h["article"]) for h in made] == [
        ("tides follow the moon", "why it can be *planned*", "green", True, int(ident))]
    reader(tmp_path, "highlight", url, "six turbines")
    listed_json = json.loads(reader(tmp_path, "highlights", ident, "--json").stdout)
    assert [h["text"] for h in listed_json] == ["six turbines", "tides follow the moon"]
    assert set(listed_json[0]) == {"id", "article", "text", "note", "color", "created", "found"}
    everywhere = json.loads(reader(tmp_path, "highlights", "--search", "planned",
                                   "--json").stdout)
    assert [h["text"] for h in everywhere] == ["tides follow the moon"]
    in_article = json.loads(reader(tmp_path, "highlights", ident, "--search", "turbines",
                                   "--json").stdout)
    assert [h["text"] for h in in_article] == ["six turbines"]
    assert "six turbines" in reader(tmp_path, "highlights").stdout

    missing = reader(tmp_path, "highlight", ident, "a passage it does not have", check=False)
    assert missing.returncode == 1 and "not in the article" in missing.stderr
    red = reader(tmp_path, "highlight", ident, "six", "--color", "red", check=False)
    assert red.returncode == 2 and "invalid choice: 'red'" in red.stderr
    removed = json.loads(reader(tmp_path, "unhighlight", str(made[0]["id"]), "--json").stdout)
    assert removed[0]["text"] == "tides follow the moon"
    assert [h["text"] for h in json.loads(reader(tmp_path, "highlights", ident,
                                                 "--json").stdout)] == ["six turbines"]
    gone = reader(tmp_path, "unhighlight", "9999", check=False)
    assert gone.returncode == 1 and "no highlight 9999" in gone.stderr
