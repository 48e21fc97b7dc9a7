"""Entry point of the frozen (PyInstaller) Reader: one script behind both executables.

The spec builds two executables from one analysis of this file: ``reader`` (a console program,
the command line; with no arguments it opens the window) and ``reader-gui`` (windowed, for
desktop launchers). Each runs this script and it picks the entry point by the executable's name,
the same two functions ``pip install`` wires up as ``[project.scripts]`` and
``[project.gui-scripts]``.
"""

import multiprocessing
import os
import sys
from pathlib import Path


def _give_windowed_app_std_streams() -> None:
    """A windowed Windows executable starts with no stdout/stderr (``sys.stdout is None`` and no
    file descriptors 1 and 2). llama.cpp's quiet mode duplicates descriptors 1 and 2 and logging
    writes to ``sys.stderr``, so point both at the null device instead of failing."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    null = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    for descriptor in (1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            try:
                os.dup2(null.fileno(), descriptor)
            except OSError:
                pass
    if sys.stdout is None:
        sys.stdout = null
    if sys.stderr is None:
        sys.stderr = null


def main() -> int:
    multiprocessing.freeze_support()  # harmless; keeps any child process from re-running Reader
    if Path(sys.executable).stem.lower().endswith("-gui"):
        _give_windowed_app_std_streams()
        from reader.cli import gui_main

        return gui_main()
    from reader.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
