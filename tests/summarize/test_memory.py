"""Memory estimates: the real tiny model's header, and a 20B-class model's metadata."""

from __future__ import annotations

import pytest

from reader.summarize import gguf, memory
from reader.summarize.memory import GB, MemoryCheck, check, choose_context, need
from reader.summarize.models import embedded_model_path

MiB = 1024 * 1024

# GPT-OSS-20b's header, as ggml-org/gpt-oss-20b-GGUF has it (arrays left out, as gguf does).
GPT_OSS_20B = {
    "general.architecture": "gpt-oss",
    "general.name": "Gpt Oss 20b",
    "gpt-oss.block_count": 24,
    "gpt-oss.context_length": 131072,
    "gpt-oss.embedding_length": 2880,
    "gpt-oss.feed_forward_length": 2880,
    "gpt-oss.attention.head_count": 64,
    "gpt-oss.attention.head_count_kv": 8,
    "gpt-oss.attention.key_length": 64,
    "gpt-oss.attention.value_length": 64,
    "gpt-oss.attention.sliding_window": 128,
    "gpt-oss.expert_count": 32,
    "gpt-oss.expert_used_count": 4,
    "gpt-oss.expert_feed_forward_length": 2880,
}
GPT_OSS_20B_FILE = 12_109_566_560


@pytest.fixture(scope="module")
def tiny():
    return gguf.read_metadata(embedded_model_path())


def test_the_tiny_models_kv_cache_is_what_llama_cpp_allocates(tiny):
    # llama.cpp with n_ctx=2048 logs "CPU KV buffer size = 45.00 MiB" for this model:
    # 30 layers, 3 KV heads of 64 (576 / 9), keys and values in f16.
    assert memory.kv_cache_bytes(tiny, 2048) == 45 * MiB == 2 * 30 * 2048 * 3 * 64 * 2
    assert memory.kv_cache_bytes(tiny, 4096) == 2 * memory.kv_cache_bytes(tiny, 2048)


def test_the_tiny_models_compute_buffer_is_not_underestimated(tiny):
    # ... and "CPU compute buffer size = 102.51 MiB" (a batch of 512 tokens' logits, mostly).
    compute = need(tiny, 0, 2048).compute
    assert 102.51 * MiB <= compute <= 1.1 * 102.51 * MiB


def test_check_adds_the_file_to_the_cache_and_says_nothing_when_it_fits(tiny):
    path = embedded_model_path()
    result = check(path, 2048, available=8 * GB)
    assert result.need.weights == path.stat().st_size
    expected = path.stat().st_size + 45 * MiB + result.need.compute + memory.RUNTIME_BYTES
    assert result.need.total == expected
    assert result.fits and result.warning is None
    assert result.name == path.stem


@pytest.mark.slow
def test_the_estimate_covers_what_the_loaded_model_really_takes():
    import psutil

    from reader.summarize.backends.worker import WorkerModel

    with WorkerModel(embedded_model_path(), context_limit=2048, threads=1) as model:
        list(model.stream_chat([{"role": "user", "content": "Say hello."}], max_tokens=8))
        used = psutil.Process(model.pid).memory_info().rss
    estimate = check(embedded_model_path(), 2048).need.total
    assert used <= estimate <= 3 * used


def test_a_20b_model_with_8k_context_needs_about_13_gb():
    needed = need(GPT_OSS_20B, GPT_OSS_20B_FILE, 8192)
    assert needed.kv_cache == 2 * 24 * 8192 * 8 * 64 * 2  # 0.4 GB
    assert 12.9 * GB < needed.total < 13.3 * GB


def test_the_warning_says_what_is_needed_what_there_is_and_what_to_do():
    needed = need(GPT_OSS_20B, GPT_OSS_20B_FILE, 8192)
    result = MemoryCheck("GPT-OSS-20b", 8192, needed, 9_800_000_000)
    assert not result.fits
    assert result.warning == (
        "GPT-OSS-20b needs about 13.0 GB with an 8192-token context; this computer has 9.8 GB "
        "free. Close other programs or choose a smaller model or context.")
    smaller = MemoryCheck("GPT-OSS-20b", 4096, need(GPT_OSS_20B, GPT_OSS_20B_FILE, 4096), 9 * GB)
    assert "needs about 12.8 GB with a 4096-token context" in smaller.warning


def test_the_available_memory_is_the_computers():
    assert 0 < memory.available_memory()


@pytest.mark.parametrize("available_gb, limit, chosen", [
    (64, 131072, 131072),  # room for all it was trained on
    (64, 8192, 8192),  # the setting caps it
    (64, 6000, 6000),  # a cap that is no power of two is a candidate itself
    (16, 131072, 32768),  # 12.1 GB of weights leave room for 32k tokens and 1 GB to spare
    (15, 131072, 16384),
    (14, 131072, 4096),
    (14, 8192, 4096),
    (8, 131072, 2048),  # nothing fits: the smallest, and check() warns
])
def test_the_largest_context_that_fits_is_chosen(available_gb, limit, chosen):
    result = choose_context(GPT_OSS_20B, available_gb * GB, limit, file_size=GPT_OSS_20B_FILE)
    assert result == chosen
    if available_gb > 8:
        needed = need(GPT_OSS_20B, GPT_OSS_20B_FILE, result).total
        assert needed + memory.HEADROOM_BYTES <= available_gb * GB


def test_the_context_never_exceeds_what_the_model_was_trained_on(tiny):
    assert choose_context(tiny, 64 * GB, 131072, file_size=100 * MiB) == 8192
    assert choose_context(tiny, 64 * GB, 1024, file_size=100 * MiB) == 1024  # a small cap stays


def test_a_header_without_sizes_gets_safe_guesses():
    shape = memory.Shape.from_metadata({"general.architecture": "mystery"})
    assert shape.layers == 32 and shape.kv_heads == 32 and shape.key_length == 128
    assert shape.trained_context is None
    assert choose_context({"general.architecture": "mystery"}, 64 * GB, 8192, file_size=GB) == 8192
