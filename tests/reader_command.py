"""Running the ``reader`` command as a real process against a temporary home."""

import subprocess
import sys


# ``python -m reader``, except that dead links are never looked up at the real Internet Archive
# (as in tests/conftest.py): a test wanting it sets ``wayback_endpoint`` to its stand-in.
_LAUNCH = ("import sys, reader.capture.wayback as wayback; wayback.PUBLIC_ENDPOINT = ''; "
           "from reader.cli import main; sys.exit(main())")


def reader(home, *args, check=True):
    """``reader --home HOME ARGS...``; its exit code must be 0 unless ``check`` is false."""
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCH, "--home", str(home), *args],
        capture_output=True, text=True, timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def reader_on_a_terminal(home, *args) -> tuple[bytes, str]:
    """``reader --home HOME ARGS...`` with its stderr on a terminal (a pseudo-terminal): what it
    showed there, and its stdout. Its exit code must be 0."""
    import os
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", _LAUNCH, "--home", str(home), *args],
                               stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    stdout, _ = process.communicate(timeout=300)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's other end is closed: all is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0, shown.decode(errors="replace")
    return shown, stdout
