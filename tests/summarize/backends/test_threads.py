"""Generation threads follow the load other processes put on the cores."""

from __future__ import annotations

import logging
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


def _measured(monkeypatch, samples):
    """A meter reading ``samples`` (wall seconds, CPU seconds busy, of which this process's) in
    turn, and the thread counts it chooses after each sample but the first."""
    readings = iter(samples)
    monkeypatch.setattr(threads, "_counters", lambda cpus: next(readings))
    meter = GenerationThreads(2, cpus=[0, 1])
    return meter, [meter.choose() for _ in samples[1:]]


def test_more_threads_after_two_short_windows_with_room_or_one_long_one(monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger=threads.__name__)
    busy, quiet = 0.9, 0.0  # CPU seconds others took a second
    # Short windows: busy (down to one thread), then room twice before two threads come back.
    short = [(0.0, 0.0, 0.0)]
    for wall, load in ((0.3, busy), (0.3, quiet), (0.3, quiet)):
        last = short[-1]
        short.append((last[0] + wall, last[1] + load * 2 * wall, last[2]))
    meter, chosen = _measured(monkeypatch, short)
    assert chosen == [1, None, 2], "a lull of one short window does not bring threads back"
    said = [record.getMessage() for record in caplog.records if record.name == threads.__name__]
    assert said == ["Generating on 1 thread(s): other processes kept 1.8 CPU(s) busy over the "
                    "last 0.30 s",
                    "Generating on 2 thread(s): other processes kept 0.0 CPU(s) busy over the "
                    "last 0.30 s"], "each change is logged, with the load that made it"
    # A long window with room (a prompt's batch at one thread): two threads at once.
    long = [(0.0, 0.0, 0.0), (0.3, 0.54, 0.0), (2.3, 0.54 + 1.0, 1.0)]  # its own thread only
    meter, chosen = _measured(monkeypatch, long)
    assert chosen == [1, 2] and meter.current == 2


def test_a_generation_after_a_pause_starts_on_every_core(monkeypatch):
    start = time.monotonic() - 0.5  # the generation's start, as the meter reads it
    busy_window = 0.3 * 1.8  # CPU seconds others took in a 0.3 s window: most of both cores
    readings = iter([
        (start - 31.0, 0.0, 0.0),  # made
        (start - 30.7, busy_window, 0.0),  # a busy window: down to one thread
        (start, busy_window + 30.7 * 1.3, 0.0),  # the pause, busy most of it (a build)
        (start + 0.3, busy_window + 30.7 * 1.3 + 0.3 * 1.8, 0.0),  # busy, measured anew
    ])
    monkeypatch.setattr(threads, "_counters", lambda cpus: next(readings))
    meter = GenerationThreads(2, cpus=[0, 1])
    assert meter.choose() == 1
    assert meter.begin() == 2, "what the pause saw is history: every core, measured afresh"
    assert meter.choose() == 1, "the first window of the generation decides"
    assert meter.begin() is None, "generations in a row (a long article's parts) carry on"
    assert meter.current == 1
