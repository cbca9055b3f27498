"""Instance records (the API's list read) on a real PostgreSQL: same values as the
ORM rows, metadata and tags from one UNION query, two statements for any page."""
import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova.db import api as db
from nova.db import instance_records
from tests.unit.db.compute_helpers import (count_statements, instance_values,
                                          page_reads_by_uuid, queries)


@pytest.fixture
def ctx(pg_db):
    return nova_context.get_admin_context()


def test_records_match_orm_rows_in_two_statements(ctx):
    db.instance_create_many(ctx, [instance_values(
        project_id='pg-records', display_name='vm-%d' % i, flavor={'cur': {'name': 'm1.tiny'}},
        security_groups=['default'], metadata={'k': str(i)}, tags=['b', 'a%d' % i])
        for i in range(40)])
    filters = {'project_id': 'pg-records', 'deleted': False}
    with count_statements() as statements:
        records = db.instance_records_by_filters(ctx, filters, limit=30)
    assert len(queries(statements)) == 2
    rows = db.instance_get_all_by_filters(ctx, filters, limit=30)
    assert [r.uuid for r in records] == [r.uuid for r in rows]
    for row, record in zip(rows, records):
        for name in set(row.column_names()) - set(instance_records._UNLISTED):
            assert getattr(record, name) == getattr(row, name), name
        assert (record.metadata_dict, record.tags) == (row.metadata_dict, row.tags)


def test_reads_run_in_autocommit_and_writes_in_a_transaction(ctx):
    """A list's reads cost no BEGIN and COMMIT round trips (each statement sees its
    own snapshot in read committed anyway); writers keep their transaction, also on
    a pooled connection a reader used before."""
    from nova.db import session as db_session

    def autocommit(session):
        return session.connection().connection.driver_connection.autocommit

    for _ in range(2):  # the second time on connections back from the pool
        with db_session.reader() as session:
            assert autocommit(session)
            first = session.execute(sa.text('SELECT txid_current()')).scalar()
            assert session.execute(sa.text('SELECT txid_current()')).scalar() != first
        with db_session.writer() as session:
            assert not autocommit(session)
            first = session.execute(sa.text('SELECT txid_current()')).scalar()
            assert session.execute(sa.text('SELECT txid_current()')).scalar() == first


def test_pages_after_a_marker_seek_the_list_index(ctx):
    """The page after a marker is one row-value comparison PostgreSQL answers from
    the (project_id, deleted, created_at, id) index, not a scan of the project."""
    db.instance_create_many(ctx, [instance_values(project_id='pg-pages', display_name='vm')
                                  for _ in range(30)])
    filters = {'project_id': 'pg-pages', 'deleted': False}
    everything = [r.uuid for r in db.instance_records_by_filters(ctx, filters)]
    pages, marker = [], None
    while True:
        page = db.instance_records_by_filters(ctx, filters, limit=7, marker=marker)
        if not page:
            break
        pages += [r.uuid for r in page]
        marker = page[-1].uuid
    assert pages == everything and len(everything) == 30
    from sqlalchemy import event

    from nova.db import session as db_session
    engine, captured = db_session.get_engine(), []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if 'FROM instances' in statement and 'ORDER BY' in statement:
            captured.append((statement, parameters))
    event.listen(engine, 'before_cursor_execute', keep)
    try:
        db.instance_records_by_filters(ctx, filters, limit=7, marker=everything[10])
    finally:
        event.remove(engine, 'before_cursor_execute', keep)
    [(statement, parameters)] = captured
    with engine.connect() as conn:
        cursor = conn.connection.cursor()
        cursor.execute('SET enable_seqscan = off')  # 30 rows: a scan would win otherwise
        cursor.execute('EXPLAIN ' + statement, parameters)
        plan = '\n'.join(row[0] for row in cursor.fetchall())
    assert 'instances_project_id_deleted_created_at_id_idx' in plan, plan
    assert 'Sort' not in plan, plan
    assert 'ROW(created_at, id) <' in plan.split('Index Cond')[1].split('\n')[0], plan


def test_a_page_binds_its_uuids_as_one_array(ctx):
    """The per-page reads by instance uuid (metadata and tags, interfaces, addresses,
    volumes) bind the page's uuids as one array: the same statement text for a page
    of 2 and of 6, not one placeholder per uuid to render and parse."""
    db.instance_create_many(ctx, [instance_values(
        project_id='pg-array', display_name='vm', metadata={'n': str(i)}, tags=['t%d' % i])
        for i in range(6)])
    filters = {'project_id': 'pg-array', 'deleted': False}
    texts, records = page_reads_by_uuid(ctx, filters, 'ANY')
    assert len(texts[0]) == 4 and texts[0] == texts[1], texts
    assert {r.uuid: (r.metadata_dict, r.tags) for r in records} == {
        r.uuid: (r.metadata_dict, r.tags) for r in db.instance_get_all_by_filters(ctx, filters)}
    # bound as array text: quotes, backslashes, commas and braces are values, and a
    # value longer than the column is not cut down to one that matches
    odd = ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', records[0].uuid + 'x']
    assert db.block_device_volumes_by_instance_uuids(ctx, odd) == {u: [] for u in odd}
    from nova.db import session as db_session
    with db_session.reader() as session:
        metadata, _ = instance_records._children(session, odd + [records[0].uuid])
    assert metadata == dict({u: {} for u in odd}, **{records[0].uuid: records[0].metadata_dict})
