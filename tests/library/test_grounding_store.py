"""A summary's checked sentences and an article's conversation, kept in the real SQLite library."""

from reader.library import NewArticle, grounding_store

TEXT = "Kelby will build a tidal plant.\nSix turbines go on the seabed."
SENTENCES = [
    {"text": "Kelby will build a tidal plant.", "supported": True, "reason": "",
     "sources": [{"quote": "Kelby will build a tidal plant.", "start": 0, "end": 31}]},
    {"text": "China built it.", "supported": False, "reason": "not found in the article",
     "sources": []},
]


def add(library, url="https://example.org/tidal", text=TEXT):
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Tidal",
                                           body_html="<p>x</p>", text=text))
    return article_id


def test_sentences_are_kept_with_their_summary_and_go_with_it(library):
    article_id = add(library)
    library.save_summary(article_id, "m", "1/short", "Kelby will build a tidal plant.")
    assert grounding_store.stored_summary(library, article_id).sentences is None  # not checked
    grounding_store.save_sentences(library, article_id, "m", "1/short", SENTENCES)
    stored = grounding_store.stored_summary(library, article_id, "m", "1/short")
    assert stored.text == "Kelby will build a tidal plant." and stored.sentences == SENTENCES
    assert (stored.model, stored.prompt_version) == ("m", "1/short")
    # A new summary under the same key replaces the old one's check too.
    library.save_summary(article_id, "m", "1/short", "Another summary.")
    assert grounding_store.stored_summary(library, article_id).sentences is None
    assert grounding_store.stored_summary(library, article_id, "other") is None


def test_saving_sentences_is_announced_once(library):
    article_id = add(library)
    library.save_summary(article_id, "m", "1/short", "Kelby will build a tidal plant.")
    changes = []
    library.subscribe(changes.append)
    with library.transaction():
        library.save_summary(article_id, "m", "1/short", "Kelby will build a tidal plant.")
        grounding_store.save_sentences(library, article_id, "m", "1/short", SENTENCES)
    assert len(changes) == 1 and article_id in changes[0].updated


def test_damaged_sentences_read_as_unchecked(library):
    article_id = add(library)
    library.save_summary(article_id, "m", "1/short", "Summary.")
    for damaged in ("{not json", '{"a": 1}', "[1, 2]"):
        with library.transaction() as tx:
            tx.execute("UPDATE summaries SET sentences = ?", (damaged,))
        assert grounding_store.stored_summary(library, article_id).sentences is None


def test_a_conversation_is_kept_in_order_per_article(library):
    first, second = add(library), add(library, "https://example.org/other")
    source = [{"quote": "Kelby will build a tidal plant.", "start": 0, "end": 31}]
    assert grounding_store.add_turn(library, first, "Who?", "Kelby [1].", source,
                                    SENTENCES[:1], "m") == 1
    assert grounding_store.add_turn(library, first, "What?", "A plant [1].", source, [], "m") == 2
    grounding_store.add_turn(library, second, "Where?", "The article does not say.", [], [], "m")
    turns = grounding_store.conversation(library, first)
    assert [(t.question, t.answer) for t in turns] == [("Who?", "Kelby [1]."),
                                                       ("What?", "A plant [1].")]
    assert turns[0].sources == source and turns[0].sentences == SENTENCES[:1]
    assert turns[0].model == "m" and turns[0].created
    grounding_store.forget_conversation(library, first)
    assert grounding_store.conversation(library, first) == []
    assert len(grounding_store.conversation(library, second)) == 1


def test_a_new_text_ends_the_conversation_and_a_new_title_does_not(library):
    article_id = add(library)
    grounding_store.add_turn(library, article_id, "Who?", "Kelby.", [], [], "m")
    library.replace_content(article_id, "New title", "<p>x</p>", TEXT)  # the same text
    assert len(grounding_store.conversation(library, article_id)) == 1
    library.replace_content(article_id, "New title", "<p>y</p>", "Quite another text.")
    assert grounding_store.conversation(library, article_id) == []


def test_a_purged_article_takes_its_conversation_along(library):
    article_id = add(library)
    grounding_store.add_turn(library, article_id, "Who?", "Kelby.", [], [], "m")
    library.set_flag([article_id], "deleted", True)
    library.purge_deleted()
    assert library.query("SELECT count(*) FROM article_questions") == [(0,)]
