"""The models list: the embedded model, the catalogue, and GGUF files the user adds and chooses."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil

import pytest

from reader.errors import ModelError
from reader.settings import Settings
from reader.summarize import catalogue
from reader.summarize.catalogue import (
    CATALOGUE,
    CatalogueEntry,
    EMBEDDED_ID,
    add_model,
    catalogue_entry,
    catalogue_path,
    list_models,
    remove_model,
    use_model,
)
from reader.summarize.models import chosen_model_path, embedded_model_path


@pytest.fixture
def gguf_file(tmp_path):
    """A real GGUF somewhere on disk (the tiny model, copied)."""
    path = tmp_path / "downloads" / "my-model.Q4_K_M.gguf"
    path.parent.mkdir()
    shutil.copy(embedded_model_path(), path)
    return path


def by_id(models):
    return {model.id: model for model in models}


def test_the_catalogue_names_real_gguf_files_in_hugging_face_repositories():
    assert [entry.id for entry in CATALOGUE] == ["gpt-oss-20b", "qwen3-4b", "llama-3.2-1b"]
    gpt = catalogue_entry("GPT-OSS-20b")
    assert (gpt.repo_id, gpt.filename) == ("ggml-org/gpt-oss-20b-GGUF", "gpt-oss-20b-mxfp4.gguf")
    for entry in CATALOGUE:
        assert entry.filename.endswith(".gguf") and entry.repo_id.count("/") == 1
        assert 500_000_000 < entry.size < 20_000_000_000
    assert catalogue_entry("qwen3-4b") is catalogue_entry("Qwen3-4B-Instruct-2507-Q4_K_M.gguf")
    assert catalogue_entry("nothing") is None


def test_every_catalogue_model_is_pinned_to_a_commit_and_a_sha256():
    for entry in CATALOGUE:
        assert entry.is_pinned, f"{entry.id} downloads whatever {entry.revision!r} holds today"
        assert len(entry.revision) == 40 and len(entry.sha256) == 64
    assert len({entry.sha256 for entry in CATALOGUE}) == len(CATALOGUE)
    unpinned = CatalogueEntry(id="x", name="X", repo_id="a/b", filename="x.gguf", size=1,
                              description="")
    assert not unpinned.is_pinned
    assert not dataclasses.replace(unpinned, revision="main", sha256="0" * 64).is_pinned
    assert not dataclasses.replace(unpinned, revision="0" * 40, sha256="ABC").is_pinned


def test_a_new_home_lists_the_embedded_model_in_use_and_the_catalogue_to_download(home):
    models = list_models(Settings())
    assert [m.source for m in models] == ["embedded", "catalogue", "catalogue", "catalogue"]
    embedded = models[0]
    assert embedded.id == EMBEDDED_ID and embedded.present and embedded.active
    assert embedded.path == embedded_model_path() and embedded.size == embedded.path.stat().st_size
    for model in models[1:]:
        assert not model.present and not model.active
        assert model.path == home / "models" / model.entry.filename == catalogue_path(model.entry)
        assert model.size == model.entry.size


def test_an_added_model_is_listed_by_name_and_remembered(home, gguf_file):
    info = add_model(gguf_file, "Mine")
    assert (info.name, info.path, info.source, info.present) == ("Mine", gguf_file, "added", True)
    listed = by_id(list_models(Settings()))["Mine"]
    assert listed.path == gguf_file and listed.added == info.added and not listed.active
    stored = json.loads((home / "config" / "models.json").read_text())
    assert stored == [{"name": "Mine", "path": str(gguf_file), "added": info.added}]


def test_a_model_is_named_after_its_file_by_default_and_renamed_when_added_again(home, gguf_file):
    assert add_model(gguf_file).name == "my-model.Q4_K_M"
    add_model(gguf_file, "Renamed")
    added = [m for m in list_models(Settings()) if m.source == "added"]
    assert [(m.name, m.path) for m in added] == [("Renamed", gguf_file)]


def test_what_is_not_a_gguf_model_is_not_added(home, tmp_path):
    page = tmp_path / "page.gguf"
    page.write_text("<html>a download page</html>")
    with pytest.raises(ModelError, match="not a GGUF"):
        add_model(page)
    with pytest.raises(ModelError, match="does not exist"):
        add_model(tmp_path / "missing.gguf")
    assert not (home / "config" / "models.json").exists()


def test_names_are_not_shared(home, gguf_file, tmp_path):
    add_model(gguf_file, "Mine")
    other = tmp_path / "other.gguf"
    shutil.copy(gguf_file, other)
    for taken in ("mine", "gpt-oss-20b", "Qwen3-4B-Instruct-2507", EMBEDDED_ID):
        with pytest.raises(ModelError, match="already a model called"):
            add_model(other, taken)


def test_using_a_model_saves_the_setting(home, gguf_file):
    add_model(gguf_file, "Mine")
    settings = Settings()
    assert use_model("mine", settings).active
    assert settings.model_path == str(gguf_file)
    reloaded = Settings.load()
    assert reloaded.model_path == str(gguf_file) and chosen_model_path(reloaded) == gguf_file
    assert [m.id for m in list_models(reloaded) if m.active] == ["Mine"]

    use_model("embedded", reloaded)
    assert Settings.load().model_path == ""
    assert [m.id for m in list_models(Settings.load()) if m.active] == [EMBEDDED_ID]


def test_using_a_path_adds_it_to_the_list(home, gguf_file):
    settings = Settings()
    info = use_model(str(gguf_file), settings)
    assert info.source == "added" and info.path == gguf_file and info.active
    assert settings.model_path == str(gguf_file)
    assert "my-model.Q4_K_M" in by_id(list_models(settings))


def test_a_catalogue_model_is_used_once_downloaded(home):
    settings = Settings()
    with pytest.raises(ModelError, match="not downloaded yet: `reader models download "
                                         "gpt-oss-20b`"):
        use_model("GPT-OSS-20b", settings)
    assert settings.model_path == ""
    path = catalogue_path(catalogue_entry("gpt-oss-20b"))
    path.parent.mkdir(parents=True)
    shutil.copy(embedded_model_path(), path)  # stands in for the 12 GB file
    info = use_model("gpt-oss-20b", settings)
    assert info.source == "catalogue" and info.active and Settings.load().model_path == str(path)


def test_an_unknown_name_and_a_vanished_file_are_said_clearly(home, gguf_file):
    with pytest.raises(ModelError, match="No model is called 'gpt-5'"):
        use_model("gpt-5", Settings())
    with pytest.raises(ModelError, match="does not exist"):
        use_model("/nowhere/model.gguf", Settings())
    add_model(gguf_file, "Mine")
    gguf_file.unlink()
    assert not by_id(list_models(Settings()))["Mine"].present
    with pytest.raises(ModelError, match="is gone"):
        use_model("Mine", Settings())


def test_a_model_set_by_hand_in_the_settings_is_listed_as_in_use(home, gguf_file):
    models = list_models(Settings(model_path=str(gguf_file)))
    active = [(m.id, m.source) for m in models if m.active]
    assert active == [("my-model.Q4_K_M", "added")]


def test_a_model_can_be_forgotten(home, gguf_file):
    add_model(gguf_file, "Mine")
    remove_model("MINE")
    assert "Mine" not in by_id(list_models(Settings()))
    assert gguf_file.exists(), "forgetting a model leaves its file alone"
    with pytest.raises(ModelError, match="No added model"):
        remove_model("Mine")


def test_a_broken_model_list_is_ignored_with_a_warning(home, gguf_file, caplog):
    path = catalogue.registry_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with caplog.at_level(logging.WARNING):
        assert [m.source for m in list_models(Settings())].count("added") == 0
    assert "unreadable model list" in caplog.text
    path.write_text(json.dumps([{"name": "Good", "path": str(gguf_file)}, {"name": 3}, "junk"]))
    assert [m.id for m in list_models(Settings()) if m.source == "added"] == ["Good"]
    add_model(gguf_file, "Better")  # rewriting it keeps only what was good
    assert json.loads(path.read_text())[0]["name"] == "Better"
