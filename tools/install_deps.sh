#!/usr/bin/env bash
# Install the Debian packages the integration tests run for real (RabbitMQ,
# PostgreSQL, dnsmasq, iptables...). Nothing is started here: the test harness starts its own servers.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# qemu-img makes the real disk images the image format inspection tests read
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
# nova-network on real Linux networking (tests/integration/test_network_*.py): bridges and
# namespaces (iproute2), DHCP (dnsmasq), NAT (iptables), fake guests' DHCP client (udhcpc)
# and ping (busybox), and curl in guests
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
command -v udhcpc >/dev/null 2>&1 || need+=(udhcpc)
command -v busybox >/dev/null 2>&1 || need+=(busybox-static)
command -v curl >/dev/null 2>&1 || need+=(curl)
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
