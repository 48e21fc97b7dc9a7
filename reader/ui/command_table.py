"""The window's commands: id, title, what runs, and the menu that shows it. Their keys are data
(resources/keymap.json and the user's overrides); see ``reader.ui.commands``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.ui.commands import Command
from reader.ui.highlight_controller import highlight_commands

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


def window_commands(window: MainWindow) -> list[Command]:
    browse, act = window.browser, window.article_actions
    capture, summaries, highlights = window.capture, window.summaries, window.highlights
    return [
        Command("add-url", "Add URL…", capture.ask_for_url, "Library"),
        Command("paste-links", "Add Links from Clipboard", capture.paste_links, "Library"),
        Command("import", "Import from Another Service…", capture.ask_for_import, "Library"),
        Command("export", "Export…", window.exports.ask_for_export, "Library"),
        Command("search", "Search", browse.focus_search, "Library"),
        Command("undo", "Undo", act.undo, "Library"),
        Command("palette", "Command Palette…", window.open_palette, "Library"),
        Command("models", "Models…", window.open_models, "Library"),
        Command("settings", "Settings…", window.open_settings, "Library"),
        Command("quit", "Quit", window.close, "Library"),
        Command("next-article", "Next Article", lambda: browse.move(1), "Go"),
        Command("previous-article", "Previous Article", lambda: browse.move(-1), "Go"),
        Command("first-article", "First Article", lambda: browse.select_row(0), "Go"),
        Command("last-article", "Last Article",
                lambda: browse.select_row(browse.articles.rowCount() - 1), "Go"),
        Command("open-article", "Read Article", browse.open_article, "Go"),
        Command("page-down", "Page Down", lambda: window.reader_view.page(1), "Go"),
        Command("page-up", "Page Up", lambda: window.reader_view.page(-1), "Go"),
        Command("back", "Back to the List / Clear Search / Stop", window.back, "Go"),
        Command("show-highlights", "Highlights of the Library", highlights.show_library_list,
                "Go"),
        Command("summarize", "Summarise", summaries.summarize, "Article"),
        Command("summarize-again", "Summarise Again",
                lambda: summaries.summarize(again=True), "Article"),
        Command("summarize-all", "Summarise All Unsummarised", summaries.summarize_all,
                "Library"),
        Command("ask", "Ask the Article…", summaries.ask, "Article"),
        Command("next-source", "Show the Next Sentence's Passage",
                lambda: summaries.follow(1), "Article"),
        Command("previous-source", "Show the Previous Sentence's Passage",
                lambda: summaries.follow(-1), "Article"),
        Command("toggle-summary", "Show or Hide the Summary", summaries.toggle_pane, "Article"),
        Command("toggle-highlights", "Show or Hide the Highlights", highlights.toggle_pane,
                "Article"),
        Command("article-note", "Edit Article Note…", highlights.edit_article_note, "Article"),
        Command("archive", "Archive / Unarchive", lambda: act.toggle("archived"), "Article"),
        Command("favourite", "Favourite / Unfavourite", lambda: act.toggle("favourite"),
                "Article"),
        Command("mark-read", "Mark Read / Unread", lambda: act.toggle("read"), "Article"),
        Command("tags", "Edit Tags…", act.edit_tags, "Article"),
        Command("rename-tag", "Rename Tag…", act.rename_tag, "Article"),
        Command("delete", "Delete", act.delete, "Article"),
        Command("open-original", "Open Original in Browser", act.open_original, "Article"),
        Command("re-extract", "Re-extract from Saved Page", act.re_extract, "Article"),
        *highlight_commands(window.highlighting),
        Command("font-bigger", "Larger Text", lambda: window.font_step(1), "View"),
        Command("font-smaller", "Smaller Text", lambda: window.font_step(-1), "View"),
        Command("help", "Keys…", window.show_keys, "Help"),
    ]
