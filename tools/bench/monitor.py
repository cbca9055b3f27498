"""Instance monitor benchmark: the CPU one sampling step costs for N instances of one
host, and GetMetricStatistics latency over a day of data.

    .venv/bin/python tools/bench/monitor.py [--instances 1000] [--steps 5]

A step is what nova-instancemonitor does every --monitoring_instances_step: read
the host's instances (one SELECT), get their counters from the fake driver (what
the compute host answers to the one get_instance_stats call; the RPC hop itself
is tools/bench/rpc.py's number), and update one rrdtool archive per instance.
The day of data is 1,440 samples at a 60 s step in one archive. Prints numbers
only; nothing is asserted.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from nova import utils  # noqa: E402

utils.monkey_patch()

from nova import context as nova_context  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import api as db  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.monitor import archives, metrics, statistics  # noqa: E402
from nova.monitor import manager as monitor_manager  # noqa: E402
from nova.virt import fake  # noqa: E402

HOST = 'bench-host'


class Clock:
    now = time.time() - 86400 * 2

    def time(self):
        return self.now


class DriverCompute:
    def __init__(self, driver):
        self.driver = driver

    def get_instance_stats(self, ctxt, host, instance_uuids, timeout=None):
        rows = db.instance_get_all_by_filters(ctxt, {'host': host, 'uuid': instance_uuids})
        return {u: s.to_dict() for u, s in self.driver.get_instance_stats(rows).items()}


def bench_steps(tmp, count, steps):
    CONF.set_override('sql_connection', 'sqlite:///%s/nova.sqlite' % tmp)
    CONF.set_override('monitor_path', os.path.join(tmp, 'monitor'))
    migration.db_sync()
    ctxt = nova_context.get_admin_context()
    clock = Clock()
    fake.time.time = clock.time
    driver = fake.FakeDriver(HOST)
    values = [{'uuid': str(__import__('uuid').uuid4()), 'project_id': 'p', 'user_id': 'u',
               'host': HOST, 'vm_state': 'active', 'vcpus': 1, 'memory_mb': 64, 'root_gb': 1,
               'ephemeral_gb': 0} for _ in range(count)]
    db.instance_create_many(ctxt, values)
    for v in values:
        driver.spawn(ctxt, types.SimpleNamespace(name='i', **v), {},
                     network_info=[{'id': 'vif-' + v['uuid'][:8]}])
    mgr = monitor_manager.InstanceMonitorManager(host=HOST)
    mgr.compute_rpcapi = DriverCompute(driver)
    times = []
    for step in range(steps + 1):
        clock.now += 60
        cpu, wall = time.process_time(), time.perf_counter()
        recorded = mgr.sample_instances(ctxt)
        if step:  # the first step also creates the archives
            times.append((time.process_time() - cpu, time.perf_counter() - wall, recorded))
        else:
            print('first step (creates %d archives): %.2f s CPU, %.2f s wall' % (
                recorded, time.process_time() - cpu, time.perf_counter() - wall))
    cpu = sorted(t[0] for t in times)
    wall = sorted(t[1] for t in times)
    print('sample and record %d instances, per step over %d steps: CPU median %.3f s '
          '(max %.3f), wall median %.3f s' % (count, steps, cpu[len(cpu) // 2], cpu[-1],
                                              wall[len(wall) // 2]))


def bench_day_query(tmp, queries):
    store = archives.ArchiveStore(os.path.join(tmp, 'day'), HOST, 60)
    start = int(time.time()) - 86400
    start -= start % 300
    for n in range(1441):
        store.update('u', start + n * 60, {ds: n * 6000 for ds in metrics.DATA_SOURCES})
    path = store.find('u')
    for period, label in ((300, 'day at 5 min (288 datapoints)'),
                          (3600, 'day at 1 h (24 datapoints)')):
        latencies = []
        for _ in range(queries):
            t = time.perf_counter()
            points = statistics.datapoints(store, path, metrics.METRICS['CPUUtilization'],
                                           start, start + 86400, period, metrics.STATISTICS)
            latencies.append(time.perf_counter() - t)
        latencies.sort()
        print('GetMetricStatistics over a %s: median %.2f ms, p95 %.2f ms (%d points)' % (
            label, latencies[len(latencies) // 2] * 1e3,
            latencies[int(len(latencies) * 0.95)] * 1e3, len(points)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--queries', type=int, default=50)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix='nova-bench-monitor-')
    try:
        bench_steps(tmp, args.instances, args.steps)
        bench_day_query(tmp, args.queries)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
