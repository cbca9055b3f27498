#!/usr/bin/env bash
# Install the Debian packages the integration tests run for real (RabbitMQ,
# PostgreSQL). Nothing is started here: the test harness starts its own servers.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# qemu-img makes the real disk images the image format inspection tests read
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install_deps: need root to apt-get install ${need[*]}; the tests that use them will be skipped" >&2
    exit 0
fi
echo "install_deps: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
