"""nova.db.api on SQLite: quota limits, atomic usage, races, key pairs under quota."""
import eventlet
import pytest

from nova import exception
from nova.db import api as db

from tests.unit.db.compute_helpers import (boot_in_processes, count_statements,
                                           instance_values, queries, reservation)


def test_overrides(db_ctx):
    assert db.quota_get_all_by_project(db_ctx, 'p1') == {}
    db.quota_create_or_update(db_ctx, 'p1', 'cores', 40)
    db.quota_create_or_update(db_ctx, 'p1', 'cores', 50)
    db.quota_create_or_update(db_ctx, 'p1', 'ram', -1)
    db.quota_create_or_update(db_ctx, 'p2', 'cores', 1)
    assert db.quota_get_all_by_project(db_ctx, 'p1') == {'cores': 50, 'ram': -1}
    db.quota_destroy_all_by_project(db_ctx, 'p1')
    assert db.quota_get_all_by_project(db_ctx, 'p1') == {}
    assert db.quota_get_all_by_project(db_ctx, 'p2') == {'cores': 1}


def test_usage_update_within_limits(db_ctx):
    limits = {'instances': 2, 'cores': 4}
    db.quota_usage_update(db_ctx, 'p1', {'instances': 1, 'cores': 2}, limits)
    db.quota_usage_update(db_ctx, 'p1', {'instances': 1, 'cores': 2}, limits)
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {'instances': 2, 'cores': 4}
    with pytest.raises(exception.OverQuota) as raised:
        db.quota_usage_update(db_ctx, 'p1', {'instances': 1, 'cores': 1, 'ram': 10},
                              dict(limits, ram=100))
    assert raised.value.kwargs['overs'] == ['cores', 'instances']
    assert raised.value.kwargs['used'] == {'instances': 2, 'cores': 4}
    assert raised.value.code == 403
    assert str(raised.value) == ('Quota exceeded for cores, instances: Requested 1, 1, but '
                                 'already used 4, 2 of 4, 2 cores, instances')
    # all or nothing: not even the ram row was kept
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {'instances': 2, 'cores': 4}


def test_usage_releases_always_pass_and_stop_at_zero(db_ctx):
    db.quota_usage_update(db_ctx, 'p1', {'cores': 3}, {'cores': 3})
    db.quota_usage_update(db_ctx, 'p1', {'cores': -5}, {'cores': 0})
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {'cores': 0}


def test_a_change_of_existing_usage_is_one_update_per_resource(db_ctx):
    deltas, limits = {'instances': 1, 'cores': 2, 'ram': 64}, {'cores': 10}
    db.quota_usage_update(db_ctx, 'p1', deltas, limits)  # creates the rows
    for sign in (1, -1):
        with count_statements() as statements:
            db.quota_usage_update(db_ctx, 'p1', {r: sign * d for r, d in deltas.items()},
                                  limits)
        assert [s.split()[0] for s in queries(statements)] == ['UPDATE'] * 3
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == deltas


def test_a_reservation_of_existing_usage_is_one_update(db_ctx):
    """A create's or a delete's quota (the project's and the user's rows of three
    resources) is one UPDATE once the rows exist; a limit reached still raises
    OverQuota naming the resource, with nothing changed."""
    quota = dict(reservation('p1', 1, vcpus=2, memory_mb=64, cores=4), user_id='u1',
                 user_limits={'cores': 4})
    db.quota_apply(db_ctx, quota)  # creates the rows
    with count_statements() as statements:
        db.quota_apply(db_ctx, quota)
    assert [s.split()[0] for s in queries(statements)] == ['WITH']
    with pytest.raises(exception.OverQuota, match='cores'):
        db.quota_apply(db_ctx, quota)
    expected = {'instances': 2, 'cores': 4, 'ram': 128}
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == expected
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1', user_id='u1') == expected
    release = dict(quota, deltas={'instances': -3, 'cores': -4, 'ram': -128})
    db.quota_apply(db_ctx, release)
    zero = {'instances': 0, 'cores': 0, 'ram': 0}
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == zero
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1', user_id='u1') == zero


def test_unlimited_and_user_scoped_usage(db_ctx):
    db.quota_usage_update(db_ctx, 'p1', {'cores': 1000}, {'cores': -1})
    db.quota_usage_update(db_ctx, 'p1', {'cores': 1}, {})
    db.quota_usage_update(db_ctx, 'p1', {'key_pairs': 2}, {'key_pairs': 2}, user_id='u1')
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1') == {'cores': 1001}
    assert db.quota_usage_get_all_by_project(db_ctx, 'p1', user_id='u1') == {'key_pairs': 2}


def test_over_quota_message_for_one_resource(db_ctx):
    db.quota_usage_update(db_ctx, 'p1', {'cores': 18}, {'cores': 20})
    with pytest.raises(exception.OverQuota,
                       match='^Quota exceeded for cores: Requested 4, but already used 18 of '
                             '20 cores$'):
        db.quota_usage_update(db_ctx, 'p1', {'cores': 4}, {'cores': 20})


def test_concurrent_creates_never_exceed_the_quota(db_ctx):
    """20 green threads each try to boot 2 instances under a limit of 7 instances."""
    results = []

    def boot():
        try:
            db.instance_create_many(db_ctx, [instance_values(project_id='race')
                                             for _ in range(2)],
                                    quota=reservation('race', 2, vcpus=2, instances=7))
            results.append('ok')
        except exception.OverQuota:
            results.append('over')

    for thread in [eventlet.spawn(boot) for _ in range(20)]:
        thread.wait()
    assert results.count('ok') == 3 and results.count('over') == 17
    live = db.instance_get_all_by_filters(db_ctx, {'project_id': 'race'})
    assert len(live) == 6
    assert db.quota_usage_get_all_by_project(db_ctx, 'race') == {
        'instances': 6, 'cores': 12, 'ram': 3072}


def test_refresh_recounts_from_live_instances(db_ctx):
    instances = db.instance_create_many(db_ctx, [
        instance_values(project_id='p9', vcpus=2, memory_mb=256) for _ in range(3)])
    db.instance_destroy(db_ctx, instances[0].uuid)
    db.quota_usage_update(db_ctx, 'p9', {'instances': 40, 'cores': 1}, {})
    assert db.quota_usage_refresh(db_ctx, 'p9') == {'instances': 2, 'cores': 4, 'ram': 512}
    assert db.quota_usage_get_all_by_project(db_ctx, 'p9') == {
        'instances': 2, 'cores': 4, 'ram': 512}


# --------------------------------------------------------------- key pairs

def _key_pair(ctx, name='k1', user_id='u1', limit=None):
    return db.key_pair_create(ctx, {'name': name, 'user_id': user_id, 'fingerprint': 'fp',
                                    'public_key': 'ssh-rsa AAAA', 'type': 'ssh'}, limit=limit)


def test_key_pair_crud(db_ctx):
    created = _key_pair(db_ctx)
    got = db.key_pair_get(db_ctx, 'u1', 'k1')
    assert (got.id, got.fingerprint, got.type) == (created.id, 'fp', 'ssh')
    with pytest.raises(exception.KeyPairExists, match="'k1'"):
        _key_pair(db_ctx)
    with pytest.raises(exception.KeypairNotFound):
        db.key_pair_get(db_ctx, 'u2', 'k1')
    _key_pair(db_ctx, user_id='u2')
    assert db.key_pair_count_by_user(db_ctx, 'u1') == 1
    db.key_pair_destroy(db_ctx, 'u1', 'k1')
    with pytest.raises(exception.KeypairNotFound):
        db.key_pair_destroy(db_ctx, 'u1', 'k1')
    assert db.key_pair_count_by_user(db_ctx, 'u1') == 0
    assert _key_pair(db_ctx).id != created.id


def test_key_pairs_are_limited_per_user(db_ctx):
    _key_pair(db_ctx, 'a', limit=2)
    _key_pair(db_ctx, 'b', limit=2)
    with pytest.raises(exception.OverQuota, match='key_pairs: Requested 1, but already used '
                                                  '2 of 2'):
        _key_pair(db_ctx, 'c', limit=2)
    _key_pair(db_ctx, 'a', user_id='u2', limit=2)
    db.key_pair_destroy(db_ctx, 'u1', 'a')
    _key_pair(db_ctx, 'c', limit=2)
    # a duplicate name gives its quota back
    with pytest.raises(exception.KeyPairExists):
        _key_pair(db_ctx, 'c', limit=5)
    _key_pair(db_ctx, 'd', limit=3)
    assert db.key_pair_count_by_user(db_ctx, 'u1') == 3


def test_concurrent_key_pair_creates_stop_at_the_limit(db_ctx):
    outcomes = []

    def create(i):
        try:
            _key_pair(db_ctx, 'k%d' % i, limit=5)
            outcomes.append('ok')
        except exception.OverQuota:
            outcomes.append('over')

    for thread in [eventlet.spawn(create, i) for i in range(12)]:
        thread.wait()
    assert outcomes.count('ok') == 5
    assert db.key_pair_count_by_user(db_ctx, 'u1') == 5


def test_key_pair_pages(db_ctx):
    for name in ('c', 'a', 'b', 'd'):
        _key_pair(db_ctx, name)
    assert [k.name for k in db.key_pair_get_all_by_user(db_ctx, 'u1')] == ['c', 'a', 'b', 'd']
    assert [k.name for k in db.key_pair_get_all_by_user(db_ctx, 'u1', limit=2,
                                                        marker='a')] == ['b', 'd']
    with pytest.raises(exception.MarkerNotFound):
        db.key_pair_get_all_by_user(db_ctx, 'u1', marker='zz')


def test_concurrent_creates_from_processes_never_exceed_the_quota(synced_db, db_ctx):
    created, refused = boot_in_processes(synced_db, 'procs', processes=4, requests=5, count=1,
                                         limits={'instances': 9})
    assert (created, refused) == (9, 11)
    assert len(db.instance_get_all_by_filters(db_ctx, {'project_id': 'procs'})) == 9
    assert db.quota_usage_get_all_by_project(db_ctx, 'procs') == {'instances': 9}
