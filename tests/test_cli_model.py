"""``reader summarize`` and ``reader ask`` (reader/cli_model.py), run as a real process against a
temporary home, the fixture site, the tiny model and a stub model server."""

import io
import json
import re
import sys

import pytest

from tests.reader_command import reader, reader_on_a_terminal


@pytest.mark.slow
def test_summarize_streams_to_stdout_and_is_stored(tmp_path, site):
    url = site.url("blog-post.html")
    reader(tmp_path, "add", url)
    piped = reader(tmp_path, "summarize", url)
    streamed = piped.stdout.strip()
    assert len(streamed.split()) >= 5
    assert "Reading" not in piped.stderr, "no progress line where stderr is not a terminal"
    shown = json.loads(reader(tmp_path, "show", url, "--json").stdout)
    assert shown["summary"] == streamed


@pytest.mark.slow
def test_summarize_shows_the_model_reading_the_article_on_a_terminal(tmp_path, site):
    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    shown, streamed = reader_on_a_terminal(tmp_path, "summarize", url)
    read = re.findall(rb"Reading the article \[[#.]+\] (\d+)/(\d+)", shown)
    assert read[0][0] == b"0" and read[-1][0] == read[-1][1], "from the first token to the last"
    assert len(streamed.split()) >= 5


@pytest.mark.slow
def test_summarize_json_adds_a_missing_url_first(tmp_path, site):
    result = json.loads(reader(tmp_path, "summarize", site.url("news-article.html"), "--json").stdout)
    assert result["model"].endswith(".gguf") and len(result["summary"].split()) >= 5


def test_summarize_with_a_model_that_is_not_gguf(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_text("this is not a model")
    result = reader(tmp_path, "summarize", "1", "--model", str(fake), check=False)
    assert result.returncode == 1
    assert "is not a GGUF model file" in result.stderr and "Traceback" not in result.stderr


def test_summarize_with_a_missing_model(tmp_path):
    result = reader(tmp_path, "summarize", "1", "--model", str(tmp_path / "gone.gguf"), check=False)
    assert result.returncode == 1 and "does not exist" in result.stderr


@pytest.mark.slow
def test_summarize_through_a_model_server(tmp_path, site, llama_server):
    from tests.llama_server import SERVER_KEY

    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text(
        json.dumps({"server_api_key": SERVER_KEY, "context_limit": 2048}))
    reader(tmp_path, "add", site.url("blog-post.html"))
    result = json.loads(reader(tmp_path, "summarize", site.url("blog-post.html"), "--endpoint",
                               llama_server, "--model", "smollm2", "--json").stdout)
    assert result["model"] == "smollm2" and len(result["summary"].split()) >= 5


def test_a_server_that_is_down_is_a_message(tmp_path):
    from tests.summarize.openai_stub import closed_port

    result = reader(tmp_path, "summarize", "1", "--endpoint",
                    f"http://127.0.0.1:{closed_port()}", "--model", "x", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "refused" in result.stderr.lower() or "reach" in result.stderr.lower()


def _scripted(monkeypatch, name, answer):
    """The stub server's model ``name`` answers ``answer``, word by word."""
    from tests.summarize.openai_stub import SCENARIOS, content_stream

    words = answer.split(" ")
    pieces = [words[0]] + [" " + word for word in words[1:]]
    monkeypatch.setitem(SCENARIOS, name, (200, "text/event-stream", content_stream(pieces)))


def test_summarize_json_gives_each_sentence_with_its_sources(tmp_path, site, monkeypatch):
    from reader.summarize.grounding.text import sentence_spans
    from tests.summarize.openai_stub import OpenAIStub

    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    text = json.loads(reader(tmp_path, "show", url, "--json").stdout)["text"]
    start, end = sentence_spans(text)[1]
    true = text[start:end]
    _scripted(monkeypatch, "summary", f"{true} The lighthouse was built by Chinese engineers.")
    with OpenAIStub() as stub:
        result = json.loads(reader(tmp_path, "summarize", url, "--endpoint", stub.url,
                                   "--model", "summary", "--json").stdout)
    assert result["model"] == "summary" and result["summary"].startswith(true)
    supported, invented = result["sentences"]
    assert supported == {"text": true, "supported": True, "reason": "",
                         "sources": [{"quote": true, "start": start, "end": end}]}
    assert invented["supported"] is False and invented["reason"] and invented["sources"] == []


def test_summarize_names_unsupported_sentences_on_stderr(tmp_path, site, monkeypatch):
    from tests.summarize.openai_stub import OpenAIStub

    url = site.url("news-article.html")
    _scripted(monkeypatch, "invented", "The lighthouse was built by Chinese engineers.")
    with OpenAIStub() as stub:
        result = reader(tmp_path, "summarize", url, "--endpoint", stub.url, "--model", "invented")
    assert result.stdout.strip() == "The lighthouse was built by Chinese engineers."
    assert "reader: not found in the article: The lighthouse was built" in result.stderr


def test_ask_json_answers_with_cited_passages_and_keeps_the_conversation(tmp_path, site,
                                                                         monkeypatch):
    from reader.summarize.retrieval import passages
    from tests.summarize.openai_stub import OpenAIStub

    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    text = json.loads(reader(tmp_path, "show", url, "--json").stdout)["text"]
    third = passages(text)[2]
    first_sentence = third.text.split(". ")[0].rstrip(".") + "."
    _scripted(monkeypatch, "asked", f"{first_sentence} [3]")
    with OpenAIStub() as stub:
        result = json.loads(reader(tmp_path, "ask", url, "What", "happened?", "--json",
                                   "--endpoint", stub.url, "--model", "asked").stdout)
        assert result["answer"] == f"{first_sentence} [1]"
        assert result["sources"] == [{"quote": third.text, "start": third.start,
                                      "end": third.end}]
        assert text[third.start:third.end] == third.text
        assert result["sentences"][0]["supported"] is True

        _scripted(monkeypatch, "asked", "The mayor resigned.")
        follow_up = reader(tmp_path, "ask", url, "And then?", "--endpoint", stub.url,
                           "--model", "asked")
        assert follow_up.stdout.strip() == "The article does not say."
        sent = stub.requests[-1]["body"]["messages"][-1]["content"]
        assert "Question: What happened?" in sent and "Question: And then?" in sent

        reader(tmp_path, "ask", url, "--new", "Anew?", "--endpoint", stub.url, "--model", "asked")
        sent = stub.requests[-1]["body"]["messages"][-1]["content"]
        assert "What happened?" not in sent


def test_ask_prints_the_answer_then_its_sources(tmp_path, site, monkeypatch):
    from reader.summarize.retrieval import passages
    from tests.summarize.openai_stub import OpenAIStub

    url = site.url("news-article.html")
    reader(tmp_path, "add", url)
    text = json.loads(reader(tmp_path, "show", url, "--json").stdout)["text"]
    first = passages(text)[0]
    _scripted(monkeypatch, "plainly", f"{first.text} [1] Chinese engineers built it [1].")
    with OpenAIStub() as stub:
        result = reader(tmp_path, "ask", url, "Why?", "--endpoint", stub.url, "--model", "plainly")
    answer, sources = result.stdout.strip().split("\n\n")
    assert answer == f"{first.text} [1] Chinese engineers built it [1]."
    assert sources == f"[1] {' '.join(first.text.split())}"
    assert "reader: not found in the article: Chinese engineers built it." in result.stderr


def test_ask_about_a_missing_article_is_a_message(tmp_path):
    result = reader(tmp_path, "ask", "999", "Why?", "--endpoint", "http://127.0.0.1:9",
                    "--model", "x", check=False)
    assert result.returncode == 1 and "no article 999" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_long_articles_reading_line_names_its_part_then_the_parts_summaries(monkeypatch):
    from reader.cli_model import _ReadingLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    line = _ReadingLine("Reading the article")
    for part in (1, 2, 3):  # two parts, then their summaries combined
        line.part(part, 2)
        line(0, 700)
        line(700, 700)
    drawn = sys.stderr.getvalue()
    finished = re.findall(r"\r([^\r\[]+) \[#+\] 700/700\n", drawn)
    assert finished == ["Reading part 1 of 2", "Reading part 2 of 2",
                        "Reading the parts' summaries"]
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: nothing drawn
    line(0, 700)
    assert sys.stderr.getvalue() == ""
