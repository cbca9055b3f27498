"""Instance records for the API lists: the same instances, values and order as the
ORM list, in two statements whatever the number of instances."""
import pytest

from nova import context as nova_context
from nova import exception
from nova.db import api as db
from nova.db import instance_records
from tests.unit.db.compute_helpers import (count_statements, instance_values,
                                          page_reads_by_uuid, queries)

FLAVOR = {'cur': {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
                  'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0, 'extra_specs': {'a': 'b'}}}


def _create(ctx, count, project_id='p1', **extra):
    return db.instance_create_many(ctx, [instance_values(
        project_id=project_id, display_name='vm-%d' % i, flavor=FLAVOR,
        system_metadata={'image_os': 'cirros'}, security_groups=['default'],
        metadata={'k%d' % i: 'v', 'shared': 'x'}, tags=['t%d' % (i % 3), 'all'], **extra)
        for i in range(count)])


def test_records_match_the_orm_rows(db_ctx):
    _create(db_ctx, 5)
    _create(db_ctx, 2, project_id='p2')
    filters = {'project_id': 'p1', 'deleted': False}
    rows = db.instance_get_all_by_filters(db_ctx, filters)
    records = db.instance_records_by_filters(db_ctx, filters)
    assert [r.uuid for r in records] == [r.uuid for r in rows]
    for row, record in zip(rows, records):
        for name in row.column_names():
            if name in instance_records._UNLISTED:
                assert not hasattr(record, name), name  # absent, never a stale default
            else:
                assert getattr(record, name) == getattr(row, name), name
        assert record.metadata_dict == row.metadata_dict
        assert record.tags == row.tags
        assert record.name == row.name


def test_records_filter_sort_and_page_like_the_orm(db_ctx):
    _create(db_ctx, 6)
    args = {'filters': {'tags': ['t1'], 'deleted': False}, 'sort_keys': ['display_name'],
            'sort_dirs': ['asc'], 'limit': 1}
    first = db.instance_records_by_filters(db_ctx, **args)
    assert [r.display_name for r in first] == ['vm-1']
    after = db.instance_records_by_filters(db_ctx, marker=first[0].uuid, **args)
    assert [r.display_name for r in after] == ['vm-4']
    assert [r.uuid for r in after] == [r.uuid for r in db.instance_get_all_by_filters(
        db_ctx, marker=first[0].uuid, **args)]
    with pytest.raises(exception.MarkerNotFound):
        db.instance_records_by_filters(db_ctx, {}, marker='no-such-uuid')


def test_records_respect_the_deleted_filters(db_ctx):
    gone, kept = _create(db_ctx, 2)
    db.instance_destroy(db_ctx, gone.uuid)
    live = db.instance_records_by_filters(db_ctx, {'deleted': False})
    assert [r.uuid for r in live] == [kept.uuid]
    deleted = db.instance_records_by_filters(db_ctx, {'deleted': True})
    assert [r.uuid for r in deleted] == [gone.uuid]
    member = nova_context.RequestContext(user_id='u1', project_id='p1', roles=['member'])
    assert [r.uuid for r in db.instance_records_by_filters(member, {})] == [kept.uuid]


@pytest.mark.parametrize('count', [1, 300])
def test_a_list_costs_two_queries_whatever_its_length(db_ctx, count):
    _create(db_ctx, count)
    with count_statements() as statements:
        records = db.instance_records_by_filters(db_ctx, {'project_id': 'p1',
                                                          'deleted': False})
    assert len(records) == count
    assert len(queries(statements)) == 2, queries(statements)
    assert all(r.metadata_dict['shared'] == 'x' and 'all' in r.tags for r in records)


def test_an_empty_list_costs_one_query(db_ctx):
    with count_statements() as statements:
        assert db.instance_records_by_filters(db_ctx, {'project_id': 'nobody'}) == []
    assert len(queries(statements)) == 1


def test_brief_records_carry_id_uuid_and_name_in_one_query(db_ctx):
    rows = _create(db_ctx, 4)
    with count_statements() as statements:
        records = db.instance_records_by_filters(db_ctx, {'project_id': 'p1'}, brief=True,
                                                 sort_keys=['display_name'], sort_dirs=['asc'])
    assert len(queries(statements)) == 1
    assert [(r.id, r.uuid, r.display_name) for r in records] == [
        (r.id, r.uuid, r.display_name) for r in rows]
    assert not hasattr(records[0], 'vm_state')  # brief means brief: no stale defaults


def test_a_page_binds_its_uuids_as_one_json_text_on_sqlite(db_ctx):
    """The per-page reads by instance uuid bind the page's uuids as one parameter
    (json_each): the same statement text for a page of 2 and of 6, not one
    placeholder per uuid rendered at every execution."""
    _create(db_ctx, 6)
    filters = {'project_id': 'p1', 'deleted': False}
    texts, records = page_reads_by_uuid(db_ctx, filters, 'json_each')
    assert len(texts[0]) == 4 and texts[0] == texts[1], texts
    assert {r.uuid: (r.metadata_dict, r.tags) for r in records} == {
        r.uuid: (r.metadata_dict, r.tags) for r in db.instance_get_all_by_filters(db_ctx, filters)}
    # quotes, backslashes and brackets are values
    odd = ['a"b', 'c\\d', '["e"]', records[0].uuid + 'x']
    assert db.block_device_volumes_by_instance_uuids(db_ctx, odd) == {u: [] for u in odd}
    from nova.db import session as db_session
    with db_session.reader() as session:
        metadata, _ = instance_records._children(session, odd + [records[0].uuid])
        assert instance_records._children(session, []) == ({}, {})
    assert metadata == dict({u: {} for u in odd}, **{records[0].uuid: records[0].metadata_dict})


def test_partial_records_completed_equal_full_ones(db_ctx):
    _create(db_ctx, 3)
    filters = {'project_id': 'p1', 'deleted': False}
    full = db.instance_records_by_filters(db_ctx, filters)
    with count_statements() as statements:
        partial = db.instance_records_by_filters(db_ctx, filters, partial=True)
    assert len(queries(statements)) == 2
    assert [r.uuid for r in partial] == [r.uuid for r in full]
    assert not hasattr(partial[0], 'id') and not hasattr(partial[0], 'flavor')
    assert partial[0].metadata_dict == full[0].metadata_dict and partial[0].tags == full[0].tags
    gone = instance_records.InstanceRecord({'uuid': 'not-there'}, {}, [])
    with count_statements() as statements:
        completed = db.instance_records_complete(db_ctx, partial[:2] + [gone] + partial[2:])
    assert len(queries(statements)) == 1
    assert completed == partial  # the one whose row is gone is left out
    assert [r.__dict__ for r in partial] == [r.__dict__ for r in full]
