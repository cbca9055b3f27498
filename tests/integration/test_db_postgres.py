"""nova.db on a real PostgreSQL: migrations, CRUD, concurrent heartbeats, green waits.

The server is the session's `postgres` fixture; each test module gets its own
database, and each test its own rows.
"""
import time

import eventlet
import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic.runtime import migration as alembic_migration

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import models
from nova.db import session as db_session
from tests.unit.db.test_api import heartbeat_in_processes


@pytest.fixture
def ctx(pg_db):
    """A migrated database with no rows."""
    yield nova_context.get_admin_context()
    with db_session.get_engine().begin() as connection:
        connection.exec_driver_sql('TRUNCATE compute_nodes, services RESTART IDENTITY')


def test_migrations_up_on_an_empty_database(postgres):
    CONF.set_override('sql_connection', postgres.create_database('nova_migrate'))
    try:
        assert migration.db_version() is None
        with pytest.raises(exception.DBNotSynced, match='nova-manage db sync'):
            migration.check_current()
        migration.db_sync()
        assert migration.db_version() == migration.head_version()
        migration.check_current()
        engine = db_session.get_engine()
        assert {'services', 'compute_nodes'} <= set(sa.inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = alembic_migration.MigrationContext.configure(connection)
            assert autogenerate.compare_metadata(context, models.Base.metadata) == []
    finally:
        db_session.dispose()


def test_service_and_compute_node_crud(ctx):
    service = db.service_create(ctx, {'host': 'pg1', 'binary': 'nova-compute',
                                      'topic': 'compute'})
    with pytest.raises(exception.ServiceExists):
        db.service_create(ctx, {'host': 'pg1', 'binary': 'nova-compute'})
    db.service_update(ctx, service.id, {'disabled': True, 'disabled_reason': 'test'})
    db.service_heartbeat(ctx, service.id)
    got = db.service_get_by_host_and_binary(ctx, 'pg1', 'nova-compute')
    assert (got.report_count, got.disabled, got.disabled_reason) == (1, True, 'test')

    node = db.compute_node_create(ctx, {'service_id': service.id, 'host': 'pg1',
                                        'hypervisor_hostname': 'n1', 'vcpus': 4,
                                        'cpu_allocation_ratio': 16.0})
    with pytest.raises(exception.Conflict):
        db.compute_node_create(ctx, {'service_id': service.id, 'host': 'pg1',
                                     'hypervisor_hostname': 'n1'})
    db.compute_node_update(ctx, node.id, {'vcpus_used': 2})
    found = db.compute_node_get_by_host_and_nodename(ctx, 'pg1', 'n1')
    assert (found.vcpus, found.vcpus_used, found.cpu_allocation_ratio) == (4, 2, 16.0)

    db.service_destroy(ctx, service.id)
    assert db.service_get_all(ctx) == [] and db.compute_node_get_all(ctx) == []
    deleted = nova_context.get_admin_context(read_deleted='only')
    assert db.service_get(deleted, service.id).deleted == service.id
    assert [n.id for n in db.compute_node_get_all(deleted)] == [node.id]
    assert db.service_create(ctx, {'host': 'pg1', 'binary': 'nova-compute'}).id != service.id


def test_heartbeats_from_green_threads_are_all_counted(ctx):
    service = db.service_create(ctx, {'host': 'pg1', 'binary': 'nova-compute'})

    def beat():
        for _ in range(25):
            db.service_heartbeat(ctx, service.id)

    for thread in [eventlet.spawn(beat) for _ in range(8)]:
        thread.wait()
    assert db.service_get(ctx, service.id).report_count == 200


def test_heartbeats_from_processes_are_all_counted(ctx, pg_url):
    service = db.service_create(ctx, {'host': 'pg1', 'binary': 'nova-compute'})
    heartbeat_in_processes(pg_url, service.id, processes=4, beats=100)
    assert db.service_get(ctx, service.id).report_count == 400


def test_other_green_threads_run_while_a_query_waits(ctx):
    """psycopg must wait for the server without blocking the eventlet hub."""
    ticks = []

    def ticker():
        while True:
            ticks.append(time.monotonic())
            eventlet.sleep(0.01)

    thread = eventlet.spawn(ticker)
    eventlet.sleep(0)
    try:
        with db_session.reader() as session:
            start = time.monotonic()
            session.execute(sa.text('SELECT pg_sleep(0.5)'))
            end = time.monotonic()
    finally:
        thread.kill()
    assert len([t for t in ticks if start < t < end]) >= 10


def test_one_statement_writes_run_in_autocommit_without_begin_and_commit(ctx):
    """A heartbeat or a compute node's usage is one statement: no BEGIN and COMMIT round
    trips around it; inside a batch it is still the batch's transaction."""
    service = db.service_create(ctx, {'host': 'pg2', 'binary': 'nova-compute'})
    node = db.compute_node_create(ctx, {'service_id': service.id, 'host': 'pg2',
                                        'hypervisor_hostname': 'n2', 'vcpus': 4})
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        # psycopg sends BEGIN itself unless the connection is in autocommit
        sent.append((statement.split(None, 1)[0].upper(), cursor.connection.autocommit))
    engine = db_session.get_engine()
    sa.event.listen(engine, 'before_cursor_execute', record)
    try:
        db.service_heartbeat(ctx, service.id)
        db.compute_node_update(ctx, node.id, {'vcpus_used': 3})
        assert sent == [('UPDATE', True), ('UPDATE', True)]
        del sent[:]
        with pytest.raises(RuntimeError), db_session.batch():
            db.compute_node_update(ctx, node.id, {'vcpus_used': 1})
            raise RuntimeError('rolled back with the batch')
        assert sent == [('UPDATE', False)]
    finally:
        sa.event.remove(engine, 'before_cursor_execute', record)
    assert db.service_get(ctx, service.id).report_count == 1
    assert db.compute_node_get(ctx, node.id).vcpus_used == 3
