"""Running the ``reader`` command as a real process against a temporary home."""

import subprocess
import sys


def reader(home, *args, check=True):
    """``reader --home HOME ARGS...``; its exit code must be 0 unless ``check`` is false."""
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--home", str(home), *args],
        capture_output=True, text=True, timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
