#!/bin/sh
# The system libraries Qt needs on Debian/Ubuntu (the wheels bring Qt itself), the compiler
# llama-cpp-python builds with, and the desktop-file and AppStream validators the packaging tests
# run. Installs only what is missing, and only where it can (as root, or with sudo); elsewhere it
# says what to install.
set -eu

packages="build-essential cmake libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1 libglib2.0-0 fonts-dejavu-core
desktop-file-utils appstream"

command -v dpkg-query >/dev/null 2>&1 || exit 0  # not a Debian-like system: nothing to do here

missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "Reader needs these system packages:$missing" >&2
    echo "Install them with your package manager, then run make again." >&2
    exit 1
fi
echo "Installing system packages Reader needs:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
