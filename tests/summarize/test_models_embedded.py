"""The embedded model is found in its package's folder, and a missing package says so."""

import pytest

from reader.errors import ModelError
from reader.summarize import models


def test_the_embedded_model_is_the_packages_gguf():
    path = models.embedded_model_path()
    assert path.suffix == ".gguf" and path.is_file()
    assert path.parent.name == models.EMBEDDED_PACKAGE.replace("-", "_")


def test_a_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(models, "EMBEDDED_PACKAGE", "llm-no-such-model-package")
    with pytest.raises(ModelError, match="is not installed"):
        models.embedded_model_path()
