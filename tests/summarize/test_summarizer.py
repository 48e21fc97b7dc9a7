"""Summaries through the real tiny model and llama.cpp, and through fakes where what is tested
is how the summarizer reads what any backend writes."""

import threading

import pytest

from reader.errors import ModelError
from reader.library import NewArticle
from reader.summarize import output, prompt
from reader.summarize.backends.base import ChatModel
from reader.summarize.backends.local import LocalModel
from reader.summarize.summarizer import summarize_and_store, summarize_batch


ARTICLE = (
    "The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour. "
    "Six turbines will be placed on the seabed, and the plant will power about four thousand "
    "homes from 2028. Fishermen worried about the noise, but a two-year study found that seals "
    "and fish kept using the channel. The plant is paid for by a cooperative of local residents."
)


def add_article(library, text=ARTICLE, url="https://example.org/tidal"):
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Kelby goes tidal",
                                           body_html=f"<p>{text}</p>", text=text))
    return article_id


@pytest.mark.slow
def test_summary_streams_in_pieces_and_is_stored(library, tiny_model):
    article_id = add_article(library)
    pieces = list(summarize_and_store(library, article_id, tiny_model))
    assert len(pieces) > 5, "the summary should arrive token by token"
    summary = "".join(pieces).strip()
    assert len(summary.split()) >= 5
    assert library.summary(article_id) == summary
    assert library.summary(article_id, tiny_model.name, prompt.version("short", None)) == summary


@pytest.mark.slow
def test_cancel_stops_the_stream_and_stores_nothing(library, tiny_model):
    article_id = add_article(library)
    cancelled = threading.Event()
    pieces = []
    for piece in summarize_and_store(library, article_id, tiny_model, cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
    assert len(pieces) == 3
    assert library.summary(article_id) is None


@pytest.mark.slow
def test_an_article_longer_than_the_context_is_summarised_in_parts(library, home):
    from reader.summarize.models import embedded_model_path

    small = LocalModel(embedded_model_path(), context_limit=768)
    paragraphs = "\n".join(f"Paragraph {n}: " + ARTICLE for n in range(12))
    article_id = add_article(library, paragraphs, "https://example.org/long")
    steps = []
    summary = "".join(summarize_and_store(library, article_id, small,
                                          progress=lambda part, parts: steps.append((part, parts))))
    parts = steps[0][1]
    assert parts >= 3, "12 paragraphs cannot fit a 768-token context in one pass"
    assert steps == [(n, parts) for n in range(1, parts + 2)]  # every part, then combining
    assert len(summary.split()) >= 5 and library.summary(article_id) == summary.strip()
    assert "(Summary of the first" not in summary


@pytest.mark.slow
def test_each_part_after_the_first_reads_only_what_differs_from_the_part_before(library, home):
    import llama_cpp as L

    from reader.summarize.models import embedded_model_path

    small = LocalModel(embedded_model_path(), context_limit=768)
    article_id = add_article(library, "\n".join(f"Paragraph {n}: " + ARTICLE for n in range(12)),
                             "https://example.org/parts")
    built, evaluated = [], []
    build_prompt = small.build_prompt
    small.build_prompt = lambda data, instruction: built.append(
        build_prompt(data, instruction)) or built[-1]
    cancelled = threading.Event()

    def count_part_before(part, parts):
        ctx = small._model().ctx
        if part > 1:  # llama.cpp's count of prompt tokens read for the part before
            evaluated.append(L.llama_perf_context(ctx).n_p_eval)
        L.llama_perf_context_reset(ctx)
        if part == 3:
            cancelled.set()

    list(summarize_and_store(library, article_id, small, cancelled, progress=count_part_before))
    first, second = [built_prompt for built_prompt in built if built_prompt.data_ids]  # not probes
    shared = next(n for n, (a, b) in enumerate(zip(first.ids, second.ids)) if a != b)
    # The system message, the instruction and the title: all before the part's own head.
    title = small.tokenize("Title: Kelby goes tidal\n\nPart")
    assert shared >= second.data.start + len(title)
    assert second.data_ids[:len(title)] == title
    assert evaluated[1] == len(second.ids) - shared < len(second.ids)


@pytest.mark.slow
def test_cancel_during_map_reduce_stores_nothing(library, home):
    from reader.summarize.models import embedded_model_path

    small = LocalModel(embedded_model_path(), context_limit=768)
    article_id = add_article(library, "\n".join(ARTICLE for _ in range(12)), "https://example.org/l")
    cancelled = threading.Event()

    def stop_after_first(part, parts):
        if part == 2:
            cancelled.set()

    pieces = list(summarize_and_store(library, article_id, small, cancelled,
                                      progress=stop_after_first))
    assert pieces == [] and library.summary(article_id) is None


@pytest.mark.slow
def test_an_empty_article_is_a_clear_error(library, tiny_model):
    article_id = add_article(library, "   ", "https://example.org/empty")
    with pytest.raises(ModelError, match="no text"):
        list(summarize_and_store(library, article_id, tiny_model))


class ScriptedModel(ChatModel):
    """A chat backend that answers every question with the same pieces."""

    name = "scripted"
    context_size = 4096

    def __init__(self, pieces):
        self.pieces = pieces
        self.asked = 0

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream_chat(self, messages, max_tokens, cancelled=None):
        self.asked += 1
        yield from self.pieces


def test_reasoning_a_backend_told_apart_goes_to_reasoning(library):
    article_id = add_article(library)
    model = ScriptedModel([output.Event(output.REASONING, "Think first."), "The ", "summary."])
    thoughts = []
    summary = "".join(summarize_and_store(library, article_id, model, reasoning=thoughts.append))
    assert summary == "The summary." and thoughts == ["Think first."]
    assert library.summary(article_id) == "The summary."


@pytest.mark.parametrize("pieces, message", [
    ([], "empty answer"),
    (["  \n"], "empty answer"),
    (["<think>Only thinking, never an answer"], "only reasoned and wrote no summary"),
    ([output.Event(output.REASONING, "Hmm.")], "only reasoned and wrote no summary"),
])
def test_an_answer_with_no_summary_is_a_clear_error(library, pieces, message):
    article_id = add_article(library)
    with pytest.raises(ModelError, match=message):
        list(summarize_and_store(library, article_id, ScriptedModel(pieces)))
    assert library.summary(article_id) is None


def test_a_batch_goes_on_past_articles_it_cannot_do_and_says_why(library):
    good = add_article(library)
    empty = add_article(library, "   ", "https://example.org/empty")
    last = add_article(library, ARTICLE, "https://example.org/last")
    seen = []
    result = summarize_batch(library, [good, empty, last], ScriptedModel(["A summary."]),
                             starting=lambda number, count: seen.append((number, count)),
                             finished=lambda article_id, why: seen.append((article_id, why)))
    assert result.done == [good, last]
    assert result.skipped == [(empty, "This article has no text to summarise yet.")]
    assert not result.stopped
    assert seen == [(1, 3), (good, None), (2, 3), (empty, result.skipped[0][1]), (3, 3),
                    (last, None)]
    assert library.summary(last) == "A summary." and library.summary(empty) is None


def test_a_stopped_batch_keeps_what_it_did(library):
    ids = [add_article(library, ARTICLE, f"https://example.org/{n}") for n in range(3)]
    cancelled = threading.Event()
    result = summarize_batch(library, ids, ScriptedModel(["A summary."]), cancelled,
                             finished=lambda article_id, why: cancelled.set())
    assert result.done == ids[:1] and result.stopped and not result.skipped
    assert [library.summary(i) for i in ids] == ["A summary.", None, None]


def test_a_stored_summary_has_its_sentences_checked_against_the_article(library):
    from reader.library import grounding_store

    article_id = add_article(library)
    model = ScriptedModel(["Six turbines will power about four thousand homes from 2028. ",
                           "The plant was designed by engineers from China."])
    list(summarize_and_store(library, article_id, model))
    stored = grounding_store.stored_summary(library, article_id, "scripted",
                                            prompt.version("short", None))
    supported, invented = stored.sentences
    assert supported["supported"] and supported["reason"] == ""
    (source,) = supported["sources"]
    assert "four thousand homes from 2028" in source["quote"]
    assert ARTICLE[source["start"]:source["end"]] == source["quote"]
    assert invented == {"text": "The plant was designed by engineers from China.",
                        "supported": False, "reason": "not found in the article", "sources": []}


def test_a_summary_in_parts_is_checked_against_the_whole_article(library):
    from reader.library import grounding_store

    text = "\n".join(f"Paragraph {n}: " + ARTICLE for n in range(12))
    article_id = add_article(library, text, "https://example.org/long")
    model = ScriptedModel(["The plant is paid for by a cooperative of local residents."])
    model.context_size = 700  # 12 paragraphs of ~70 words cannot fit
    list(summarize_and_store(library, article_id, model))
    assert model.asked > 2, "summarised in parts, then combined"
    (sentence,) = grounding_store.stored_summary(library, article_id).sentences
    assert sentence["supported"]
    assert all(text[s["start"]:s["end"]] == s["quote"] for s in sentence["sources"])


def test_a_summary_stored_before_checking_is_checked_when_asked_for(library):
    from reader.library import grounding_store
    from reader.summarize.summarizer import grounded_summary

    article_id = add_article(library)
    library.save_summary(article_id, "old", "1/short", "China built the plant in 2021.")
    assert grounding_store.stored_summary(library, article_id).sentences is None
    (sentence,) = grounded_summary(library, article_id).sentences
    assert not sentence["supported"]
    assert grounding_store.stored_summary(library, article_id).sentences == [sentence]
    assert grounded_summary(library, article_id, "nobody") is None


def test_the_parts_notes_reach_the_combining_prompt_cut_back_to_finished_sentences(library):
    class NoteTaker(ScriptedModel):
        """Answers every prompt with a note its token limit cut mid-word, and keeps the prompts."""

        def __init__(self):
            super().__init__(["Seals kept using the channel. ", "The plant will pow"])
            self.prompts = []

        def stream_chat(self, messages, max_tokens, cancelled=None):
            self.prompts.append((messages[-1]["content"], max_tokens))
            yield from super().stream_chat(messages, max_tokens, cancelled)

    text = "\n".join(f"Paragraph {n}: " + ARTICLE for n in range(12))
    article_id = add_article(library, text, "https://example.org/notes")
    model = NoteTaker()
    model.context_size = 700  # 12 paragraphs of ~70 words cannot fit
    summary = "".join(summarize_and_store(library, article_id, model))
    *notes, (combining, answer_tokens) = model.prompts
    assert len(notes) > 2 and all(tokens < answer_tokens for _, tokens in notes)
    assert combining.count("Seals kept using the channel.") == len(notes)
    assert "The plant will pow" not in combining
    assert summary == "Seals kept using the channel. The plant will pow"  # streamed as written
