"""The sidebar follows the library's changes: counts re-read (kept by the library), tags that
appear or go inserted or removed as rows, never a reset that would lose the selected row."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView

from reader.library import NewArticle
from reader.library.listing import ListQuery
from reader.ui.sidebar import TARGET_ROLE, SidebarModel


def shown(model: SidebarModel) -> list[str]:
    return [model.index(row).data(Qt.ItemDataRole.DisplayRole) for row in range(model.rowCount())]


def test_counts_and_tags_follow_changes_keeping_the_selection(qtbot, qtmodeltester, library):
    model = SidebarModel(library)
    qtmodeltester.check(model)
    library.subscribe(model.apply)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setCurrentIndex(model.index(model.row_of("view", "archive")))
    resets = []
    model.modelReset.connect(lambda: resets.append(True))

    url = "https://example.org/a"
    article = library.add(NewArticle(url=url, original_url=url, title="A", body_html="",
                                     text="x", tags=["food"]))[0]
    assert shown(model) == ["Inbox  (2)", "Favourites  (0)", "Archive  (0)", "All  (2)",
                            "Highlights", "# food  (1)"]
    library.tag([article], "energy")
    library.set_flag([article], "archived", True)
    assert shown(model)[2:] == ["Archive  (1)", "All  (2)", "Highlights", "# energy  (1)",
                                "# food  (1)"]
    library.set_flag([article], "deleted", True)  # in the bin: its tags are counted no more
    assert shown(model) == ["Inbox  (1)", "Favourites  (0)", "Archive  (0)", "All  (1)",
                            "Highlights"]
    assert resets == []
    assert view.currentIndex().data(TARGET_ROLE) == ("view", "archive")


def test_a_renamed_tag_keeps_its_count(library):
    model = SidebarModel(library)
    library.subscribe(model.apply)
    article = library.ids(ListQuery())[0]
    library.tag([article], "energy")
    library.rename_tag("energy", "Power")
    assert shown(model)[-1] == "# Power  (1)" and model.row_of("tag", "energy") is None
