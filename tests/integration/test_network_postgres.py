"""nova-network's allocation on a real PostgreSQL: concurrent boots (green threads
with their own connections, and separate processes) never share an address,
an exhausted network refuses cleanly, floating IPs never exceed pool or quota."""
import os
import subprocess
import sys

import eventlet
import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from nova import context as nova_context
from nova import exception
from nova.db import api as db
from nova.db import models
from nova.db import session as db_session
from nova.network import ranges

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
TABLES = ('floating_ips', 'fixed_ips', 'virtual_interfaces', 'networks', 'quota_usages')


@pytest.fixture
def ctx(pg_db):
    yield nova_context.get_admin_context()
    with db_session.get_engine().begin() as connection:
        connection.exec_driver_sql('TRUNCATE %s RESTART IDENTITY' % ', '.join(TABLES))


def _network(ctx, cidr):
    layout, addresses = ranges.network_layout(cidr)
    return db.network_create_safe(ctx, dict(layout, label=cidr, bridge='br100'), addresses)


def test_schema_matches_the_models(ctx):
    with db_session.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        assert autogenerate.compare_metadata(context, models.Base.metadata) == []


def test_green_threads_booting_at_once_never_share_an_address(ctx):
    network = _network(ctx, '10.20.0.0/24')  # 253 addresses for instances
    results = []

    def boot(i):
        uuids = ['t%d-%d' % (i, n) for n in range(5)]
        try:
            allocated = db.fixed_ips_allocate(ctx, [
                {'instance_uuid': u, 'network_id': network.id, 'label': 'net'}
                for u in uuids])
            results.extend(address for _, _, address in allocated)
        except exception.NoMoreFixedIps:
            results.append('exhausted')

    for thread in [eventlet.spawn(boot, i) for i in range(60)]:  # 300 asked, 253 there
        thread.wait()
    addresses = [r for r in results if r != 'exhausted']
    assert len(addresses) == len(set(addresses)) == 250  # 50 batches of 5 fitted
    assert results.count('exhausted') == 10
    held = db.fixed_ip_get_all(ctx, network_id=network.id, allocated_only=True)
    assert sorted(r.address for r in held) == sorted(addresses)  # nothing half-made
    stmt = sa.select(sa.func.count()).select_from(models.VirtualInterface)
    with db_session.reader() as session:
        assert session.execute(stmt).scalar() == 250


def test_processes_booting_at_once_never_share_an_address(ctx, pg_url):
    network = _network(ctx, '10.21.0.0/26')  # 61 addresses
    code = ('import sys\n'
            'from nova import utils; utils.monkey_patch()\n'
            'from nova import context, exception\n'
            'from nova.conf import CONF\n'
            'from nova.db import api\n'
            'CONF.set_override("sql_connection", %r)\n'
            'ctx = context.get_admin_context()\n'
            'api.network_get_all(ctx)\n'
            'print("ready", flush=True)\n'
            'sys.stdin.readline()\n'
            'got = []\n'
            'for i in range(20):\n'
            '    try:\n'
            '        got += [a for _, _, a in api.fixed_ips_allocate(ctx, [\n'
            '            {"instance_uuid": "p%%s-%%d" %% (sys.argv[1], i),\n'
            '             "network_id": %d, "label": "net"}])]\n'
            '    except exception.NoMoreFixedIps:\n'
            '        got.append("exhausted")\n'
            'print(" ".join(got))\n' % (pg_url, network.id))
    env = dict(os.environ, PYTHONPATH=REPO)
    children = [subprocess.Popen([sys.executable, '-c', code, str(n)], cwd=REPO, env=env,
                                 text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for n in range(4)]
    for child in children:
        assert child.stdout.readline().strip() == 'ready', child.communicate()[1]
    for child in children:
        child.stdin.write('go\n')
        child.stdin.flush()
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results += out.split()
    addresses = [r for r in results if r != 'exhausted']
    assert len(addresses) == len(set(addresses)) == 61
    assert results.count('exhausted') == 80 - 61


def test_floating_ips_race_within_pool_and_quota(ctx):
    db.floating_ip_bulk_create(ctx, [{'address': a, 'pool': 'public'}
                                     for a in ranges.floating_range('172.30.0.0/28')])
    outcomes = []

    def allocate(project):
        try:
            outcomes.append((project, db.floating_ip_allocate(ctx, project, 'public',
                                                              limit=5).address))
        except exception.OverQuota:
            outcomes.append((project, 'over'))
        except exception.NoMoreFloatingIps:
            outcomes.append((project, 'empty'))

    threads = [eventlet.spawn(allocate, 'p%d' % (i % 4)) for i in range(32)]
    for thread in threads:
        thread.wait()
    got = [address for _, address in outcomes if address not in ('over', 'empty')]
    assert len(got) == len(set(got)) == 14  # the pool's 14 host addresses
    for project in ('p0', 'p1', 'p2', 'p3'):
        mine = [a for p, a in outcomes if p == project and a not in ('over', 'empty')]
        assert len(mine) <= 5
        assert db.quota_usage_get_all_by_project(ctx, project).get('floating_ips', 0) == \
            len(mine)
