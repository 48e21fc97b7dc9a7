"""Token budgets and map-reduce plans, counted with the real tiny model's tokenizer."""

import random

import pytest

from reader.errors import ModelError
from reader.summarize import chunking
from reader.summarize.chunking import (
    PART_ANSWER_FLOOR,
    group,
    plan,
    reduce,
    split,
    whole_sentences,
)

WORDS = ("tidal", "turbine", "harbour", "council", "Kelby", "seals", "fish", "channel", "study",
         "noise", "cooperative", "residents", "plant", "power", "homes", "energy", "seabed")


@pytest.fixture(scope="module")
def tokenize():
    """The embedded SmolLM2's tokenizer (its weights are not loaded)."""
    from llama_cpp import Llama

    from reader.summarize.models import embedded_model_path

    llama = Llama(model_path=str(embedded_model_path()), vocab_only=True, verbose=False)
    return lambda text: llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def words_tokenize(text):
    return text.split()


def sentence(rng, length):
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def article(seed=1, paragraphs=40):
    rng = random.Random(seed)
    return "\n".join(
        " ".join(sentence(rng, rng.randint(4, 18)) for _ in range(rng.randint(1, 6)))
        for _ in range(paragraphs)
    )


def assert_whole_and_in_order(text, chunks):
    assert " ".join(chunks).split() == text.split()  # every word, once, in order
    position = 0
    for chunk in chunks:
        position = text.index(chunk, position) + len(chunk)  # each chunk is the text itself


def test_every_word_in_exactly_one_chunk_in_order(tokenize):
    text = article()
    chunks = split(text, tokenize, 150)
    assert len(chunks) > 3
    assert_whole_and_in_order(text, chunks)
    assert all(len(tokenize(chunk)) <= 150 for chunk in chunks)
    # Paragraphs this short are never cut: every chunk ends where a paragraph ends.
    for chunk in chunks:
        end = text.index(chunk) + len(chunk)
        assert end == len(text) or text[end] == "\n"


def test_chunks_are_about_equal(tokenize):
    text = article(seed=2, paragraphs=60)
    sizes = [len(tokenize(chunk)) for chunk in split(text, tokenize, 300)]
    assert max(sizes) <= 300
    assert min(sizes) > max(sizes) / 2, sizes  # no stub at the end


@pytest.mark.parametrize("seed", range(1, 10))
def test_as_few_chunks_as_paragraphs_packed_full_make(seed):
    """Equal chunks, but never one more than filling each to the budget needs (every part costs
    a prompt and a summary). Counted in characters, which add up exactly across paragraphs."""
    text = article(seed, 60)
    for budget in (700, 1200, 2000, 3000):
        packed, current = [], []
        for paragraph in text.split("\n"):
            if current and len("\n".join([*current, paragraph])) > budget:
                packed.append(current)
                current = []
            current.append(paragraph)
        chunks = split(text, len, budget)
        assert len(chunks) == len(packed) + 1
        assert_whole_and_in_order(text, chunks)
        assert all(len(chunk) <= budget for chunk in chunks)


def test_a_giant_paragraph_is_cut_between_sentences(tokenize):
    rng = random.Random(3)
    giant = " ".join(sentence(rng, rng.randint(5, 15)) for _ in range(120))
    text = f"A short opening.\n{giant}\nA short ending."
    chunks = split(text, tokenize, 100)
    assert_whole_and_in_order(text, chunks)
    assert all(len(tokenize(chunk)) <= 100 for chunk in chunks)
    assert all(chunk.endswith(".") for chunk in chunks)


def test_a_giant_sentence_is_cut_between_words(tokenize):
    rng = random.Random(4)
    text = " ".join(rng.choice(WORDS) for _ in range(3000))
    chunks = split(text, tokenize, 64)
    assert_whole_and_in_order(text, chunks)
    assert all(len(tokenize(chunk)) <= 64 for chunk in chunks)
    assert all(chunk.split()[-1] in WORDS for chunk in chunks)  # no word cut in two


def test_text_without_spaces_is_cut_anywhere_and_kept_whole(tokenize):
    text = "潮汐发电站将在港口建造" * 300 + "x" * 3000
    chunks = split(text, tokenize, 50)
    assert "".join(chunks) == text
    assert all(len(tokenize(chunk)) <= 50 for chunk in chunks)


def test_empty_text():
    assert split("", words_tokenize, 10) == []
    assert split(" \n\n \n", words_tokenize, 10) == []
    empty = plan("  \n", 100, 10, 10, words_tokenize)
    assert empty.chunks == [] and empty.single


def test_plan_one_pass_when_it_fits(tokenize):
    text = article(paragraphs=3)
    one = plan(f"\n{text}\n", 2048, 320, 160, tokenize)
    assert one.single and one.chunks == [text]
    assert one.chunk_budget == 2048 - 320 - 160
    assert one.part_answer_tokens == 320


def test_plan_chunks_when_it_does_not(tokenize):
    text = article(paragraphs=80)
    many = plan(text, 1024, 320, 200, tokenize)
    assert not many.single
    assert many.chunk_budget == 504
    assert all(len(tokenize(chunk)) <= 504 for chunk in many.chunks)
    assert_whole_and_in_order(text, many.chunks)
    # Partial summaries short enough to be combined three at a time.
    assert many.part_answer_tokens * 3 <= many.chunk_budget
    # ... and all of them together about half the final summary, not one summary each.
    assert len(many.chunks) > 4
    assert many.part_answer_tokens == max(PART_ANSWER_FLOOR, 320 // (2 * len(many.chunks)))


@pytest.mark.parametrize("answer", [256, 800])
def test_parts_notes_together_take_half_the_final_summary_and_a_sentence_or_two_each(answer):
    """Every token a note generates costs about five read: notes of a full summary's length
    each made a long article cost 1.2x reading it once (issue 14)."""
    for paragraphs in (12, 40, 100):
        text = "\n".join(f"Paragraph {n} " + "word " * 90 for n in range(paragraphs))
        notes = plan(text, 1024, answer, 100, words_tokenize)
        parts = len(notes.chunks)
        assert parts > 1
        assert notes.part_answer_tokens >= PART_ANSWER_FLOOR
        if answer // (2 * parts) > PART_ANSWER_FLOOR:
            assert parts * notes.part_answer_tokens <= answer // 2
        else:  # so many parts that each note gets its floor
            assert notes.part_answer_tokens == PART_ANSWER_FLOOR


def test_a_note_cut_by_its_token_limit_ends_at_its_last_finished_sentence():
    assert whole_sentences("The plant opens in 2028. Seals kept using the chan") == (
        "The plant opens in 2028.")
    assert whole_sentences(" Who pays? A cooperative of residents (“locals”). It") == (
        "Who pays? A cooperative of residents (“locals”).")
    assert whole_sentences("It ends here.\n") == "It ends here."
    assert whole_sentences("Version 1.5 is out") == "Version 1.5 is out"  # no sentence ends
    assert whole_sentences("Six turbines on the seabed, and") == "Six turbines on the seabed, and"
    assert whole_sentences("电厂将于2028年投产。海豹") == "电厂将于2028年投产。"


def test_a_reasoning_model_keeps_its_thinking_room_in_every_part(tokenize):
    text = article(paragraphs=80)
    plain = plan(text, 4096, 320, 200, tokenize)
    reasoning = plan(text, 4096 + 768, 320 + 768, 200, tokenize, reasoning_tokens=768)
    assert len(reasoning.chunks) == len(plain.chunks)
    assert reasoning.part_answer_tokens == plain.part_answer_tokens + 768


def test_a_context_too_small_is_a_clear_error():
    with pytest.raises(ModelError, match="too small"):
        plan("Some text.", 512, 320, 200, words_tokenize)
    with pytest.raises(ModelError, match="too small"):
        chunking.chunk_budget(512, 400, 112)


def test_group_fits_each_group_in_the_budget():
    parts = [f"part{n} " + "word " * 9 for n in range(7)]  # ten words each
    groups = group(parts, words_tokenize, 35, " ".join)
    assert groups == [parts[0:3], parts[3:6], parts[6:7]]
    assert group([], words_tokenize, 35, " ".join) == []


def test_reduce_combines_in_rounds_until_the_rest_fit():
    parts = [f"p{n} " + "word " * 9 for n in range(20)]  # ten words each, 200 in all
    calls = []

    def combine(batch):
        calls.append(len(batch))
        return " ".join(["combined"] * 10)

    last = reduce(parts, words_tokenize, 35, combine, " ".join)
    # 20 parts -> 7 groups (3,3,3,3,3,3,2) -> 7 summaries -> groups (3,3,1) -> 3 parts that fit.
    assert calls == [3, 3, 3, 3, 3, 3, 2, 3, 3]
    assert last == [" ".join(["combined"] * 10)] * 3
    # Already fitting: nothing to combine.
    assert reduce(parts[:3], words_tokenize, 35, combine, " ".join) == parts[:3]
    assert reduce([], words_tokenize, 35, combine) == []


def test_reduce_refuses_when_no_two_parts_fit_together():
    parts = ["word " * 20] * 3
    with pytest.raises(ModelError, match="too small"):
        reduce(parts, words_tokenize, 30, lambda batch: "x")


def test_a_backend_that_only_counts_tokens(tokenize):
    text = article(seed=5)
    def count(text):  # what a server's count_tokens gives
        return len(tokenize(text))

    assert split(text, count, 150) == split(text, tokenize, 150)
    assert plan(text, 1024, 320, 200, count) == plan(text, 1024, 320, 200, tokenize)
