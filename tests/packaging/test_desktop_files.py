"""The freedesktop integration: the launcher and metainfo pass the real validators, the committed
icons are what their containers say, and a per-user install writes a working launcher and
removes every file it wrote."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from reader import desktop_entry, paths
from reader.errors import UserError

APP_ID = "io.github.reader_app.Reader"
PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
DESKTOP_FILE = PACKAGING / f"{APP_ID}.desktop"
METAINFO_FILE = PACKAGING / f"{APP_ID}.metainfo.xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# Files the cache tools may add next to ours; they describe the folder, they are not Reader's.
CACHE_FILES = {"mimeinfo.cache", "icon-theme.cache"}

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="freedesktop integration is for Linux desktops"
)


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; run packaging/install-system-deps.sh")
    return path


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool(command[0]), *command[1:]], capture_output=True, text=True, timeout=120
    )


def desktop_entry_keys(path: Path) -> dict[str, str]:
    """The keys of the [Desktop Entry] group (the only group these files have)."""
    keys = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip()
    return keys


def png_size(data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from a PNG's IHDR, which the format puts first."""
    assert data[:8] == PNG_SIGNATURE
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    assert chunk_type == b"IHDR" and length == 13
    width, height, _bit_depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def assert_validates(desktop_file: Path) -> None:
    result = run_tool("desktop-file-validate", str(desktop_file))
    assert result.returncode == 0, result.stdout + result.stderr
    # Hints (about categories, deprecated keys) are printed too: we want none at all.
    assert result.stdout + result.stderr == ""


# -- the packaged files ----------------------------------------------------------------------


def test_desktop_file_passes_desktop_file_validate():
    assert_validates(DESKTOP_FILE)


def test_desktop_file_launches_reader_gui_with_links_and_claims_no_file_types():
    keys = desktop_entry_keys(DESKTOP_FILE)
    assert keys["Exec"] == "reader-gui %U"
    assert keys["TryExec"] == "reader-gui"
    assert keys["Icon"] == APP_ID
    # Reader opens only http(s) pages given as links; it is not a browser nor a file viewer.
    assert "MimeType" not in keys


def test_metainfo_passes_appstreamcli_validate():
    result = run_tool("appstreamcli", "validate", "--no-net", "--explain", str(METAINFO_FILE))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"^\s*[WE]:", output, re.MULTILINE), output


def test_metainfo_names_the_desktop_file_and_the_binaries():
    component = ElementTree.parse(METAINFO_FILE).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    launchable = component.find("launchable")
    assert launchable.get("type") == "desktop-id"
    assert (PACKAGING / launchable.text).is_file()
    assert {binary.text for binary in component.iter("binary")} >= {"reader", "reader-gui"}


# -- the committed icons -----------------------------------------------------------------------


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_has_its_size_and_an_alpha_channel(size):
    width, height, colour_type = png_size((ICONS / f"reader-{size}.png").read_bytes())
    assert (width, height) == (size, size)
    assert colour_type == 6  # truecolour with alpha: the rounded corners are transparent


def test_ico_lists_png_entries_from_16_to_256():
    data = (ICONS / "reader.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        entry = data[6 + 16 * index : 6 + 16 * (index + 1)]
        width, height, _, _, planes, bits, length, offset = struct.unpack("<BBBBHHII", entry)
        side = width or 256  # a width byte of 0 means 256
        assert height == width and (planes, bits) == (1, 32)
        assert offset + length <= len(data)
        assert png_size(data[offset : offset + length])[:2] == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_lists_png_elements_of_the_expected_types():
    data = (ICONS / "reader.icns").read_bytes()
    magic, total = struct.unpack(">4sI", data[:8])
    assert magic == b"icns" and total == len(data)
    elements = {}
    position = 8
    while position < len(data):
        kind, length = struct.unpack(">4sI", data[position : position + 8])
        assert length > 8 and position + length <= len(data)
        elements[kind] = png_size(data[position + 8 : position + length])[:2]
        position += length
    assert elements == {
        b"icp4": (16, 16),
        b"icp5": (32, 32),
        b"icp6": (64, 64),
        b"ic07": (128, 128),
        b"ic08": (256, 256),
        b"ic09": (512, 512),
    }


# -- installing for the current user ---------------------------------------------------------


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """An empty XDG data home; HOME and XDG_DATA_HOME point into tmp too, so a test that gets
    the default wrong cannot touch the real home."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path / "data"


def exec_program(installed: Path) -> tuple[list[str], str]:
    """The installed Exec line split as a launcher does, and the TryExec value."""
    keys = desktop_entry_keys(installed)
    # shlex follows the same double-quote rules as the spec for the paths used here.
    return shlex.split(keys["Exec"]), keys["TryExec"]


def remaining_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file() and path.name not in CACHE_FILES}


def test_install_writes_a_launcher_for_this_reader_gui_and_uninstall_removes_it(data_home):
    written = desktop_entry.install(data_home)

    launcher = data_home / "applications" / f"{APP_ID}.desktop"
    assert written[0] == launcher
    assert all(path.is_file() and data_home in path.parents for path in written)
    arguments, try_exec = exec_program(launcher)
    program = Path(arguments[0])
    assert program.is_absolute() and program.name == "reader-gui"
    assert program.is_file() and os.access(program, os.X_OK)
    assert arguments[1:] == ["%U"]
    assert try_exec == str(program)
    assert_validates(launcher)
    for size in PNG_SIZES:
        icon = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon in written
        source = paths.resources_dir() / "icons" / f"reader-{size}.png"
        assert icon.read_bytes() == source.read_bytes()
    assert data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg" in written
    assert data_home / "metainfo" / f"{APP_ID}.metainfo.xml" in written
    assert remaining_files(data_home) == set(written)

    removed = desktop_entry.uninstall(data_home)

    assert sorted(removed) == sorted(written)
    assert remaining_files(data_home) == set()
    assert desktop_entry.uninstall(data_home) == []  # nothing left, and that is fine


def test_install_quotes_a_reader_gui_path_with_spaces(data_home, tmp_path, monkeypatch):
    bin_dir = tmp_path / "Reader's env" / "bin"
    bin_dir.mkdir(parents=True)
    gui_script = bin_dir / "reader-gui"
    gui_script.write_text("#!/bin/sh\n")
    gui_script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))

    desktop_entry.install(data_home)

    launcher = data_home / "applications" / f"{APP_ID}.desktop"
    arguments, try_exec = exec_program(launcher)
    assert arguments == [str(gui_script), "%U"]
    assert try_exec == str(gui_script)
    assert_validates(launcher)


def test_install_defaults_to_xdg_data_home(data_home, tmp_path):
    written = desktop_entry.install()

    assert all((tmp_path / "xdg-data") in path.parents for path in written)
    assert desktop_entry.uninstall() == written


def test_install_without_a_reader_gui_raises_a_user_error_and_writes_nothing(
    data_home, tmp_path, monkeypatch
):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    monkeypatch.setenv("PATH", "")

    with pytest.raises(UserError, match="reader-gui"):
        desktop_entry.install(data_home)

    assert not data_home.exists()
