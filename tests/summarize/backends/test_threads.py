"""Generation threads follow the load other processes put on the cores."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from reader.summarize.backends import threads
from reader.summarize.backends.threads import GenerationThreads


def test_the_free_cores_decide_rounded():
    two = GenerationThreads(2, cpus=[0, 1])
    assert two.for_load(0.0) == 2
    assert two.for_load(0.4) == 2, "a core used now and then still leaves two"
    assert two.for_load(0.6) == 1, "a core more than half busy is not free"
    assert two.for_load(0.67) == 1, "a busy process sharing two cores with two threads"
    assert two.for_load(1.0) == 1
    assert two.for_load(5.0) == 1, "never fewer than one"
    eight = GenerationThreads(4, cpus=list(range(8)))
    assert eight.for_load(3.0) == 4, "no more than asked for"
    assert eight.for_load(6.0) == 2


def test_a_thread_count_the_user_chose_stays():
    chosen = GenerationThreads(2, adapt=False, cpus=[0, 1])
    time.sleep(threads.WINDOW * 1.2)
    assert chosen.choose() is None and chosen.current == 2


def test_the_load_is_looked_at_no_more_often_than_the_window():
    meter = GenerationThreads(2, cpus=[0, 1])
    assert meter.choose() is None, "too soon to say"


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_busy_processes_beside_it_take_a_thread_away():
    cpus = sorted(os.sched_getaffinity(0))
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in cpus]
    try:
        time.sleep(0.3)  # started
        meter = GenerationThreads(len(cpus))
        time.sleep(threads.WINDOW * 2)  # this process idle, the spinners busy
        chosen = meter.choose()
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert chosen is not None and chosen < len(cpus)
    assert meter.current == chosen
