#!/usr/bin/env bash
# Create bench/.bugsink-venv with Bugsink 2.6.2, for `bench/ingest.py --endpoint envelope`.
#
# The bugsink 2.6.2 wheel pins `certifi>=2026.10.19`, newer than some package indexes serve
# (pip then refuses the whole install), so its requirements are installed from the wheel's own
# metadata with that one pin relaxed (pip still takes the newest certifi the index has), and
# bugsink itself with --no-deps. Everything else is installed exactly as the wheel asks.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
VENV="$BENCH/.bugsink-venv"
VERSION="2.6.2"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/bugsink-manage" ] && "$VENV/bin/python" -c \
    "import importlib.metadata as m; assert m.version('bugsink') == '$VERSION'" 2>/dev/null; then
    echo "bugsink $VERSION already in $VENV"
    exit 0
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/pip" download --quiet --no-deps "bugsink==$VERSION" -d "$WORK"
WHEEL="$(ls "$WORK"/bugsink-"$VERSION"-*.whl)"

# Requires-Dist lines of the wheel's METADATA, certifi's lower bound dropped.
"$VENV/bin/python" - "$WHEEL" >"$WORK/requirements.txt" <<'EOF'
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = wheel.read(name).decode()
for line in metadata.splitlines():
    if line.startswith("Requires-Dist:"):
        requirement = line.split(":", 1)[1].strip()
        if ";" in requirement and "extra ==" in requirement:
            continue  # optional extras are not needed
        if requirement.lower().startswith("certifi"):
            requirement = "certifi"  # the pinned release is newer than the index serves
        print(requirement)
EOF
echo "installing bugsink $VERSION's requirements:"
sed 's/^/  /' "$WORK/requirements.txt"
"$VENV/bin/pip" install --quiet -r "$WORK/requirements.txt"
"$VENV/bin/pip" install --quiet --no-deps "$WHEEL"
"$VENV/bin/python" -c "import importlib.metadata as m; print('bugsink', m.version('bugsink'))"
echo "created $VENV"
