"""Fixtures shared by the capture tests."""

from __future__ import annotations

import pytest

from tests.capture.exports import IMPORTS, omnivore_zip


@pytest.fixture
def export(tmp_path):
    """The path of a fixture export; "omnivore.zip" is built from fixtures/imports/omnivore."""

    def find(name: str) -> Path:
        if name == "omnivore.zip":
            return omnivore_zip(IMPORTS / "omnivore", tmp_path / "omnivore.zip")
        return IMPORTS / name

    return find
