#!/usr/bin/env bash
# Install the Debian packages the integration tests run for real (RabbitMQ,
# PostgreSQL, dnsmasq, iptables, libvirt + QEMU and what the test guest is built
# from, tgt with QEMU's userspace iSCSI initiator, LVM...). Nothing is started
# here: the test harness starts its own servers.
set -euo pipefail
need=()
command -v rabbitmq-server >/dev/null 2>&1 || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# qemu-img makes the real disk images the image format inspection tests read, and the
# libvirt driver's disks
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
# libvirt tests (tests/integration/test_libvirt_*.py): libvirtd with its QEMU driver,
# QEMU (TCG), libvirt-dev and pkg-config to build libvirt-python, mkswap for swap
# disks; the test guest is busybox-static and curl (copied into its initramfs) and
# the Debian cloud kernel (downloaded by tools/guest-image/build)
[ -x /usr/sbin/libvirtd ] || need+=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)
[ -e /usr/include/libvirt/libvirt.h ] || need+=(libvirt-dev pkg-config)
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v mkswap >/dev/null 2>&1 || need+=(util-linux)
# nova-volume: tgtd exports volumes; qemu-io/qemu-img (above) read them through iSCSI
# (the iscsi block driver is in qemu-block-extra) and write images into them; LVM driver
command -v tgtd >/dev/null 2>&1 || need+=(tgt)
ls /usr/lib/x86_64-linux-gnu/qemu/block-iscsi.so >/dev/null 2>&1 || need+=(qemu-block-extra)
command -v lvcreate >/dev/null 2>&1 || need+=(lvm2)
# the man pages test renders the installed pages with man (man-db on groff)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v groff >/dev/null 2>&1 || command -v nroff >/dev/null 2>&1 || need+=(groff-base)
if [ ${#need[@]} -ne 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install_deps: need root to apt-get install ${need[*]}; the tests that use them will be skipped" >&2
        exit 0
    fi
    echo "install_deps: apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
# libvirtd looks up these groups and the libvirt-qemu user before it reads
# qemu.conf (the tests' private libvirtd runs QEMU as root: doc/libvirt.md)
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/libvirtd ]; then
    getent group kvm >/dev/null || groupadd -r kvm
    getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
    getent passwd libvirt-qemu >/dev/null || \
        useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
    mkdir -p /var/log/libvirt
fi
