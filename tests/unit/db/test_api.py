"""nova.db.api on SQLite: services, compute nodes, soft delete, round trips."""
import datetime
import os
import subprocess
import sys

import eventlet
import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.db import api as db
from nova.db import session as db_session

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir))


def _service(ctx, host='host1', binary='nova-compute', topic='compute', **extra):
    return db.service_create(ctx, dict(host=host, binary=binary, topic=topic, **extra))


def _node(ctx, service, nodename='node1', **extra):
    values = dict(service_id=service.id, host=service.host, hypervisor_hostname=nodename,
                  vcpus=8, memory_mb=16384, local_gb=100)
    values.update(extra)
    return db.compute_node_create(ctx, values)


# ---------------------------------------------------------------- services

def test_service_create_and_get(db_ctx):
    created = _service(db_ctx, availability_zone='nova')
    got = db.service_get(db_ctx, created.id)
    assert sa.inspect(got).detached
    assert got.to_dict() == created.to_dict()
    assert (got.host, got.binary, got.topic, got.availability_zone) == (
        'host1', 'nova-compute', 'compute', 'nova')
    assert (got.report_count, got.disabled, got.forced_down, got.deleted) == (0, False, False, 0)
    assert isinstance(got.created_at, datetime.datetime)
    assert got.stopped_at is None and got.last_seen_up is None


def test_service_get_missing(db_ctx):
    with pytest.raises(exception.ServiceNotFound):
        db.service_get(db_ctx, 42)


def test_duplicate_service_is_refused(db_ctx):
    _service(db_ctx)
    with pytest.raises(exception.ServiceExists, match='host1.*nova-compute'):
        _service(db_ctx, topic='other')


def test_service_needs_a_host(db_ctx):
    with pytest.raises(sa.exc.IntegrityError):
        db.service_create(db_ctx, {'binary': 'nova-compute'})


def test_service_lookups(db_ctx):
    compute = _service(db_ctx)
    _service(db_ctx, binary='nova-network', topic='network')
    other = _service(db_ctx, host='host2', disabled=True)
    found = db.service_get_by_host_and_binary(db_ctx, 'host1', 'nova-compute')
    assert found.id == compute.id
    assert db.service_get_by_host_and_topic(db_ctx, 'host2', 'compute').id == other.id
    assert [s.id for s in db.service_get_all_by_topic(db_ctx, 'compute')] == [compute.id, other.id]
    assert [s.binary for s in db.service_get_all_by_host(db_ctx, 'host1')] == [
        'nova-compute', 'nova-network']
    assert len(db.service_get_all(db_ctx)) == 3
    assert [s.id for s in db.service_get_all(db_ctx, disabled=True)] == [other.id]
    assert len(db.service_get_all(db_ctx, disabled=False)) == 2


def test_service_lookup_misses(db_ctx):
    with pytest.raises(exception.HostBinaryNotFound, match='nova-compute.*host9'):
        db.service_get_by_host_and_binary(db_ctx, 'host9', 'nova-compute')
    with pytest.raises(exception.ServiceNotFound, match='compute.*host9'):
        db.service_get_by_host_and_topic(db_ctx, 'host9', 'compute')


def test_service_update(db_ctx):
    service = _service(db_ctx)
    updated = db.service_update(db_ctx, service.id, {'disabled': True,
                                                     'disabled_reason': 'maintenance'})
    assert (updated.disabled, updated.disabled_reason) == (True, 'maintenance')
    assert updated.updated_at is not None
    assert db.service_get(db_ctx, service.id).disabled_reason == 'maintenance'


def test_service_update_rejects_unknown_columns(db_ctx):
    service = _service(db_ctx)
    with pytest.raises(TypeError, match='no column bogus'):
        db.service_update(db_ctx, service.id, {'bogus': 1})


def test_service_update_missing_or_clashing(db_ctx):
    with pytest.raises(exception.ServiceNotFound):
        db.service_update(db_ctx, 42, {'disabled': True})
    _service(db_ctx)
    other = _service(db_ctx, host='host2')
    with pytest.raises(exception.ServiceExists):
        db.service_update(db_ctx, other.id, {'host': 'host1'})
    assert db.service_get(db_ctx, other.id).host == 'host2'


def test_heartbeat_counts_and_clears_stopped(db_ctx):
    service = _service(db_ctx)
    db.service_update(db_ctx, service.id, {'stopped_at': utils.utcnow()})
    before = utils.utcnow()
    db.service_heartbeat(db_ctx, service.id)
    db.service_heartbeat(db_ctx, service.id)
    beaten = db.service_get(db_ctx, service.id)
    assert beaten.report_count == 2
    assert beaten.stopped_at is None
    assert beaten.last_seen_up >= before
    assert beaten.updated_at >= before


def test_heartbeat_of_a_missing_service(db_ctx):
    with pytest.raises(exception.ServiceNotFound):
        db.service_heartbeat(db_ctx, 42)


def test_heartbeats_from_green_threads_are_all_counted(db_ctx):
    service = _service(db_ctx)

    def beat():
        for _ in range(20):
            db.service_heartbeat(db_ctx, service.id)
            eventlet.sleep(0)

    for thread in [eventlet.spawn(beat) for _ in range(5)]:
        thread.wait()
    assert db.service_get(db_ctx, service.id).report_count == 100


def heartbeat_in_processes(url, service_id, processes, beats):
    """Heartbeat one service from several processes at once (real parallelism).

    Each child connects, says it is ready and waits, so that all of them beat
    at the same time rather than one after the other as they finish starting.
    """
    code = ('import sys\n'
            'from nova import utils; utils.monkey_patch()\n'
            'from nova.conf import CONF\n'
            'from nova import context\n'
            'from nova.db import api\n'
            'CONF.set_override("sql_connection", %r)\n'
            'ctx = context.get_admin_context()\n'
            'api.service_get(ctx, %d)\n'
            'print("ready", flush=True)\n'
            'sys.stdin.readline()\n'
            'for _ in range(%d):\n'
            '    api.service_heartbeat(ctx, %d)\n' % (url, service_id, beats, service_id))
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
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err


def test_heartbeats_from_processes_are_all_counted(synced_db, db_ctx):
    service = _service(db_ctx)
    heartbeat_in_processes(synced_db, service.id, processes=3, beats=100)
    assert db.service_get(db_ctx, service.id).report_count == 300


def test_service_destroy_soft_deletes_it_and_its_nodes(db_ctx):
    service = _service(db_ctx)
    node = _node(db_ctx, service)
    other_node = _node(db_ctx, _service(db_ctx, host='host2'), 'node2')
    db.service_destroy(db_ctx, service.id)

    with pytest.raises(exception.ServiceNotFound):
        db.service_get(db_ctx, service.id)
    with pytest.raises(exception.ComputeHostNotFound):
        db.compute_node_get(db_ctx, node.id)
    assert [n.id for n in db.compute_node_get_all(db_ctx)] == [other_node.id]

    with_deleted = nova_context.get_admin_context(read_deleted='yes')
    gone = db.service_get(with_deleted, service.id)
    assert gone.deleted == gone.id and gone.deleted_at is not None
    assert db.compute_node_get(with_deleted, node.id).deleted == node.id
    assert len(db.service_get_all(with_deleted)) == 2

    only_deleted = nova_context.get_admin_context(read_deleted='only')
    assert [s.id for s in db.service_get_all(only_deleted)] == [service.id]
    assert [n.id for n in db.compute_node_get_all(only_deleted)] == [node.id]


def test_a_destroyed_service_can_register_again(db_ctx):
    old = _service(db_ctx)
    db.service_destroy(db_ctx, old.id)
    new = _service(db_ctx)
    assert new.id != old.id
    assert db.service_get_by_host_and_binary(db_ctx, 'host1', 'nova-compute').id == new.id
    with pytest.raises(exception.ServiceNotFound):
        db.service_heartbeat(db_ctx, old.id)
    with pytest.raises(exception.ServiceNotFound):
        db.service_update(db_ctx, old.id, {'disabled': True})
    with pytest.raises(exception.ServiceNotFound):
        db.service_destroy(db_ctx, old.id)


def test_unknown_read_deleted_is_an_error(db_ctx):
    with pytest.raises(ValueError, match='read_deleted'):
        db.service_get_all(nova_context.get_admin_context(read_deleted='maybe'))


# ----------------------------------------------------------- compute nodes

def test_compute_node_create_and_get(db_ctx):
    service = _service(db_ctx)
    node = _node(db_ctx, service, cpu_info='{"arch": "x86_64"}', host_ip='2001:db8::1',
                 cpu_allocation_ratio=16.0)
    got = db.compute_node_get(db_ctx, node.id)
    assert got.to_dict() == node.to_dict()
    assert len(got.uuid) == 36
    assert (got.vcpus, got.vcpus_used, got.cpu_allocation_ratio, got.ram_allocation_ratio) == (
        8, 0, 16.0, None)
    found = db.compute_node_get_by_host_and_nodename(db_ctx, 'host1', 'node1')
    assert found.id == node.id


def test_compute_node_misses(db_ctx):
    with pytest.raises(exception.ComputeHostNotFound):
        db.compute_node_get(db_ctx, 42)
    with pytest.raises(exception.ComputeHostNotFound, match='host9'):
        db.compute_node_get_by_host_and_nodename(db_ctx, 'host9', 'node1')
    with pytest.raises(exception.ComputeHostNotFound):
        db.compute_node_update(db_ctx, 42, {'vcpus': 1})
    with pytest.raises(exception.ComputeHostNotFound):
        db.compute_node_delete(db_ctx, 42)


def test_duplicate_compute_node_is_a_conflict(db_ctx):
    service = _service(db_ctx)
    _node(db_ctx, service)
    with pytest.raises(exception.Conflict, match='node1'):
        _node(db_ctx, service)


def test_compute_node_lists(db_ctx):
    one, two = _service(db_ctx), _service(db_ctx, host='host2')
    a, b, c = _node(db_ctx, one, 'a'), _node(db_ctx, one, 'b'), _node(db_ctx, two, 'c')
    assert [n.id for n in db.compute_node_get_all(db_ctx)] == [a.id, b.id, c.id]
    assert [n.hypervisor_hostname for n in db.compute_node_get_all_by_host(db_ctx, 'host1')] == [
        'a', 'b']


def test_compute_node_update_and_delete(db_ctx):
    node = _node(db_ctx, _service(db_ctx))
    db.compute_node_update(db_ctx, node.id, {'vcpus_used': 3, 'running_vms': 2})
    updated = db.compute_node_get(db_ctx, node.id)
    assert (updated.vcpus_used, updated.running_vms, updated.vcpus) == (3, 2, 8)
    assert updated.updated_at is not None
    db.compute_node_update(db_ctx, node.id, {'capabilities': {'supports_a': True}})
    assert db.compute_node_get(db_ctx, node.id).capabilities == {'supports_a': True}
    with pytest.raises(TypeError, match='no column nope'):
        db.compute_node_update(db_ctx, node.id, {'nope': 1})
    db.compute_node_delete(db_ctx, node.id)
    assert db.compute_node_get_all(db_ctx) == []
    assert db.compute_node_get_all(nova_context.get_admin_context(read_deleted='yes'))


def test_a_compute_node_needs_an_existing_service(db_ctx):
    with pytest.raises(sa.exc.IntegrityError):
        db.compute_node_create(db_ctx, {'service_id': 42, 'host': 'h',
                                        'hypervisor_hostname': 'n'})


# ----------------------------------------------------------- round trips

@pytest.fixture
def statements():
    """The SQL statements sent, transaction control left out."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() not in ('BEGIN', 'COMMIT', 'ROLLBACK'):
            sent.append(statement)

    engine = db_session.get_engine()
    sa.event.listen(engine, 'before_cursor_execute', record)
    yield sent
    sa.event.remove(engine, 'before_cursor_execute', record)


def test_each_call_is_one_or_two_statements(db_ctx, statements):
    service = _service(db_ctx)
    node = _node(db_ctx, service)
    calls = [
        lambda: _service(db_ctx, host='host2'),
        lambda: db.service_get(db_ctx, service.id),
        lambda: db.service_get_by_host_and_binary(db_ctx, 'host1', 'nova-compute'),
        lambda: db.service_get_by_host_and_topic(db_ctx, 'host1', 'compute'),
        lambda: db.service_get_all(db_ctx),
        lambda: db.service_get_all_by_topic(db_ctx, 'compute'),
        lambda: db.service_get_all_by_host(db_ctx, 'host1'),
        lambda: db.service_update(db_ctx, service.id, {'disabled': True}),
        lambda: db.service_heartbeat(db_ctx, service.id),
        lambda: db.compute_node_get(db_ctx, node.id),
        lambda: db.compute_node_get_by_host_and_nodename(db_ctx, 'host1', 'node1'),
        lambda: db.compute_node_get_all(db_ctx),
        lambda: db.compute_node_get_all_by_host(db_ctx, 'host1'),
        lambda: db.compute_node_update(db_ctx, node.id, {'vcpus_used': 1}),
        lambda: db.compute_node_delete(db_ctx, node.id),
        lambda: _node(db_ctx, service, 'node2'),
        lambda: db.service_destroy(db_ctx, service.id),
    ]
    for call in calls:
        del statements[:]
        call()
        assert 1 <= len(statements) <= 2, statements
