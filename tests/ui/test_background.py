"""The one path for background work: results, user errors and bugs all come back, every time."""

from reader.errors import CaptureError
from reader.ui.background import run_in_background


def test_results_of_instant_jobs_are_never_lost(qtbot):
    # A job can finish before the caller's next line runs; its result must still arrive.
    results = []
    for number in range(100):
        run_in_background(lambda report, cancelled, number=number: number,
                          succeeded=results.append)
    qtbot.waitUntil(lambda: len(results) == 100, timeout=10000)
    assert sorted(results) == list(range(100))


def test_progress_then_result(qtbot):
    progress, results = [], []

    def work(report, cancelled):
        for piece in ("a", "b", "c"):
            report(piece)
        return "done"

    run_in_background(work, progress=progress.append, succeeded=results.append)
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    assert progress == ["a", "b", "c"]


def test_user_errors_are_messages_and_bugs_are_named(qtbot):
    messages, finished = [], []

    def user_error(report, cancelled):
        raise CaptureError("The server answered 404 Not Found")

    def bug(report, cancelled):
        raise KeyError("oops")

    for work in (user_error, bug):
        run_in_background(work, failed=messages.append, finished=lambda: finished.append(1))
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=5000)
    assert "The server answered 404 Not Found" in messages
    assert any(m.startswith("Something went wrong: KeyError('oops')") for m in messages)


def test_many_signals_do_not_corrupt_the_interpreter(tmp_path):
    # PySide6 6.12.0 loses a reference on every emit; a long summary streams thousands of
    # tokens, so the process must survive many emits and exit cleanly.
    import subprocess
    import sys

    script = tmp_path / "emit.py"
    script.write_text(
        "from PySide6.QtCore import QCoreApplication, QObject, Signal\n"
        "class Emitter(QObject):\n"
        "    fired = Signal(object)\n"
        "app = QCoreApplication([])\n"
        "emitter = Emitter()\n"
        "for n in range(20000):\n"
        "    emitter.fired.emit(n)\n"
        "print('survived')\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "survived" in result.stdout, result.stderr[-500:]
