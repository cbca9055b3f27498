#!/usr/bin/env bash
# The C headers that Python packages of setup.py build against, before `pip install`
# (make venv runs this first): librrd-dev for the rrdtool binding (PyPI has no wheel
# of it). Debian packages only; nothing is started.
set -euo pipefail
need=()
[ -e /usr/include/rrd.h ] || need+=(librrd-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install_build_deps: need root to apt-get install ${need[*]} (or install them" \
         "yourself): pip cannot build the rrdtool binding without them" >&2
    exit 1
fi
echo "install_build_deps: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
