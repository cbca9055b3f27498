#!/usr/bin/env python3
"""The cost of one GET /servers/detail page inside nova-api, without HTTP or auth.

Builds the osapi_compute app in this process (as tests/unit/api/openstack does),
fills one project with servers straight through nova.db.api (with a fixed IP,
metadata and a tag each), and prints per request the SQL statements, the CPU
milliseconds and the median wall time, for the first page of 1,000 and for a
page deep in the list (marker paging), at each size of --sizes; with --explain
(PostgreSQL) the plan of the page query after a marker; with --profile the
functions that took the CPU (cProfile, cumulative). The process settles its
garbage collector as the daemons do once loaded (nova.cmd.common.settle_gc);
--gc-default keeps CPython's defaults; the GC column is the cyclic collector's
CPU per request. The servers do not change between requests, so after the warm-up
every view comes from the rendered-view cache (views/server_cache.py);
--view-cache-size 0 renders every server on every request. Numbers only.

    nice .venv/bin/python tools/bench/listing.py [--db sqlite|postgres]
        [--sizes 100,1000,10000] [--requests 20] [--profile] [--explain] [--gc-default]
        [--view-cache-size N]
"""
import argparse
import cProfile
import gc
import os
import pstats
import sys
import tempfile
import time
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nova import utils  # noqa: E402

utils.monkey_patch()

from sqlalchemy import event  # noqa: E402

from nova import context as nova_context  # noqa: E402
from nova.cmd import common as cmd_common  # noqa: E402
from nova.conf import CONF  # noqa: E402
from nova.db import api as db  # noqa: E402
from nova.db import migration  # noqa: E402
from nova.db import session as db_session  # noqa: E402
from nova.image import service as image_service  # noqa: E402
from nova.network import ranges  # noqa: E402
from tests.unit.api.openstack import fakes  # noqa: E402

from counters import loadavg, print_machine  # noqa: E402

FLAVOR = {'cur': {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
                  'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {}}}
PROJECT = 'proj-bench'
BATCH = 500


def network(admin):
    """A /16 network (room for 10,000 servers' fixed IPs); its id."""
    layout, addresses = ranges.network_layout('10.20.0.0/16')
    return db.network_create_safe(admin, dict(layout, label='bench', bridge='br100'),
                                  addresses).id


def fill(admin, network_id, have, want):
    """Servers have..want of the project, as a compute host leaves them: ACTIVE on
    one of 10 hosts, with metadata, a tag and a fixed IP."""
    for start in range(have, want, BATCH):
        rows = [dict(uuid=str(uuid.uuid4()), project_id=PROJECT, user_id='bench',
                     display_name='vm-%d' % i, vm_state='active', task_state=None,
                     power_state=1, host='c%d' % (i % 10), node='c%d' % (i % 10),
                     image_ref=image_service.DEFAULT_IMAGE_ID, vcpus=1, memory_mb=512,
                     root_gb=1, ephemeral_gb=0, instance_type_id=1, flavor=FLAVOR,
                     metadata={'n': str(i)}, tags=['bench'], security_groups=['default'])
                for i in range(start, min(want, start + BATCH))]
        db.instance_create_many(admin, rows)
        db.fixed_ips_allocate(admin, [{'instance_uuid': row['uuid'], 'project_id': PROJECT,
                                       'network_id': network_id, 'label': 'bench'}
                                      for row in rows], host='c0')


class StatementCounter:
    """Statements the server ran (pg_stat_statements: BEGIN, COMMIT and pings too),
    or those SQLAlchemy sent (SQLite)."""

    def __init__(self, pg):
        self.sent, self.pg = 0, None
        if pg is not None:
            from counters import Counters
            self.pg = Counters({}, pg=pg)
        else:
            event.listen(db_session.get_engine(), 'before_cursor_execute', self._one)

    def _one(self, *args):
        self.sent += 1

    def snapshot(self):
        return self.pg.statements() if self.pg else self.sent

    def top(self, before, per, top=10):
        delta = self.pg.statements() - before
        return [(calls / per, query) for query, calls in delta.most_common(top)]

    @staticmethod
    def difference(before, after):
        return sum((after - before).values()) if isinstance(after, dict) else after - before


class GcClock:
    """CPU seconds the cyclic garbage collector ran (gc.callbacks)."""

    def __init__(self):
        self.total, self._start = 0.0, None
        gc.callbacks.append(self._event)

    def _event(self, phase, info):
        if phase == 'start':
            self._start = time.process_time()
        elif self._start is not None:
            self.total += time.process_time() - self._start
            self._start = None


GC_CLOCK = GcClock()


def measure(client, path, requests, counter, profiler=None):
    """(statements, CPU ms, GC ms, median wall ms) per request, and the last response."""
    client.get(path)  # warm
    walls = []
    before_count, before_cpu = counter.snapshot(), time.process_time()
    before_gc = GC_CLOCK.total
    for _ in range(requests):
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        response = client.get(path)
        if profiler:
            profiler.disable()
        walls.append(time.perf_counter() - start)
        assert response.status_int == 200, response.body[:300]
    cpu = (time.process_time() - before_cpu) / requests * 1000
    gc_ms = (GC_CLOCK.total - before_gc) / requests * 1000
    walls.sort()
    statements = counter.difference(before_count, counter.snapshot()) / requests
    if counter.pg and os.environ.get('BENCH_TOP'):
        for calls, query in counter.top(before_count, requests):
            print('    %6.2f  %s' % (calls, query[:150]))
    return statements, cpu, gc_ms, walls[len(walls) // 2] * 1000, response


def explain(admin, marker):
    """PostgreSQL's plan of the page after marker (the statement the list runs)."""
    from nova.db import instance_records
    captured = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if 'FROM instances' in statement and 'LIMIT' in statement:
            captured.append((statement, parameters))
    engine = db_session.get_engine()
    event.listen(engine, 'before_cursor_execute', keep)
    try:
        instance_records.instance_records_by_filters(
            admin, {'project_id': PROJECT, 'deleted': False}, limit=1000, marker=marker)
    finally:
        event.remove(engine, 'before_cursor_execute', keep)
    statement, parameters = captured[-1]
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute('EXPLAIN ANALYZE ' + statement, parameters)
        return [row[0] for row in cursor.fetchall()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--db', choices=['sqlite', 'postgres'], default='sqlite')
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--requests', type=int, default=20)
    parser.add_argument('--version', default='2.96', help='the request microversion')
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--explain', action='store_true')
    parser.add_argument('--top', type=int, default=25)
    parser.add_argument('--view-cache-size', type=int,
                        help='--osapi_server_view_cache_size (0: render every server)')
    parser.add_argument('--gc-default', action='store_true',
                        help="CPython's collector settings, not the daemons' settled ones")
    args = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix='bench-listing-') as tmp:
        os.chmod(tmp, 0o755)
        pg = None
        CONF.set_override('state_path', tmp)
        if args.view_cache_size is not None:
            CONF.set_override('osapi_server_view_cache_size', args.view_cache_size)
        if args.db == 'postgres':
            from tests.harness.postgres import PostgresServer
            pg = PostgresServer(os.path.join(tmp, 'pg'), settings={
                'shared_preload_libraries': 'pg_stat_statements'})
            pg.start()
            CONF.set_override('sql_connection', pg.create_database('nova'))
        try:
            run(args, pg)
        finally:
            db_session.dispose()
            if pg:
                pg.stop()


def run(args, pg):
    db_session.dispose()
    migration.db_sync()
    admin = nova_context.get_admin_context()
    image_service.ensure_default_image(admin)
    client = fakes.Client(fakes.build_app(), user='bench', project=PROJECT,
                          version=args.version)
    network_id = network(admin)
    if not args.gc_default:
        cmd_common.settle_gc()
    counter = StatementCounter(pg)
    profiler = cProfile.Profile() if args.profile else None
    have = 0
    print('| servers | page | statements/request | CPU ms/request | of which GC | median ms |')
    print('|---|---|---|---|---|---|')
    for size in (int(s) for s in args.sizes.split(',')):
        fill(admin, network_id, have, size)
        have = size
        pages = [('first %d' % min(size, 1000), '/servers/detail')]
        if size > 1000:
            ids = [s['id'] for s in client.get('/servers?limit=1000&marker=%s' % (
                client.get('/servers?limit=%d' % (size // 2)).json['servers'][-1]['id'])
            ).json['servers']]
            pages.append(('1000 after marker at %d' % (size // 2),
                          '/servers/detail?limit=1000&marker=%s' % ids[0]))
        for label, path in pages:
            statements, cpu, gc_ms, wall, response = measure(
                client, path, args.requests if size <= 1000 else max(3, args.requests // 4),
                counter, profiler)
            print('| %d | %s (%d servers) | %.1f | %.1f | %.1f | %.1f |' % (
                size, label, len(response.json['servers']), statements, cpu, gc_ms, wall),
                flush=True)
        if args.explain and args.db == 'postgres' and size > 1000:
            print('\n'.join(explain(admin, ids[0])))
    print('load %s' % loadavg())
    if profiler:
        pstats.Stats(profiler).sort_stats('cumulative').print_stats(args.top)
        pstats.Stats(profiler).sort_stats('tottime').print_stats(args.top)


if __name__ == '__main__':
    main()
