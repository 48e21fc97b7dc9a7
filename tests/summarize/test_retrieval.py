"""An article cut into passages with exact offsets, and BM25 ranking them for a question."""

from reader.summarize import retrieval


def test_passages_are_paragraphs_with_exact_offsets():
    text = "First paragraph here. It has two sentences.\n\n  Second one.\nThird, last."
    passages = retrieval.passages(text)
    assert [p.text for p in passages] == ["First paragraph here. It has two sentences.",
                                          "Second one.", "Third, last."]
    assert all(text[p.start:p.end] == p.text for p in passages)


def test_a_long_paragraph_is_cut_between_sentences():
    sentence = "The council met again to talk about the harbour and its many boats. "
    text = "Intro.\n" + sentence * 40
    passages = retrieval.passages(text)
    assert len(passages) >= 4
    for passage in passages[1:]:
        assert text[passage.start:passage.end] == passage.text
        assert passage.text.startswith("The council") and passage.text.endswith("boats.")
        assert len(passage.text.split()) <= retrieval.PASSAGE_WORDS


def test_rank_puts_the_passage_with_the_rare_words_first():
    text = "\n".join([
        "The harbour was busy with boats all summer.",
        "The harbour pilot of Kelby is Ingrid Solberg.",
        "The harbour froze in winter.",
        "Apples and bread are sold at the market.",
    ])
    ranked = retrieval.rank(retrieval.passages(text), "Who is the harbour pilot?")
    assert ranked[0][1].text == "The harbour pilot of Kelby is Ingrid Solberg."
    assert "market" not in " ".join(p.text for _, p in ranked)  # no word of the question
    assert ranked[0][0] > ranked[1][0] > 0


def test_words_match_in_their_other_forms():
    passages = retrieval.passages("Turbines were installed.\nNothing else.")
    assert [p.text for _, p in retrieval.rank(passages, "When was the turbine installed?")] == [
        "Turbines were installed."]


def test_no_matching_word_ranks_nothing():
    assert retrieval.rank(retrieval.passages("Apples.\nBread."), "the of and?") == []
    assert retrieval.rank([], "anything") == []
