#!/usr/bin/env python3
"""The CPU of one server create in the nova-all arrangement, inside one process.

Builds nova-all's parts in this process (SQLite by default, the in-process
transport, nova-scheduler, nova-network and one fake nova-compute, periodic
tasks off), loads the osapi_compute pipeline from api-paste.ini (token auth
included, the token issued as nova-api issues it), then POSTs --n servers at
--concurrency green threads straight into the WSGI app (no HTTP) and waits
until all are ACTIVE. Prints, per create, the process CPU ms, the SQL
statements, and with --profile the Python function calls and the functions
that took the CPU (cProfile). Numbers only.

    nice .venv/bin/python tools/bench/create.py [--n 200] [--concurrency 10]
        [--reps 3] [--profile] [--db sqlite|postgres]
"""
import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nova import utils  # noqa: E402

utils.monkey_patch()

import eventlet  # noqa: E402
import webob  # noqa: E402
from api import QUOTA_OFF  # noqa: E402
from counters import loadavg, print_machine  # noqa: E402
from sqlalchemy import event  # noqa: E402


class Statements:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, 'before_cursor_execute', self._one)

    def _one(self, *args):
        self.count += 1


def setup(tmp, db_url):
    import nova.conf
    nova.conf.parse_args([], default_flagfiles=())
    from nova.conf import CONF
    flags = dict(QUOTA_OFF, state_path=tmp, transport_url='inproc://',
                 sql_connection=db_url or 'sqlite:///%s/nova.sqlite' % tmp,
                 fake_memory_mb=10 ** 7, fake_vcpus=10 ** 5, fake_disk_gb=10 ** 7,
                 novarc_path=os.path.join(tmp, 'novarc'), auth_strategy='keystone',
                 api_paste_config=os.path.join(REPO, 'etc', 'nova', 'api-paste.ini'))
    for name, value in flags.items():
        CONF.set_override(name, value)
    from nova import context as nova_context
    from nova import rpc, service
    from nova.auth import bootstrap
    from nova.db import migration
    from nova.image import service as image_service
    from nova.network import api as network_api
    migration.db_sync()
    rpc.init()
    bootstrap.ensure_admin()
    admin = nova_context.get_admin_context()
    image_service.ensure_default_image(admin)
    network_api.API().create_network(admin, '10.0.0.0/16', label='private')
    for binary in ('nova-scheduler', 'nova-network', 'nova-compute'):
        service.Service.create(binary, host='controller', periodic_enable=False).start()
    from nova import wsgi
    app = wsgi.Loader().load_app('osapi_compute')
    return app, token()


def token():
    """A token of the admin user scoped to its project, as POST /v3/auth/tokens gives."""
    from nova import context as nova_context
    from nova.auth import bootstrap, manager, tokens
    admin = nova_context.get_admin_context()
    user = manager.get_user_by_name(admin, bootstrap.ADMIN_USER)
    project = manager.get_project_by_name(admin, bootstrap.ADMIN_PROJECT)
    return tokens.issue(user, project)[0]


POSTS = {'cpu': 0.0, 'statements': 0}


def post(app, token_, name, profiler=None):
    """POST one server; its CPU (and profile) counted as nova-api's: the POST runs
    without switching green threads (SQLite and the in-process cast do not yield)."""
    if profiler:
        profiler.enable()
    cpu, statements = time.process_time(), STATEMENTS[0].count
    req = webob.Request.blank('/v2.1/servers', method='POST',
                              base_url='http://127.0.0.1:8774')
    req.headers['X-Auth-Token'] = token_
    req.headers['OpenStack-API-Version'] = 'compute 2.96'
    req.content_type = 'application/json'
    req.body = json.dumps({'server': {'name': name, 'flavorRef': '1',
                                      'imageRef': IMAGE[0], 'networks': 'none'}}).encode()
    response = req.get_response(app)
    POSTS['cpu'] += time.process_time() - cpu
    POSTS['statements'] += STATEMENTS[0].count - statements
    if profiler:
        profiler.disable()
    if response.status_int != 202:
        raise SystemExit('POST /servers: %s %s' % (response.status, response.body[:300]))
    return response.json['server']['id']


IMAGE = []
STATEMENTS = []
POLLS = {'statements': 0}


def wait_active(uuids, timeout=300):
    from nova import context as nova_context
    from nova.compute import vm_states
    from nova.db import api as db
    admin = nova_context.get_admin_context()
    deadline = time.monotonic() + timeout
    pending = set(uuids)
    while pending:
        eventlet.sleep(0.05)
        before = STATEMENTS[0].count
        rows = db.instance_get_all_by_filters(admin, {'uuid': list(pending)})
        POLLS['statements'] += STATEMENTS[0].count - before
        if any(r.vm_state == vm_states.ERROR for r in rows):
            raise SystemExit('a server went to ERROR')
        pending -= {r.uuid for r in rows if r.vm_state == vm_states.ACTIVE}
        if time.monotonic() > deadline:
            raise SystemExit('%d servers not ACTIVE after %ss' % (len(pending), timeout))


def round_(app, token_, n, concurrency, profiler=None, api_profiler=None):
    """(process CPU, CPU inside the POSTs, wall seconds) of n creates to ACTIVE."""
    pool = eventlet.GreenPool(concurrency)
    if profiler:
        profiler.enable()
    cpu, POSTS['cpu'], POSTS['statements'] = time.process_time(), 0.0, 0
    start = time.monotonic()
    uuids = list(pool.imap(lambda i: post(app, token_, 'bench-%d' % i, api_profiler),
                           range(n)))
    wait_active(uuids)
    wall = time.monotonic() - start
    cpu = time.process_time() - cpu
    if profiler:
        profiler.disable()
    return cpu, POSTS['cpu'], POSTS['statements'], wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--n', type=int, default=200)
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--db', choices=['sqlite', 'postgres'], default='sqlite')
    parser.add_argument('--profile', choices=['all', 'api'],
                        help='cProfile the whole process, or only the POSTs (nova-api)')
    parser.add_argument('--top', type=int, default=40)
    parser.add_argument('--dump', metavar='FILE', help="write cProfile's stats to FILE")
    args = parser.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix='bench-create-') as tmp:
        os.chmod(tmp, 0o755)
        pg = None
        db_url = None
        if args.db == 'postgres':
            from tests.harness.postgres import PostgresServer
            pg = PostgresServer(os.path.join(tmp, 'pg'))
            pg.start()
            db_url = pg.create_database('nova')
        try:
            run(args, tmp, db_url)
        finally:
            if pg:
                from nova.db import session as db_session
                db_session.dispose()
                pg.stop()


def run(args, tmp, db_url):
    app, token_ = setup(tmp, db_url)
    from nova.cmd import common as cmd_common
    from nova.db import session as db_session
    from nova.image import service as image_service
    IMAGE.append(image_service.DEFAULT_IMAGE_ID)
    statements = Statements(db_session.get_engine())
    STATEMENTS.append(statements)
    round_(app, token_, 20, args.concurrency)  # warm
    cmd_common.settle_gc()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    print('| round | CPU ms/create | of which in POST | statements/create (polls aside) '
          '| of which in POST | servers/s |')
    print('|---|---|---|---|---|---|')
    for rep in range(args.reps):
        before, POLLS['statements'] = statements.count, 0
        cpu, api_cpu, api_statements, wall = round_(
            app, token_, args.n, args.concurrency,
            profiler if args.profile == 'all' else None,
            profiler if args.profile == 'api' else None)
        # on PostgreSQL a POST waits for its statements in green threads: what runs
        # meanwhile would count as the POST's, so its share is not shown
        in_post = (('%.2f' % (api_cpu / args.n * 1000), '%.1f' % (api_statements / args.n))
                   if args.db == 'sqlite' else ('-', '-'))
        print('| %d | %.2f | %s | %.1f | %s | %.1f |' % (
            rep + 1, cpu / args.n * 1000, in_post[0],
            (statements.count - before - POLLS['statements']) / args.n,
            in_post[1], args.n / wall), flush=True)
    print('load %s' % loadavg())
    if profiler:
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        print('function calls per create: %.0f' % (
            stats.total_calls / (args.n * args.reps)))
        stats.sort_stats('tottime').print_stats(args.top)
        stats.sort_stats('cumulative').print_stats(args.top)


if __name__ == '__main__':
    main()
