"""Putting Reader in the desktop's application menu, for the current user (freedesktop desktops).

``install`` copies the launcher (.desktop file), the icons and the AppStream metainfo from the
source tree into ``$XDG_DATA_HOME``; ``uninstall`` removes exactly those files. Reader usually
runs from a virtual environment whose ``bin`` is not on the launcher's PATH, so the installed
launcher names ``reader-gui`` by its absolute path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from reader import paths
from reader.errors import UserError

APP_ID = "io.github.reader_app.Reader"
GUI_SCRIPT = "reader-gui"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# The Desktop Entry spec's reserved characters: an Exec argument holding any of them is quoted.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# Inside a quoted Exec argument these four are escaped with a backslash.
_EXEC_ESCAPED_IN_QUOTES = set('"`$\\')
# The caches are a convenience for menus; a tool that hangs must not hang the install.
_CACHE_TOOL_TIMEOUT_S = 60


def packaging_dir() -> Path:
    """The source tree's ``packaging`` folder, beside ``resources``."""
    return paths.resources_dir().parent / "packaging"


def default_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME")
    # The base directory spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def find_gui_script() -> Path:
    """The ``reader-gui`` of the running Reader: beside this Python first, then on PATH."""
    beside_python = Path(sys.executable).parent / GUI_SCRIPT
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return beside_python
    on_path = shutil.which(GUI_SCRIPT)
    if on_path:
        return Path(on_path).absolute()
    raise UserError(
        f"Cannot find the {GUI_SCRIPT} program (looked in {beside_python.parent} and on PATH), "
        f"so there is nothing for a launcher to start. Install Reader (pip install .) into the "
        f"Python that runs this command, then try again."
    )


def install(data_home: Path | None = None) -> list[Path]:
    """Install the launcher, icons and metainfo under ``data_home``; return the paths written."""
    data_home = data_home or default_data_home()
    launcher_text = _launcher_for(find_gui_script())
    copied = _copied_files(data_home)
    # Checked before writing anything, so a broken source tree leaves no half-made install.
    missing = [str(source) for source, _ in copied if not source.is_file()]
    if missing:
        raise UserError(f"Reader's desktop files are incomplete; missing: {', '.join(missing)}")
    written = []
    launcher = _launcher_path(data_home)
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text(launcher_text, encoding="utf-8")
    written.append(launcher)
    for source, target in copied:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    _refresh_caches(data_home)
    return written


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove what ``install`` writes under ``data_home``; return the paths that were there."""
    data_home = data_home or default_data_home()
    removed = []
    for path in [_launcher_path(data_home)] + [target for _, target in _copied_files(data_home)]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    if removed:
        _refresh_caches(data_home)
    return removed


def _launcher_path(data_home: Path) -> Path:
    return data_home / "applications" / f"{APP_ID}.desktop"


def _copied_files(data_home: Path) -> list[tuple[Path, Path]]:
    """(source, target) of every file installed as is: the icons and the metainfo."""
    icons = paths.resources_dir() / "icons"
    hicolor = data_home / "icons" / "hicolor"
    pairs = [
        (icons / f"reader-{size}.png", hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
        for size in ICON_SIZES
    ]
    pairs.append((icons / "reader.svg", hicolor / "scalable" / "apps" / f"{APP_ID}.svg"))
    metainfo = f"{APP_ID}.metainfo.xml"
    pairs.append((packaging_dir() / metainfo, data_home / "metainfo" / metainfo))
    return pairs


def _launcher_for(gui_script: Path) -> str:
    """The packaged .desktop file with Exec and TryExec pointing at ``gui_script``."""
    source = packaging_dir() / f"{APP_ID}.desktop"
    if not source.is_file():
        raise UserError(
            f"This copy of Reader has no desktop launcher to install ({source} is missing); "
            f"install from the source tree, which has the packaging folder."
        )
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        key, separator, value = line.partition("=")
        if separator and key.strip() == "Exec":
            # Keep the field codes (%U) and any arguments after the program name.
            _, _, arguments = value.strip().partition(" ")
            program = _escape_string(_exec_argument(str(gui_script)))
            line = f"Exec={program} {arguments}".rstrip()
        elif separator and key.strip() == "TryExec":
            line = f"TryExec={_escape_string(str(gui_script))}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _exec_argument(argument: str) -> str:
    """``argument`` as one Exec argument: quoted when it holds a reserved character, and with
    ``%`` doubled so it is not read as a field code."""
    if any(character in _EXEC_RESERVED for character in argument):
        escaped = "".join(
            "\\" + character if character in _EXEC_ESCAPED_IN_QUOTES else character
            for character in argument
        )
        argument = f'"{escaped}"'
    return argument.replace("%", "%%")


def _escape_string(value: str) -> str:
    """``value`` as a desktop-file string: the file format's own escapes, applied after Exec
    quoting (so a backslash in a quoted path ends up written four times)."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def _refresh_caches(data_home: Path) -> None:
    """Tell menus and icon themes the files changed, with the tools a desktop has, if it has them.

    The files work without the caches; a missing or failing tool only delays the menu update.
    """
    hicolor = data_home / "icons" / "hicolor"
    if hicolor.is_dir():
        # GTK trusts an icon-theme.cache only while it is newer than the theme folder; new icons
        # land in subfolders, so touch the theme folder itself to mark any cache as stale.
        os.utime(hicolor)
    commands = [
        ["update-desktop-database", "--quiet", str(data_home / "applications")],
        # Without --ignore-theme-index: this refreshes a cache only where the theme has an
        # index.theme (a per-user hicolor has none and GTK then reads the folders directly).
        ["gtk-update-icon-cache", "--quiet", str(hicolor)],
    ]
    for command in commands:
        if shutil.which(command[0]) is None:
            continue
        try:
            subprocess.run(
                command,
                check=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=_CACHE_TOOL_TIMEOUT_S,
            )
        except (OSError, subprocess.TimeoutExpired):
            pass
