"""Extraction in worker processes: the same result as in this process, and a worker that
dies is replaced."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from reader.capture.extract import extract
from reader.capture.extractor import Extractor
from reader.errors import CaptureError
from tests.fixture_site import PAGES

NEWS = (PAGES / "news-article.html").read_text(encoding="utf-8")


def test_extraction_runs_in_other_processes_and_pickles(extractor, site):
    assert extractor.run(os.getpid) != os.getpid()
    url = site.url("news-article.html")
    extracted = extractor.extract(NEWS, url)
    assert extracted == extract(NEWS, url)
    assert pickle.loads(pickle.dumps(extracted)) == extracted


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_extraction_runs_at_the_lowest_priority(extractor):
    # Any higher, the two extraction processes took the window's cores for up to 20 ms while
    # a thousand links were saved (bench group "ui").
    assert extractor.run(os.nice, 0) == 19


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads have no niceness")
def test_extraction_processes_start_at_the_lowest_priority_and_the_app_keeps_its_own():
    # Their start (importing trafilatura) at the app's priority kept the window waiting for a
    # core: they are spawned from a thread at theirs, which they inherit.
    extractor = Extractor(workers=2)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    try:
        extractor.warm()
        starting = [int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[16])
                    for pid in extractor._pool._processes]
        assert starting == [19, 19]  # read at once: before their initializer lowers it
        # every thread of the app, the pool's own included, keeps the app's priority: one at 19
        # holding the interpreter lock could keep the window waiting for it. The thread that
        # spawned them, at 19, may still be listed for a moment once joined (Python's join
        # returns before the thread has left the kernel, and at 19 on a busy machine it waits
        # for a core to do so); a thread that stays at 19 is a fault.
        deadline = time.monotonic() + 5
        while (threads := _niceness_of_threads()) != [own] * len(threads):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        assert threads == [own] * len(threads)
    finally:
        extractor.close()


def _niceness_of_threads() -> list[int]:
    niceness = []
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        except FileNotFoundError:  # it ended after the listing
            continue
        niceness.append(int(stat.rsplit(") ", 1)[1].split()[16]))
    return niceness


def _stop_words_loaded(seconds: float) -> tuple[int, bool]:
    import trafilatura.external

    time.sleep(seconds)  # both processes busy at once, so that each answers
    return os.getpid(), trafilatura.external.JT_STOPLIST is not None


def test_each_extraction_process_reads_a_first_page_as_it_starts():
    # trafilatura loads jusText's stop words of every language (0.15 s) on a process's first
    # short page: read then, not on the user's first page. Asked until both processes answer
    # (one still starting under load leaves both questions to the other).
    extractor = Extractor(workers=2)
    answers: set[tuple[int, bool]] = set()
    deadline = time.monotonic() + 60
    try:
        with ThreadPoolExecutor(2) as threads:
            while len({pid for pid, _loaded in answers}) < 2 and time.monotonic() < deadline:
                answers |= set(threads.map(lambda _: extractor.run(_stop_words_loaded, 0.3),
                                           (1, 2)))
    finally:
        extractor.close()
    assert len({pid for pid, _loaded in answers}) == 2
    assert all(loaded for _pid, loaded in answers)


def test_a_dying_extraction_process_is_replaced(site):
    extractor = Extractor(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            extractor.run(os._exit, 3)
        assert extractor.extract(NEWS, site.url("news-article.html")).title.startswith("Kelby")
    finally:
        extractor.close()


def test_a_page_without_an_article_is_a_capture_error(extractor):
    with pytest.raises(CaptureError, match="No article text"):
        extractor.extract((PAGES / "no-article.html").read_text(encoding="utf-8"),
                          "https://x.example/")


def test_an_idle_pool_is_let_go_and_made_again():
    extractor = Extractor(workers=1)
    try:
        first = extractor.run(os.getpid)
        extractor.close_if_idle(0)
        assert extractor.run(os.getpid) != first
    finally:
        extractor.close()


def test_workers_end_with_their_parent(tmp_path):
    """A process that extracts is killed: its extraction workers do not live on."""
    import signal
    import subprocess
    import sys
    import time

    pids = tmp_path / "pids"
    script = (
        "import os, sys, time\n"
        "from reader.capture.extractor import Extractor\n"
        "extractor = Extractor(workers=2)\n"
        "found = {extractor.run(os.getpid) for _ in range(20)}\n"
        f"open({str(pids)!r}, 'w').write(' '.join(map(str, found)))\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not pids.exists() or not pids.read_text():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.1)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    workers = [int(pid) for pid in pids.read_text().split()]
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "extraction workers outlived their parent"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split(") ", 1)[1].startswith("Z"))


def test_an_extraction_process_of_the_reader_command_loads_no_capture_pipeline(tmp_path):
    # A spawned worker imports the parent's main module again before its first task: under the
    # `reader` command that is its console script, i.e. reader.cli. It must stay light.
    script = tmp_path / "reader-script.py"
    script.write_text(
        "import sys\n"
        "from reader.cli import main\n"
        "if __name__ == '__main__':\n"
        "    from reader.capture.extractor import Extractor\n"
        "    extractor = Extractor(workers=1)\n"
        "    print(extractor.run(eval, \"sorted(set(__import__('sys').modules) & "
        "{'httpx', 'reader.capture.batch', 'reader.capture.importers', 'PySide6'})\"))\n"
        "    extractor.close()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_closing_ends_a_page_still_being_read_and_nothing_runs_after():
    import threading

    extractor = Extractor(workers=1)
    extractor.run(os.getpid)  # started
    outcome = []
    reading = threading.Thread(target=lambda: outcome.append(_raised(extractor.run, time.sleep, 60)))
    reading.start()
    time.sleep(0.5)
    started = time.monotonic()
    extractor.close()
    reading.join(10)
    assert not reading.is_alive() and outcome == [BrokenProcessPool]
    assert time.monotonic() - started < 10
    assert _raised(extractor.run, os.getpid) is BrokenProcessPool


def test_the_app_exits_at_once_with_a_page_still_being_read(tmp_path):
    # Python's exit joins a process pool's workers: a page that takes minutes kept a closed
    # window's process alive for those minutes.
    script = (
        "import os, threading, time\n"
        "from reader.capture.extractor import Extractor\n"
        "extractor = Extractor(workers=1)\n"
        "extractor.run(os.getpid)\n"
        "threading.Thread(target=extractor.run, args=(time.sleep, 120), daemon=True).start()\n"
        "time.sleep(0.5)\n"
        "extractor.close()\n")
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True,
                   cwd=Path(__file__).resolve().parents[2])
    assert time.monotonic() - started < 30


def _raised(function, *args):
    try:
        function(*args)
    except Exception as error:  # noqa: BLE001 - the test looks at which
        return type(error)
    return None


def test_a_page_read_past_the_time_limit_is_given_up_and_the_next_one_read():
    extractor = Extractor(workers=1, time_limit=2)
    try:
        first = extractor.run(os.getpid)
        started = time.monotonic()
        assert _raised(extractor.run, time.sleep, 60) is TimeoutError
        assert time.monotonic() - started < 10
        assert extractor.run(os.getpid) not in (first, None)  # a new process
        extractor.time_limit = 0.001  # less than any page takes
        with pytest.raises(CaptureError, match="gave up reading this page after 0.001 s"):
            extractor.extract(NEWS, "https://news.example/story")
    finally:
        extractor.close()
