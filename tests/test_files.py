"""Settings and window state written atomically, the settings readable by the user only."""

import json
import stat
import threading

import pytest

from reader.files import write_atomically
from reader.settings import Settings


def test_settings_with_a_key_are_readable_by_the_user_only(tmp_path):
    path = tmp_path / "config" / "settings.json"
    Settings(server_api_key="sk-secret").save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings.load(path).server_api_key == "sk-secret"
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temporary left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "window.json"
    write_atomically(path, '{"old": true}')

    def disk_full(descriptor):
        raise OSError("No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError):
        write_atomically(path, '{"new": true}')
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["window.json"]


def test_writers_at_once_never_mix_their_files(tmp_path):
    path = tmp_path / "settings.json"
    texts = [json.dumps({"writer": n, "padding": "x" * 100_000}) for n in range(8)]
    threads = [threading.Thread(target=write_atomically, args=(path, text)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text() in texts  # one writer's whole file, not a mix
