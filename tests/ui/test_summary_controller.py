"""Summaries from the window: Summarise All says which articles it skipped and why."""

from __future__ import annotations

import threading

from reader.errors import UserError
from reader.library import NewArticle
from reader.settings import Settings
from reader.summarize.backends.base import ChatModel
from tests.ui.test_main_window import open_window


class PickyModel(ChatModel):
    """Summarises everything but articles about bread (a stand-in for one too long, or one
    the server refuses)."""

    name = "picky"
    context_size = 4096

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream_chat(self, messages, max_tokens, cancelled: threading.Event | None = None):
        if "bread" in messages[-1]["content"]:
            raise UserError("The model refused this article.")
        yield "A summary."


def test_summarise_all_names_the_skipped_articles(qtbot, library):
    for name in ("tides", "bread"):
        url = f"https://example.org/{name}"
        library.add(NewArticle(url=url, original_url=url, title=f"About {name} <b>",
                               body_html="<p>x</p>", text=f"All about {name}. " * 30))
    window = open_window(qtbot, library, Settings())
    window.summary_pane._model = PickyModel()
    window.actions_by_id["summarize-all"].trigger()
    qtbot.waitUntil(lambda: not window.summary_pane.busy, timeout=20000)
    message = window.message_bar.label.text()
    assert "skipped 1 article" in message
    assert "“About bread <b>”: The model refused this article." in message
    assert library.unsummarised_ids() == [library.find_by_url("https://example.org/bread")]
    window.close()
