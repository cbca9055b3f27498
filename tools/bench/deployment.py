#!/usr/bin/env python3
"""Upstream Nova's anchor workload against this cloud in both deployment shapes.

  all       nova-all: one process, in-process RPC, SQLite (WAL) (--db postgres: on
            a private PostgreSQL instead, to count its statements)
  daemons   nova-api, nova-scheduler, nova-image, nova-objectstore, nova-serialproxy
            and --hosts nova-compute daemons (fake driver) over a private RabbitMQ
            and PostgreSQL, as operators deploy it

Runs tools/bench/anchor_workload.py (the HTTP workload of ../shared/anchor-nova)
and prints the table of issue 17, one column per mode, with the load average.
--profile also prints, per operation and per server (or request), the SQL
statements the cloud executed (pg_stat_statements, PostgreSQL only), the
messages RabbitMQ received/delivered, the CPU milliseconds of each daemon, and
the statements executed most; its waits count rows in the database as another
role instead of polling the API, so that the numbers are the operation's own.
--pyspy DIR samples every daemon process (API workers included) with py-spy
during each profiled operation and prints, per daemon, the functions its
samples were in most (own and inclusive shares; the raw stacks stay in DIR).
Read shares, not times, and with care: py-spy counts a process waiting for a
core as busy (at load 10+ much of it lands on the system calls after a send),
and under eventlet a sample taken while the hub waits may show the frames of
the green thread that ran last (a heartbeat once had 12% of nova-api's).
--network boots every server with a fixed address from nova-network's
FlatManager (the default manager; nova-network runs beside the daemons) on a
10.0.0.0/16, where the anchor asks for networks 'none'.
--anchor RESULTS_DIR fills the upstream column from an anchor run
(results/<timestamp>/ of ../shared/anchor-nova/bench.sh). Numbers only.

    nice .venv/bin/python tools/bench/deployment.py [--mode all|daemons|both]
        [--hosts 10] [--n 100] [--big 1000] [--reps 2] [--profile] [--pyspy DIR]
        [--anchor DIR] [--network]
"""
import argparse
import collections
import compileall
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from anchor_workload import Api, DatabaseWaiter, Workload, median  # noqa: E402
from api import DEFAULT_TIMERS, QUOTA_OFF, get_token  # noqa: E402
from counters import Counters, loadavg, print_machine, rss_mb  # noqa: E402

from tests.harness.cloud import Cloud  # noqa: E402
from tests.harness.postgres import PostgresServer  # noqa: E402
from tests.harness.rabbitmq import RabbitMQServer  # noqa: E402

# room for every benchmark server on any one fake host
BIG_HOST = {'fake_vcpus': 100000, 'fake_memory_mb': 10 ** 8, 'fake_disk_gb': 10 ** 7}
NETWORK_RANGE = '10.0.0.0/16'  # --network: room for every benchmark server's address
PG_SETTINGS = {'shared_preload_libraries': 'pg_stat_statements', 'max_connections': 300}


class Deployment:
    """A started cloud in one shape, with what measuring it needs."""

    def __init__(self, mode, tmp, hosts, db, more_daemons=(), network=False, extra_flags=None):
        """more_daemons: binaries started beside the usual ones (nova-network, ...);
        network: a FlatManager network (10.0.0.0/16) that servers asking for 'auto'
        get their fixed address from (nova-network runs beside the daemons);
        extra_flags: {name: value} for every daemon."""
        self.mode, self.pg, self.broker, self.cloud, self.counters = mode, None, None, None, None
        self.network, self.extra_flags = network, dict(extra_flags or {})
        try:
            self._start(tmp, hosts, db, more_daemons)
        except BaseException:  # a failed or interrupted start leaves nothing running
            self.stop()
            raise

    def _start(self, tmp, hosts, db, more_daemons):
        # nova byte-compiled, as an installed package is: an editable install run with
        # PYTHONDONTWRITEBYTECODE compiles every module again at every daemon's start
        compileall.compile_dir(os.path.join(REPO, 'nova'), quiet=1, workers=0)
        flags = dict(QUOTA_OFF, **BIG_HOST, **DEFAULT_TIMERS, **self.extra_flags)
        if self.network:  # nova-all makes its --fixed_range network at its first start
            flags.update(network_manager='nova.network.manager.FlatManager',
                         fixed_range=NETWORK_RANGE)
            if 'nova-network' not in more_daemons:
                more_daemons = tuple(more_daemons) + ('nova-network',)
        if self.mode == 'daemons' or db == 'postgres':
            self.pg = PostgresServer(os.path.join(tmp, 'pg'), settings=PG_SETTINGS)
            self.pg.start()
            flags['sql_connection'] = self.pg.create_database('nova')
        if self.mode == 'daemons':
            self.broker = RabbitMQServer(os.path.join(tmp, 'mq'))
            self.broker.start()
            self.cloud = Cloud(os.path.join(tmp, 'cloud'), transport_url=self.broker.url,
                               **flags)
            self.cloud.start_daemons(hosts=['c%d' % i for i in range(hosts)], more=more_daemons)
            self.cloud.manage('bootstrap', 'image')  # nova-all registers it itself
            if self.network:
                self.cloud.manage('network', 'create', '--label', 'private',
                                  '--fixed_range_v4', NETWORK_RANGE)
            self.hosts = hosts
        else:
            self.cloud = Cloud(os.path.join(tmp, 'cloud'), **flags)
            self.cloud.start_nova_all()
            self.hosts = 1
        token = get_token(self.cloud)
        self.api = Api(self.cloud.url('osapi_compute', '/v2.1'), token)
        self.image_api = Api(self.cloud.url('image', '/v2'), token)
        self.cold_start = self._wait_hypervisors()
        processes = {}
        for proc in self.cloud.processes:
            processes.setdefault(proc.name, []).append(proc.proc.pid)
        self.counters = Counters(processes, pg=self.pg, broker=self.broker)

    def _wait_hypervisors(self):
        """Seconds from the first daemon's start to every compute host listed by the API."""
        while len(self.api.request('GET', '/os-hypervisors')[1]['hypervisors']) < self.hosts:
            time.sleep(0.1)
        return time.monotonic() - self.cloud.started_at

    def image(self):
        """The id of an active image every project can boot (nova-manage bootstrap's)."""
        images = self.image_api.request('GET', '/images?status=active')[1]['images']
        return images[0]['id']

    def memory(self):
        """{daemon: (processes, current RSS MB summed, largest peak RSS MB)}, a daemon's
        worker processes included (their shared pages counted in each)."""
        out = {}
        for label, pids in self.counters.processes.items():
            pids = self.counters.tree(pids)
            sizes = [rss_mb(pid) for pid in pids]
            out[label] = (len(pids), sum(s[0] for s in sizes), max(s[1] for s in sizes))
        return out

    def stop(self):
        if self.counters is not None:
            self.counters.close()
        if self.cloud is not None:
            self.cloud.stop()
        if self.broker is not None:
            self.broker.stop()
        if self.pg is not None:
            self.pg.stop()


def run_mode(mode, args):
    with tempfile.TemporaryDirectory(prefix='bench-deployment-') as tmp:
        os.chmod(tmp, 0o755)  # PostgreSQL runs as its own user under it
        deployment = Deployment(mode, tmp, args.hosts, args.db, network=args.network,
                                extra_flags=dict(f.split('=', 1) for f in args.flag))
        try:
            return measure(deployment, args)
        finally:
            deployment.stop()


def measure(deployment, args):
    """Run the workload; returns {row: value} and, with --profile, {operation: cost}."""
    waiter = None
    if args.profile and deployment.pg is not None:
        waiter = DatabaseWaiter(deployment.counters.observer_dsn(), args.poll)
    work = Workload(deployment.api, deployment.image(), '1', n=args.n, big=args.big,
                    concurrency=args.concurrency, reps=args.reps, poll=args.poll,
                    waiter=waiter, networks='auto' if args.network else 'none')
    n, row, profile = args.n, {}, {}
    row['load at start'] = loadavg()
    row['cold start to hypervisors visible [s]'] = round(deployment.cold_start, 1)

    def profiled(operation, per, step):
        before = deployment.counters.snapshot() if args.profile else None
        spies = start_pyspy(deployment, args.pyspy, operation) if args.pyspy else None
        result = step()
        if spies:
            print_pyspy(operation, stop_pyspy(spies), args.top)
        if args.profile:
            profile[operation] = Counters.difference(before, deployment.counters.snapshot(),
                                                     per, args.top)
        return result

    work.delete(work.boot_separate('warm', 1)[3])  # first boot after start: caches warm
    multi, separate, deletes, post_latency = [], [], [], []
    for rep in range(args.reps):
        _, active, query = profiled('create %d in one request' % n, n,
                                    lambda: work.boot_multi('multi%d' % rep, n))
        multi.append(active)
        deletes.append(profiled('delete %d @%d' % (n, args.concurrency), n,
                                lambda: work.delete(query))[1])
    for rep in range(args.reps):
        _, active, latencies, query = profiled(
            'create %d separate POSTs @%d' % (n, args.concurrency), n,
            lambda: work.boot_separate('sep%d' % rep, n))
        separate.append(active)
        post_latency.append(median(latencies))
        deletes.append(profiled('delete %d @%d' % (n, args.concurrency), n,
                                lambda: work.delete(query))[1])
    row['%d servers in one request -> ACTIVE [servers/s]' % n] = round(n / median(multi), 1)
    row['%d separate POSTs @%d -> ACTIVE [servers/s]' % (n, args.concurrency)] = round(
        n / median(separate), 1)
    row['  POST latency, median [s]'] = median(post_latency)
    row['delete %d @%d [servers/s]' % (n, args.concurrency)] = round(n / median(deletes), 1)

    work.boot_multi('list', n)
    detail = '/servers/detail'
    seq, rate = profiled('GET /servers/detail, %d servers' % n, 130,
                         lambda: work.list_rate(detail, 30, 100))
    row['GET /servers/detail, %d servers [req/s @%d]' % (n, args.concurrency)] = round(rate, 1)
    row['  sequential median [ms]'] = round(seq * 1000, 1)
    if args.big > n:
        start = time.monotonic()
        for k in range((args.big - n) // n):
            work.api.request('POST', '/servers', work.body('big%d' % k, n), ok=(202,))
        work.waiter.active('', args.big, start)
        row['boot %d more, %d per request [servers/s]' % (args.big - n, n)] = round(
            (args.big - n) / (time.monotonic() - start), 1)
        seq, rate = profiled('GET /servers/detail, %d servers' % args.big, 25,
                             lambda: work.list_rate(detail, 5, 20))
        row['GET /servers/detail, %d servers [req/s @%d]' % (args.big, args.concurrency)] = \
            round(rate, 1)
        row['  sequential median [ms] '] = round(seq * 1000, 1)
        memory = deployment.memory()
        _, gone, count = profiled('delete %d' % args.big, args.big, lambda: work.delete(''))
        row['delete %d @%d [servers/s]' % (count, args.concurrency)] = round(count / gone, 1)
        row['memory at %d servers: RSS [MB] (processes)' % args.big] = '%.0f (%d)' % (
            sum(m[1] for m in memory.values()), sum(m[0] for m in memory.values()))
        row['  largest process peak RSS [MB]'] = '%.0f (%s)' % max(
            (m[2], label) for label, m in memory.items())
    row['load at end'] = loadavg()
    return row, profile


def anchor_column(results_dir):
    """The same rows from an upstream anchor run's run.json and ready.json."""
    with open(os.path.join(results_dir, 'run.json')) as f:
        run = json.load(f)
    with open(os.path.join(results_dir, 'ready.json')) as f:
        ready = json.load(f)
    n, conc = run['params']['N'], run['params']['CONC']
    row = {'load at start': ' '.join(run.get('loadavg_start', [])),
           'cold start to hypervisors visible [s]': ready.get('hypervisors_visible'),
           '%d servers in one request -> ACTIVE [servers/s]' % n: run['multi']['servers_per_s'],
           '%d separate POSTs @%d -> ACTIVE [servers/s]' % (n, conc):
               run['separate']['servers_per_s'],
           '  POST latency, median [s]': run['separate']['post_latency_median_s'],
           'delete %d @%d [servers/s]' % (n, conc): run['delete']['servers_per_s'],
           'load at end': ' '.join(run.get('loadavg_end', []))}
    for key in (k for k in run if k.startswith('list_')):
        row['GET /servers/detail, %s servers [req/s @%d]' % (key[5:], conc)] = \
            run[key]['detail_v2.1']['conc_rps']
    if 'big_delete' in run:
        row['delete %d @%d [servers/s]' % (run['big_delete']['servers'], conc)] = \
            run['big_delete']['servers_per_s']
    return row


def print_table(columns):
    rows = []
    for _, values in columns:
        rows += [r for r in values if r not in rows]
    print('| workload | %s |' % ' | '.join(name for name, _ in columns))
    print('|---|%s' % ('---|' * len(columns)))
    for r in rows:
        print('| %s | %s |' % (r.strip(), ' | '.join(
            str(values.get(r, '')) for _, values in columns)))


def print_profile(name, profile):
    print('\n## where the time goes: %s (per server; per request for lists)' % name)
    for operation, cost in profile.items():
        messages = cost['messages']
        print('%s: %s statements, %s; CPU ms: %s' % (
            operation, '-' if cost['statements'] is None else '%.1f' % cost['statements'],
            'in-process RPC' if messages is None else
            'RabbitMQ %.1f received / %.1f delivered' % messages,
            ', '.join('%s %.1f' % item for item in sorted(
                cost['cpu_ms'].items(), key=lambda item: -item[1]))))
        for calls, query in cost['top']:
            print('    %6.2f  %s' % (calls, query[:150]))


def start_pyspy(deployment, directory, operation):
    """{label: [(py-spy process, raw output path)]} sampling every daemon process."""
    os.makedirs(directory, exist_ok=True)
    pyspy = os.path.join(os.path.dirname(sys.executable), 'py-spy')
    tag = '%s-%s' % (deployment.mode, operation.replace(' ', '_').replace('/', ''))
    spies = {}
    for label, pids in deployment.counters.processes.items():
        for pid in deployment.counters.tree(pids):
            path = os.path.join(directory, '%s-%s-%d.txt' % (tag, label, pid))
            proc = subprocess.Popen([pyspy, 'record', '--pid', str(pid), '--rate', '200',
                                     '--format', 'raw', '--nolineno', '--nonblocking',
                                     '--output', path], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            spies.setdefault(label, []).append((proc, path))
    time.sleep(1)  # attached
    return spies


def stop_pyspy(spies):
    """{label: (own Counter, inclusive Counter, samples)} of the collapsed stacks."""
    out = {}
    for label, procs in spies.items():
        own, inclusive, total = collections.Counter(), collections.Counter(), 0
        for proc, path in procs:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    stack, _, count = line.rstrip().rpartition(' ')
                    frames, count = stack.split(';'), int(count)
                    total += count
                    own[frames[-1]] += count
                    for frame in set(frames):
                        inclusive[frame] += count
        out[label] = (own, inclusive, total)
    return out


def print_pyspy(operation, samples, top):
    for label, (own, inclusive, total) in sorted(samples.items()):
        if not total:
            continue
        print('\n## py-spy %s: %s, %d samples' % (operation, label, total))
        for title, counter in (('own', own), ('inclusive', inclusive)):
            print('  %s:' % title)
            for frame, count in counter.most_common(top):
                print('    %5.1f%%  %s' % (100.0 * count / total, frame[:140]))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--mode', choices=['all', 'daemons', 'both'], default='both')
    parser.add_argument('--hosts', type=int, default=10, help='nova-compute daemons')
    parser.add_argument('--n', type=int, default=100)
    parser.add_argument('--big', type=int, default=1000, help='0: skip the 1,000 server part')
    parser.add_argument('--reps', type=int, default=2)
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--poll', type=float, default=0.25, help='seconds between polls')
    parser.add_argument('--db', choices=['sqlite', 'postgres'], default='sqlite',
                        help='the database of nova-all')
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--top', type=int, default=8,
                        help='statements listed per operation by --profile')
    parser.add_argument('--pyspy', metavar='DIR',
                        help='sample the daemons with py-spy, raw stacks in DIR')
    parser.add_argument('--anchor', help='an upstream anchor results directory')
    parser.add_argument('--flag', action='append', default=[], metavar='NAME=VALUE',
                        help='a flag for every daemon (e.g. osapi_server_view_cache_size=0)')
    parser.add_argument('--network', action='store_true',
                        help="every server gets a fixed address from nova-network's "
                        "FlatManager (the default), not networks 'none' as the anchor")
    args = parser.parse_args()
    print_machine()
    columns, profiles = [], []
    if args.anchor:
        columns.append(('upstream Nova 34', anchor_column(args.anchor)))
    modes = ['all', 'daemons'] if args.mode == 'both' else [args.mode]
    for mode in modes:
        name = 'nova-all' if mode == 'all' else 'separate daemons (%d computes)' % args.hosts
        if args.network:
            name += ', FlatManager'
        row, profile = run_mode(mode, args)
        columns.append((name, row))
        profiles.append((name, profile))
        print_table(columns[-1:])
        sys.stdout.flush()
    if len(columns) > 1:
        print()
        print_table(columns)
    for name, profile in profiles:
        if profile:
            print_profile(name, profile)


if __name__ == '__main__':
    main()
