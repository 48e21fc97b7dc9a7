"""Generation through llama.cpp's own API, with the real tiny model: the same answer for the same
prompt, the cached prefix reused (and giving the logits a whole reading gives), whole characters
out of split tokens, the limits (max_tokens, the context, cancel)."""

from __future__ import annotations

import threading

import llama_cpp as L
import numpy as np
import pytest

from reader.errors import ModelError
from reader.summarize import prompt
from reader.summarize.backends.decoding import TextPieces
from reader.summarize.backends.local import LocalModel
from reader.summarize.models import embedded_model_path

pytestmark = pytest.mark.slow

ARTICLE = ("The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour. "
           "Six turbines will sit in the narrow channel, and the first power is due in 2028.")
OTHER = "A bakery in Ostend now sells bread made with seaweed; the queue reaches the harbour."


def built(model, data: str = ARTICLE) -> list[int]:
    return model.build_prompt(prompt.article_data("Kelby", data), prompt.instruction()).ids


def evaluated_prompt_tokens(model) -> int:
    return L.llama_perf_context(model._model().ctx).n_p_eval


def last_logits(model) -> np.ndarray:
    ctx = model._model().ctx
    n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(model._model().model))
    return np.ctypeslib.as_array(L.llama_get_logits_ith(ctx, -1), shape=(n_vocab,)).copy()


def test_the_same_prompt_gives_the_same_answer(tiny_model):
    ids = built(tiny_model)
    tiny_model.generator.forget()
    first = "".join(tiny_model.stream_tokens(ids, 40))
    tiny_model.generator.forget()
    again = "".join(tiny_model.stream_tokens(ids, 40))
    assert len(first.split()) >= 5
    assert again == first


def test_a_prompt_that_starts_as_the_last_one_did_reads_only_the_rest(tiny_model):
    generator = tiny_model.generator
    first, second = built(tiny_model), built(tiny_model, OTHER)
    shared = next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)
    assert shared > 10, "the system message and the instruction come first"

    generator.forget()
    list(tiny_model.stream_tokens(first, 4))
    L.llama_perf_context_reset(tiny_model._model().ctx)
    list(tiny_model.stream_tokens(second, 1))
    assert evaluated_prompt_tokens(tiny_model) == len(second) - shared
    assert generator.context_tokens == tuple(second)


def test_logits_after_a_cached_prefix_are_those_of_a_whole_reading(tiny_model):
    ids = built(tiny_model)
    tiny_model.generator.forget()
    list(tiny_model.stream_tokens(ids, 1))  # read whole
    whole = last_logits(tiny_model)
    list(tiny_model.stream_tokens(ids[:-5] + [ids[0]] * 5, 1))  # the cache now ends elsewhere
    list(tiny_model.stream_tokens(ids, 1))  # the shared prefix kept, the last 5 tokens read
    cached = last_logits(tiny_model)
    assert whole.argmax() == cached.argmax()
    assert np.abs(whole - cached).max() < 0.05 * np.abs(whole).max()


def test_a_character_split_across_tokens_comes_out_whole(tiny_model):
    text = "Café ☕ in 東京 — naïve 🐟 ok"
    vocab = L.llama_model_get_vocab(tiny_model._model().model)
    tokens = tiny_model.tokenize(text)
    pieces = TextPieces(vocab)
    out = [pieces.add(token) for token in tokens] + [pieces.end()]
    assert "".join(out) == text
    assert "" in out, "some token ends in the middle of a character"
    # The unsafe way: each token decoded on its own breaks the characters it splits.
    alone = "".join(TextPieces(vocab).add(token) for token in tokens)
    assert "\ufffd" in alone


def test_generation_stops_at_max_tokens_and_at_cancel(tiny_model):
    ids = built(tiny_model)
    tiny_model.generator.forget()
    L.llama_perf_context_reset(tiny_model._model().ctx)
    list(tiny_model.stream_tokens(ids, 5))
    assert L.llama_perf_context(tiny_model._model().ctx).n_eval == 4, "the last token not read"

    cancelled = threading.Event()
    pieces = []
    for piece in tiny_model.stream_tokens(ids, 50, cancelled):
        pieces.append(piece)
        cancelled.set()
    assert len(pieces) == 1


class SetAfter(threading.Event):
    """A cancel flag that is set once it has been looked at ``times`` times: while a prompt is
    read, only llama.cpp's abort callback looks at it, so it is set in the middle of a batch."""

    def __init__(self, times: int):
        super().__init__()
        self.looks = 0
        self._times = times

    def is_set(self) -> bool:
        self.looks += 1
        if self.looks >= self._times:
            self.set()
        return super().is_set()


def test_a_cancel_stops_the_prompt_in_the_middle_of_a_batch(tiny_model):
    ids = tiny_model.tokenize("The tide came in over the harbour wall. " * 180)[:1500]
    tiny_model.generator.forget()
    answer = "".join(tiny_model.stream_tokens(ids, 6))

    tiny_model.generator.forget()  # nothing of it cached: the whole prompt to read again
    cancelled = SetAfter(20)
    assert list(tiny_model.stream_tokens(ids, 6, cancelled)) == []
    assert cancelled.looks >= 20, "llama.cpp asked while it computed"
    assert cancelled.looks < 200, "it stopped when told, not after the prompt's batches"
    assert tiny_model.generator.context_tokens == (), "a batch read in part is not kept"
    assert "".join(tiny_model.stream_tokens(ids, 6)) == answer, "the context is sound after"
    assert "".join(tiny_model.stream_tokens(ids, 6)) == answer, "and its cache reused"


class ReaderGone(SetAfter):
    """A flag that cannot be read once looked at ``times`` times, as the worker's when the
    pipe to Reader is closed."""

    def is_set(self) -> bool:
        if super().is_set():
            raise EOFError("Reader has gone")
        return False


def test_a_cancel_flag_that_fails_inside_llama_cpp_stops_it_and_is_raised_after(tiny_model):
    ids = tiny_model.tokenize("The tide came in over the harbour wall. " * 180)[:1500]
    tiny_model.generator.forget()
    answer = "".join(tiny_model.stream_tokens(ids, 6))
    tiny_model.generator.forget()
    failing = ReaderGone(20)
    with pytest.raises(EOFError, match="Reader has gone"):
        list(tiny_model.stream_tokens(ids, 6, failing))
    assert failing.looks == 20, "asked no more once it failed: the batch stopped there"
    assert tiny_model.generator.context_tokens == ()
    assert "".join(tiny_model.stream_tokens(ids, 6)) == answer, "the context is sound after"


def test_a_prompt_longer_than_the_context_is_refused_clearly(tiny_model):
    too_long = tiny_model.tokenize("tide " * 3000)
    assert len(too_long) > tiny_model.context_size
    with pytest.raises(ModelError, match="does not fit"):
        list(tiny_model.stream_tokens(too_long, 8))
    with pytest.raises(ModelError, match="empty prompt"):
        list(tiny_model.stream_tokens([], 8))
    assert "".join(tiny_model.stream_tokens(built(tiny_model), 3)), "the model works on"


def test_the_answer_stops_where_the_context_ends():
    small = LocalModel(embedded_model_path(), context_limit=128)
    room = small._model().n_ctx()  # llama.cpp rounds the context up (to 256)
    ids = small.tokenize("tide " * 600)[: room - 3]
    pieces = list(small.stream_tokens(ids, 100))
    assert 0 < len(pieces) <= 3
    assert len(small.generator.context_tokens) <= room


def test_reading_hears_each_batch_of_the_prompt_before_the_first_piece(tiny_model):
    ids = tiny_model.tokenize("The tide came in over the harbour wall. " * 180)[:1200]
    batch = tiny_model._model().n_batch
    assert len(ids) == 1200 > 2 * batch
    heard: list = []
    tiny_model.generator.forget()
    for piece in tiny_model.stream_tokens(ids, 3, reading=lambda *read: heard.append(read)):
        heard.append(piece)
    first_piece = next(i for i, said in enumerate(heard) if isinstance(said, str))
    assert heard[:first_piece] == [(0, 1200), (batch, 1200), (2 * batch, 1200), (1200, 1200)]
    assert not any(isinstance(said, tuple) for said in heard[first_piece:])

    # The same prompt again: all but its last token is in the cache, and only that is read.
    heard.clear()
    list(tiny_model.stream_tokens(ids, 1, reading=lambda *read: heard.append(read)))
    assert heard == [(0, 1), (1, 1)]


def test_a_cancel_while_reading_is_heard_no_more(tiny_model):
    ids = tiny_model.tokenize("The tide came in over the harbour wall. " * 180)[:1200]
    cancelled = threading.Event()
    heard: list = []

    def reading(done, total):
        heard.append(done)
        if done:  # after the first batch
            cancelled.set()

    tiny_model.generator.forget()
    assert list(tiny_model.stream_tokens(ids, 3, cancelled, reading)) == []
    assert heard == [0, tiny_model._model().n_batch]
