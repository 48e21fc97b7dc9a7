"""Reading themes: the colours of the reader view and the stylesheet built from them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from reader import paths


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    link: str
    code_background: str
    rule: str


# The colours of each theme the ``theme`` setting offers (its choices, in reader.settings), but
# "system", which is light or dark as the desktop is.
THEMES = {
    "light": Theme("light", "#ffffff", "#1d1d1f", "#6e6e73", "#1a5fb4", "#f2f2f4", "#d0d0d5"),
    "dark": Theme("dark", "#1e1f22", "#e3e3e6", "#9a9aa2", "#8ab4f8", "#2b2d31", "#3a3c42"),
    "sepia": Theme("sepia", "#f6efe0", "#3b3126", "#7d6d58", "#8a4b12", "#ece2cd", "#d6c8ad"),
}


def resolve(setting: str) -> Theme:
    """The theme for a setting; "system" follows the desktop's light or dark choice."""
    if setting == "system":
        scheme = QGuiApplication.styleHints().colorScheme()
        return THEMES["dark" if scheme == Qt.ColorScheme.Dark else "light"]
    return THEMES.get(setting, THEMES["light"])


def stylesheet(theme: Theme, font_family: str, font_size: int) -> str:
    """resources/reader.css with the theme's colours and the chosen font filled in."""
    template = (paths.resources_dir() / "reader.css").read_text(encoding="utf-8")
    family = f"font-family: '{font_family}';" if font_family else ""
    return template.format(
        family=family, size=font_size, title_size=round(font_size * 1.65),
        h2_size=round(font_size * 1.25), small_size=max(6, font_size - 3),
        **{key: value for key, value in vars(theme).items() if key != "name"},
    ).replace("[[", "{").replace("]]", "}")


def widget_stylesheet(theme: Theme) -> str:
    # Selected text in the page's own background colour: white on the dark theme's light blue
    # could not be read.
    return (f"QTextBrowser {{ background: {theme.background}; color: {theme.text}; "
            f"border: none; selection-background-color: {theme.link}; "
            f"selection-color: {theme.background}; }}")
