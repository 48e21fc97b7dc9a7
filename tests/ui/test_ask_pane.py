"""Asking the article from the summary pane: Q opens the question box, the answer streams from
a scripted engine, its citation leads to the passage, follow-ups keep the conversation (shown
again on reopening), Esc stops an answer, and a reasoning model's thinking stays apart."""

import pytest
from PySide6.QtCore import Qt

from reader.library import grounding_store
from reader.settings import Settings
from reader.summarize.ask import NOT_SAID
from reader.summarize.retrieval import passages
from tests.summarize.openai_stub import (
    GPT_OSS_REASONING,
    STALL_MID_STREAM,
    OpenAIStub,
    add_article,
)
from tests.summarize.test_ask import scripted
from tests.ui.test_summary_grounding import (
    PASSAGE,
    TRUE,
    add_long_article,
    assert_shows_passage,
    open_on_stub,
)
from tests.ui.test_main_window import open_window
from tests.ui.test_summaries import statuses_said


def ask_typed(qtbot, window, question: str) -> None:
    qtbot.keyClick(window.list_view, Qt.Key.Key_Q)
    box = window.summary_pane.question
    assert box.isVisible() and box.hasFocus()
    qtbot.keyClicks(box, question)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_an_answer_streams_and_its_citation_leads_to_the_passage(qtbot, library, monkeypatch):
    article_id = add_long_article(library)
    number = [p.text for p in passages(library.get(article_id).text)].index(PASSAGE) + 1
    scripted(monkeypatch, "asked", f"{TRUE} [{number}]")
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "asked")
        shown = window.summary_pane.text
        seen: list[str] = []
        shown.textChanged.connect(lambda: seen.append(shown.toPlainText()))
        ask_typed(qtbot, window, "How many homes?")
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    assert any("The plant will" in text and "2028" not in text for text in seen)  # streamed
    assert shown.toPlainText().endswith(f"How many homes?\n{TRUE} [1]")
    assert window.summary_pane.question.text() == ""
    assert shown.quotes == [PASSAGE]

    qtbot.keyClick(window.list_view, Qt.Key.Key_BracketRight)
    assert shown.textCursor().selectedText() == "[1]"
    assert_shows_passage(window, PASSAGE)


def test_follow_ups_keep_the_conversation_and_reopening_shows_it(qtbot, library, monkeypatch):
    article_id = add_long_article(library)
    scripted(monkeypatch, "asked", TRUE)  # no citation: linked to the passage that supports it
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "asked")
        for question in ("How many homes?", "And from when?"):
            ask_typed(qtbot, window, question)
            qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
        sent = stub.requests[-1]["body"]["messages"][-1]["content"]
        assert "Question: How many homes?" in sent and "And from when?" in sent
        shown = window.summary_pane.text
        assert shown.verticalScrollBar().value() == shown.verticalScrollBar().maximum()
        qtbot.keyClick(window.list_view, Qt.Key.Key_BracketRight)  # the latest answer's source
        assert shown.current == 1 and shown.textCursor().selectedText() == "[1]"
        assert_shows_passage(window, PASSAGE)
        window.close()
        again = open_on_stub(qtbot, library, stub, "asked")
    assert [t.question for t in grounding_store.conversation(library, article_id)] == [
        "How many homes?", "And from when?"]
    text = again.summary_pane.text.toPlainText()
    assert text.index("How many homes?") < text.index("And from when?")
    assert text.count(f"{TRUE} [1]") == 2 and again.summary_pane.text.quotes == [PASSAGE, PASSAGE]


def test_esc_stops_an_answer(qtbot, library):
    article_id = add_long_article(library)
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, STALL_MID_STREAM)
        ask_typed(qtbot, window, "How many homes?")
        qtbot.waitUntil(lambda: "Kelby" in window.summary_pane.text.toPlainText(), timeout=5000)
        assert window.summary_pane.busy
        qtbot.keyClick(window.summary_pane.question, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=5000)
    assert window.summary_pane.status.text() == "Stopped"
    assert grounding_store.conversation(library, article_id) == []


def test_a_reasoning_models_thinking_stays_under_reasoning(qtbot, library):
    add_long_article(library)
    with OpenAIStub() as stub:
        window = open_on_stub(qtbot, library, stub, "gpt-oss")
        ask_typed(qtbot, window, "What will Kelby build?")
        qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=10000)
    pane = window.summary_pane
    assert pane.reasoning.toPlainText() == GPT_OSS_REASONING
    assert pane.reasoning_toggle.isVisibleTo(window)
    assert GPT_OSS_REASONING not in pane.text.toPlainText()


@pytest.mark.slow
def test_asking_the_real_model_in_the_window(qtbot, library):
    article_id = add_article(library)
    window = open_window(qtbot, library, Settings(context_limit=2048))
    window.browser.select_row(0)
    said = statuses_said(window.summary_pane)
    ask_typed(qtbot, window, "How many homes will the plant power?")
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=300000)
    # Reading the question and passages is said, then the answer comes.
    assert said[:2] == ["Loading the model…", "Reading the article… 0 %"]
    assert "Answering…" in said and said[-1].startswith("Answered by")
    (turn,) = grounding_store.conversation(library, article_id)
    shown = window.summary_pane.text.toPlainText()
    assert shown.endswith(turn.answer) and "How many homes will the plant power?" in shown
    assert window.summary_pane.text.quotes == [s["quote"] for s in turn.sources] or (
        turn.answer == NOT_SAID)
