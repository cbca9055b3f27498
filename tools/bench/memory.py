#!/usr/bin/env python3
"""Memory and start-up cost of every daemon, beside issue 17's targets.

Starts the cloud of tools/bench/deployment.py as separate daemons (nova-api,
nova-scheduler, nova-image, nova-objectstore, nova-serialproxy, nova-network,
nova-volume and --hosts nova-compute with the fake driver, over a private
RabbitMQ and PostgreSQL) and as nova-all (SQLite), each daemon run with
PYTHONPROFILEIMPORTTIME=1, and prints per daemon:
- the CPU seconds it spent until the cloud was up (its imports most of it), and
  its import time: the top-level imports its log lists (python -X importtime),
  summed, and the packages whose own import time was largest (wall time: every
  daemon starts at once, so under load these are several times their CPU);
- its RSS once the cloud is up (cold start: first daemon spawned -> every compute
  host listed by the API), its RSS after booting --servers servers (--batch per
  request) and waiting --settle seconds, so that every periodic task has run over
  them, and its RSS and peak RSS (each process's too) after --lists GET
  /servers/detail?limit=1000 requests at --concurrency (nova-api's peak: each
  page in flight holds its rows, views and JSON until it is sent);
each beside the target (each daemon process <= 100 MB at 10,000 servers, nova-all
<= 250 MB). A daemon with several processes (nova-api's workers, the computes)
shows its largest. Numbers only.

    nice .venv/bin/python tools/bench/memory.py [--mode daemons|all|both] [--hosts 4]
        [--servers 1000] [--batch 100] [--settle 70] [--lists 40] [--concurrency 10]
        [--logs DIR]

--logs DIR keeps each daemon's log (its -X importtime lines: what it imported,
and when) as DIR/<mode>-<daemon>-<n>.log.
"""
import argparse
import collections
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from anchor_workload import DatabaseWaiter, Workload  # noqa: E402
from counters import cpu_seconds, rss_mb  # noqa: E402
from counters import loadavg, print_machine  # noqa: E402
from deployment import Deployment  # noqa: E402
from scale import grow  # noqa: E402

TARGET_MB = {'nova-all': 250}
DAEMON_TARGET_MB = 100
MORE_DAEMONS = ('nova-network', 'nova-volume')


def import_costs(log_path):
    """(seconds of the process's imports, [(package, own seconds)] largest first) from
    the lines PYTHONPROFILEIMPORTTIME wrote to a daemon's log."""
    total, own = 0, collections.Counter()
    with open(log_path, errors='replace') as f:
        for line in f:
            if not line.startswith('import time:') or 'cumulative' in line:
                continue
            own_us, cumulative_us, name = line.rstrip('\n').split('|')
            if not name[1:].startswith(' '):  # top level: not imported by another module
                total += int(cumulative_us)
            own[name.strip().split('.')[0]] += int(own_us.rsplit(':', 1)[1])
    return total / 1e6, [(package, us / 1e6) for package, us in own.most_common(4)]


def keep_logs(deployment, logs, directory):
    os.makedirs(directory, exist_ok=True)
    for label, paths in logs.items():
        for i, path in enumerate(paths):
            shutil.copy(path, os.path.join(directory, '%s-%s-%d.log' % (
                deployment.mode, label, i)))


def largest_rss(pids):
    """(largest current RSS, largest peak RSS) in MB over pids."""
    sizes = [rss_mb(pid) for pid in pids]
    return max(s[0] for s in sizes), max(s[1] for s in sizes)


def run_mode(mode, args):
    os.environ['PYTHONPROFILEIMPORTTIME'] = '1'  # the daemons' logs list their imports
    try:
        with tempfile.TemporaryDirectory(prefix='bench-memory-') as tmp:
            os.chmod(tmp, 0o755)  # PostgreSQL runs as its own user under it
            if mode == 'daemons':
                deployment = Deployment('daemons', tmp, args.hosts, 'postgres', MORE_DAEMONS)
            else:
                deployment = Deployment('all', tmp, 1, 'sqlite')
            try:
                measure(deployment, args)
            finally:
                deployment.stop()
    finally:
        del os.environ['PYTHONPROFILEIMPORTTIME']


def measure(deployment, args):
    print('cold start to hypervisors visible: %.1f s, load %s' % (deployment.cold_start,
                                                                  loadavg()), flush=True)
    logs = collections.defaultdict(list)
    for proc in deployment.cloud.processes:
        logs[proc.name].append(proc.log_path)
    pids = {label: deployment.counters.tree(p)
            for label, p in deployment.counters.processes.items()}
    started = {label: largest_rss(p) for label, p in pids.items()}
    # what starting cost each daemon (its imports most of it), far less load-bound
    # than the import wall time of processes that all start at once
    start_cpu = {label: max(cpu_seconds(pid) for pid in p)
                 for label, p in deployment.counters.processes.items()}
    waiter = None
    if deployment.pg is not None:
        waiter = DatabaseWaiter(deployment.counters.observer_dsn(), 1.0)
    work = Workload(deployment.api, deployment.image(), '1', poll=1.0, waiter=waiter,
                    concurrency=args.concurrency)
    begin = time.monotonic()
    grow(work, 0, args.servers, args.batch)
    took = time.monotonic() - begin
    print('booted %d servers, %d per request: %.1f servers/s, load %s' % (
        args.servers, args.batch, args.servers / took, loadavg()), flush=True)
    # the computes' periodic tasks (every --periodic_interval, 60 s) read all their servers
    time.sleep(args.settle)
    booted = {label: largest_rss(p)[0] for label, p in pids.items()}
    if args.lists:
        _, rate = work.list_rate('/servers/detail?limit=1000', 2, args.lists)
        print('GET /servers/detail?limit=1000 @%d: %.1f req/s, load %s' % (
            args.concurrency, rate, loadavg()), flush=True)
    if args.logs:
        keep_logs(deployment, logs, args.logs)
    print()
    print('| daemon (processes) | CPU to start [s] | import [s] | most import time, own [s] | '
          'RSS after start [MB] | after the boots [MB] | after the lists, peak [MB] | '
        'each process after the lists [MB] | target [MB] |')
    # peak: the largest any one process reached, the concurrent lists included
    print('|---|---|---|---|---|---|---|---|---|')
    for label in sorted(pids):
        imports, packages = import_costs(logs[label][0])
        rss, peak = largest_rss(pids[label])
        each = ', '.join('%.0f' % rss_mb(pid)[0] for pid in pids[label])
        print('| %s (%d) | %.2f | %.2f | %s | %.0f | %.0f | %.0f, %.0f | %s | %d |' % (
            label, len(pids[label]), start_cpu[label], imports,
            ', '.join('%s %.2f' % p for p in packages), started[label][0], booted[label],
            rss, peak, each, TARGET_MB.get(label, DAEMON_TARGET_MB)), flush=True)
    print('load at end: %s' % loadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mode', choices=['all', 'daemons', 'both'], default='both')
    parser.add_argument('--hosts', type=int, default=4, help='nova-compute daemons')
    parser.add_argument('--servers', type=int, default=1000)
    parser.add_argument('--batch', type=int, default=100)
    parser.add_argument('--settle', type=float, default=70,
                        help='seconds after the boots before the RSS is read')
    parser.add_argument('--lists', type=int, default=40,
                        help='concurrent GET /servers/detail?limit=1000 before the RSS is read')
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--logs', help="directory to keep the daemons' logs in")
    args = parser.parse_args()
    print_machine()
    for mode in (['all', 'daemons'] if args.mode == 'both' else [args.mode]):
        print('\n## %s' % ('nova-all (SQLite)' if mode == 'all' else
                           'separate daemons, %d computes (RabbitMQ, PostgreSQL)' % args.hosts))
        run_mode(mode, args)


if __name__ == '__main__':
    main()
