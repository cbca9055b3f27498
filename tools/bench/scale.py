#!/usr/bin/env python3
"""Separate daemons at scale: 10,000 servers in one project, 1,000 compute hosts.

Starts the deployment of tools/bench/deployment.py (nova-api, nova-scheduler,
... and --hosts nova-compute daemons with the fake driver over RabbitMQ and
PostgreSQL) and prints, with the load average:
- heartbeats: the statements per second the idle cloud runs, the services'
  heartbeat UPDATEs among them, per service and projected to 1,000 computes;
- the scheduler with --fake-hosts more compute hosts registered (service and
  node rows copied from a real compute's, kept up by the benchmark, full so that
  the filters reject them after running): the scheduler's CPU per server placed
  and the rate of a 100-server request, before and after;
- booting --servers servers through the API, --batch per request (min_count),
  as a rate;
- GET /servers/detail?limit=1000 at 1,000 servers and at --servers (the first
  page and the page after a marker half way): sequential median latency, SQL
  statements and nova-api CPU per request (the list should cost the same);
- the RSS of every daemon at --servers servers.

One fake nova-compute drives one node (the fake driver), so the 1,000 hosts are
registered rows that no daemon serves; numbers only.

    nice .venv/bin/python tools/bench/scale.py [--hosts 10] [--servers 10000]
        [--fake-hosts 1000] [--batch 100]
"""
import argparse
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from anchor_workload import DatabaseWaiter, Workload, median  # noqa: E402
from counters import Counters  # noqa: E402
from counters import loadavg, print_machine  # noqa: E402
from deployment import Deployment  # noqa: E402

HEARTBEAT = 'UPDATE services SET report_count'


def per_second(counters, seconds):
    """(statements/s, heartbeat UPDATEs/s) of the idle cloud over `seconds`."""
    before = counters.statements()
    time.sleep(seconds)
    delta = counters.statements() - before
    beats = sum(calls for query, calls in delta.items() if query.startswith(HEARTBEAT))
    return sum(delta.values()) / seconds, beats / seconds


class FakeHosts:
    """count compute hosts registered as copies of a real one's rows (another
    role's writes, left out of the counts), their heartbeats kept fresh."""

    def __init__(self, counters, dsn, template_host, count):
        import psycopg
        counters.conn.execute('GRANT pg_write_all_data TO %s' % dsn.split('user=')[1])
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.stopping = threading.Event()
        self._register(template_host, count)
        self.thread = threading.Thread(target=self._keep_up, daemon=True)
        self.thread.start()

    def _columns(self, table):
        return ['"%s"' % r[0] for r in self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND column_name <> 'id'", (table,))]

    def _register(self, template, count):
        services, nodes = self._columns('services'), self._columns('compute_nodes')
        replaced = {'"%s"' % k: v for k, v in {
            'host': '%(host)s', 'hypervisor_hostname': '%(host)s',
            'uuid': 'gen_random_uuid()::text', 'service_id': '%(service_id)s',
            'vcpus_used': 'vcpus', 'memory_mb_used': 'memory_mb', 'free_ram_mb': '0'}.items()}
        with self.conn.transaction():
            for i in range(count):
                host = 'fake%04d' % i
                [(service_id,)] = self.conn.execute(
                    'INSERT INTO services (%s) SELECT %s FROM services WHERE host = %%(template)s '
                    "AND topic = 'compute' AND deleted = 0 RETURNING id" % (
                        ', '.join(services), ', '.join(replaced.get(c, c) for c in services)),
                    {'host': host, 'template': template}).fetchall()
                self.conn.execute(
                    'INSERT INTO compute_nodes (%s) SELECT %s FROM compute_nodes '
                    'WHERE host = %%(template)s AND deleted = 0' % (
                        ', '.join(nodes), ', '.join(replaced.get(c, c) for c in nodes)),
                    {'host': host, 'template': template, 'service_id': service_id})

    def _keep_up(self):
        while not self.stopping.wait(10):
            self.conn.execute("UPDATE services SET last_seen_up = now() AT TIME ZONE 'utc' "
                              "WHERE host LIKE 'fake%'")

    def stop(self):
        self.stopping.set()
        self.thread.join()
        self.conn.close()


def boot(work, counters, name, count):
    """(servers/s of one request of count -> all active, scheduler CPU ms per server)."""
    before = counters.snapshot()
    _, took, _ = work.boot_multi(name, count)
    cost = Counters.difference(before, counters.snapshot(), count)
    return count / took, cost['cpu_ms'].get('nova-scheduler', 0.0)


def settle(counters, idle_rate, longest=90):
    """Wait (at most `longest` s) until the computes' writes after a boot are over:
    the cloud runs statements at about its idle rate again."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline and per_second(counters, 3)[0] > 2 * idle_rate + 2:
        pass


def list_cost(work, counters, path, requests, idle_rate):
    """(sequential median ms, statements and nova-api CPU ms per request)."""
    settle(counters, idle_rate)
    before = counters.snapshot()
    latencies = []
    for _ in range(requests):
        began = time.monotonic()
        work.api.request('GET', path)
        latencies.append(time.monotonic() - began)
    cost = Counters.difference(before, counters.snapshot(), requests)
    return median(latencies) * 1000, cost['statements'], cost['cpu_ms'].get('nova-api', 0.0)


def run(args, deployment, rows):
    """Appends (label, value) to rows as it measures."""
    counters = deployment.counters
    dsn = counters.observer_dsn()
    work = Workload(deployment.api, deployment.image(), '1', concurrency=10, poll=1.0,
                    waiter=DatabaseWaiter(dsn, 1.0))
    rows.append(('load at start', loadavg()))
    time.sleep(15)  # the start's registrations and first reports over
    [(services,)] = counters.conn.execute(
        'SELECT count(*) FROM services WHERE deleted = 0').fetchall()
    total, beats = per_second(counters, args.idle)
    idle_rate = total
    rows += [('idle: statements/s (all daemons)', '%.1f' % total),
             ('idle: heartbeat UPDATEs/s (%d services)' % services, '%.2f' % beats),
             ('  heartbeat UPDATEs/s projected to %d computes' % args.fake_hosts,
              '%.0f' % (beats / max(services, 1) * args.fake_hosts))]
    rate, cpu = boot(work, counters, 'before', args.batch)
    rows += [('%d in one request, %d hosts [servers/s]' % (args.batch, args.hosts), '%.1f' % rate),
             ('  nova-scheduler CPU per server [ms]', '%.2f' % cpu)]
    fakes = FakeHosts(counters, dsn, 'c0', args.fake_hosts) if args.fake_hosts else None
    try:
        time.sleep(12)  # the scheduler's next refresh reads them
        if fakes:
            rate, cpu = boot(work, counters, 'after', args.batch)
            rows += [('%d in one request, %d hosts [servers/s]' % (
                args.batch, args.hosts + args.fake_hosts), '%.1f' % rate),
                ('  nova-scheduler CPU per server [ms]', '%.2f' % cpu)]
            total, beats = per_second(counters, args.idle)
            rows.append(('idle with %d hosts: statements/s' % (args.hosts + args.fake_hosts),
                         '%.1f' % total))
        have = 2 * args.batch
        detail = '/servers/detail?limit=1000'
        if have < 1000:
            grow(work, have, 1000, args.batch)
            have = 1000
        ms, statements, cpu = list_cost(work, counters, detail, args.requests, idle_rate)
        rows.append(('GET %s at %d servers: median ms, statements, nova-api CPU ms' % (
            detail, have), '%.0f, %.1f, %.0f' % (ms, statements, cpu)))
        start = time.monotonic()
        grow(work, have, args.servers, args.batch)
        rows.append(('boot %d more, %d per request [servers/s]' % (
            args.servers - have, args.batch),
            '%.1f' % ((args.servers - have) / (time.monotonic() - start))))
        ms, statements, cpu = list_cost(work, counters, detail, args.requests, idle_rate)
        rows.append(('GET %s at %d servers: median ms, statements, nova-api CPU ms' % (
            detail, args.servers), '%.0f, %.1f, %.0f' % (ms, statements, cpu)))
        middle = work.api.request('GET', '/servers?limit=1&marker=%s' % work.api.request(
            'GET', '/servers?limit=%d' % (args.servers // 2))[1]['servers'][-1]['id'])
        marker = middle[1]['servers'][0]['id']
        ms, statements, cpu = list_cost(work, counters, detail + '&marker=' + marker,
                                        args.requests, idle_rate)
        rows.append(('  the page after a marker half way', '%.0f, %.1f, %.0f' % (
            ms, statements, cpu)))
        for label, (count, rss, peak) in sorted(deployment.memory().items()):
            rows.append(('RSS at %d servers: %s (%d processes) [MB summed, largest peak]' % (
                args.servers, label, count), '%.0f, %.0f' % (rss, peak)))
    finally:
        if fakes:
            fakes.stop()
    rows.append(('load at end', loadavg()))


class Rows(list):
    """The table's rows, each printed as it is measured (a long run shows its progress)."""

    def append(self, row):
        super().append(row)
        print('| %s | %s |' % row, flush=True)

    def __iadd__(self, rows):
        for row in rows:
            self.append(row)
        return self


def grow(work, have, want, batch):
    """Boot want - have servers, batch per request, all ACTIVE at the end."""
    start = time.monotonic()
    for k in range((want - have) // batch):
        work.api.request('POST', '/servers', work.body('scale%d' % (have + k * batch), batch),
                         ok=(202,))
    work.waiter.active('', want, start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=10, help='nova-compute daemons')
    parser.add_argument('--servers', type=int, default=10000)
    parser.add_argument('--fake-hosts', type=int, default=1000)
    parser.add_argument('--batch', type=int, default=100)
    parser.add_argument('--idle', type=float, default=20, help='seconds of idle counting')
    parser.add_argument('--requests', type=int, default=5, help='list requests measured')
    args = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix='bench-scale-') as tmp:
        os.chmod(tmp, 0o755)  # PostgreSQL runs as its own user under it
        deployment = Deployment('daemons', tmp, args.hosts, 'postgres')
        print('| separate daemons, %d computes | |' % args.hosts)
        print('|---|---|', flush=True)
        try:
            run(args, deployment, Rows())
        finally:
            deployment.stop()


if __name__ == '__main__':
    main()
