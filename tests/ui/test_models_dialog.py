"""The models view over the real catalogue, registry and settings files."""

import shutil

from reader.settings import Settings
from reader.summarize.models import embedded_model_path
from reader.ui.models_dialog import ModelsDialog


def test_lists_adds_and_uses_a_model(qtbot, home, tmp_path, qtmodeltester):
    settings = Settings()
    dialog = ModelsDialog(settings)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.models)
    names = [m.id for m in dialog.models.models]
    assert names[:2] == ["smollm2-135m", "gpt-oss-20b"]
    assert dialog.models.index(0, 2).data() == "in use"
    assert dialog.models.index(1, 2).data() == "not downloaded"

    mine = tmp_path / "mine.gguf"
    shutil.copy(embedded_model_path(), mine)
    dialog.add_file(mine)
    assert dialog.selected().id == "mine" and dialog.use.isEnabled()
    with qtbot.waitSignal(dialog.model_changed):
        dialog.use_selected()
    assert Settings.load().model_path == str(mine)
    assert dialog.models.index(dialog.table.currentIndex().row(), 2).data() == "in use"

    junk = tmp_path / "notes.gguf"
    junk.write_text("not a model")
    dialog.add_file(junk)
    assert "not a GGUF" in dialog.note.text()


def test_a_catalogue_model_cannot_be_used_before_download(qtbot, home):
    dialog = ModelsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.table.selectRow(1)
    assert not dialog.use.isEnabled() and dialog.fetch.isEnabled()
    assert "GPT-OSS" in dialog.note.text() or "OpenAI" in dialog.note.text()


def test_each_size_and_state_is_shown_whole(qtbot, home):
    dialog = ModelsDialog(Settings())
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    table = dialog.table
    for column in (1, 2):  # no "not downloaded" broken over two lines and cut off
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)
    assert table.horizontalScrollBar().maximum() == 0
