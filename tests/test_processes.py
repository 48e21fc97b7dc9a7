"""Workers die with their parent: a real process tree, the parent killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

# The parent starts an extraction-style pool (spawned from a thread that then ends, as capture
# threads do), a plain spawned process, and a child without the watch; prints their pids.
PARENT = textwrap.dedent("""
    import multiprocessing, os, sys, threading, time
    from concurrent.futures import ProcessPoolExecutor
    from reader.processes import die_with_parent

    def live():
        time.sleep(600)

    def watched_live():
        die_with_parent(started_on_main_thread=True)
        live()

    if __name__ == "__main__":
        spawn = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(1, mp_context=spawn, initializer=die_with_parent)
        submitter = threading.Thread(target=lambda: pool.submit(os.getpid).result())
        submitter.start()
        submitter.join()  # the thread that started the worker is gone; the worker must not be
        worker = pool.submit(os.getpid).result()
        watched = spawn.Process(target=watched_live)
        plain = spawn.Process(target=live)
        watched.start(); plain.start()
        time.sleep(1)
        print(worker, watched.pid, plain.pid, flush=True)
        time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_workers_exit_within_two_seconds_of_their_parent_being_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    children: list[int] = []
    try:
        children = [int(pid) for pid in parent.stdout.readline().split()]
        worker, watched, plain = children
        assert all(_alive(pid) for pid in (worker, watched, plain))
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        killed = time.monotonic()
        while (_alive(worker) or _alive(watched)) and time.monotonic() - killed < 2:
            time.sleep(0.05)
        assert not _alive(worker), "the pool worker outlived its parent"
        assert not _alive(watched), "the spawned worker outlived its parent"
        assert _alive(plain)  # without the watch a child lives on: what the test guards against
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(5)
        for pid in children:  # the ones this test started, by pid
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
