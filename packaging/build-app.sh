#!/bin/sh
# Build the stand-alone Reader folder, dist/Reader/, with PyInstaller (see packaging/README.md).
# Usage: packaging/build-app.sh   (from anywhere; uses the project's .venv, creating it if missing)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

venv="${VENV:-.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "Creating the virtual environment in $venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

echo "Installing Reader with the packaging tools (PyInstaller)"
"$venv/bin/pip" install --quiet -e '.[package]'

echo "Building dist/Reader/ (takes a few minutes)"
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/reader.spec

test -x dist/Reader/reader || { echo "build-app.sh: dist/Reader/reader was not built" >&2; exit 1; }
echo
echo "Built $root/dist/Reader/:"
ls -1 dist/Reader
du -sh dist/Reader | awk '{print "Folder size: " $1}'
