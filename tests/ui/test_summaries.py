"""The summary pane: regenerating, batches, reasoning kept apart, and the real model in a window."""

import threading

import pytest
from PySide6.QtCore import Qt

from reader.library import NewArticle
from reader.settings import Settings
from reader.summarize.backends.base import ChatModel
from reader.ui.summary_pane import SummaryPane, reading_status
from tests.summarize.openai_stub import GPT_OSS_ANSWER, GPT_OSS_REASONING, OpenAIStub
from tests.ui.test_main_window import open_window


class ThinkingModel(ChatModel):
    """A model that thinks aloud before answering (the shape Qwen3 and R1 stream)."""

    name = "thinker"
    context_size = 4096

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream_chat(self, messages, max_tokens, cancelled: threading.Event | None = None):
        yield from ["<th", "ink>The user wants", " a summary.</think>", "Here is a summary:\n",
                    "Kelby builds", " a tidal plant."]


def add(library, n=3):
    ids = []
    for number in range(n):
        url = f"https://example.org/{number}"
        ids.append(library.add(NewArticle(url=url, original_url=url, title=f"Tide {number}",
                                          body_html="<p>x</p>",
                                          text="Kelby builds a tidal plant. " * 20))[0])
    return ids


def test_reasoning_is_kept_out_of_the_summary(qtbot, library):
    add(library, 1)
    window = open_window(qtbot, library, Settings())
    window.summary_pane._model = ThinkingModel()
    window.browser.select_row(0)
    qtbot.keyClick(window.list_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    assert window.summary_pane.text.toPlainText() == "Kelby builds a tidal plant."
    assert library.summary(window.current_article_id()) == "Kelby builds a tidal plant."
    assert window.summary_pane.reasoning_toggle.isVisibleTo(window)
    assert "The user wants a summary." in window.summary_pane.reasoning.toPlainText()
    window.summary_pane.reasoning_toggle.click()
    assert window.summary_pane.reasoning.isVisibleTo(window)


def test_summaries_are_kept_per_model_and_prompt_and_shift_s_rewrites(qtbot, library):
    from reader.summarize import prompt
    from reader.summarize.backends.factory import model_name

    article = add(library, 1)[0]
    settings = Settings()
    library.save_summary(article, model_name(settings), prompt.version("short", None),
                         "An old summary.")
    window = open_window(qtbot, library, settings)
    window.summary_pane._model = ThinkingModel()
    window.browser.select_row(0)
    qtbot.keyClick(window.list_view, Qt.Key.Key_S)  # this model and prompt wrote one: kept
    assert "Shift+S" in window.statusBar().currentMessage() and not window.summary_pane.busy
    qtbot.keyClick(window.list_view, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    assert library.summary(article) == "Kelby builds a tidal plant."
    settings.summary_style = "key_points"  # another prompt: s writes one for it
    qtbot.keyClick(window.list_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    assert library.summary(article, "thinker", prompt.version("key_points", None))


def statuses_said(pane: SummaryPane) -> list[str]:
    """Every status ``pane`` shows from now on, in order (a label keeps only its last)."""
    said: list[str] = []
    set_text = pane.status.setText
    pane.status.setText = lambda status: (said.append(status), set_text(status))
    return said


def open_pane(qtbot, library, settings: Settings) -> SummaryPane:
    pane = SummaryPane(library, settings)
    qtbot.addWidget(pane)
    pane.show()
    return pane


def test_a_servers_reasoning_shows_under_reasoning(qtbot, library):
    article = add(library, 1)[0]
    with OpenAIStub() as server:  # the real factory, the real remote backend, a scripted server
        pane = open_pane(qtbot, library, Settings(backend="server", server_url=server.url,
                                                  server_model="gpt-oss"))
        pane.show_article(article)
        pane.summarize(article)
        qtbot.waitUntil(lambda: not pane.busy, timeout=10000)
    assert pane.text.toPlainText() == GPT_OSS_ANSWER
    assert library.summary(article) == GPT_OSS_ANSWER
    assert pane.reasoning_toggle.isVisibleTo(pane)
    assert pane.reasoning.toPlainText() == GPT_OSS_REASONING


def test_summarise_all_says_which_were_skipped_and_why(qtbot, library):
    ids = add(library, 2)
    url = "https://example.org/empty"
    empty = library.add(NewArticle(url=url, original_url=url, title="Empty", body_html="<p></p>",
                                   text="   "))[0]
    pane = open_pane(qtbot, library, Settings())
    pane._model = ThinkingModel()
    with qtbot.waitSignal(pane.batch_finished, timeout=10000) as finished:
        pane.summarize_all([ids[0], empty, ids[1]])
    result = finished.args[0]
    assert result.done == ids and [article for article, _ in result.skipped] == [empty]
    assert pane.status.text() == ("Summarised 2 articles; 1 skipped (This article has no text "
                                  "to summarise yet.)")
    assert pane.status.textFormat() == Qt.TextFormat.PlainText


@pytest.mark.slow
def test_summarise_all_with_the_real_model_and_resume(qtbot, library):
    ids = add(library, 3)
    window = open_window(qtbot, library, Settings(context_limit=2048))
    said = statuses_said(window.summary_pane)
    count = len(library.unsummarised_ids())  # the welcome article's too
    window.actions_by_id["summarize-all"].trigger()
    qtbot.waitUntil(lambda: library.summary(ids[-1]) is not None, timeout=180000)
    # How much of each article's prompt the model has read is said while it reads.
    assert said[:2] == [f"Summarising all: 1 of {count}…",
                        f"Summarising all: 1 of {count}, reading 0 %…"]
    window.back()  # Esc stops the batch; those done stay done
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=60000)
    done = [i for i in ids if library.summary(i)]
    assert done and set(library.unsummarised_ids()).isdisjoint(done)
    window.actions_by_id["summarize-all"].trigger()  # resumes with the rest
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=300000)
    assert library.unsummarised_ids() == []


@pytest.mark.slow
def test_the_pane_says_how_much_of_the_article_the_model_has_read(qtbot, library):
    """Before a big model's first word there can be a minute of reading the article: the pane
    says how far it is (the real tiny model, in its worker process, reads ~1,300 tokens)."""
    url = "https://example.org/harbour"
    text = "The tide came in over the harbour wall at Kelby, and the town watched. " * 80
    article = library.add(NewArticle(url=url, original_url=url, title="High tide",
                                     body_html=f"<p>{text}</p>", text=text))[0]
    pane = open_pane(qtbot, library, Settings(context_limit=2048))
    pane.show_article(article)
    said = statuses_said(pane)
    pane.summarize(article)
    qtbot.waitUntil(lambda: not pane.busy, timeout=180000)
    pane.forget_model()
    reading = [status for status in said if status.startswith("Reading the article… ")]
    read = [int(status.removeprefix("Reading the article… ").removesuffix(" %"))
            for status in reading]
    assert said[0] == "Loading the model…"
    assert read[0] == 0 and len(read) >= 3 and read == sorted(read) and read[-1] < 100
    writing = next(i for i, status in enumerate(said) if status.startswith("Summarising… "))
    assert said.index(reading[-1]) < writing, "read before the first word"
    assert "tokens in" in said[-1] and library.summary(article)


def test_the_reading_status_names_a_long_articles_step_and_gives_way_to_writing():
    assert reading_status(0, 40, "", "Answering…") == "Reading the article… 0 %"
    assert reading_status(40, 40, "", "Answering…") == "Answering…"
    part = "Summarising a long article: part 2 of 6"
    assert reading_status(512, 1200, part, "Summarising…") == f"{part}, reading 42 %…"
    assert reading_status(1200, 1200, part, "Summarising…") == f"{part}…"
