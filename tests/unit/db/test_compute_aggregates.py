"""nova.db.api on SQLite: host aggregates, server groups and migration records."""
import datetime

import pytest
import sqlalchemy as sa

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.db import api as db

from tests.unit.db.compute_helpers import count_statements, instance_values, queries


# -------------------------------------------------------------- aggregates

def test_aggregate_crud(db_ctx):
    created = db.aggregate_create(db_ctx, {'name': 'rack1'},
                                  metadata={'availability_zone': 'az1', 'ssd': 'true'})
    assert created.uuid and created.hosts == []
    assert created.metadetails == {'availability_zone': 'az1', 'ssd': 'true'}
    assert created.availability_zone == 'az1'
    with pytest.raises(exception.AggregateNameExists):
        db.aggregate_create(db_ctx, {'name': 'rack1'})
    got = db.aggregate_get(db_ctx, created.id)
    assert sa.inspect(got).detached and got.metadata_dict == created.metadetails
    assert db.aggregate_get_by_uuid(db_ctx, created.uuid).id == created.id
    renamed = db.aggregate_update(db_ctx, created.id, {'name': 'rack-one'})
    assert renamed.name == 'rack-one' and renamed.to_dict()['metadata']['ssd'] == 'true'
    db.aggregate_create(db_ctx, {'name': 'rack2'})
    with pytest.raises(exception.AggregateNameExists):
        db.aggregate_update(db_ctx, created.id, {'name': 'rack2'})
    with pytest.raises(exception.AggregateNotFound):
        db.aggregate_get(db_ctx, 999)
    with pytest.raises(exception.AggregateNotFound):
        db.aggregate_get_by_uuid(db_ctx, 'nope')


def test_aggregate_hosts_and_delete(db_ctx):
    agg = db.aggregate_create(db_ctx, {'name': 'a'})
    assert db.aggregate_host_add(db_ctx, agg.id, 'h2').hosts == ['h2']
    db.aggregate_host_add(db_ctx, agg.id, 'h1')
    with pytest.raises(exception.AggregateHostExists):
        db.aggregate_host_add(db_ctx, agg.id, 'h1')
    assert db.aggregate_get(db_ctx, agg.id).hosts == ['h1', 'h2']
    with pytest.raises(exception.InvalidAggregateAction, match='still has hosts h1, h2'):
        db.aggregate_delete(db_ctx, agg.id)
    db.aggregate_host_delete(db_ctx, agg.id, 'h1')
    db.aggregate_host_delete(db_ctx, agg.id, 'h2')
    with pytest.raises(exception.AggregateHostNotFound):
        db.aggregate_host_delete(db_ctx, agg.id, 'h2')
    db.aggregate_delete(db_ctx, agg.id)
    with pytest.raises(exception.AggregateNotFound):
        db.aggregate_get(db_ctx, agg.id)
    with pytest.raises(exception.AggregateNotFound):
        db.aggregate_host_add(db_ctx, agg.id, 'h1')
    assert db.aggregate_create(db_ctx, {'name': 'a'}).id != agg.id


def test_aggregate_metadata(db_ctx):
    agg = db.aggregate_create(db_ctx, {'name': 'a'}, metadata={'x': '1', 'y': '2'})
    assert db.aggregate_metadata_add(db_ctx, agg.id, {'y': '3', 'z': '4', 'x': None}) == {
        'y': '3', 'z': '4'}
    assert db.aggregate_metadata_get(db_ctx, agg.id) == {'y': '3', 'z': '4'}
    assert db.aggregate_metadata_add(db_ctx, agg.id, {'w': '5'}, set_delete=True) == {'w': '5'}
    db.aggregate_metadata_delete(db_ctx, agg.id, 'w')
    with pytest.raises(exception.AggregateMetadataNotFound):
        db.aggregate_metadata_delete(db_ctx, agg.id, 'w')
    assert db.aggregate_get(db_ctx, agg.id).metadetails == {}
    with pytest.raises(exception.AggregateNotFound):
        db.aggregate_metadata_add(db_ctx, 999, {'a': 'b'})


def test_aggregates_by_host_and_key(db_ctx):
    a = db.aggregate_create(db_ctx, {'name': 'a'}, metadata={'availability_zone': 'az1'})
    b = db.aggregate_create(db_ctx, {'name': 'b'}, metadata={'ssd': 'true'})
    for agg in (a, b):
        db.aggregate_host_add(db_ctx, agg.id, 'h1')
    db.aggregate_host_add(db_ctx, b.id, 'h2')
    assert [x.name for x in db.aggregate_get_by_host(db_ctx, 'h1')] == ['a', 'b']
    assert [x.name for x in db.aggregate_get_by_host(db_ctx, 'h1', key='ssd')] == ['b']
    assert db.aggregate_get_by_host(db_ctx, 'h3') == []


def test_aggregate_get_all_in_fixed_queries(db_ctx):
    def listed(count):
        for i in range(count):
            agg = db.aggregate_create(db_ctx, {'name': 'n%d-%d' % (count, i)},
                                      metadata={'k': 'v'})
            db.aggregate_host_add(db_ctx, agg.id, 'h%d' % i)
        with count_statements() as statements:
            aggregates = db.aggregate_get_all(db_ctx)
        assert all(a.hosts and a.metadetails == {'k': 'v'} for a in aggregates)
        return len(queries(statements))

    assert listed(2) == listed(20) == 3


# ----------------------------------------------------------- server groups

def test_server_group_crud(db_ctx):
    group = db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1', 'user_id': 'u1',
                                              'policy': 'anti-affinity',
                                              'rules': {'max_server_per_host': 2}},
                                     members=['i1', 'i2', 'i1'])
    assert group.members == ['i1', 'i2']
    with pytest.raises(exception.InstanceGroupIdExists):
        db.instance_group_create(db_ctx, {'uuid': group.uuid, 'name': 'again'})
    got = db.instance_group_get(db_ctx, group.uuid)
    assert (got.policy, got.rules, got.members) == ('anti-affinity',
                                                    {'max_server_per_host': 2}, ['i1', 'i2'])
    assert db.instance_group_members_add(db_ctx, group.uuid, ['i2', 'i3']) == ['i3']
    assert db.instance_group_get_by_instance(db_ctx, 'i3').uuid == group.uuid
    with pytest.raises(exception.InstanceGroupNotFound, match='i9 is in no server group'):
        db.instance_group_get_by_instance(db_ctx, 'i9')
    db.instance_group_create(db_ctx, {'name': 'other', 'project_id': 'p2'})
    assert [g.name for g in db.instance_group_get_all(db_ctx)] == ['g', 'other']
    assert [g.name for g in db.instance_group_get_all(db_ctx, project_id='p2')] == ['other']
    db.instance_group_delete(db_ctx, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        db.instance_group_get(db_ctx, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        db.instance_group_delete(db_ctx, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        db.instance_group_members_add(db_ctx, group.uuid, ['i4'])


def test_server_groups_count_against_the_project_quota(db_ctx):
    def create(project='p1', limit=2):
        return db.instance_group_create(db_ctx, {'name': 'g', 'project_id': project,
                                                 'policy': 'affinity'}, limit=limit)

    first, _second = create(), create()
    with pytest.raises(exception.OverQuota, match='server_groups: Requested 1, but already '
                                                  'used 2 of 2'):
        create()
    create(project='p2')  # another project's usage is its own
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['server_groups'] == 2
    db.instance_group_delete(db_ctx, first.uuid)
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['server_groups'] == 1
    create()
    create(limit=-1)  # unlimited
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1')['server_groups'] == 3


def test_members_beyond_the_group_member_limit_are_refused(db_ctx):
    group = db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1',
                                              'policy': 'affinity'})
    quota = {'project_id': 'p1', 'deltas': {}, 'limits': {'server_group_members': 3}}

    def boot(count):
        return db.instance_create_many(db_ctx, [instance_values(group_uuid=group.uuid)
                                                for _ in range(count)], quota=quota)

    rows = boot(2)
    with pytest.raises(exception.OverQuota, match='server_group_members: Requested 2, but '
                                                  'already used 2 of 3') as refused:
        boot(2)
    assert refused.value.kwargs['used'] == {'server_group_members': 2}
    assert len(db.instance_group_get(db_ctx, group.uuid).members) == 2  # nothing half-made
    boot(1)
    db.instance_destroy(db_ctx, rows[0].uuid)  # a deleted member frees its place
    boot(1)
    assert len(db.instance_group_get(db_ctx, group.uuid).members) == 3


def test_member_hosts_are_those_of_live_members(db_ctx):
    group = db.instance_group_create(db_ctx, {'name': 'g', 'policy': 'affinity'})
    values = [instance_values(host=host, group_uuid=group.uuid)
              for host in ('h1', 'h1', 'h2', None, 'h3')]
    instances = db.instance_create_many(db_ctx, values)
    db.instance_destroy(db_ctx, instances[4].uuid)
    assert db.instance_group_get_member_hosts(db_ctx, group.uuid) == {'h1', 'h2'}
    assert db.instance_group_get_member_hosts(db_ctx, 'nope') == set()


# -------------------------------------------------------------- migrations

def _migration(ctx, **values):
    defaults = {'instance_uuid': 'i1', 'source_compute': 'h1', 'dest_compute': 'h2',
                'source_node': 'n1', 'dest_node': 'n2', 'status': 'migrating',
                'migration_type': 'resize', 'old_instance_type_id': 1,
                'new_instance_type_id': 2}
    return db.migration_create(ctx, dict(defaults, **values))


def test_migration_crud(db_ctx):
    migration = _migration(db_ctx)
    assert migration.uuid and migration.hidden is False
    assert db.migration_get(db_ctx, migration.id).uuid == migration.uuid
    assert db.migration_get_by_uuid(db_ctx, migration.uuid).id == migration.id
    updated = db.migration_update(db_ctx, migration.id, {'status': 'finished'})
    assert updated.status == 'finished'
    found = db.migration_get_by_instance_and_status(db_ctx, 'i1', 'finished')
    assert found.id == migration.id
    with pytest.raises(exception.MigrationNotFoundByStatus):
        db.migration_get_by_instance_and_status(db_ctx, 'i1', 'migrating')
    for lookup in (lambda: db.migration_get(db_ctx, 999),
                   lambda: db.migration_get_by_uuid(db_ctx, 'nope'),
                   lambda: db.migration_update(db_ctx, 999, {'status': 'x'})):
        with pytest.raises(exception.MigrationNotFound):
            lookup()


def test_migration_filters_and_pages(db_ctx):
    a = _migration(db_ctx, status='migrating')
    b = _migration(db_ctx, status='finished', instance_uuid='i2', source_compute='h3',
                   dest_compute='h1', migration_type='live-migration')
    c = _migration(db_ctx, status='error', source_compute='h4', dest_compute='h5',
                   hidden=True)

    def ids(filters, **kwargs):
        return [m.id for m in db.migration_get_all_by_filters(db_ctx, filters, **kwargs)]

    assert ids({}) == [c.id, b.id, a.id]
    assert ids({'status': 'finished'}) == [b.id]
    assert ids({'status': ['finished', 'error']}) == [c.id, b.id]
    assert ids({'host': 'h1'}) == [b.id, a.id]
    assert ids({'instance_uuid': 'i2'}) == [b.id]
    assert ids({'migration_type': 'live-migration'}) == [b.id]
    assert ids({'hidden': False}) == [b.id, a.id]
    assert ids({'changes-since': utils.utcnow() + datetime.timedelta(seconds=5)}) == []
    assert ids({}, limit=2, marker=c.uuid) == [b.id, a.id]
    assert ids({}, sort_keys=['id'], sort_dirs=['asc']) == [a.id, b.id, c.id]
    with pytest.raises(exception.MarkerNotFound):
        ids({}, marker='nope')


def test_unconfirmed_and_in_progress(db_ctx):
    old = _migration(db_ctx, status='finished', dest_compute='h2')
    db.migration_update(db_ctx, old.id, {'updated_at': utils.utcnow() -
                                         datetime.timedelta(hours=1)})
    _migration(db_ctx, status='finished', dest_compute='h2')  # within the window
    _migration(db_ctx, status='finished', dest_compute='h9')
    assert [m.id for m in db.migration_get_unconfirmed_by_dest_compute(db_ctx, 600, 'h2')] == [
        old.id]
    moving = _migration(db_ctx, status='migrating')
    _migration(db_ctx, status='confirmed')
    _migration(db_ctx, status='migrating', source_node='other', dest_compute='h7')
    in_progress = db.migration_get_in_progress_by_host_and_node(db_ctx, 'h1', 'n1')
    assert moving.id in [m.id for m in in_progress]
    assert {m.status for m in in_progress} <= {'migrating', 'finished'}
    assert len(db.migration_get_in_progress_by_host_and_node(db_ctx, 'h2', 'n2')) == 3
    deleted = nova_context.get_admin_context(read_deleted='only')
    assert db.migration_get_all_by_filters(deleted, {}) == []
