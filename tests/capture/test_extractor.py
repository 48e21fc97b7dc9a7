"""Extraction in worker processes: the same result as in this process, and a worker that
dies is replaced."""

from __future__ import annotations

import os
import pickle
from concurrent.futures.process import BrokenProcessPool

import pytest

from reader.capture.extract import extract
from reader.capture.extractor import Extractor
from reader.errors import CaptureError
from tests.fixture_site import PAGES

NEWS = (PAGES / "news-article.html").read_text(encoding="utf-8")


def test_extraction_runs_in_other_processes_and_pickles(extractor, site):
    assert extractor.run(os.getpid) != os.getpid()
    url = site.url("news-article.html")
    extracted = extractor.extract(NEWS, url)
    assert extracted == extract(NEWS, url)
    assert pickle.loads(pickle.dumps(extracted)) == extracted


def test_a_dying_extraction_process_is_replaced(site):
    extractor = Extractor(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            extractor.run(os._exit, 3)
        assert extractor.extract(NEWS, site.url("news-article.html")).title.startswith("Kelby")
    finally:
        extractor.close()


def test_a_page_without_an_article_is_a_capture_error(extractor):
    with pytest.raises(CaptureError, match="No article text"):
        extractor.extract((PAGES / "no-article.html").read_text(encoding="utf-8"),
                          "https://x.example/")


def test_an_idle_pool_is_let_go_and_made_again():
    extractor = Extractor(workers=1)
    try:
        first = extractor.run(os.getpid)
        extractor.close_if_idle(0)
        assert extractor.run(os.getpid) != first
    finally:
        extractor.close()
