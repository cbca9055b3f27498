"""nova.quota: limits from flags and overrides, reservations, checks, messages."""
import pytest

from nova import exception
from nova import quota
from nova.conf import CONF
from nova.db import api as db

from tests.unit.db.compute_helpers import count_statements, instance_values, queries
from tests.unit.db import conftest as db_fixtures

# the DB fixtures of tests/unit/db: a migrated SQLite database and an admin context
ctx, db_ctx, empty_db, synced_db = (db_fixtures.ctx, db_fixtures.db_ctx, db_fixtures.empty_db,
                                    db_fixtures.synced_db)


class Flavor:
    vcpus, memory_mb = 4, 2048


def test_defaults_are_the_flags(db_ctx):
    limits = quota.limits_for(db_ctx, 'p1')
    assert limits == {'instances': 10, 'cores': 20, 'ram': 51200, 'key_pairs': 100,
                      'metadata_items': 128, 'injected_files': 5,
                      'injected_file_content_bytes': 10240, 'injected_file_path_bytes': 255,
                      'server_groups': 10, 'server_group_members': 10,
                      'floating_ips': 10, 'fixed_ips': -1, 'security_groups': 10,
                      'security_group_rules': 100, 'networks': 10, 'subnets': 10,
                      'ports': 50}
    CONF.set_override('quota_cores', 8)
    assert quota.limits_for(db_ctx, 'p1')['cores'] == 8


def test_overrides_win_over_flags(db_ctx):
    assert quota.update_project_quota(db_ctx, 'p1', 'cores', '40') == 40
    quota.update_project_quota(db_ctx, 'p1', 'ram', -1)
    limits = quota.limits_for(db_ctx, 'p1')
    assert (limits['cores'], limits['ram'], limits['instances']) == (40, -1, 10)
    assert quota.limits_for(db_ctx, 'p2')['cores'] == 20


@pytest.mark.parametrize('resource, limit, error', [
    ('bogus', 1, exception.QuotaResourceUnknown),
    ('cores', -2, exception.InvalidInput),
    ('cores', 'many', exception.InvalidInput),
])
def test_update_validates(db_ctx, resource, limit, error):
    with pytest.raises(error):
        quota.update_project_quota(db_ctx, 'p1', resource, limit)


def test_reservation_for_instance_create(db_ctx):
    quota.update_project_quota(db_ctx, 'p1', 'cores', 9)
    reserved = quota.instance_reservation(db_ctx, 'p1', 'u1', Flavor(), 2)
    assert reserved == {'project_id': 'p1', 'user_id': 'u1',
                        'deltas': {'instances': 2, 'cores': 8, 'ram': 4096},
                        'limits': {'instances': 10, 'cores': 9, 'ram': 51200,
                                   'server_group_members': 10},
                        'user_limits': {'instances': 10, 'cores': 9, 'ram': 51200}}
    assert quota.instance_reservation(db_ctx, 'p1', 'u1', {'vcpus': 1, 'memory_mb': 64}, 3)[
        'deltas'] == {'instances': 3, 'cores': 3, 'ram': 192}
    db.instance_create_many(db_ctx, [instance_values(vcpus=4, memory_mb=2048)
                                     for _ in range(2)], quota=reserved)
    with pytest.raises(exception.OverQuota) as raised:
        db.instance_create_many(db_ctx, [instance_values(vcpus=4, memory_mb=2048)],
                                quota=quota.instance_reservation(db_ctx, 'p1', 'u1', Flavor(),
                                                                 1))
    assert str(raised.value) == ('Quota exceeded for cores: Requested 4, but already used 8 '
                                 'of 9 cores')
    assert quota.instances_that_fit(raised.value, Flavor()) == 0
    usage = quota.get_project_quotas(db_ctx, 'p1')
    assert usage['cores'] == {'limit': 9, 'in_use': 8}
    assert usage['instances'] == {'limit': 10, 'in_use': 2}
    assert usage['metadata_items'] == {'limit': 128, 'in_use': 0}


def test_instances_that_fit():
    over = exception.OverQuota(overs=['cores', 'ram'], req={'cores': 40, 'ram': 20480},
                               used={'cores': 10, 'ram': 4096},
                               allowed={'cores': 20, 'ram': 51200})
    assert quota.instances_that_fit(over, Flavor()) == 2
    assert str(over) == ('Quota exceeded for cores, ram: Requested 40, 20480, but already '
                         'used 10, 4096 of 20, 51200 cores, ram')


def test_over_quota_survives_a_round_trip_by_kwargs():
    over = exception.OverQuota(overs=['instances'], req={'instances': 3},
                               used={'instances': 9}, allowed={'instances': 10})
    again = exception.OverQuota(**over.kwargs)
    assert str(again) == str(over) and again.code == 403


def test_key_pairs_in_use_are_the_users(db_ctx):
    db.key_pair_create(db_ctx, {'name': 'k', 'user_id': 'u1', 'public_key': 'x'})
    assert quota.get_project_quotas(db_ctx, 'p1', user_id='u1')['key_pairs'] == {
        'limit': 100, 'in_use': 1}
    assert quota.get_project_quotas(db_ctx, 'p1')['key_pairs']['in_use'] == 0


def test_server_groups_in_use_follow_creates_and_deletes(db_ctx):
    groups = [db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1',
                                                'policy': 'affinity'}) for _ in range(2)]
    assert quota.get_project_quotas(db_ctx, 'p1')['server_groups'] == {
        'limit': 10, 'in_use': 2}
    db.instance_group_delete(db_ctx, groups[0].uuid)
    assert quota.get_project_quotas(db_ctx, 'p1')['server_groups']['in_use'] == 1
    assert quota.get_project_quotas(db_ctx, 'p2')['server_groups']['in_use'] == 0


def test_metadata_items(db_ctx):
    quota.check_metadata_items(db_ctx, 'p1', 128)
    with pytest.raises(exception.MetadataLimitExceeded, match='exceeds 128') as raised:
        quota.check_metadata_items(db_ctx, 'p1', 129)
    assert raised.value.code == 403
    quota.update_project_quota(db_ctx, 'p1', 'metadata_items', -1)
    quota.check_metadata_items(db_ctx, 'p1', 10000)


def test_several_limits_at_once_or_none(db_ctx):
    assert quota.update_project_quotas(db_ctx, 'p1', {'cores': '4', 'ram': 1024}) == {
        'cores': 4, 'ram': 1024}
    with pytest.raises(exception.InvalidInput):
        quota.update_project_quotas(db_ctx, 'p1', {'cores': 5, 'ram': -2})
    limits = quota.limits_for(db_ctx, 'p1')
    assert (limits['cores'], limits['ram']) == (4, 1024)


# ------------------------------------------------------------------ per-user quotas

def test_a_users_limits_override_the_projects(db_ctx):
    quota.update_project_quotas(db_ctx, 'p1', {'cores': 12, 'floating_ips': 3})
    assert quota.update_user_quotas(db_ctx, 'p1', 'u1', {'cores': '4', 'ram': 2048}) == {
        'cores': 4, 'ram': 2048}
    user = quota.limits_for(db_ctx, 'p1', 'u1')
    assert (user['cores'], user['ram'], user['instances'], user['floating_ips']) == (
        4, 2048, 10, 3)
    assert quota.limits_for(db_ctx, 'p1', 'u2')['cores'] == 12
    assert quota.limits_for(db_ctx, 'p1')['cores'] == 12
    with count_statements() as statements:  # defaults, project's and user's: one query
        project, user = quota.project_and_user_limits(db_ctx, 'p1', 'u1')
    assert len(queries(statements)) == 1
    assert (project['cores'], user['cores'], user['ram'], user['floating_ips']) == (
        12, 4, 2048, 3)
    with pytest.raises(exception.InvalidInput, match='floating_ips is limited per project'):
        quota.update_user_quotas(db_ctx, 'p1', 'u1', {'floating_ips': 1})
    quota.revert_user_quotas(db_ctx, 'p1', 'u1')
    assert quota.limits_for(db_ctx, 'p1', 'u1')['cores'] == 12


def test_a_users_limit_is_enforced_with_the_projects_in_one_transaction(db_ctx):
    quota.update_user_quotas(db_ctx, 'p1', 'u1', {'cores': 6})
    make = [instance_values(user_id='u1', vcpus=4, memory_mb=2048)]
    db.instance_create_many(db_ctx, make, quota=quota.instance_reservation(
        db_ctx, 'p1', 'u1', Flavor(), 1))
    with pytest.raises(exception.OverQuota) as raised:
        db.instance_create_many(db_ctx, [instance_values(user_id='u1', vcpus=4)],
                                quota=quota.instance_reservation(db_ctx, 'p1', 'u1', Flavor(), 1))
    assert raised.value.kwargs['allowed'] == {'cores': 6}
    # refused as a whole: neither the project's usage nor the instance was written
    assert quota.get_project_quotas(db_ctx, 'p1')['cores']['in_use'] == 4
    assert len(db.instance_get_all_by_filters(db_ctx, {'project_id': 'p1'})) == 1
    # another user of the project still has the project's limits
    db.instance_create_many(db_ctx, [instance_values(user_id='u2', vcpus=4)],
                            quota=quota.instance_reservation(db_ctx, 'p1', 'u2', Flavor(), 1))
    users = quota.get_user_quotas(db_ctx, 'p1', 'u1')
    assert users['cores'] == {'limit': 6, 'in_use': 4}
    assert quota.get_user_quotas(db_ctx, 'p1', 'u2')['cores'] == {'limit': 20, 'in_use': 4}
    assert quota.get_project_quotas(db_ctx, 'p1')['cores'] == {'limit': 20, 'in_use': 8}


def test_releasing_an_instance_gives_back_the_users_share(db_ctx):
    from nova.compute import utils as compute_utils
    instance = db.instance_create_many(db_ctx, [instance_values(
        user_id='u1', vcpus=4, memory_mb=2048, task_state='deleting')],
        quota=quota.instance_reservation(db_ctx, 'p1', 'u1', Flavor(), 1))[0]
    db.instance_destroy(db_ctx, instance.uuid, quota=compute_utils.quota_release(instance))
    assert quota.get_user_quotas(db_ctx, 'p1', 'u1')['instances']['in_use'] == 0
    assert quota.get_project_quotas(db_ctx, 'p1')['instances']['in_use'] == 0


def test_server_groups_count_per_user(db_ctx):
    db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1', 'user_id': 'u1',
                                      'policy': 'affinity'}, limit=10, user_limit=1)
    with pytest.raises(exception.OverQuota):
        db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1', 'user_id': 'u1',
                                          'policy': 'affinity'}, limit=10, user_limit=1)
    group = db.instance_group_create(db_ctx, {'name': 'g', 'project_id': 'p1',
                                              'user_id': 'u2', 'policy': 'affinity'},
                                     limit=10, user_limit=1)
    assert quota.get_project_quotas(db_ctx, 'p1')['server_groups']['in_use'] == 2
    db.instance_group_delete(db_ctx, group.uuid)
    assert quota.get_user_quotas(db_ctx, 'p1', 'u2')['server_groups']['in_use'] == 0


def test_settable_ranges_as_nova(db_ctx):
    quota.update_project_quotas(db_ctx, 'p1', {'cores': 10, 'ram': -1})
    quota.update_user_quotas(db_ctx, 'p1', 'u1', {'cores': 4})
    quota.update_user_quotas(db_ctx, 'p1', 'u2', {'cores': 3})
    db.instance_create_many(db_ctx, [instance_values(user_id='u2', vcpus=2)],
                            quota=quota.reservation(db_ctx, 'p1', 'u2',
                                                    {'instances': 1, 'cores': 2}))
    project = quota.settable_range(db_ctx, 'p1')
    assert project['cores'] == (7, -1)  # its users were given 4 + 3
    assert project['instances'] == (1, -1)
    user = quota.settable_range(db_ctx, 'p1', 'u2')
    assert user['cores'] == (2, 6)  # 10 less u1's 4
    assert user['ram'] == (0, -1)


def test_refresh_recounts_users_too(db_ctx):
    db.instance_create_many(db_ctx, [instance_values(user_id='u1', vcpus=2, memory_mb=100)])
    db.quota_usage_update(db_ctx, 'p1', {'cores': 9}, {}, user_id='u3')
    assert db.quota_usage_refresh(db_ctx, 'p1') == {'instances': 1, 'cores': 2, 'ram': 100}
    assert quota.get_user_quotas(db_ctx, 'p1', 'u1')['cores']['in_use'] == 2
    assert quota.get_user_quotas(db_ctx, 'p1', 'u3')['cores']['in_use'] == 0


def test_limits_show_what_binds_the_caller(db_ctx):
    quota.update_user_quotas(db_ctx, 'p1', 'u1', {'ram': 4096})
    db.instance_create_many(db_ctx, [instance_values(user_id='u2', memory_mb=1024)],
                            quota=quota.reservation(db_ctx, 'p1', 'u2', {'ram': 1024}))
    mine = quota.effective_quotas(db_ctx, 'p1', 'u1')
    assert mine['ram'] == {'limit': 4096, 'in_use': 0}
    assert mine['cores']['limit'] == 20
    assert quota.effective_quotas(db_ctx, 'p1', 'u2')['ram'] == {'limit': 51200, 'in_use': 1024}
