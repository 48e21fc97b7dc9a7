"""The ``reader`` command, run as a real process against a temporary home and the fixture site:
adding, listing, searching, importing, models and the desktop entry (reader/cli.py)."""

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.reader_command import reader, reader_on_a_terminal


def test_add_list_show(tmp_path, site):
    url = site.url("news-article.html")
    added = reader(tmp_path, "add", url, site.url("blog-post.html"))
    assert "Added" in added.stdout and "Kelby Sound" in added.stdout

    rows = json.loads(reader(tmp_path, "list", "--json").stdout)
    assert [row["title"] for row in rows][-1] == "Welcome to Reader"
    news = next(row for row in rows if row["url"] == url)
    expected = {"id", "url", "title", "author", "site", "published", "added", "word_count",
                "tags", "archived", "favourite"}
    assert expected <= news.keys()
    assert news["author"] == "Maria Lindqvist" and news["archived"] is False

    shown = json.loads(reader(tmp_path, "show", str(news["id"]), "--json").stdout)
    assert "tidal" in shown["text"] and shown["title"] == news["title"]
    by_url = reader(tmp_path, "show", url + "#comments")
    assert by_url.stdout.startswith("Kelby Sound breaks ground")

    again = reader(tmp_path, "add", url + "?utm_campaign=mail", "--json")
    assert json.loads(again.stdout) == [
        {"url": url + "?utm_campaign=mail", "id": news["id"], "title": news["title"], "new": False}
    ]
    assert len(json.loads(reader(tmp_path, "list", "--json").stdout)) == 3


def test_the_library_lives_in_reader_home(tmp_path, site):
    reader(tmp_path, "add", site.url("blog-post.html"))
    assert (tmp_path / "library.sqlite3").is_file()


@pytest.mark.parametrize(
    "argument, message",
    [
        ("not-a-url", "Not a web address"),
        ("ftp://example.org/file", "not supported"),
        ("missing.html", "404"),
        ("report.pdf", "not an HTML page"),
        ("no-article.html", "No article text"),
    ],
)
def test_bad_input_is_a_message_and_an_exit_code(tmp_path, site, argument, message):
    target = site.url(argument) if argument.endswith((".html", ".pdf")) else argument
    result = reader(tmp_path, "add", target, check=False)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    # A link is kept, without its page (saying why); what is not a link is not.
    kept = 1 if target.startswith("http") else 0
    assert len(json.loads(reader(tmp_path, "list", "--json").stdout)) == 1 + kept


def test_one_bad_link_does_not_stop_the_others(tmp_path, site):
    result = reader(tmp_path, "add", "nonsense", site.url("blog-post.html"), check=False)
    assert result.returncode == 1
    assert "Bringing a 1987 keyboard" in result.stdout


def test_show_of_a_missing_article(tmp_path):
    result = reader(tmp_path, "show", "999", check=False)
    assert result.returncode == 1 and "no article 999" in result.stderr


def test_install_desktop_and_uninstall(tmp_path):
    data_home = tmp_path / "xdg"
    env_home = {"XDG_DATA_HOME": str(data_home), "READER_HOME": str(tmp_path / "home")}
    import os

    def run(*args):
        return subprocess.run([sys.executable, "-m", "reader", "install-desktop", *args],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, **env_home})

    installed = run()
    assert installed.returncode == 0, installed.stderr
    launcher = data_home / "applications" / "io.github.reader_app.Reader.desktop"
    assert launcher.is_file() and "reader-gui" in launcher.read_text()
    removed = run("--uninstall")
    assert removed.returncode == 0 and not launcher.exists()
    assert not (tmp_path / "home").exists()  # the menu entry needs no library


def test_search_ranks_and_marks_matches(tmp_path, site):
    reader(tmp_path, "add", site.url("news-article.html"), site.url("blog-post.html"))
    found = json.loads(reader(tmp_path, "search", "tidal", "--json").stdout)
    assert [row["title"] for row in found] == ["Kelby Sound breaks ground on tidal energy plant"]
    assert "tidal" in found[0]["snippet"].lower() and "\x02" not in found[0]["snippet"]
    plain = reader(tmp_path, "search", "keyboard")
    assert "Bringing a 1987 keyboard" in plain.stdout and "[keyboard]" in plain.stdout.lower()
    nothing = reader(tmp_path, "search", "zeppelin", check=False)
    assert nothing.returncode == 1 and "No articles match" in nothing.stderr


def test_import_keeps_state_and_reimport_adds_nothing(tmp_path, site):
    from pathlib import Path

    export = Path(__file__).parent / "fixtures" / "imports" / "wallabag.json"
    first = json.loads(reader(tmp_path, "import", str(export), "--no-fetch", "--json").stdout)
    assert first[0]["format"].lower().startswith("wallabag") and first[0]["added"] >= 1
    again = json.loads(reader(tmp_path, "import", str(export), "--no-fetch", "--json").stdout)
    assert again[0]["added"] == 0 and again[0]["duplicates"] >= first[0]["added"]
    rows = json.loads(reader(tmp_path, "list", "--json").stdout)
    assert any(row["tags"] for row in rows) and any(row["archived"] for row in rows)


def test_import_of_an_unknown_file_says_what_was_expected(tmp_path):
    junk = tmp_path / "notes.csv"
    junk.write_text("name,colour\nbanana,yellow\n")
    result = reader(tmp_path, "import", str(junk), check=False)
    assert result.returncode == 1 and "Pocket" in result.stderr and "Traceback" not in result.stderr


def test_models_list_add_use(tmp_path):
    import shutil

    from reader.summarize.models import embedded_model_path

    listed = json.loads(reader(tmp_path, "models", "list", "--json").stdout)
    assert [m["id"] for m in listed if m["active"]] == ["smollm2-135m"]
    assert {"gpt-oss-20b"} <= {m["id"] for m in listed}
    missing = reader(tmp_path, "models", "use", "gpt-oss-20b", check=False)
    assert missing.returncode == 1 and "reader models download gpt-oss-20b" in missing.stderr
    mine = tmp_path / "mine.gguf"
    shutil.copy(embedded_model_path(), mine)
    reader(tmp_path, "models", "add", str(mine), "--name", "mine")
    reader(tmp_path, "models", "use", "mine")
    active = [m for m in json.loads(reader(tmp_path, "models", "list", "--json").stdout)
              if m["active"]]
    assert [m["id"] for m in active] == ["mine"]
    assert json.loads((tmp_path / "config" / "settings.json").read_text())["model_path"] == str(mine)
    bad = tmp_path / "bad.gguf"
    bad.write_text("nope")
    refused = reader(tmp_path, "models", "add", str(bad), check=False)
    assert refused.returncode == 1 and "not a GGUF" in refused.stderr


def test_add_shows_a_progress_bar_on_a_terminal_and_lines_when_piped(tmp_path, site):
    urls = [site.url(f"blog-post.html?n={n}") for n in range(3)]
    piped = reader(tmp_path, "add", *urls)
    assert piped.stdout.count("Added") == 3 and "\r" not in piped.stderr
    shown, _ = reader_on_a_terminal(tmp_path / "t", "add", *urls)
    assert b"Saving [" in shown and b"3/3" in shown


@pytest.mark.parametrize("run", [1, 2])
def test_add_of_sixty_real_pages_saves_every_page(tmp_path, site, run):
    """News, blog posts, forum threads and documentation with pictures, all at once: extraction
    runs in worker processes (on threads, lxml crashed the process on real pages)."""
    urls = site.page_urls(60)
    added = reader(tmp_path, "add", *urls)
    assert added.stdout.count("Added") == 60, added.stderr
    rows = json.loads(reader(tmp_path, "list", "--json").stdout)
    assert {row["url"] for row in rows} >= set(urls) and len(rows) == 61


# Hostile input and surprises: unknown words, terminal control in titles, library warnings,
# a busy or refusing database.


@pytest.mark.parametrize("word, hint", [("lsit", "did you mean list?"),
                                        ("serach", "did you mean search?"),
                                        ("expor", "did you mean export?"),
                                        ("frobnicate", "the commands are add, import, list")])
def test_an_unknown_command_is_an_error_with_a_suggestion(tmp_path, word, hint):
    result = reader(tmp_path, word, "--json", check=False)
    assert result.returncode == 2
    assert f"'{word}' is not a command" in result.stderr and hint in result.stderr
    assert not (tmp_path / "library.sqlite3").exists(), "nothing was opened"


def test_links_and_files_still_go_to_the_window():
    from reader.terminal import is_link

    assert is_link("https://a.example/x") and is_link("www.a.example")
    assert is_link("file:///tmp/page.html") and is_link(__file__)
    assert not is_link("expor") and not is_link("list.html")


def test_terminal_control_in_titles_and_snippets_is_not_printed(tmp_path, site):
    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    library = sqlite3.connect(tmp_path / "library.sqlite3")
    with library:
        library.execute("UPDATE articles SET title = ? WHERE url = ?",
                        ("Kelby\x1b]0;pwned\x07 \x9b31m Sound\x1b[2J", url))
    library.close()
    for args in (["list"], ["search", "tidal"], ["show", url]):
        output = reader(tmp_path, *args).stdout
        assert "Kelby]0;pwned 31m Sound[2J" in output
        assert not any(char in output for char in "\x1b\x07\x9b"), args
        assert "\n" in output


def test_verbose_is_taken_before_and_after_the_command(tmp_path, site):
    quiet = reader(tmp_path, "add", site.url("news-article.html"))
    assert quiet.stderr.strip() == ""
    for args in (["--verbose", "list"], ["list", "--verbose"]):
        assert "Kelby Sound" in reader(tmp_path, *args).stdout


def test_a_library_busy_in_another_process_is_a_message(tmp_path):
    reader(tmp_path, "list")
    holder = sqlite3.connect(tmp_path / "library.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = reader(tmp_path, "add", "https://a.example/page", check=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1, result.stderr
    assert "library is busy" in result.stderr and "Traceback" not in result.stderr


def test_a_change_the_database_refuses_is_a_message(tmp_path, site):
    reader(tmp_path, "list")
    library = sqlite3.connect(tmp_path / "library.sqlite3")
    with library:
        library.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles "
                        "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
    library.close()
    result = reader(tmp_path, "add", site.url("news-article.html"), check=False)
    assert result.returncode == 1
    assert "refused by a test trigger" in result.stderr and "Traceback" not in result.stderr


def test_add_json_answers_in_the_order_given(tmp_path, site):
    url = site.url("blog-post.html")
    result = reader(tmp_path, "add", "--json", url, "nonsense", url, check=False)
    answers = json.loads(result.stdout)
    assert result.returncode == 1
    assert [answer["url"] for answer in answers] == [url, "nonsense", url]
    assert answers[0]["new"] is True and "Not a web address" in answers[1]["error"]
    assert answers[2]["id"] == answers[0]["id"] and answers[2]["new"] is False
