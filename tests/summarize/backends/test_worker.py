"""The model in a worker process, with the real tiny model: streaming, cancel, crashes, idle
unload."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import signal
import threading
import time

import pytest

from reader.errors import ModelError
from reader.summarize.backends.local import LocalModel, physical_cores
from reader.summarize.backends.worker import WorkerBug, WorkerModel, proxy
from reader.summarize.models import embedded_model_path

pytestmark = pytest.mark.slow

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Tell a long story about a lighthouse keeper and her cat."},
]
TEXT = "The town council of Kelby voted on Tuesday to build a tidal energy plant in the harbour."
# One thread: llama.cpp's threads wait for each other at every step, and on a busy test machine
# a second one that is not scheduled makes each token take a time slice.
THREADS = 1


@pytest.fixture(scope="module")
def model():
    """One worker for the tests that leave it working."""
    with WorkerModel(embedded_model_path(), context_limit=2048, threads=THREADS) as model:
        yield model


@pytest.fixture
def fresh():
    """A worker of its own, for tests that crash, stop or unload it."""
    model = WorkerModel(embedded_model_path(), context_limit=2048, threads=THREADS)
    yield model
    model.close()


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_it_describes_the_model_as_the_local_model_does(model, tiny_model):
    assert model.name == tiny_model.name
    assert model.context_size == tiny_model.context_size == 2048
    assert model.metadata == tiny_model.metadata
    assert WorkerModel(embedded_model_path()).threads == tiny_model.threads == physical_cores()
    assert model.pid is None or model.pid != os.getpid()


def test_tokens_are_counted_in_the_child_as_in_process(model, tiny_model):
    assert model.count_tokens(TEXT) == tiny_model.count_tokens(TEXT)
    assert model.count_tokens("") == 0
    assert model.pid is not None and model.pid != os.getpid()


def test_the_local_models_other_calls_go_through_the_child_too(model, tiny_model):
    ids = model.tokenize(TEXT)
    assert ids == tiny_model.tokenize(TEXT)
    continuation = list(model.stream_tokens(ids, max_tokens=6))
    assert continuation and all(isinstance(piece, str) for piece in continuation)
    built = model.build_prompt("An article about tides.", "Summarise it.")
    assert built == tiny_model.build_prompt("An article about tides.", "Summarise it.")


def test_options_go_to_the_local_model():
    worker = WorkerModel(embedded_model_path(), reasoning_effort="high")
    assert worker.reasoning_effort == "high" and worker.options == {"reasoning_effort": "high"}


def test_an_unexpected_exception_in_the_child_is_a_bug_with_its_traceback(model):
    model.count_tokens("warm up")
    pid = model.pid
    too_long = [{"role": "user", "content": "tide " * 5000}]  # far past the 2048-token context
    with pytest.raises(WorkerBug, match=r"(?s)Traceback.*exceed context window"):
        list(model.stream_chat(too_long, max_tokens=8))
    assert model.pid == pid, "the child lives on"
    assert model.count_tokens(TEXT) > 0


def test_an_article_is_summarised_and_stored_through_the_worker(model, library):
    from reader.library import NewArticle
    from reader.summarize.summarizer import summarize_and_store

    url = "https://example.org/tidal"
    text = " ".join([TEXT] * 3)
    article_id, _ = library.add(NewArticle(url=url, original_url=url, title="Kelby goes tidal",
                                           body_html=f"<p>{text}</p>", text=text))
    summary = "".join(summarize_and_store(library, article_id, model)).strip()
    assert summary and library.summary(article_id) == summary


def test_the_answer_streams_in_pieces(model):
    pieces = list(model.stream_chat(MESSAGES, max_tokens=24))
    assert len(pieces) > 5, "the answer should arrive token by token"
    assert len("".join(pieces).split()) >= 3


def test_cancel_is_prompt_and_keeps_the_model_loaded(model):
    model.count_tokens("warm up")
    pid = model.pid
    cancelled = threading.Event()
    pieces = []
    started = None
    for piece in model.stream_chat(MESSAGES, max_tokens=400, cancelled=cancelled):
        pieces.append(piece)
        if len(pieces) == 3:
            cancelled.set()
            started = time.monotonic()
    assert len(pieces) == 3, "nothing is handed on after the cancel"
    assert time.monotonic() - started < proxy.CANCEL_GRACE
    assert model.pid == pid, "the child stopped between tokens; it was not killed"
    assert len(list(model.stream_chat(MESSAGES, max_tokens=8))) > 0


def test_a_cancel_in_the_middle_of_a_prompt_batch_keeps_the_model_loaded(model, caplog,
                                                                          monkeypatch):
    # A batch of 512 tokens takes a second or more here (many on a big model): a child that
    # looked only between batches would be killed after this grace, and its model reloaded.
    monkeypatch.setattr(proxy, "CANCEL_GRACE", 0.5)
    ids = model.tokenize("The tide came in over the harbour wall. " * 180)[:1900]
    model.count_tokens("warm up")
    pid = model.pid
    cancelled = threading.Event()
    timer = threading.Timer(0.2, cancelled.set)  # in the middle of the first batch
    timer.start()
    assert list(model.stream_tokens(ids, 50, cancelled)) == []
    timer.join()
    assert model.pid == pid, "the child stopped reading when told; it was not killed"
    assert "did not stop" not in caplog.text
    assert len(list(model.stream_chat(MESSAGES, max_tokens=8))) > 0


def test_the_child_tells_how_much_of_the_prompt_it_has_read(model):
    ids = model.tokenize("The tide came in over the harbour wall. " * 180)[:1200]
    heard: list = []
    for piece in model.stream_tokens(ids, 3, reading=lambda *read: heard.append(read)):
        heard.append(piece)
    first_piece = next(i for i, said in enumerate(heard) if isinstance(said, str))
    reads = heard[:first_piece]
    total = reads[0][1]  # the tokens not in the cache (the child's last prompt may share some)
    batch = min(512, model.context_size)
    assert reads == [(done, total) for done in range(0, total, batch)] + [(total, total)]
    assert total > 2 * batch
    assert not any(isinstance(said, tuple) for said in heard[first_piece:])

    heard.clear()  # the same prompt: only its last token is not in the cache
    assert list(model.stream_tokens(ids, 1, reading=lambda *read: heard.append(read)))
    assert heard == [(0, 1), (1, 1)]


def test_a_reading_hook_that_fails_is_raised_and_the_child_stops_reading(model, caplog):
    ids = model.tokenize("The tide came in over the harbour wall. " * 180)[:1900]
    model.count_tokens("warm up")
    pid = model.pid

    def reading(done, total):
        if done:  # after the first batch, with three still to read
            raise RuntimeError("the window went away")

    with pytest.raises(RuntimeError, match="the window went away"):
        list(model.stream_tokens(ids, 50, reading=reading))
    assert model.pid == pid, "told to stop, the child stopped; it was not killed"
    assert "did not stop" not in caplog.text
    assert len(list(model.stream_chat(MESSAGES, max_tokens=8))) > 0


def test_a_cancel_before_the_start_asks_nothing(model):
    cancelled = threading.Event()
    cancelled.set()
    assert list(model.stream_chat(MESSAGES, max_tokens=50, cancelled=cancelled)) == []


def test_a_stream_left_unread_is_stopped_before_the_next_request(model):
    stream = model.stream_chat(MESSAGES, max_tokens=400)
    first = next(stream)
    stream.close()  # the caller lost interest: the child must not keep writing
    assert first
    assert model.count_tokens(TEXT) > 0
    assert len(list(model.stream_chat(MESSAGES, max_tokens=8))) > 0


def test_requests_from_several_threads_take_turns(model):
    spans = {}
    errors = []

    def summarise(name):
        try:
            pieces = model.stream_chat(MESSAGES, max_tokens=12)
            first = next(pieces)
            start = time.monotonic()
            list(pieces)
            spans[name] = (start, time.monotonic(), first)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=summarise, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors and len(spans) == 3
    ordered = sorted(spans.values())
    for (_, end, _), (start, _, _) in itertools.pairwise(ordered):
        assert end <= start, "one answer at a time"


def test_asking_again_while_reading_an_answer_on_the_same_thread_is_a_bug(model):
    stream = model.stream_chat(MESSAGES, max_tokens=50)
    next(stream)
    with pytest.raises(RuntimeError, match="still reading"):
        model.count_tokens(TEXT)
    stream.close()


def test_the_child_logs_into_the_parents_log(fresh, caplog):
    with caplog.at_level(logging.INFO):
        fresh.count_tokens(TEXT)
    loading = [r for r in caplog.records if r.name == "reader.summarize.backends.local"]
    assert loading and "Loading" in loading[0].getMessage()


def test_a_crash_in_the_child_is_a_model_error_and_the_next_call_restarts_it(fresh):
    stream = fresh.stream_chat(MESSAGES, max_tokens=400)
    next(stream)
    crashed = fresh.pid
    os.kill(crashed, signal.SIGSEGV)  # what a fault in llama.cpp does
    with pytest.raises(ModelError, match=r"^The model stopped: killed by signal 11 \(SIGSEGV\)\.$"):
        list(stream)
    assert fresh.pid is None
    assert fresh.count_tokens(TEXT) > 0
    assert fresh.pid not in (None, crashed)
    assert len(list(fresh.stream_chat(MESSAGES, max_tokens=8))) > 0


def test_a_child_killed_while_counting_is_a_model_error(fresh):
    fresh.count_tokens(TEXT)
    os.kill(fresh.pid, signal.SIGSTOP)  # hold it, so the kill lands mid-request
    timer = threading.Timer(0.3, os.kill, args=(fresh.pid, signal.SIGKILL))
    timer.start()
    with pytest.raises(ModelError, match=r"killed by signal 9 \(SIGKILL\).*out of memory"):
        fresh.count_tokens(TEXT)
    timer.join()
    assert fresh.count_tokens(TEXT) > 0


def test_a_child_that_died_while_idle_is_started_again_quietly(fresh):
    fresh.count_tokens(TEXT)
    first = fresh.pid
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: fresh.pid is None)
    assert fresh.count_tokens(TEXT) > 0
    assert fresh.pid not in (None, first)


def test_a_child_that_ignores_the_cancel_is_killed(fresh, monkeypatch):
    monkeypatch.setattr(proxy, "CANCEL_GRACE", 0.5)
    cancelled = threading.Event()
    stream = fresh.stream_chat(MESSAGES, max_tokens=400, cancelled=cancelled)
    next(stream)
    hung = fresh.pid
    os.kill(hung, signal.SIGSTOP)  # stuck in native code, as far as the parent can tell
    cancelled.set()
    started = time.monotonic()
    assert list(stream) == []  # a cancelled answer ends quietly, even when the child had to go
    assert 0.4 < time.monotonic() - started < 3
    assert fresh.pid is None
    assert fresh.count_tokens(TEXT) > 0 and fresh.pid != hung


def test_the_model_is_unloaded_when_idle_and_loaded_again_on_use(fresh):
    fresh.idle_unload = 0.3
    fresh.count_tokens(TEXT)
    first = fresh.pid
    assert first is not None
    assert wait_for(lambda: fresh.pid is None), "the idle child exits"
    assert len(list(fresh.stream_chat(MESSAGES, max_tokens=8))) > 0
    assert fresh.pid not in (None, first)


def test_use_keeps_the_model_loaded(fresh):
    fresh.idle_unload = 1.0
    fresh.count_tokens(TEXT)
    pid = fresh.pid
    for _ in range(8):  # 1.6 s of use, never 1 s apart
        time.sleep(0.2)
        fresh.count_tokens(TEXT)
    assert fresh.pid == pid


def test_close_stops_the_child(fresh):
    fresh.count_tokens(TEXT)
    pid = fresh.pid
    fresh.close()
    assert fresh.pid is None
    assert wait_for(lambda: not _alive(pid))


def test_a_file_that_is_not_gguf_is_refused_as_the_local_model_refuses_it(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ModelError) as local:
        LocalModel(fake)
    with pytest.raises(ModelError) as worker:
        WorkerModel(fake)
    assert str(worker.value) == str(local.value)


def test_a_model_that_fails_to_load_gives_the_local_models_message(tmp_path):
    broken = tmp_path / "broken.gguf"
    source = embedded_model_path()
    with open(source, "rb") as whole, open(broken, "wb") as half:
        half.write(whole.read(source.stat().st_size // 2))  # the header whole, tensors cut
    with pytest.raises(ModelError) as local:
        LocalModel(broken, context_limit=2048).count_tokens(TEXT)
    with WorkerModel(broken, context_limit=2048) as model:
        with pytest.raises(ModelError) as worker:
            list(model.stream_chat(MESSAGES, max_tokens=8))
        assert str(worker.value) == str(local.value)
        assert "could not be loaded" in str(worker.value)
        with pytest.raises(ModelError, match="could not be loaded"):
            model.count_tokens(TEXT)  # the child lives on, and says it again


def test_a_model_file_removed_after_the_check_is_said_clearly(tmp_path):
    copy = tmp_path / "model.gguf"
    shutil.copy(embedded_model_path(), copy)
    with WorkerModel(copy, context_limit=2048) as model:
        copy.unlink()
        with pytest.raises(ModelError, match="does not exist"):
            model.count_tokens(TEXT)


def test_the_child_does_not_run_readers_main_script_again(tmp_path):
    """A spawned child imports the parent's main script; reader-gui's imports all of Qt."""
    import subprocess
    import sys

    marker = tmp_path / "imported-by-child"
    script = tmp_path / "app.py"
    script.write_text(
        "import pathlib, sys\n"
        "if __name__ != '__main__':\n"
        f"    pathlib.Path({str(marker)!r}).write_text(__name__)\n"
        "from reader.summarize.models import embedded_model_path\n"
        "from reader.summarize.backends.worker import WorkerModel\n"
        "if __name__ == '__main__':\n"
        "    with WorkerModel(embedded_model_path(), context_limit=2048, threads=1) as model:\n"
        "        print(model.count_tokens('hello world'))\n"
        "        print(model.pid)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[0]) > 0
    assert not marker.exists(), "the child imported the main script"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not alive; the parent reaps its children in join().
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_pieces_go_one_by_one_first_then_together_at_most_every_batch_interval():
    from reader.summarize.backends.worker import child

    class SendingEnd:  # records what the child's end of the pipe is given, and when
        def __init__(self):
            self.sent = []

        def send(self, message):
            self.sent.append((time.monotonic(), message))

    words = [f"w{n} " for n in range(60)]

    def slow_pieces():
        for word in words:
            time.sleep(0.004)
            yield word

    pipe = SendingEnd()
    child._send_in_batches(pipe, 7, slow_pieces())
    assert all(message[:2] == ("piece", 7) for _, message in pipe.sent)
    texts = [message[2] for _, message in pipe.sent]
    assert "".join(texts) == "".join(words)
    assert texts[: child.FIRST_PIECES] == words[: child.FIRST_PIECES]
    assert len(texts) < len(words) - child.FIRST_PIECES
    # From the last single piece on, sends are BATCH_SECONDS apart; the last one is what was left.
    times = [at for at, _ in pipe.sent[child.FIRST_PIECES - 1 : -1]]
    assert all(b - a >= child.BATCH_SECONDS * 0.9 for a, b in itertools.pairwise(times))


def test_threads_left_to_choose_follow_the_load_in_the_child(fresh, caplog):
    """Threads 0 (Reader's default) reaches the child as 0: its LocalModel adapts; a count the
    user chose stays."""
    with WorkerModel(embedded_model_path(), context_limit=2048, threads=0) as adapting:
        with caplog.at_level(logging.INFO):
            adapting.count_tokens(TEXT)
            fresh.count_tokens(TEXT)
    loading = [r.getMessage() for r in caplog.records
               if r.name == "reader.summarize.backends.local" and "Loading" in r.getMessage()]
    assert len(loading) == 2
    assert f"up to {physical_cores()} threads, fewer while" in loading[0]
    assert f"{THREADS} threads" in loading[1] and "fewer" not in loading[1]
