#!/usr/bin/env python3
"""Volumes per second through the APIs on a real nova-all, and iSCSI against the file.

First prints the SQL statements, RPC messages and commands run of one create,
one GET and one delete (tools/bench/volume_ops.py: the same API and services in
one process).
Then starts a private tgtd and nova-all (tests/harness: real processes, HTTP on
loopback, token auth, the file driver exporting through that tgtd) and times,
as a project member:

- create + delete of empty 1 GiB volumes through the block-storage API, each
  waited for until available and until gone (sequential and concurrent), with
  the GETs each one polled (polls cost the server too, and a loaded machine
  makes more of them);
- a burst: --burst volumes created, waited for with one list per round, then
  all deleted and waited for: the volume service's own rate, and nova-all's
  CPU per volume without one client's polling in it;
- attach + detach of a volume to a server with the fake driver through the
  compute API (os-volume_attachments), each waited for (in-use, available);
- sequential write and read MB/s of one volume through its iSCSI target
  (QEMU's userspace initiator with CHAP, `qemu-img bench`), against the same
  file read and written directly: the ratio is the figure.

Ends with the create + delete figures in one place: the rates, nova-all's CPU
per pair, statements and commands per pair, the load average. Prints numbers
only; nothing here asserts a time.

    .venv/bin/python tools/bench/volume.py [--seconds 5] [--concurrency 4] [--mib 256]
                                           [--burst 100]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

from nova.virt import iscsi  # noqa: E402
from tests.harness import tgt  # noqa: E402
from tests.harness.cloud import Cloud  # noqa: E402
from tools.bench.api import (Client, DEFAULT_TIMERS, add_member, cpu_seconds,  # noqa: E402
                             get_token, measure, report)

QUOTA_OFF = {'quota_volumes': -1, 'quota_gigabytes': -1, 'quota_snapshots': -1,
             'quota_instances': -1, 'quota_cores': -1, 'quota_ram': -1}


class VolumeClient(Client):
    def __init__(self, base_url, token, service='volume 3.0'):
        super().__init__(base_url, token)
        self.headers['OpenStack-API-Version'] = service


def wait_for(check, what, timeout=120, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError('timed out waiting for %s' % what)
        time.sleep(interval)


def volume_status(client, volume_id):
    client.polls = getattr(client, 'polls', 0) + 1
    body = client.request('GET', '/volumes/%s' % volume_id, expect=(200, 404))
    return (body.get('volume') or {}).get('status')  # None once gone (404)


def create_delete(client):
    volume = client.request('POST', '/volumes', {'volume': {'size': 1}},
                            expect=(202,))['volume']
    wait_for(lambda: volume_status(client, volume['id']) == 'available', 'available')
    client.request('DELETE', '/volumes/%s' % volume['id'], expect=(202,))
    wait_for(lambda: volume_status(client, volume['id']) is None, 'deleted')


def burst(client, count, pid):
    """(volumes/s, server CPU ms per volume) of count creates then count deletes."""
    def statuses():
        return {v['id']: v['status'] for v in client.request(
            'GET', '/volumes/detail?limit=%d' % (count + 10))['volumes']}
    started, cpu_before = time.monotonic(), cpu_seconds(pid)
    ids = [client.request('POST', '/volumes', {'volume': {'size': 1}},
                          expect=(202,))['volume']['id'] for _ in range(count)]
    # a list of count volumes costs more than a GET: polled every 0.25 s, so that
    # the CPU figure is the volumes' work, not the polling's
    wait_for(lambda: all(statuses().get(i) == 'available' for i in ids), 'all available',
             interval=0.25)
    for volume_id in ids:
        client.request('DELETE', '/volumes/%s' % volume_id, expect=(202,))
    wait_for(lambda: not set(ids) & set(statuses()), 'all deleted', interval=0.25)
    elapsed, cpu = time.monotonic() - started, cpu_seconds(pid) - cpu_before
    return count / elapsed, cpu * 1000 / count


def bench_io(tgtd, connection_info, path, mib):
    """(MB/s written, MB/s read) through the target, and directly on the file."""
    def run(opts, write):
        argv = ['qemu-img', 'bench', '-n', '-t', 'none', '-s', '1M',
                '-c', str(mib), '-d', '4']
        if write:
            argv += ['-w', '--pattern=0x5a']
        started = time.monotonic()
        subprocess.run(argv + opts, check=True, capture_output=True, timeout=600)
        return mib / (time.monotonic() - started)
    target = ['--image-opts', iscsi.qemu_image_opts(connection_info)]
    local = ['-f', 'raw', path]
    return {'iSCSI write': run(target, True), 'iSCSI read': run(target, False),
            'file write': run(local, True), 'file read': run(local, False)}


def run(cloud, tgtd, seconds, concurrency, mib, burst_size):
    add_member(cloud)
    token = get_token(cloud, member=True)
    pid = cloud.processes[0].proc.pid
    project_id = cloud.run_json('openstack', 'token', 'issue', '-f', 'json', env=cloud.env(
        OS_USERNAME='bench-user', OS_PASSWORD='bench-password',
        OS_PROJECT_NAME='bench'))['project_id']
    volume_base = cloud.url('osapi_volume', '/v3/%s' % project_id)
    compute_base = cloud.url('osapi_compute', '/v2.1')

    def volumes():
        return VolumeClient(volume_base, token)

    figures = []
    for level, threads in (('sequential', 1), ('concurrency %d' % concurrency, concurrency)):
        made = []

        def client():
            made.append(volumes())
            return made[-1]
        result = measure(client, create_delete, seconds, threads, pid)
        report('create + delete 1 GiB volume, %s' % level, result)
        polls = sum(getattr(c, 'polls', 0) for c in made) / max(result[2], 1)
        print('%-46s %7.1f GETs per volume' % ('  polled until available and until gone',
                                              polls))
        figures.append((result[0], result[3], polls))
    one = volumes()
    rate, cpu_ms = burst(one, burst_size, pid)
    figures.append((rate, cpu_ms))
    print('%-46s %7.1f volumes/s  server CPU %6.2f ms/volume' % (
        'create + delete burst of %d 1 GiB volumes' % burst_size, rate, cpu_ms), flush=True)
    one.close()

    compute = Client(compute_base, token)
    image = cloud.run_json('openstack', 'image', 'show', 'cirros', '-f', 'json')['id']
    server = compute.request('POST', '/servers', {'server': {
        'name': 'bench', 'imageRef': image, 'flavorRef': '1', 'networks': 'none'}},
        expect=(202,))['server']
    wait_for(lambda: compute.request('GET', '/servers/%s' % server['id'])['server'][
        'status'] == 'ACTIVE', 'server ACTIVE')
    compute.close()
    setup = volumes()
    volume = setup.request('POST', '/volumes', {'volume': {'size': 1}},
                           expect=(202,))['volume']
    wait_for(lambda: volume_status(setup, volume['id']) == 'available', 'available')

    def attach_detach(client):
        path = '/servers/%s/os-volume_attachments' % server['id']
        client.request('POST', path, {'volumeAttachment': {'volumeId': volume['id']}})
        wait_for(lambda: volume_status(setup, volume['id']) == 'in-use', 'in-use')
        client.request('DELETE', '%s/%s' % (path, volume['id']), expect=(202,))
        wait_for(lambda: volume_status(setup, volume['id']) == 'available', 'available')
    report('attach + detach (fake driver), sequential',
           measure(lambda: Client(compute_base, token), attach_detach, seconds, 1, pid))

    info = setup.request('POST', '/volumes/%s/action' % volume['id'], {
        'os-initialize_connection': {'connector': {'host': 'bench'}}})['connection_info']
    path, = glob.glob(os.path.join(cloud.state_path, 'volumes', '*%s*' % volume['id']))
    rates = bench_io(tgtd, info, path, mib)
    for name, rate in rates.items():
        print('%-46s %7.1f MB/s  (%d MiB, 1 MiB requests, 4 in flight)' % (name, rate, mib))
    print('%-46s %7.2f write, %.2f read' % (
        'iSCSI / file ratio', rates['iSCSI write'] / rates['file write'],
        rates['iSCSI read'] / rates['file read']), flush=True)
    setup.close()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=5.0, help='per measurement')
    parser.add_argument('--concurrency', type=int, default=4)
    parser.add_argument('--mib', type=int, default=256, help='MiB moved per I/O run')
    parser.add_argument('--burst', type=int, default=100, help='volumes per burst')
    args = parser.parse_args()
    ops = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                                                       'volume_ops.py')],
                         check=True, capture_output=True, text=True).stdout
    print(ops, end='', flush=True)
    statements = re.search(r'one create \+ delete +([\d.]+) SQL statements, ([\d.]+) commands',
                           ops)
    get = re.search(r'one GET of the volume.*? ([\d.]+) SQL statements', ops)
    reason = tgt.unavailable_reason() or tgt.qemu_unavailable_reason()
    if reason:
        raise SystemExit('cannot run: %s' % reason)
    with tempfile.TemporaryDirectory(prefix='bench-volume-') as state_path:
        tgtd = tgt.Tgtd(state_path)
        try:
            cloud = Cloud.start_all(os.path.join(state_path, 'cloud'), **tgtd.flags(),
                                    **QUOTA_OFF, **DEFAULT_TIMERS)
            try:
                figures = run(cloud, tgtd, args.seconds, args.concurrency, args.mib,
                              args.burst)
            finally:
                cloud.stop()
        finally:
            tgtd.stop()
    summary(figures, float(statements.group(1)), float(statements.group(2)),
            float(get.group(1)), args.concurrency)


def summary(figures, statements, commands, get_statements, concurrency):
    """The create + delete figures the issue's target is about, in one place."""
    (rate, cpu, polls), (rate_n, cpu_n, polls_n), (burst_rate, burst_cpu) = figures
    print('\n-- create + delete of empty 1 GiB volumes through the block-storage API '
          '(load %.1f)' % os.getloadavg()[0])
    for label, pairs, ms, gets in (('sequential', rate, cpu, polls),
                                   ('concurrency %d' % concurrency, rate_n, cpu_n, polls_n)):
        print('%-46s %7.1f /s   nova-all CPU %5.1f ms per pair (with its %.1f GETs)' % (
            label, pairs, ms, gets))
    print('%-46s %7.1f /s   nova-all CPU %5.1f ms per volume (few polls)' % (
        'burst', burst_rate, burst_cpu))
    print('%-46s %7.1f SQL statements per pair, + %.0f per GET, + 1 token read per request;'
          ' %.1f commands run (tgtadm...) per pair' % ('', statements, get_statements,
                                                       commands), flush=True)


if __name__ == '__main__':
    main()
