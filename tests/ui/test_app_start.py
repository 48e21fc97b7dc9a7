"""What a real Reader has loaded when its window first paints (issue 14: a quick cold start):
not the summary backends (llama_cpp and what it brings), nor extraction (lxml), nor the capture
queue and its fetching (httpx), nor the models view's memory probe; those load when first used
(the queue right after the first paint)."""

import json
import os
import subprocess
import sys

from reader.library import open_library
from tests.ui.test_single_instance import runtime_dir  # noqa: F401

# Packages, or modules of Reader by their full name.
NOT_BEFORE_THE_FIRST_PAINT = ("llama_cpp", "numpy", "jinja2", "trafilatura", "lxml",
                              "lxml_html_clean", "huggingface_hub", "psutil", "httpx",
                              "reader.capture.queue", "reader.capture.pipeline")

# run_gui as ``reader`` runs it; at the window's first paint, the packages above it has loaded.
FIRST_PAINT = f"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            loaded = set(sys.modules) | {{name.split(".")[0] for name in sys.modules}}
            print(json.dumps(sorted(loaded & set({NOT_BEFORE_THE_FIRST_PAINT!r}))), flush=True)
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
first_paint = FirstPaint()
app.installEventFilter(first_paint)
from reader.ui.app import run_gui
run_gui()
"""


def test_the_first_paint_loads_no_backend_extraction_or_capture(home, runtime_dir):  # noqa: F811
    # A library made before (a new one reads its welcome article with lxml).
    open_library().close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "READER_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", FIRST_PAINT], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
