"""Scheduler benchmark: filter scheduler decisions with the default filters and weighers.

Prints, for 100, 1,000 and 10,000 compute nodes: single-instance decisions per
second, milliseconds per decision (mean and 99th percentile), and the time of
one request for 100 instances. Nodes are varied (usage, four zones, a few
disabled or down). Run: .venv/bin/python tools/bench/scheduler.py [N ...]
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))

from nova import utils  # noqa: E402
from nova.scheduler import filter_scheduler, host_manager  # noqa: E402

FLAVOR = {'flavorid': '2', 'name': 'm1.small', 'memory_mb': 2048, 'vcpus': 1,
          'root_gb': 20, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {}}
CPU_INFO = json.dumps({'arch': 'x86_64', 'vendor': 'Intel', 'model': 'Skylake'})
DECISIONS = {100: 3000, 1000: 1000, 10000: 200}


def build(num_hosts):
    now = utils.utcnow()
    nodes, services = [], []
    for i in range(num_hosts):
        host = 'compute%05d' % i
        nodes.append({
            'host': host, 'hypervisor_hostname': host, 'vcpus': 32, 'memory_mb': 262144,
            'local_gb': 4000, 'vcpus_used': i % 24, 'memory_mb_used': (i * 7919) % 200000,
            'local_gb_used': (i * 31) % 3000, 'running_vms': i % 40,
            'hypervisor_type': 'QEMU', 'hypervisor_version': 6002000, 'cpu_info': CPU_INFO,
            'cpu_allocation_ratio': None, 'ram_allocation_ratio': None,
            'disk_allocation_ratio': None, 'updated_at': now})
        services.append({'host': host, 'binary': 'nova-compute', 'topic': 'compute',
                         'disabled': i % 50 == 49, 'forced_down': False,
                         'is_up': i % 97 != 96})
    hosts = [node['host'] for node in nodes]
    aggregates = [{'id': z, 'name': 'zone%d' % z, 'metadata': {'availability_zone': 'az%d' % z},
                   'hosts': hosts[z::4]} for z in range(4)]
    manager = host_manager.HostManager()
    manager.sync(nodes, services, aggregates, {})
    return manager


def spec(num_instances=1):
    return {'num_instances': num_instances, 'flavor': FLAVOR,
            'image': {'id': 'cirros', 'properties': {}}, 'project_id': 'bench'}


def run(num_hosts):
    manager = build(num_hosts)
    scheduler = filter_scheduler.FilterScheduler(manager)
    times = []
    for _ in range(DECISIONS[num_hosts]):
        start = time.perf_counter()
        [dest] = scheduler.select_destinations(None, spec())
        times.append(time.perf_counter() - start)
        manager.release(dest['host'], dest['nodename'], FLAVOR)  # keep the cloud steady
    start = time.perf_counter()
    scheduler.select_destinations(None, spec(100))
    multi = time.perf_counter() - start
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print('%6d hosts  %8.0f decisions/s  %7.3f ms/decision (p99 %7.3f)  '
          '100-instance request %8.1f ms'
          % (num_hosts, len(times) / sum(times), statistics.mean(times) * 1000, p99 * 1000,
             multi * 1000))


def main(argv):
    for num_hosts in [int(arg) for arg in argv] or sorted(DECISIONS):
        DECISIONS.setdefault(num_hosts, 200)
        run(num_hosts)


if __name__ == '__main__':
    main(sys.argv[1:])
