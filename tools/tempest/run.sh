#!/bin/bash
# make tempest: tempest's compute API subset against a fresh nova-all cloud.
# Tempest lives in its own virtualenv (.venv-tempest) so that its many pinned
# dependencies never change the project's; the cloud runs from .venv.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TVENV=${TEMPEST_VENV:-$ROOT/.venv-tempest}
if [ ! -x "$TVENV/bin/tempest" ]; then
    python3 -m venv "$TVENV"
    "$TVENV/bin/pip" install -q --upgrade pip
    "$TVENV/bin/pip" install -q tempest
fi
exec "$ROOT/.venv/bin/python" "$ROOT/tools/tempest/run.py" --tempest-venv "$TVENV" "$@"
