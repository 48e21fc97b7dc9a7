"""How many threads generate: as many as there are cores, less those other processes keep busy.

llama.cpp here is built with OpenMP: at every step of a token its threads wait for each other,
spinning. A thread that shares its core with another busy process is descheduled for a time
slice while the others spin, so with one of two cores busy, two threads generate 27-33 tok/s
where one thread makes 68-71 (docs/benchmarks.md). So the load is measured, not guessed: the CPU
time the whole machine spent (``psutil.cpu_times``) less this process's own (``os.times``), over
the last ``WINDOW`` seconds of wall time, is what the other processes took; the threads are the
cores they leave free, rounded (a CPU more than half busy is not free). Measured between the
prompt's batches, then every ``WINDOW`` seconds while tokens are generated, so a load that comes
or goes is followed within a fraction of a second. The same count reads the prompt.

A generation that follows a pause starts on every core (``begin``): what other processes did
during the pause is history. Judged by it, a build that ended as the summary was asked for had
the prompt read on one thread, 4.6 s where two took 3.1 (bench, 12-02). Prompts are where a
wrong guess costs least: with one core busy, two threads read 131-142 tok/s where one reads
144-149; with both busy, 80-110 against 93-97; with none, 284-291 against 155-156.

OpenMP's wait policy is left at libgomp's default (spin a little, then sleep): ``PASSIVE``
halves the speed of two threads on an idle machine, and under load one thread beats two
passive ones (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
import os
import time

import psutil

log = logging.getLogger(__name__)

WINDOW = 0.25  # seconds: long enough for the kernel's CPU counters (10 ms ticks) to mean something
# A window at least this long that leaves room for more threads is no lull: more are used at once.
# (Between a prompt's batches a window lasts a batch, seconds at one thread: waiting for a second
# one read a 934-token prompt at one thread throughout, 6.4 s against 3.3, after a busy spell.)
SETTLED = 4 * WINDOW


class GenerationThreads:
    """The thread count for generation: ``most`` when the cores are free, fewer when they are
    not; always ``most`` when ``adapt`` is False (the user chose a count). ``cpus``: the CPUs
    it runs on, by number (those this process may use, by default)."""

    def __init__(self, most: int, adapt: bool = True, cpus: list[int] | None = None):
        self.most = max(1, most)
        self.adapt = adapt
        self.current = self.most
        self._cpus = cpus if cpus is not None else _usable_cpus()
        self._mark = _counters(self._cpus) if adapt else None
        self._more_seen = False  # the last window left room for more threads than now

    def choose(self) -> int | None:
        """The thread count to use from now on when it changed, else None. It looks at the load
        over the time since it last looked, once that is ``WINDOW`` seconds or more (between
        two generations: the whole pause)."""
        if not self.adapt or time.monotonic() - self._mark[0] < WINDOW:
            return None
        now = _counters(self._cpus)
        wall = now[0] - self._mark[0]
        busy_elsewhere = ((now[1] - self._mark[1]) - (now[2] - self._mark[2])) / wall
        self._mark = now
        changed = self._set(self.for_load(busy_elsewhere), settled=wall >= SETTLED)
        if changed is not None:  # said in the log: why a summary was slower than the last
            log.info("Generating on %d thread(s): other processes kept %.1f CPU(s) busy over "
                     "the last %.2f s", changed, busy_elsewhere, wall)
        return changed

    def begin(self) -> int | None:
        """A generation starts: after a pause (no look for ``SETTLED`` seconds), on ``most``
        threads, measured afresh from now. The thread count to use from now on when it changed,
        else None."""
        if not self.adapt or time.monotonic() - self._mark[0] < SETTLED:
            return None  # (generations in a row, such as a long article's parts, carry on)
        self._mark = _counters(self._cpus)
        self._more_seen = False
        if self.current == self.most:
            return None
        self.current = self.most
        log.info("Generating on %d thread(s) after a pause: the load is measured afresh",
                 self.most)
        return self.most

    def for_load(self, busy_elsewhere: float) -> int:
        """Threads for a machine on which other processes keep ``busy_elsewhere`` CPUs busy.
        A CPU more than half busy elsewhere is not free: a thread too many can make generation
        several times slower (4 against 26 tok/s under heavy load, 1.3 against 34 with one
        busy process beside it), while rounding further down gave up a third of the speed
        under a light load (34 against 58 tok/s) in the same run."""
        free = len(self._cpus) - max(0.0, busy_elsewhere)
        return max(1, min(self.most, math.floor(free + 0.5)))

    def _set(self, threads: int, settled: bool = False) -> int | None:
        """Fewer threads at once; more only when two windows in a row leave room for them, or
        one ``settled`` (long) window does, so that a lull in another process's work does not
        bring back the slow case."""
        if threads > self.current and not (self._more_seen or settled):
            self._more_seen = True
            return None
        self._more_seen = False
        if threads == self.current:
            return None
        self.current = threads
        return threads


def _usable_cpus() -> list[int]:
    """The CPUs this process may run on (all of them, where the system cannot say)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return list(range(psutil.cpu_count() or 1))


def _counters(cpus: list[int]) -> tuple[float, float, float]:
    """Wall time, CPU time ``cpus`` spent busy, CPU time this process spent, in seconds."""
    per_cpu = psutil.cpu_times(percpu=True)
    busy = 0.0
    for number in cpus:
        if number < len(per_cpu):
            times = per_cpu[number]
            busy += sum(times) - times.idle - getattr(times, "iowait", 0.0)
            # Linux counts guest time inside user time as well.
            busy -= getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
    own = os.times()
    return time.monotonic(), busy, own.user + own.system


def physical_cores() -> int:
    # llama.cpp generation is bound by memory bandwidth and core count; hyperthreads slow it.
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1
