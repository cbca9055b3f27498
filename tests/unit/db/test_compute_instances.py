"""nova.db.api instances on SQLite: bulk create, filters, pagination, CAS updates, destroy."""
import datetime

import eventlet
import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.db import api as db

from tests.unit.db.compute_helpers import (count_statements, instance_values, queries,
                                           reservation)


def _create(ctx, count=1, quota=None, **extra):
    return db.instance_create_many(ctx, [instance_values(**extra) for _ in range(count)],
                                   quota=quota)


def _names(instances):
    return [i.display_name for i in instances]


# ------------------------------------------------------------------- create

def test_create_many_returns_rows_in_order_with_their_extras(db_ctx):
    group = db.instance_group_create(db_ctx, {'name': 'g', 'policy': 'affinity',
                                              'project_id': 'p1'})
    values = [instance_values(display_name='vm%d' % i, metadata={'k': str(i), 'l': 'x'},
                              tags=['a', 'b', 'a'], group_uuid=group.uuid,
                              security_groups=['default'], system_metadata={'x': 'y'},
                              flavor={'cur': {'flavorid': '1'}, 'old': None, 'new': None})
              for i in range(3)]
    created = db.instance_create_many(db_ctx, values, quota=reservation('p1', 3))
    assert [i.uuid for i in created] == [v['uuid'] for v in values]
    assert created[1].metadata_dict == {'k': '1', 'l': 'x'} and created[1].tags == ['a', 'b']
    with count_statements() as statements:
        got = db.instance_get_by_uuid(db_ctx, values[2]['uuid'])
    assert len(queries(statements)) == 1  # metadata and tags joined: one round trip
    assert sa.inspect(got).detached
    as_dict = got.to_dict()
    assert (as_dict['metadata'], as_dict['tags'], as_dict['security_groups'],
            as_dict['system_metadata'], as_dict['flavor']['cur']) == (
        {'k': '2', 'l': 'x'}, ['a', 'b'], ['default'], {'x': 'y'}, {'flavorid': '1'})
    assert (got.locked, got.power_state, got.cleaned, got.deleted) == (False, 0, 0, 0)
    assert db.instance_group_get(db_ctx, group.uuid).members == [v['uuid'] for v in values]
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {
        'instances': 3, 'cores': 3, 'ram': 1536, 'server_groups': 1}


def test_create_many_is_one_transaction(db_ctx):
    with pytest.raises(exception.OverQuota):
        _create(db_ctx, 3, quota=reservation('p1', 3, instances=2))
    values = [instance_values(group_uuid='no-such-group')]
    with pytest.raises(exception.InstanceGroupNotFound):
        db.instance_create_many(db_ctx, values, quota=reservation('p1', 1))
    assert db.instance_get_all_by_filters(db_ctx, {}) == []
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') in ({}, {
        'instances': 0, 'cores': 0, 'ram': 0})


def test_create_duplicate_uuid(db_ctx):
    first = _create(db_ctx)[0]
    with pytest.raises(exception.InstanceExists):
        db.instance_create_many(db_ctx, [instance_values(uuid=first.uuid)])


def test_create_many_statement_count_does_not_grow_with_instances(db_ctx):
    def create(count):
        values = [instance_values(metadata={'a': '1', 'b': '2'}, tags=['t'])
                  for _ in range(count)]
        with count_statements() as statements:
            db.instance_create_many(db_ctx, values, quota=reservation('p1', count,
                                                                      instances=-1, cores=-1,
                                                                      ram=-1))
        return len(queries(statements))

    create(1)  # usage rows now exist
    assert create(5) == create(50)


def test_get_missing(db_ctx):
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get_by_uuid(db_ctx, 'nope')


# ------------------------------------------------------------------ filters

def test_filters(db_ctx):
    a = _create(db_ctx, display_name='web-1', host='h1', node='n1', vm_state='active',
                task_state=None, image_ref='img1', instance_type_id=1, reservation_id='r1',
                availability_zone='az1')[0]
    b = _create(db_ctx, display_name='web-2', host='h2', vm_state='stopped', project_id='p2',
                user_id='u2', image_ref='img2', instance_type_id=2, locked=True)[0]
    c = _create(db_ctx, display_name='db-1', host=None, vm_state='error')[0]

    def uuids(filters):
        return {i.uuid for i in db.instance_get_all_by_filters(db_ctx, filters)}

    assert uuids({}) == {a.uuid, b.uuid, c.uuid}
    assert uuids({'project_id': 'p1'}) == {a.uuid, c.uuid}
    assert uuids({'user_id': 'u2'}) == {b.uuid}
    assert uuids({'uuid': [a.uuid, c.uuid]}) == {a.uuid, c.uuid}
    assert uuids({'uuid': a.uuid}) == {a.uuid}
    assert uuids({'vm_state': 'active'}) == {a.uuid}
    assert uuids({'vm_state': ['active', 'error']}) == {a.uuid, c.uuid}
    assert uuids({'task_state': None}) == {a.uuid}
    assert uuids({'task_state': ['scheduling', None]}) == {a.uuid, b.uuid, c.uuid}
    assert uuids({'host': 'h1'}) == {a.uuid}
    assert uuids({'host': None}) == {c.uuid}
    assert uuids({'node': 'n1'}) == {a.uuid}
    assert uuids({'image_ref': 'img2'}) == {b.uuid}
    assert uuids({'flavor_id': 2}) == {b.uuid}
    assert uuids({'reservation_id': 'r1'}) == {a.uuid}
    assert uuids({'availability_zone': 'az1'}) == {a.uuid}
    assert uuids({'locked': True}) == {b.uuid}
    assert uuids({'locked': False}) == {a.uuid, c.uuid}
    assert [i.uuid for i in db.instance_get_all_by_host(db_ctx, 'h2')] == [b.uuid]
    assert db.instance_uuids_by_host(db_ctx) == {'h1': [a.uuid], 'h2': [b.uuid]}
    with pytest.raises(exception.InvalidInput, match='bogus'):
        uuids({'bogus': 1})


def test_a_hosts_instances_in_pages_and_as_sizes(db_ctx):
    """What a compute's periodic tasks read over thousands of servers: pages of
    instances (each its own read) and the claims' sizes rows, never a deleted one."""
    here = _create(db_ctx, 5, host='h1', node='n1', vcpus=2, memory_mb=64, root_gb=3)
    _create(db_ctx, host='h2')
    db.instance_destroy(db_ctx, here[2].uuid)
    live = sorted((i.id, i.uuid) for i in here if i.uuid != here[2].uuid)
    with count_statements() as statements:
        paged = list(db.instance_pages_by_host(db_ctx, 'h1', page_size=2))
    assert [i.uuid for i in paged] == [uuid for _, uuid in live]
    assert paged[0].metadata_dict is not None  # loaded, as instance_get_all_by_host's
    # 2 + 2 + 0 live rows: three page reads, each after the last id read
    assert len([s for s in statements if 'instances.id >' in s]) == 3
    assert list(db.instance_pages_by_host(db_ctx, 'nowhere')) == []
    sizes = db.instance_sizes_by_host(db_ctx, 'h1')
    assert sorted(r.uuid for r in sizes) == sorted(uuid for _, uuid in live)
    assert {(r.node, r.vcpus, r.memory_mb, r.root_gb) for r in sizes} == {('n1', 2, 64, 3)}


def test_display_name_is_a_regular_expression_applied_in_sql(db_ctx):
    for name in ('web-1', 'web-22', 'db-1', 'Web-3'):
        _create(db_ctx, display_name=name)

    def names(pattern):
        with count_statements() as statements:
            found = db.instance_get_all_by_filters(db_ctx, {'display_name': pattern})
        assert any('REGEXP' in s.upper() for s in statements)
        return sorted(_names(found))

    assert names('^web-') == ['web-1', 'web-22']
    assert names(r'-\d$') == ['Web-3', 'db-1', 'web-1']
    assert names('(?i)^web') == ['Web-3', 'web-1', 'web-22']
    assert names('b-2') == ['web-22']
    with pytest.raises(exception.InvalidInput, match='regular expression'):
        db.instance_get_all_by_filters(db_ctx, {'display_name': '(['})


def test_tag_filters(db_ctx):
    ab = _create(db_ctx, tags=['a', 'b'])[0]
    a = _create(db_ctx, tags=['a'])[0]
    c = _create(db_ctx, tags=['c'])[0]
    none = _create(db_ctx)[0]

    def uuids(filters):
        return {i.uuid for i in db.instance_get_all_by_filters(db_ctx, filters)}

    assert uuids({'tags': ['a', 'b']}) == {ab.uuid}
    assert uuids({'tags': 'a,b'}) == {ab.uuid}
    assert uuids({'tags': ['a']}) == {ab.uuid, a.uuid}
    assert uuids({'tags-any': ['b', 'c']}) == {ab.uuid, c.uuid}
    assert uuids({'not-tags': ['a', 'b']}) == {a.uuid, c.uuid, none.uuid}
    assert uuids({'not-tags-any': ['a', 'c']}) == {none.uuid}
    assert uuids({'tags': ['a'], 'not-tags-any': ['b']}) == {a.uuid}


def test_changes_since_and_before(db_ctx):
    old, new = _create(db_ctx, 2)
    later = utils.utcnow() + datetime.timedelta(seconds=1)
    assert {i.uuid for i in db.instance_get_all_by_filters(
        db_ctx, {'changes-since': utils.utcnow() - datetime.timedelta(minutes=1)})} == {
        old.uuid, new.uuid}
    assert db.instance_get_all_by_filters(db_ctx, {'changes-since': later}) == []
    db.instance_update(db_ctx, new.uuid, {'updated_at': later})
    since = db.instance_get_all_by_filters(db_ctx, {'changes-since': later.isoformat() + 'Z'})
    assert [i.uuid for i in since] == [new.uuid]
    before = db.instance_get_all_by_filters(db_ctx, {'changes-before': later -
                                                     datetime.timedelta(microseconds=1)})
    assert [i.uuid for i in before] == [old.uuid]
    with pytest.raises(exception.InvalidInput):
        db.instance_get_all_by_filters(db_ctx, {'changes-since': 'yesterday'})


def test_deleted_and_soft_deleted(db_ctx):
    live, soft, gone = _create(db_ctx, 3)
    db.instance_update(db_ctx, soft.uuid, {'vm_state': 'soft-delete'})
    db.instance_destroy(db_ctx, gone.uuid)

    def uuids(filters, ctx=db_ctx):
        return {i.uuid for i in db.instance_get_all_by_filters(ctx, filters)}

    assert uuids({}) == {live.uuid, soft.uuid}
    assert uuids({'deleted': False}) == {live.uuid}
    assert uuids({'deleted': False, 'soft_deleted': True}) == {live.uuid, soft.uuid}
    assert uuids({'soft_deleted': False}) == {live.uuid}
    assert uuids({'deleted': True}) == {soft.uuid, gone.uuid}
    assert uuids({'deleted': True, 'soft_deleted': False}) == {gone.uuid}
    assert uuids({}, nova_context.get_admin_context(read_deleted='yes')) == {
        live.uuid, soft.uuid, gone.uuid}
    assert uuids({}, nova_context.get_admin_context(read_deleted='only')) == {gone.uuid}


# ------------------------------------------------------- sort and pagination

def test_default_order_is_newest_first(db_ctx):
    created = [_create(db_ctx, display_name='vm%d' % i)[0] for i in range(3)]
    assert [i.uuid for i in db.instance_get_all_by_filters(db_ctx, {})] == [
        i.uuid for i in reversed(created)]


def test_pages_with_a_marker_cover_everything_once(db_ctx):
    values = [instance_values(display_name='vm%02d' % (i % 4), host=None if i % 3 else 'h')
              for i in range(25)]
    db.instance_create_many(db_ctx, values)
    for sort_keys, sort_dirs in [(None, None), (['display_name'], ['asc']),
                                 (['host', 'display_name'], ['desc', 'asc']),
                                 (['host'], ['asc'])]:
        expected = db.instance_get_all_by_filters(db_ctx, {}, sort_keys, sort_dirs)
        seen, marker = [], None
        while True:
            page = db.instance_get_all_by_filters(db_ctx, {}, sort_keys, sort_dirs, limit=4,
                                                  marker=marker)
            if not page:
                break
            seen += page
            marker = page[-1].uuid
        assert [i.uuid for i in seen] == [i.uuid for i in expected], sort_keys
    by_name = db.instance_get_all_by_filters(db_ctx, {}, ['display_name'], ['asc'])
    assert _names(by_name) == sorted(_names(by_name))
    assert db.instance_get_all_by_filters(db_ctx, {}, limit=0) == []


def test_marker_and_sort_errors(db_ctx):
    with pytest.raises(exception.MarkerNotFound):
        db.instance_get_all_by_filters(db_ctx, {}, marker='nope')
    with pytest.raises(exception.InvalidInput):
        db.instance_get_all_by_filters(db_ctx, {}, sort_keys=['metadata_items'])
    with pytest.raises(exception.InvalidInput):
        db.instance_get_all_by_filters(db_ctx, {}, sort_keys=['id'], sort_dirs=['up'])


def test_a_deleted_marker_still_marks_its_place(db_ctx):
    first, second, third = [_create(db_ctx, display_name='vm%d' % i)[0] for i in range(3)]
    db.instance_destroy(db_ctx, second.uuid)
    page = db.instance_get_all_by_filters(db_ctx, {}, marker=second.uuid)
    assert [i.uuid for i in page] == [first.uuid]


def test_listing_uses_the_same_number_of_queries_for_10_or_100(db_ctx):
    def listed(count, project_id):
        values = [instance_values(project_id=project_id, metadata={'a': '1', 'b': '2'},
                                  tags=['x', 'y']) for _ in range(count)]
        db.instance_create_many(db_ctx, values)
        with count_statements() as statements:
            instances = db.instance_get_all_by_filters(db_ctx, {'project_id': project_id})
        # loaded: reading them needs no query, even detached
        assert all(i.metadata_dict == {'a': '1', 'b': '2'} and i.tags == ['x', 'y']
                   for i in instances)
        assert len(instances) == count
        return len(queries(statements))

    assert listed(10, 'ten') == listed(100, 'hundred') == 3


# ------------------------------------------------------- compare-and-swap

def test_update_with_expected_task_state(db_ctx):
    instance = _create(db_ctx)[0]
    updated = db.instance_update(db_ctx, instance.uuid, {'task_state': 'spawning',
                                                         'host': 'h1'},
                                 expected_task_state='scheduling')
    assert (updated.task_state, updated.host) == ('spawning', 'h1')
    assert updated.updated_at is not None and updated.metadata_dict == {}
    with pytest.raises(exception.UnexpectedTaskStateError) as raised:
        db.instance_update(db_ctx, instance.uuid, {'task_state': None},
                           expected_task_state=['scheduling', None])
    assert raised.value.kwargs['expected'] == ['scheduling', None]
    assert raised.value.kwargs['actual'] == 'spawning'
    assert 'spawning' in str(raised.value)
    cleared = db.instance_update(db_ctx, instance.uuid, {'task_state': None},
                                 expected_task_state=('spawning',))
    assert cleared.task_state is None
    assert db.instance_update(db_ctx, instance.uuid, {'task_state': 'rebooting'},
                              expected_task_state=[None]).task_state == 'rebooting'
    assert db.instance_update(db_ctx, instance.uuid, {'progress': 5}).progress == 5


def test_update_refusals(db_ctx):
    instance = _create(db_ctx, vm_state='active', task_state='deleting')[0]
    with pytest.raises(exception.UnexpectedDeletingTaskStateError):
        db.instance_update(db_ctx, instance.uuid, {'task_state': 'rebooting'},
                           expected_task_state=None)
    with pytest.raises(exception.UnexpectedVMStateError, match='Actual: active'):
        db.instance_update(db_ctx, instance.uuid, {'vm_state': 'stopped'},
                           expected_vm_state=['stopped'])
    with pytest.raises(exception.InstanceNotFound):
        db.instance_update(db_ctx, 'nope', {'progress': 1})
    with pytest.raises(TypeError, match='no column bogus'):
        db.instance_update(db_ctx, instance.uuid, {'bogus': 1})
    db.instance_destroy(db_ctx, instance.uuid)
    with pytest.raises(exception.InstanceNotFound):
        db.instance_update(db_ctx, instance.uuid, {'progress': 1})


def test_update_replaces_metadata(db_ctx):
    instance = _create(db_ctx, metadata={'a': '1', 'b': '2'})[0]
    updated = db.instance_update(db_ctx, instance.uuid, {'metadata': {'b': '3', 'c': '4'}})
    assert updated.metadata_dict == {'b': '3', 'c': '4'}


def test_concurrent_updates_with_the_same_expectation_only_one_wins(db_ctx):
    instance = _create(db_ctx, vm_state='active', task_state=None)[0]
    outcomes = []

    def begin(task):
        try:
            db.instance_update(db_ctx, instance.uuid, {'task_state': task},
                               expected_task_state=[None])
            outcomes.append(task)
        except exception.UnexpectedTaskStateError:
            outcomes.append('refused')

    threads = [eventlet.spawn(begin, task) for task in ('rebooting', 'pausing') * 10]
    for thread in threads:
        thread.wait()
    winners = [o for o in outcomes if o != 'refused']
    assert len(winners) == 1 and outcomes.count('refused') == 19
    assert db.instance_get_by_uuid(db_ctx, instance.uuid).task_state == winners[0]


def test_update_many(db_ctx):
    a, b, c = _create(db_ctx, 3)
    db.instance_update(db_ctx, c.uuid, {'task_state': 'spawning'})
    changed = db.instance_update_many(db_ctx, [a.uuid, b.uuid, c.uuid],
                                      {'task_state': 'spawning', 'host': 'h'},
                                      expected_task_state='scheduling')
    assert changed == 2
    assert db.instance_get_by_uuid(db_ctx, c.uuid).host is None
    assert db.instance_update_many(db_ctx, [a.uuid, c.uuid], {'host': 'h2'}) == 2


# ------------------------------------------------------------------ destroy

def test_destroy_soft_deletes_everything_and_releases_quota(db_ctx):
    group = db.instance_group_create(db_ctx, {'name': 'g', 'policy': 'anti-affinity'})
    instance = _create(db_ctx, quota=reservation('p1', 1, vcpus=2, memory_mb=1024),
                       vcpus=2, memory_mb=1024, metadata={'a': '1'}, tags=['t'],
                       group_uuid=group.uuid, task_state='deleting')[0]
    release = {'project_id': 'p1', 'user_id': None, 'limits': {},
               'deltas': {'instances': -1, 'cores': -2, 'ram': -1024}}
    assert db.instance_destroy(db_ctx, instance.uuid, quota=release) is None
    deleted = db.instance_get_by_uuid(nova_context.get_admin_context(read_deleted='yes'),
                                      instance.uuid)
    assert (deleted.deleted, deleted.vm_state, deleted.task_state) == (
        instance.id, 'deleted', None)
    assert deleted.deleted_at is not None and deleted.terminated_at is not None
    with pytest.raises(exception.InstanceNotFound):
        db.instance_get_by_uuid(db_ctx, instance.uuid)
    with pytest.raises(exception.InstanceNotFound):
        db.instance_destroy(db_ctx, instance.uuid, quota=release)
    assert db.instance_metadata_get(db_ctx, instance.uuid) == {}
    assert db.instance_tag_get(db_ctx, instance.uuid) == []
    assert db.instance_group_get(db_ctx, group.uuid).members == []
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {
        'instances': 0, 'cores': 0, 'ram': 0}



def test_a_task_move_records_its_action_both_or_neither(db_ctx):
    """A delete's step in the API: the instance moves into the task and the action
    is recorded together; a move refused (another task won, or no such instance)
    records no action."""
    ctx = nova_context.RequestContext(user_id='u1', project_id='p1', request_id='req-a')
    made = _create(db_ctx, count=2, task_state=None)
    made[1] = db.instance_update(db_ctx, made[1].uuid, {'task_state': 'rebooting'})
    db.instance_task_with_action(ctx, made[0].uuid, 'deleting', None, 'delete')
    assert db.instance_get_by_uuid(db_ctx, made[0].uuid).task_state == 'deleting'
    action = db.action_get_by_request_id(db_ctx, made[0].uuid, 'req-a')
    assert (action.action, action.user_id, action.project_id) == ('delete', 'u1', 'p1')
    with pytest.raises(exception.UnexpectedTaskStateError):  # rebooting, not None
        db.instance_task_with_action(ctx, made[1].uuid, 'deleting', None, 'delete')
    assert db.instance_get_by_uuid(db_ctx, made[1].uuid).task_state == 'rebooting'
    with pytest.raises(exception.InstanceActionNotFound):
        db.action_get_by_request_id(db_ctx, made[1].uuid, 'req-a')
    db.instance_task_with_action(ctx, made[1].uuid, 'deleting', 'rebooting', 'delete')
    assert db.instance_get_by_uuid(db_ctx, made[1].uuid).task_state == 'deleting'
    db.instance_destroy(db_ctx, made[1].uuid)
    with pytest.raises(exception.InstanceNotFound):
        db.instance_task_with_action(ctx, made[1].uuid, 'deleting', None, 'delete')

def test_live_by_uuids_is_one_statement_with_metadata_and_tags(db_ctx):
    made = _create(db_ctx, count=3, metadata={'a': '1', 'b': '2'}, tags=['x', 'y'])
    db.instance_destroy(db_ctx, made[1].uuid)
    with count_statements() as statements:
        live = db.instance_get_live_by_uuids(db_ctx, [i.uuid for i in made] + ['nope'])
    assert len(queries(statements)) == 1
    assert [i.uuid for i in live] == [made[2].uuid, made[0].uuid]  # newest first
    assert all(i.metadata_dict == {'a': '1', 'b': '2'} and i.tags == ['x', 'y']
               for i in live)
