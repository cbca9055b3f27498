"""Shared by the compute DB tests (SQLite and PostgreSQL): instance values, statement counts."""
import contextlib
import os
import subprocess
import sys
import uuid

import greenlet
from sqlalchemy import event

from nova.db import session as db_session

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir))


def instance_values(project_id='p1', user_id='u1', **extra):
    values = {'uuid': str(uuid.uuid4()), 'project_id': project_id, 'user_id': user_id,
              'display_name': 'server', 'vm_state': 'building', 'task_state': 'scheduling',
              'vcpus': 1, 'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
              'instance_type_id': 1}
    values.update(extra)
    return values


def reservation(project_id, count, vcpus=1, memory_mb=512, instances=10, cores=20, ram=51200):
    return {'project_id': project_id, 'user_id': None,
            'deltas': {'instances': count, 'cores': count * vcpus, 'ram': count * memory_mb},
            'limits': {'instances': instances, 'cores': cores, 'ram': ram}}


@contextlib.contextmanager
def count_statements():
    """A list that collects every SQL statement the engine runs inside the block for
    this green thread (not those of services reporting in the background meanwhile)."""
    statements = []
    engine = db_session.get_engine()
    caller = greenlet.getcurrent()

    def before(conn, cursor, statement, parameters, context, executemany):
        if greenlet.getcurrent() is caller:
            statements.append(statement)

    event.listen(engine, 'before_cursor_execute', before)
    try:
        yield statements
    finally:
        event.remove(engine, 'before_cursor_execute', before)


def queries(statements):
    """The statements that are not transaction control."""
    return [s for s in statements
            if not s.lstrip().upper().startswith(('BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT',
                                                  'RELEASE'))]


def page_reads_by_uuid(ctx, filters, keyword):
    """([texts of the statements with keyword, page of 2], [the same, page of 6]) and
    the last page's records: a page's records, then its interfaces, addresses and
    volumes read by the page's uuids (none of them has any)."""
    from nova.db import api as db
    texts = []
    for limit in (2, 6):
        with count_statements() as statements:
            records = db.instance_records_by_filters(ctx, filters, limit=limit)
            uuids = [r.uuid for r in records]
            for read in (db.network_rows_by_instances, db.address_rows_by_instances,
                         db.block_device_volumes_by_instance_uuids):
                assert read(ctx, uuids) == {u: [] for u in uuids}
        texts.append([s for s in queries(statements) if keyword in s])
    return texts, records


def boot_in_processes(url, project_id, processes, requests, count, limits, **extra):
    """Each of several processes (real parallelism) sends `requests` instance_create_many
    of `count` instances (instance_values plus extra) under `limits`, all starting at
    once; returns (created, refused).
    """
    code = ('import sys\n'
            'from nova import utils; utils.monkey_patch()\n'
            'from nova import context, exception\n'
            'from nova.conf import CONF\n'
            'from nova.db import api\n'
            'from tests.unit.db.compute_helpers import instance_values\n'
            'CONF.set_override("sql_connection", %r)\n'
            'ctx = context.get_admin_context()\n'
            'api.quota_get_all_by_project(ctx, %r)\n'
            'print("ready", flush=True)\n'
            'sys.stdin.readline()\n'
            'created = refused = 0\n'
            'for _ in range(%d):\n'
            '    quota = {"project_id": %r, "deltas": {"instances": %d}, "limits": %r}\n'
            '    try:\n'
            '        api.instance_create_many(ctx, [instance_values(project_id=%r, **%r)\n'
            '                                       for _ in range(%d)], quota=quota)\n'
            '        created += 1\n'
            '    except exception.OverQuota:\n'
            '        refused += 1\n'
            'print(created, refused)\n' % (url, project_id, requests, project_id, count, limits,
                                           project_id, extra, count))
    env = dict(os.environ, PYTHONPATH=REPO)
    children = [subprocess.Popen([sys.executable, '-c', code], cwd=REPO, env=env, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
                for _ in range(processes)]
    for child in children:
        assert child.stdout.readline().strip() == 'ready', child.communicate()[1]
    for child in children:
        child.stdin.write('go\n')
        child.stdin.flush()
    created = refused = 0
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
        done, over = map(int, out.split())
        created, refused = created + done, refused + over
    return created, refused
