#!/usr/bin/env python3
"""Real guests: time from POST /servers to ACTIVE and to the guest's console marker.

Starts a private libvirtd (tests/harness/libvirtd.py) and nova-all with the
libvirt driver (QEMU TCG), registers the test guest of tools/guest-image/build
and boots it through the OpenStack API (openstacksdk): one guest, then
``--concurrent`` at once, each with the compute host's image cache cold (its
_base emptied first) and warm. Prints, per run, the mean and worst seconds to
ACTIVE, to "nova-guest: booted" (the kernel ran /init) and to
"nova-guest: ready", and the resident memory of each QEMU process. Needs root,
libvirt and QEMU. No assertions: numbers only.
"""
import argparse
import glob
import os
import shutil
import sys
import tempfile
import threading
import time
import warnings

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)
warnings.filterwarnings('ignore')

from tests.harness import libvirt_guests  # noqa: E402
from tests.harness.libvirtd import PrivateLibvirtd, unavailable_reason  # noqa: E402


def qemu_rss_mb(domain_name):
    """Resident memory of the QEMU process running ``domain_name`` (MiB)."""
    for cmdline in glob.glob('/proc/[0-9]*/cmdline'):
        try:
            with open(cmdline, 'rb') as f:
                words = f.read().split(b'\0')
            if b'guest=%s,debug-threads=on' % domain_name.encode() not in words:
                continue
            with open(cmdline.replace('cmdline', 'status')) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            continue
    return None


def wait_console(path, marker, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, errors='replace') as f:
                if marker in f.read():
                    return time.monotonic()
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise SystemExit('no %r in %s after %ss' % (marker, path, timeout))


def boot_one(conn, image, flavor, instances, name, results):
    start = time.monotonic()
    server = conn.compute.create_server(name=name, image_id=image.id, flavor_id=flavor.id,
                                        networks='none')
    server = conn.compute.wait_for_server(server, status='ACTIVE', wait=300, interval=0.1)
    active = time.monotonic()
    console = os.path.join(instances, server.id, 'console.log')
    booted = wait_console(console, 'nova-guest: booted', 300)
    ready = wait_console(console, 'nova-guest: ready', 300)
    domain = conn.compute.get_server(server).instance_name
    results.append({'server': server, 'active': active - start, 'booted': booted - start,
                    'ready': ready - start, 'rss': qemu_rss_mb(domain)})


def run(conn, image, flavor, instances, count, label, cold):
    if cold:
        for path in glob.glob(os.path.join(instances, '_base', '*')):
            if os.path.isfile(path):
                os.unlink(path)
    results = []
    threads = [threading.Thread(target=boot_one, args=(conn, image, flavor, instances,
                                                       '%s-%d' % (label, n), results))
               for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if len(results) != count:
        raise SystemExit('%s: only %d of %d guests booted' % (label, len(results), count))

    def stat(key):
        values = [r[key] for r in results]
        return '%5.1f / %5.1f' % (sum(values) / len(values), max(values))
    rss = [r['rss'] for r in results if r['rss']]
    print('%-22s %2d  %s  %s  %s  %s' % (
        label, count, stat('active'), stat('booted'), stat('ready'),
        '%4.0f' % (sum(rss) / len(rss)) if rss else '   ?'))
    for result in results:
        conn.compute.delete_server(result['server'])
    for result in results:
        conn.compute.wait_for_delete(result['server'], wait=120, interval=0.2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--concurrent', type=int, default=5)
    parser.add_argument('--flavor', default='m1.tiny')
    parser.add_argument('--tb-cache-mb', type=int, default=64,
                        help='--libvirt_tcg_tb_cache_mb of the cloud (0: QEMU default)')
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        raise SystemExit('guest benchmark cannot run: %s' % reason)
    scratch = tempfile.mkdtemp(prefix='nova-bench-guest-')
    guest_dir = libvirt_guests.build_guest_image()
    daemon = PrivateLibvirtd(os.path.join(scratch, 'libvirtd')).start()
    cloud = None
    try:
        cloud = libvirt_guests.libvirt_cloud(os.path.join(scratch, 'cloud'), daemon, guest_dir,
                                             libvirt_tcg_tb_cache_mb=args.tb_cache_mb)
        conn = libvirt_guests.sdk_connection(cloud, admin=True)
        image = conn.image.find_image('nova-guest', ignore_missing=False)
        flavor = conn.compute.find_flavor(args.flavor, ignore_missing=False)
        instances = os.path.join(cloud.state_path, 'instances')
        print('QEMU TCG guests, flavor %s, tb-cache %s MiB; seconds from POST (mean / '
              'worst), QEMU RSS MiB' % (args.flavor, args.tb_cache_mb or 'default'))
        print('%-22s %2s  %-13s  %-13s  %-13s  %s' % ('run', 'n', 'to ACTIVE', 'to booted',
                                                      'to ready', 'RSS'))
        run(conn, image, flavor, instances, 1, 'single, cache cold', cold=True)
        run(conn, image, flavor, instances, 1, 'single, cache warm', cold=False)
        run(conn, image, flavor, instances, args.concurrent, 'concurrent, cache cold',
            cold=True)
        run(conn, image, flavor, instances, args.concurrent, 'concurrent, cache warm',
            cold=False)
        conn.close()
    finally:
        if cloud is not None:
            cloud.stop()
        daemon.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
