"""Logging in worker processes: library warnings (trafilatura's "empty link" for every odd page)
go to the log file, not the user's terminal, unless ``reader --verbose`` asked for them."""

import subprocess
import sys

WORKER = """
import logging
from reader import logs
logs.setup_worker_logging()
logging.getLogger("trafilatura.xml").warning("empty link: %s", "\\x1b]0;retitled\\x07 text")
"""


def run_worker(home, **env):
    return subprocess.run([sys.executable, "-c", WORKER], capture_output=True, text=True,
                          timeout=60, env={"READER_HOME": str(home), "PATH": "", **env})


def test_a_workers_library_warnings_go_to_the_log_file(tmp_path):
    result = run_worker(tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert "empty link: \x1b]0;retitled\x07 text" in (tmp_path / "logs" / "reader.log").read_text()


def test_verbose_shows_them_on_stderr_without_terminal_control(tmp_path):
    result = run_worker(tmp_path, READER_VERBOSE="1")
    assert result.stderr.strip() == "empty link: ]0;retitled text"
